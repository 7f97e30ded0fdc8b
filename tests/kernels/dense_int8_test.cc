// DenseInt8Rows / DenseInt8RowsToF32 and QuantizeU8 / DequantizeU8 on every compiled Highway
// target (AVX3_DL = the AVX-512 VNNI path included) and on the AArch64 udot path, against their
// scalar references: bit-exact, on awkward sizes, overlapping and gapped row strides, with
// sentinel-prefilled outputs, guard bytes after every buffer and unchanged inputs.
#define HWY_WANT_AVX3_DL  // enumerate the AVX3_DL target like dense_int8.cc compiles it
#include "kernels/dense_int8.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "kernels/dense_int8_arm.h"
#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

constexpr size_t kGuard = 64;
constexpr uint8_t kGuardByte = 0xA5;
constexpr uint8_t kSentinelByte = 0x5A;
constexpr uint32_t kSeed = 20261124;
constexpr size_t kIns[] = {1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 640};
constexpr size_t kOuts[] = {1, 7, 16, 17, 33, 128};
constexpr size_t kRows[] = {1, 2, 3, 5, 8, 64};

enum class Values { kRandom, kWorstPositive, kWorstNegative };

struct Case {
  size_t rows, in, out, stride;  // stride 0: contiguous rows
  Activation act;
  bool float_out;
  Values values;
  uint32_t seed;
};

std::string Describe(const Case& c) {
  return testing::PrintToString(c.rows) + " rows, in=" + std::to_string(c.in) + " out=" + std::to_string(c.out) +
         " stride=" + std::to_string(c.stride) + " act=" + std::to_string(static_cast<int>(c.act)) +
         (c.float_out ? " float" : " uint8") + " values=" + std::to_string(static_cast<int>(c.values)) +
         " seed=" + std::to_string(c.seed);
}

// Runs one case through the public entry point (whatever path is selected) and checks it.
void CheckCase(const Case& c) {
  SCOPED_TRACE(Describe(c));
  std::mt19937 rng(c.seed);
  const size_t stride = c.stride == 0 ? c.in : c.stride;
  std::vector<float> w(c.in * c.out);
  std::vector<float> bias(c.out);
  std::normal_distribution<float> normal(0.0f, 1.0f / std::sqrt(static_cast<float>(c.in)));
  for (float& f : w) f = c.values == Values::kRandom ? normal(rng) : (c.values == Values::kWorstPositive ? 0.5f : -0.5f);
  for (float& f : bias) f = c.values == Values::kRandom ? 0.3f * normal(rng) : 0.0f;
  // x bytes: row r at r·stride; bytes of no row hold a poison value (never read by a correct
  // kernel; a wrong read changes outputs). Worst case: every x = 255 with every w = ±127.
  const size_t x_bytes = (c.rows - 1) * stride + c.in;
  std::vector<uint8_t> x(x_bytes + kGuard, kGuardByte);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<bool> used(x_bytes, false);
  for (size_t r = 0; r < c.rows; ++r)
    for (size_t i = 0; i < c.in; ++i) used[r * stride + i] = true;
  for (size_t b = 0; b < x_bytes; ++b)
    x[b] = used[b] ? (c.values == Values::kRandom ? static_cast<uint8_t>(byte(rng)) : 255) : 0xC3;

  const QuantParams input{0.02f, c.values == Values::kRandom ? 100 : 0};
  const QuantParams output{0.05f, 37};
  const size_t packed_bytes = PackedDenseInt8Bytes(c.in, c.out);
  auto packed = hwy::AllocateAligned<uint8_t>(packed_bytes + kGuard);
  std::memset(packed.get() + packed_bytes, kGuardByte, kGuard);
  std::vector<float> scales(c.out);
  ASSERT_TRUE(PackDenseInt8(w.data(), bias.data(), c.in, c.out, input, c.float_out ? nullptr : &output, c.act,
                            packed.get(), scales.data()));
  const std::vector<uint8_t> packed_copy(packed.get(), packed.get() + packed_bytes + kGuard);
  const std::vector<uint8_t> x_copy = x;

  const size_t n = c.rows * c.out;
  if (c.float_out) {
    std::vector<float> y(n + kGuard, -777.0f);
    std::fill(y.begin(), y.begin() + n, std::numeric_limits<float>::quiet_NaN());
    DenseInt8RowsToF32(packed.get(), x.data(), stride, c.rows, c.in, c.out, y.data());
    std::vector<float> expected(n);
    DenseInt8RowsToF32Reference(w.data(), bias.data(), c.in, c.out, input, c.act, x.data(), stride, c.rows,
                                expected.data());
    size_t failures = 0;
    for (size_t k = 0; k < n && failures < 5; ++k) {
      if (std::memcmp(&y[k], &expected[k], sizeof(float)) != 0) {
        ++failures;
        ADD_FAILURE() << "y[" << k / c.out << "][" << k % c.out << "] = " << y[k] << ", expected " << expected[k];
      }
    }
    for (size_t g = 0; g < kGuard; ++g) ASSERT_EQ(y[n + g], -777.0f) << "guard " << g << " overwritten";
  } else {
    std::vector<uint8_t> y(n + kGuard, kGuardByte);
    std::fill(y.begin(), y.begin() + n, kSentinelByte);
    DenseInt8Rows(packed.get(), x.data(), stride, c.rows, c.in, c.out, y.data());
    std::vector<uint8_t> expected(n);
    DenseInt8RowsReference(w.data(), bias.data(), c.in, c.out, input, output, c.act, x.data(), stride, c.rows,
                           expected.data());
    size_t failures = 0;
    for (size_t k = 0; k < n && failures < 5; ++k) {
      if (y[k] != expected[k]) {
        ++failures;
        ADD_FAILURE() << "y[" << k / c.out << "][" << k % c.out << "] = " << int{y[k]} << ", expected "
                      << int{expected[k]};
      }
    }
    for (size_t g = 0; g < kGuard; ++g) ASSERT_EQ(y[n + g], kGuardByte) << "guard " << g << " overwritten";
  }
  ASSERT_EQ(x, x_copy) << "input modified";
  ASSERT_TRUE(std::equal(packed_copy.begin(), packed_copy.end(), packed.get())) << "packed blob modified";
}

// Every size combination (contiguous), row strides below and above `in`, and the worst-case
// values that would saturate a vpmaddubsw-style int16 pair sum.
void RunAllCases() {
  uint32_t seed = kSeed;
  for (size_t in : kIns) {
    for (size_t out : kOuts) {
      for (size_t rows : kRows) {
        const bool float_out = (seed & 1) != 0;
        const Activation act = (seed & 2) != 0 ? Activation::kRelu : Activation::kNone;
        CheckCase({rows, in, out, 0, act, float_out, Values::kRandom, seed++});
        if (testing::Test::HasFailure()) return;
      }
    }
  }
  for (size_t in : {1, 5, 17, 64, 65, 640}) {
    for (size_t stride : {in > 1 ? in - 1 : 1, in / 2 + 1, in + 3, 2 * in + 7}) {
      for (bool float_out : {false, true}) {
        CheckCase({5, in, 33, stride, Activation::kRelu, float_out, Values::kRandom, seed++});
        CheckCase({64, in, 17, stride, Activation::kNone, float_out, Values::kRandom, seed++});
        if (testing::Test::HasFailure()) return;
      }
    }
  }
  for (Values v : {Values::kWorstPositive, Values::kWorstNegative}) {
    for (size_t in : {4, 17, 640, 4096}) {
      CheckCase({3, in, 33, 0, Activation::kNone, true, v, seed++});
      CheckCase({8, in, 16, 0, Activation::kNone, false, v, seed++});
    }
  }
}

[[maybe_unused]] bool IsVnni(const char* name) {
  return std::string(name).find("vpdpbusd") != std::string::npos;
}

class DenseInt8Test : public PerTargetTest {
 protected:
  void SetUp() override {
    SetDenseInt8ArmDotEnabled(false);  // the Highway target itself, not the udot override
    PerTargetTest::SetUp();
  }
  void TearDown() override {
    PerTargetTest::TearDown();
    SetDenseInt8ArmDotEnabled(true);
  }
};

TEST_P(DenseInt8Test, DispatchesToTheRequestedTarget) {
  const std::string name = DenseInt8TargetName();
  EXPECT_EQ(name.rfind(target_name(), 0), 0u) << name;
#if HWY_ARCH_X86
  EXPECT_EQ(IsVnni(name.c_str()), target() == HWY_AVX3_DL) << name;
#endif
}

TEST_P(DenseInt8Test, MatchesReferenceBitExactly) {
  ASSERT_EQ(std::string(DenseInt8TargetName()).rfind(target_name(), 0), 0u);
  RunAllCases();
}

TEST_P(DenseInt8Test, QuantizeAndDequantizeMatchReference) {
  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
  const QuantParams q = ChooseQuantParams(-3.0f, 5.0f);
  for (size_t n : {size_t{1}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, size_t{15}, size_t{16}, size_t{17},
                   size_t{64}, size_t{640}}) {
    SCOPED_TRACE(n);
    std::vector<float> x(n + kGuard, 0.0f);
    for (size_t i = 0; i < n; ++i) x[i] = dist(rng);
    // Ties, NaN, ±inf, huge values.
    const float specials[] = {0.5f * q.scale, 1.5f * q.scale, -2.5f * q.scale, NAN, INFINITY, -INFINITY, 1e30f};
    for (size_t i = 0; i < n && i < std::size(specials); ++i) x[(i * 5) % n] = specials[i];
    std::vector<uint8_t> y(n + kGuard, kGuardByte);
    std::fill(y.begin(), y.begin() + n, kSentinelByte);
    std::vector<uint8_t> expected(n);
    QuantizeU8(x.data(), n, q, y.data());
    QuantizeU8Reference(x.data(), n, q, expected.data());
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], expected[i]) << "x=" << x[i] << " at " << i;
    for (size_t g = 0; g < kGuard; ++g) ASSERT_EQ(y[n + g], kGuardByte);

    std::vector<float> back(n + kGuard, -777.0f);
    std::fill(back.begin(), back.begin() + n, NAN);
    std::vector<float> back_expected(n);
    DequantizeU8(y.data(), n, q, back.data());
    DequantizeU8Reference(y.data(), n, q, back_expected.data());
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(back[i], back_expected[i]) << i;
    for (size_t g = 0; g < kGuard; ++g) ASSERT_EQ(back[n + g], -777.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, DenseInt8Test, testing::ValuesIn(CompiledTargets()), TargetParamName);

// Named explicitly so a CI log shows whether the VNNI kernel ran or why not.
TEST(DenseInt8VnniTest, MatchesReferenceBitExactly) {
#if HWY_ARCH_X86
  hwy::SetSupportedTargetsForTest(0);
  if ((hwy::SupportedTargets() & HWY_AVX3_DL) == 0)
    GTEST_SKIP() << "CPU lacks AVX-512 VNNI (Highway target AVX3_DL not supported): vpdpbusd path not run";
  hwy::SetSupportedTargetsForTest(HWY_AVX3_DL);
  EXPECT_TRUE(IsVnni(DenseInt8TargetName()));
  RunAllCases();
  hwy::SetSupportedTargetsForTest(0);
#else
  GTEST_SKIP() << "not x86: no AVX-512 VNNI path";
#endif
}

TEST(DenseInt8ArmDotTest, MatchesReferenceBitExactly) {
  if (!DenseInt8ArmDotAvailable()) GTEST_SKIP() << "not an AArch64 CPU with the dot-product extension: udot path not run";
  SetDenseInt8ArmDotEnabled(true);
  EXPECT_STREQ(DenseInt8TargetName(), "NEON (udot)");
  RunAllCases();
}

}  // namespace
}  // namespace vigil::kernels

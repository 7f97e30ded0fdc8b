// DenseF32, DenseF32Rows and DenseF16Rows on every compiled Highway target against their scalar
// references (FP16: the FP32 reference on the weights rounded to binary16, which is what the
// kernel computes with after widening them exactly).
//
// Tolerance, per output. Both sides add the same terms (bias and n = in products) in the same
// order; the kernel rounds once per FMA, the reference once per product and once per addition.
// With S = |bias| + Σ|x_i·w_i| the classic summation bound gives |computed − exact| ≤ γ_k·S with
// γ_k = k·u / (1 − k·u), u = 2^-24, k = n for the kernel and n + 1 for the reference, so the two
// differ by at most 2·γ_{n+1}·S before the activation. The activation scales that by its
// largest slope and adds its own approximation error on each side (activation_tolerance.h).
// A wrong weight, bias, row or lane moves the result by O(S), far above this bound.
#include "kernels/dense.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "kernels/activation_tolerance.h"
#include "kernels/half.h"
#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

constexpr size_t kGuard = 16;
constexpr float kGuardValue = -12345.5f;
constexpr uint32_t kSeed = 20240611;
constexpr Activation kAllActivations[] = {Activation::kNone, Activation::kRelu,    Activation::kLeakyRelu,
                                          Activation::kTanh, Activation::kSigmoid, Activation::kGelu};

double Gamma(size_t k) {
  const double ku = static_cast<double>(k) * kUnitRoundoff;
  return ku / (1.0 - ku);
}

std::vector<float> RandomVector(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

// Runs one case on the current target and checks every output, guard and input. Row r of x
// starts at r·x_stride (x_stride == 0 means contiguous rows and the DenseF32 entry point);
// floats of x that belong to no row are NaN, so reading one poisons an output.
enum class Weights { kF32, kF16 };

void CheckDense(size_t batch, size_t in, size_t out, Activation act, uint32_t seed, size_t x_stride = 0,
                Weights weights = Weights::kF32) {
  const bool f16 = weights == Weights::kF16;
  const bool rows_entry = x_stride != 0 || f16;
  const size_t stride = rows_entry ? x_stride : in;
  SCOPED_TRACE(testing::Message() << "batch=" << batch << " in=" << in << " out=" << out
                                  << " act=" << static_cast<int>(act) << " seed=" << seed
                                  << (rows_entry ? " x_stride=" : "") << (rows_entry ? std::to_string(stride) : "")
                                  << (f16 ? " f16" : ""));
  std::mt19937 rng(seed);
  std::vector<float> w = RandomVector(in * out, rng);
  const std::vector<float> bias = RandomVector(out, rng);
  // Scaled so tanh/sigmoid/GELU see both their linear and saturated ranges.
  const size_t x_floats = batch == 0 ? 0 : (batch - 1) * stride + in;
  std::vector<float> x(x_floats + kGuard, std::numeric_limits<float>::quiet_NaN());
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const float scale = 3.0f / std::sqrt(static_cast<float>(in));
  for (size_t b = 0; b < batch; ++b) {
    for (size_t i = 0; i < in; ++i) {
      float& f = x[b * stride + i];
      if (std::isnan(f)) f = dist(rng) * scale;  // overlapping rows share their floats
    }
  }

  const size_t packed_floats = PackedDenseFloats(in, out);
  auto packed = hwy::AllocateAligned<float>(packed_floats);
  PackDense(w.data(), bias.data(), in, out, packed.get());
  const std::vector<float> packed_copy(packed.get(), packed.get() + packed_floats);
  const std::vector<float> x_copy = x;
  auto packed_f16 = hwy::AllocateAligned<uint8_t>(PackedDenseF16Bytes(in, out));
  if (f16) {
    PackDenseF16FromF32(packed.get(), in, out, packed_f16.get());
    for (float& f : w) f = RoundToF16(f);  // the reference computes with the stored weights
  }

  std::vector<float> y(batch * out + kGuard, kGuardValue);
  std::fill(y.begin(), y.begin() + batch * out, std::numeric_limits<float>::quiet_NaN());
  if (f16) {
    DenseF16Rows(packed_f16.get(), x.data(), stride, batch, in, out, act, y.data());
  } else if (rows_entry) {
    DenseF32Rows(packed.get(), x.data(), stride, batch, in, out, act, y.data());
  } else {
    DenseF32(packed.get(), x.data(), batch, in, out, act, y.data());
  }

  std::vector<float> pre(batch * out);
  std::vector<float> expected(batch * out);
  DenseF32RowsReference(w.data(), bias.data(), x.data(), stride, batch, in, out, Activation::kNone, pre.data());
  DenseF32RowsReference(w.data(), bias.data(), x.data(), stride, batch, in, out, act, expected.data());

  const double gamma2 = 2.0 * Gamma(in + 1);
  size_t failures = 0;
  for (size_t b = 0; b < batch && failures < 5; ++b) {
    for (size_t o = 0; o < out && failures < 5; ++o) {
      double magnitude = std::fabs(bias[o]);
      for (size_t i = 0; i < in; ++i)
        magnitude += std::fabs(static_cast<double>(x[b * stride + i]) * w[o * in + i]);
      const size_t k = b * out + o;
      const double tol = ActivationSlopeBound(act) * gamma2 * magnitude +
                         2.0 * ActivationTolerance(act, pre[k], expected[k]);
      const double diff = std::fabs(static_cast<double>(y[k]) - expected[k]);
      if (!(diff <= tol)) {
        ++failures;
        ADD_FAILURE() << "y[" << b << "][" << o << "] = " << y[k] << ", expected " << expected[k] << " ± "
                      << tol;
      }
    }
  }
  for (size_t g = 0; g < kGuard; ++g)
    ASSERT_EQ(y[batch * out + g], kGuardValue) << "guard " << g << " overwritten";
  // Bitwise (NaN gaps compare unequal with ==).
  ASSERT_EQ(std::memcmp(x.data(), x_copy.data(), x.size() * sizeof(float)), 0) << "input modified";
  ASSERT_TRUE(std::equal(packed_copy.begin(), packed_copy.end(), packed.get())) << "packed weights modified";
}

class DenseTest : public PerTargetTest {};

TEST_P(DenseTest, DispatchesToTheRequestedTarget) { EXPECT_STREQ(DenseF32TargetName(), target_name()); }

TEST_P(DenseTest, AllSizesAndBatchesMatchReference) {
  ASSERT_STREQ(DenseF32TargetName(), target_name());
  const size_t n = lanes();
  const std::vector<size_t> sizes = {1, 3, n > 1 ? n - 1 : 2, n, n + 1, 17, 64, 128, 640};
  const size_t batches[] = {1, 2, 5, 64};
  uint32_t seed = kSeed;
  size_t case_index = 0;
  for (size_t batch : batches) {
    for (size_t in : sizes) {
      for (size_t out : sizes) {
        // Rotate activations over the grid; ActivationsFused below covers each one fully.
        const Activation act = kAllActivations[case_index++ % std::size(kAllActivations)];
        CheckDense(batch, in, out, act, seed++);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(DenseTest, ActivationsFused) {
  const size_t n = lanes();
  for (Activation act : kAllActivations) {
    for (size_t batch : {size_t{1}, size_t{5}, size_t{64}}) {
      CheckDense(batch, 17, n + 1, act, kSeed + 1);
      CheckDense(batch, 640, 128, act, kSeed + 2);
      CheckDense(batch, 128, 8, act, kSeed + 3);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(DenseTest, ZeroWeightsGiveActivatedBias) {
  const size_t in = 5;
  const size_t out = 3;
  const std::vector<float> w(in * out, 0.0f);
  const std::vector<float> bias = {-2.0f, 0.0f, 3.5f};
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::vector<float> packed(PackedDenseFloats(in, out));
  PackDense(w.data(), bias.data(), in, out, packed.data());
  std::vector<float> y(2 * out, std::numeric_limits<float>::quiet_NaN());
  DenseF32(packed.data(), x.data(), 2, in, out, Activation::kRelu, y.data());
  EXPECT_EQ(y, (std::vector<float>{0.0f, 0.0f, 3.5f, 0.0f, 0.0f, 3.5f}));
}

TEST_P(DenseTest, HandComputedSmallLayer) {
  // y = W·x + b with W = [[1, 2], [-3, 4]], b = [0.5, -1], x = [2, -1] → [0.5, -11].
  const std::vector<float> w = {1, 2, -3, 4};
  const std::vector<float> bias = {0.5f, -1.0f};
  const std::vector<float> x = {2, -1};
  std::vector<float> packed(PackedDenseFloats(2, 2));
  PackDense(w.data(), bias.data(), 2, 2, packed.data());
  std::vector<float> y(2);
  DenseF32(packed.data(), x.data(), 1, 2, 2, Activation::kNone, y.data());
  EXPECT_EQ(y, (std::vector<float>{0.5f, -11.0f}));
  DenseF32(packed.data(), x.data(), 1, 2, 2, Activation::kLeakyRelu, y.data());
  EXPECT_EQ(y, (std::vector<float>{0.5f, -0.11f}));
}

TEST_P(DenseTest, SmallAndRowBlockBoundaryBatches) {
  // Every row count up to two tall tiles and a few beyond: each takes its own tile shape (few
  // rows) or its own split into nearly equal row blocks (many rows).
  const size_t n = lanes();
  const size_t ins[] = {1, n + 1, 17, 128};
  const size_t outs[] = {1, n > 1 ? n - 1 : 2, 33, 130};
  uint32_t seed = kSeed + 100;
  size_t case_index = 0;
  for (size_t batch = 1; batch <= 14; ++batch) {
    for (size_t in : ins) {
      for (size_t out : outs) {
        CheckDense(batch, in, out, kAllActivations[case_index++ % std::size(kAllActivations)], seed++);
        if (HasFatalFailure()) return;
      }
    }
  }
  for (size_t batch : {size_t{19}, size_t{25}, size_t{31}, size_t{37}}) {
    CheckDense(batch, 40, 49, Activation::kRelu, seed++);
    if (HasFatalFailure()) return;
  }
}

TEST_P(DenseTest, RowsWithGapsAndOverlapsMatchReference) {
  // Stride > in leaves NaN gaps the kernel must not read; stride < in makes rows overlap (a
  // Conv1D's windows); stride 0 repeats one row.
  const size_t n = lanes();
  uint32_t seed = kSeed + 200;
  size_t case_index = 0;
  for (size_t in : {size_t{1}, n + 1, size_t{21}, size_t{96}}) {
    for (size_t out : {size_t{1}, n + 1, size_t{32}}) {
      for (size_t stride : {in + 3, in > 1 ? in / 2 : 1, size_t{1}}) {
        for (size_t rows : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{7}, size_t{13}, size_t{40}}) {
          CheckDense(rows, in, out, kAllActivations[case_index++ % std::size(kAllActivations)], seed++, stride);
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(DenseTest, RowsWithContiguousStrideEqualsDenseBitwise) {
  const size_t in = 37;
  const size_t out = 19;
  std::mt19937 rng(kSeed + 300);
  const std::vector<float> w = RandomVector(in * out, rng);
  const std::vector<float> bias = RandomVector(out, rng);
  for (size_t rows : {size_t{1}, size_t{4}, size_t{9}}) {
    const std::vector<float> x = RandomVector(rows * in, rng);
    auto packed = hwy::AllocateAligned<float>(PackedDenseFloats(in, out));
    PackDense(w.data(), bias.data(), in, out, packed.get());
    std::vector<float> dense(rows * out, std::numeric_limits<float>::quiet_NaN());
    std::vector<float> strided(rows * out, std::numeric_limits<float>::quiet_NaN());
    DenseF32(packed.get(), x.data(), rows, in, out, Activation::kGelu, dense.data());
    DenseF32Rows(packed.get(), x.data(), in, rows, in, out, Activation::kGelu, strided.data());
    EXPECT_EQ(dense, strided) << "rows=" << rows;
  }
}

TEST_P(DenseTest, ZeroRowsWritesNothing) {
  std::vector<float> packed(PackedDenseFloats(3, 2), 1.0f);
  const float x = 1.0f;
  float y = kGuardValue;
  DenseF32(packed.data(), &x, 0, 3, 2, Activation::kNone, &y);
  DenseF32Rows(packed.data(), &x, 3, 0, 3, 2, Activation::kNone, &y);
  EXPECT_EQ(y, kGuardValue);
}

TEST_P(DenseTest, F16WeightsMatchReferenceOnRoundedWeights) {
  ASSERT_STREQ(DenseF32TargetName(), target_name());
  const size_t n = lanes();
  const std::vector<size_t> sizes = {1, n > 1 ? n - 1 : 2, n + 1, 17, 128, 640};
  uint32_t seed = kSeed + 400;
  size_t case_index = 0;
  for (size_t batch : {size_t{1}, size_t{3}, size_t{7}, size_t{64}}) {
    for (size_t in : sizes) {
      for (size_t out : sizes) {
        CheckDense(batch, in, out, kAllActivations[case_index++ % std::size(kAllActivations)], seed++, in,
                   Weights::kF16);
        if (HasFatalFailure()) return;
      }
    }
  }
  // Overlapping rows (Conv1D windows) and gaps.
  for (size_t stride : {size_t{5}, size_t{40}}) {
    CheckDense(9, 21, 33, Activation::kRelu, seed++, stride, Weights::kF16);
    if (HasFatalFailure()) return;
  }
}

TEST_P(DenseTest, F16PackingHalvesTheWeightBytes) {
  EXPECT_EQ(PackedDenseF16Bytes(640, 128) - 128 * sizeof(float), 640 * 128 * 2);
  EXPECT_EQ(PackedDenseFloats(640, 128) * sizeof(float) - 128 * sizeof(float), 640 * 128 * 4);
  // Weights beyond the binary16 range are clamped to ±65504, not turned into infinities.
  const std::vector<float> w = {1e6f, -1e6f};
  const std::vector<float> bias = {0.25f};
  std::vector<float> packed(PackedDenseFloats(2, 1));
  PackDense(w.data(), bias.data(), 2, 1, packed.data());
  auto packed_f16 = hwy::AllocateAligned<uint8_t>(PackedDenseF16Bytes(2, 1));
  PackDenseF16FromF32(packed.data(), 2, 1, packed_f16.get());
  const std::vector<float> x = {1.0f, 0.5f};
  float y = 0.0f;
  DenseF16Rows(packed_f16.get(), x.data(), 2, 1, 2, 1, Activation::kNone, &y);
  EXPECT_EQ(y, 0.25f + 65504.0f - 32752.0f);
}

INSTANTIATE_TEST_SUITE_P(Targets, DenseTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels

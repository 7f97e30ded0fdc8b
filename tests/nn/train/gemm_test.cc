// GemmF32 on every compiled Highway target: bit-identical to GemmF32Reference with the target's
// rounding (fused or not), on awkward sizes, with NaN-prefilled outputs and guard values in the
// row gaps and after the buffer. The reference itself is checked against double sums.
#include "nn/train/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/target_test_util.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

constexpr float kGuard = -777.25f;
constexpr size_t kGuardFloats = 16;

std::vector<float> Random(size_t n, uint64_t seed) {
  Prng rng(seed);
  std::vector<float> v(n);
  for (float& f : v) f = rng.NextFloat() < 0.1f ? 0.0f : 2.0f * rng.NextFloat() - 1.0f;
  return v;
}

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

struct Case {
  size_t rows, steps, width;
  bool transposed_a;  // A(r, s) at a[s · rows + r] instead of a[r · steps + s]
  bool with_init;
};

class GemmTest : public kernels::PerTargetTest {};

TEST_P(GemmTest, DispatchesToTheRequestedTarget) { EXPECT_STREQ(GemmF32TargetName(), target_name()); }

TEST_P(GemmTest, BitIdenticalToTheReferenceOnAwkwardSizes) {
  ASSERT_STREQ(GemmF32TargetName(), target_name());
  const bool fused = GemmF32Fuses();
  std::vector<Case> cases;
  for (size_t rows : {1, 2, 3, 5, 7, 8, 9, 13, 33}) {
    for (size_t steps : {0, 1, 3, 17, 56}) {
      for (size_t width : {8, 16, 24, 48, 64, 112}) {
        cases.push_back({rows, steps, width, (rows + steps) % 2 == 1, (rows + width / 8) % 3 != 0});
      }
    }
  }
  uint64_t seed = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "rows=" << c.rows << " steps=" << c.steps << " width=" << c.width
                                    << " transposed_a=" << c.transposed_a << " init=" << c.with_init);
    const size_t b_stride = c.width + 8, c_stride = c.width + 5;
    const std::vector<float> a = Random(std::max<size_t>(c.rows * c.steps, 1), ++seed);
    const std::vector<float> b = Random(std::max<size_t>(c.steps * b_stride, 1), ++seed);
    const std::vector<float> init = Random(c.width, ++seed);
    const std::vector<float> a_copy = a, b_copy = b, init_copy = init;
    GemmArgs g{.a = a.data(),
               .a_row_stride = c.transposed_a ? 1 : c.steps,
               .a_step_stride = c.transposed_a ? c.rows : 1,
               .b = b.data(),
               .b_stride = b_stride,
               .init = c.with_init ? init.data() : nullptr,
               .c = nullptr,
               .c_stride = c_stride,
               .rows = c.rows,
               .steps = c.steps,
               .width = c.width};
    std::vector<float> out(c.rows * c_stride + kGuardFloats, kGuard);
    for (size_t r = 0; r < c.rows; ++r)
      std::fill_n(out.begin() + static_cast<long>(r * c_stride), c.width, NAN);
    std::vector<float> ref(c.rows * c_stride, kGuard);
    g.c = out.data();
    GemmF32(g);
    g.c = ref.data();
    GemmF32Reference(g, fused);
    for (size_t r = 0; r < c.rows; ++r) {
      for (size_t q = 0; q < c_stride; ++q) {
        const size_t k = r * c_stride + q;
        ASSERT_TRUE(SameBits(out[k], ref[k]))
            << "r=" << r << " q=" << q << ": " << out[k] << " vs " << ref[k];
      }
    }
    for (size_t k = c.rows * c_stride; k < out.size(); ++k) ASSERT_EQ(out[k], kGuard) << "guard " << k;
    EXPECT_EQ(a, a_copy);
    EXPECT_EQ(b, b_copy);
    EXPECT_EQ(init, init_copy);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, GemmTest, testing::ValuesIn(kernels::CompiledTargets()),
                         kernels::TargetParamName);

TEST(GemmReferenceTest, MatchesDoubleSumsFusedOrNot) {
  const size_t rows = 5, steps = 37, width = 24;
  const std::vector<float> a = Random(rows * steps, 7), b = Random(steps * width, 8), init = Random(width, 9);
  for (bool fused : {false, true}) {
    std::vector<float> c(rows * width, NAN);
    GemmF32Reference({.a = a.data(),
                      .a_row_stride = steps,
                      .a_step_stride = 1,
                      .b = b.data(),
                      .b_stride = width,
                      .init = init.data(),
                      .c = c.data(),
                      .c_stride = width,
                      .rows = rows,
                      .steps = steps,
                      .width = width},
                     fused);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t q = 0; q < width; ++q) {
        double sum = init[q];
        for (size_t s = 0; s < steps; ++s) sum += static_cast<double>(a[r * steps + s]) * b[s * width + q];
        EXPECT_NEAR(c[r * width + q], sum, 1e-5) << fused << " " << r << "," << q;
      }
    }
  }
}

TEST(GemmReferenceTest, WidthRounding) {
  EXPECT_EQ(GemmWidth(1), 8u);
  EXPECT_EQ(GemmWidth(8), 8u);
  EXPECT_EQ(GemmWidth(9), 16u);
  EXPECT_EQ(GemmWidth(16), 16u);
  EXPECT_EQ(GemmWidth(56), 64u);
  EXPECT_EQ(GemmWidth(224), 224u);
}

}  // namespace
}  // namespace vigil::nn::train

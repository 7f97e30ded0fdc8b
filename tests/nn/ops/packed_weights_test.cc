#include "nn/ops/packed_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/arena.h"

namespace vigil::nn {
namespace {

TEST(PackedWeightsTest, NamesAndParsesTypes) {
  EXPECT_STREQ(WeightTypeName(WeightType::kF32), "f32");
  EXPECT_STREQ(WeightTypeName(WeightType::kF16), "f16");
  EXPECT_STREQ(WeightTypeName(static_cast<WeightType>(99)), "?");
  EXPECT_EQ(ParseWeightType("fp16").value(), WeightType::kF16);
  EXPECT_EQ(ParseWeightType("f32").value(), WeightType::kF32);
  EXPECT_EQ(ParseWeightType("int4").status().message(), "unknown weight type 'int4' (expected fp32, fp16 or int8)");
}

TEST(PackedWeightsTest, ChecksSizeTypeAndAlignment) {
  core::Arena block;
  ASSERT_TRUE(block.Allocate(4096).ok());
  const size_t f16 = PackedWeightBytes(WeightType::kF16, 5, 3);
  EXPECT_EQ(f16, kernels::PackedDenseF16Bytes(5, 3));
  EXPECT_EQ(PackedWeightBytes(WeightType::kF32, 5, 3), kernels::PackedDenseFloats(5, 3) * sizeof(float));
  EXPECT_EQ(PackedWeightBytes(static_cast<WeightType>(9), 5, 3), 0u);
  EXPECT_TRUE(CheckPackedWeights("Dense", 5, 3, kernels::Activation::kNone, {WeightType::kF16, {block.data(), f16}}).ok());
  EXPECT_EQ(CheckPackedWeights("Dense", 5, 3, kernels::Activation::kNone, {WeightType::kF16, {block.data(), f16 - 2}}).message(),
            "Dense: packed f16 weights have " + std::to_string(f16 - 2) + " bytes, expected " + std::to_string(f16) +
                " for 5 inputs x 3 outputs");
  EXPECT_EQ(CheckPackedWeights("Dense", 5, 3, kernels::Activation::kNone, {WeightType::kF16, {block.data() + 2, f16}}).message(),
            "Dense: packed weights must be 64-byte aligned");
  EXPECT_EQ(CheckPackedWeights("Conv1D", 5, 3, kernels::Activation::kNone, {static_cast<WeightType>(9), {block.data(), f16}}).message(),
            "Conv1D: unknown weight type 9");
  EXPECT_FALSE(CheckPackedWeights("Dense", 0, 3, kernels::Activation::kNone, {WeightType::kF16, {block.data(), f16}}).ok());
}

TEST(PackedWeightsTest, RunsEachTypeOnItsKernel) {
  // y = W·x + b with W = [[1, 2], [-3, 0.5]], b = [0.25, -1]: exact in binary16 too.
  const std::vector<float> w = {1, 2, -3, 0.5f};
  const std::vector<float> bias = {0.25f, -1};
  core::Arena f32, f16;
  ASSERT_TRUE(f32.Allocate(PackedWeightBytes(WeightType::kF32, 2, 2)).ok());
  ASSERT_TRUE(f16.Allocate(PackedWeightBytes(WeightType::kF16, 2, 2)).ok());
  kernels::PackDense(w.data(), bias.data(), 2, 2, reinterpret_cast<float*>(f32.data()));
  kernels::PackDenseF16FromF32(reinterpret_cast<const float*>(f32.data()), 2, 2, f16.data());
  const std::vector<float> x = {2, -1, 4, 2};  // two rows
  for (const PackedWeights& p : {PackedWeights{WeightType::kF32, {f32.data(), f32.size()}},
                                 PackedWeights{WeightType::kF16, {f16.data(), f16.size()}}}) {
    std::vector<float> y(4, NAN);
    RunPackedDense(p, x.data(), 2, 2, 2, 2, kernels::Activation::kNone, y.data(), nullptr);
    EXPECT_EQ(y, (std::vector<float>{0.25f, -7.5f, 8.25f, -12.0f})) << WeightTypeName(p.type);
  }
}

}  // namespace
}  // namespace vigil::nn

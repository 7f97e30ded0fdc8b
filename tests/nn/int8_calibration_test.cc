#include "nn/int8_calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/train/net.h"
#include "nn/train/prng.h"

namespace vigil::nn {
namespace {

TEST(Int8CalibrationTest, ClipsOnlyWhereItLowersTheRoundTripError) {
  // Uniform values over [-1, 3]: the full range is best (clipping only adds error).
  std::vector<float> uniform;
  for (int i = 0; i <= 4000; ++i) uniform.push_back(-1.0f + 4.0f * static_cast<float>(i) / 4000.0f);
  const kernels::QuantParams full = ChooseClippedQuantParams(uniform);
  EXPECT_NEAR(full.scale, 4.0f / 255.0f, 1e-4f);
  // One outlier far out: saturating it costs its whole distance squared, a step stretched to
  // reach it costs (range/255)²/12 per value — so it is kept for a small bulk (full range) and
  // clipped once the bulk is large enough (N > 12·255² ≈ 780 000 values).
  std::vector<float> few = uniform;
  few.push_back(400.0f);
  EXPECT_GT(ChooseClippedQuantParams(few).scale, 400.0f / 255.0f);
  std::vector<float> spiky;
  for (int i = 0; i < 1000000; ++i) spiky.push_back(-1.0f + 4.0f * static_cast<float>(i % 4001) / 4000.0f);
  spiky.push_back(400.0f);
  const kernels::QuantParams clipped = ChooseClippedQuantParams(spiky);
  EXPECT_LT(clipped.scale, 10.0f / 255.0f);
  // Zero stays exact either way.
  EXPECT_EQ(clipped.scale * (clipped.zero_point - clipped.zero_point), 0.0f);
  EXPECT_GE(clipped.zero_point, 0);
  EXPECT_LE(clipped.zero_point, 255);
}

TEST(Int8CalibrationTest, LayerRangesFollowTheActivations) {
  train::NetSpec spec{{12},
                      {{.kind = train::LayerKind::kDense, .out = 6, .activation = kernels::Activation::kRelu},
                       {.kind = train::LayerKind::kDense, .out = 12}}};
  auto params = train::InitNet(spec, 3);
  ASSERT_TRUE(params.ok());
  auto net = PackedNet::FromParams(*params);
  ASSERT_TRUE(net.ok());
  std::vector<float> x(200 * 12);
  train::Prng rng(4);
  for (float& v : x) v = 4.0f * rng.NextFloat() - 2.0f;
  auto q = CalibrateLayerInputs(*net, x.data(), 200);
  ASSERT_TRUE(q.ok()) << q.status().message();
  ASSERT_EQ(q->size(), 2u);
  // Layer 0 sees inputs in [-2, 2): zero point near the middle.
  EXPECT_NEAR((*q)[0].zero_point, 128, 3);
  EXPECT_NEAR((*q)[0].scale, 4.0f / 255.0f, 0.002f);
  // Layer 1 sees ReLU outputs: nothing below 0, so the zero point is 0.
  EXPECT_EQ((*q)[1].zero_point, 0);
  EXPECT_FALSE(CalibrateLayerInputs(*net, x.data(), 0).ok());
}

}  // namespace
}  // namespace vigil::nn

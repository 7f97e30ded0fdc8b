#include "nn/train/mlp.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::nn::train {
namespace {

using kernels::Activation;

TEST(MlpTest, InitShapesActivationsAndZeroBias) {
  MlpSpec spec{.input_dim = 8,
               .hidden = {16, 2, 16},
               .output_dim = 8,
               .activation = Activation::kTanh,
               .output_activation = Activation::kSigmoid};
  Result<MlpParams> p = InitMlp(spec, 1);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->layers.size(), 4u);
  const int64_t dims[] = {8, 16, 2, 16, 8};
  for (size_t l = 0; l < 4; ++l) {
    const DenseLayerParams& layer = p->layers[l];
    EXPECT_EQ(layer.in, dims[l]);
    EXPECT_EQ(layer.out, dims[l + 1]);
    EXPECT_EQ(layer.weights.size(), static_cast<size_t>(dims[l] * dims[l + 1]));
    for (float b : layer.bias) EXPECT_EQ(b, 0.0f);
    EXPECT_EQ(layer.activation, l == 3 ? Activation::kSigmoid : Activation::kTanh);
  }
  EXPECT_EQ(p->input_dim(), 8);
  EXPECT_EQ(p->output_dim(), 8);
  EXPECT_EQ(p->NumParameters(), (8 * 16 + 16) + (16 * 2 + 2) + (2 * 16 + 16) + (16 * 8 + 8));
  EXPECT_TRUE(ValidateMlpParams(*p).ok());
}

TEST(MlpTest, WeightsAreBitExactGolden) {
  // Expected bits computed independently in numpy float32 from the documented recipe: He limit
  // sqrt(6/3) for the ReLU layer, Glorot sqrt(6/5) for the linear output layer.
  MlpSpec spec{.input_dim = 3, .hidden = {2}, .output_dim = 3};
  Result<MlpParams> p = InitMlp(spec, 7);
  ASSERT_TRUE(p.ok());
  const float w1[] = {0x1.227738p-1f, -0x1.40670ap-1f, 0x1.ebd544p-1f,
                      0x1.5c5a18p+0f, 0x1.636bb6p+0f,  0x1.0deac8p+0f};
  const float w2[] = {-0x1.ecb85ep-1f, -0x1.bbb7f6p-1f, -0x1.b01042p-3f,
                      -0x1.869206p-1f, 0x1.733a62p-4f,  0x1.04156ap-1f};
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(p->layers[0].weights[k], w1[k]) << k;
    EXPECT_EQ(p->layers[1].weights[k], w2[k]) << k;
  }
}

TEST(MlpTest, WeightsWithinLimitAndSeedMatters) {
  MlpSpec spec{.input_dim = 64, .hidden = {32}, .output_dim = 64};
  Result<MlpParams> a = InitMlp(spec, 11);
  Result<MlpParams> b = InitMlp(spec, 11);
  Result<MlpParams> c = InitMlp(spec, 12);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->layers[0].weights, b->layers[0].weights);
  EXPECT_EQ(a->layers[1].weights, b->layers[1].weights);
  EXPECT_NE(a->layers[0].weights, c->layers[0].weights);
  const float he = std::sqrt(6.0f / 64.0f);
  const float glorot = std::sqrt(6.0f / 96.0f);
  float max0 = 0.0f, max1 = 0.0f;
  for (float w : a->layers[0].weights) max0 = std::max(max0, std::fabs(w));
  for (float w : a->layers[1].weights) max1 = std::max(max1, std::fabs(w));
  EXPECT_LE(max0, he);
  EXPECT_GT(max0, 0.95f * he);  // 2048 draws reach close to the edge
  EXPECT_LE(max1, glorot);
  EXPECT_GT(max1, 0.95f * glorot);
}

TEST(MlpTest, NoHiddenLayerIsOneDense) {
  Result<MlpParams> p = InitMlp({.input_dim = 4, .hidden = {}, .output_dim = 2}, 1);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->layers.size(), 1u);
  EXPECT_EQ(p->layers[0].activation, Activation::kNone);
}

TEST(MlpTest, SpecErrorsNameTheField) {
  Result<MlpParams> p = InitMlp({.input_dim = 0, .hidden = {4}, .output_dim = 4}, 1);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("MlpSpec.input_dim = 0"), std::string::npos) << p.status().message();

  p = InitMlp({.input_dim = 4, .hidden = {4, -3}, .output_dim = 4}, 1);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("MlpSpec.hidden[1] = -3"), std::string::npos) << p.status().message();

  p = InitMlp({.input_dim = 4, .hidden = {}, .output_dim = 4, .activation = static_cast<Activation>(99)}, 1);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("MlpSpec.activation"), std::string::npos) << p.status().message();
}

TEST(MlpTest, ParamsErrorsNameTheLayer) {
  MlpParams p;
  EXPECT_NE(ValidateMlpParams(p).message().find("no layers"), std::string::npos);
  Result<MlpParams> good = InitMlp({.input_dim = 3, .hidden = {2}, .output_dim = 3}, 1);
  ASSERT_TRUE(good.ok());

  p = *good;
  p.layers[1].in = 5;
  p.layers[1].weights.resize(15);
  Status s = ValidateMlpParams(p);
  EXPECT_NE(s.message().find("layer 1: in = 5 but layer 0 has out = 2"), std::string::npos) << s.message();

  p = *good;
  p.layers[0].weights.pop_back();
  s = ValidateMlpParams(p);
  EXPECT_NE(s.message().find("layer 0: weights has 5 values, expected out × in = 6"), std::string::npos)
      << s.message();

  p = *good;
  p.layers[1].bias.push_back(0.0f);
  s = ValidateMlpParams(p);
  EXPECT_NE(s.message().find("layer 1: bias has 4 values, expected 3"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace vigil::nn::train

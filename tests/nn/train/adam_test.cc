#include "nn/train/adam.h"

#include <gtest/gtest.h>

namespace vigil::nn::train {
namespace {

MlpParams OneWeightOneBias() {
  MlpParams p;
  p.layers.push_back(
      {.in = 1, .out = 1, .weights = {1.0f}, .bias = {-2.0f}, .activation = kernels::Activation::kNone});
  return p;
}

TEST(AdamTest, TwoStepsByHand) {
  // lr 0.1, g = 0.5 then −1 on the weight:
  // t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → w = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002
  // t=2: m = −0.055, v = 0.00124975, m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999 → w = 0.93661035
  MlpParams p = OneWeightOneBias();
  Adam adam(p, {.learning_rate = 0.1f});
  MlpGradients g{.weights = {{0.5f}}, .bias = {{0.0f}}};
  adam.Step(g, &p);
  EXPECT_NEAR(p.layers[0].weights[0], 0.9f, 1e-6f);
  EXPECT_EQ(p.layers[0].bias[0], -2.0f);  // zero gradient, zero moments: no move
  g.weights[0][0] = -1.0f;
  adam.Step(g, &p);
  EXPECT_NEAR(p.layers[0].weights[0], 0.93661035f, 2e-6f);
  EXPECT_EQ(adam.steps(), 2);
}

TEST(AdamTest, FirstStepMovesByLearningRateWhateverTheScale) {
  // Bias correction makes the first update ±lr for any gradient magnitude (ε aside).
  for (float grad : {1e-3f, 1.0f, -50.0f}) {
    MlpParams p = OneWeightOneBias();
    Adam adam(p, {.learning_rate = 0.01f});
    adam.Step({.weights = {{grad}}, .bias = {{grad}}}, &p);
    EXPECT_NEAR(p.layers[0].weights[0], 1.0f - (grad > 0 ? 0.01f : -0.01f), 1e-5f) << grad;
    EXPECT_NEAR(p.layers[0].bias[0], -2.0f - (grad > 0 ? 0.01f : -0.01f), 1e-5f) << grad;
  }
}

TEST(AdamTest, OptionErrorsNameTheField) {
  EXPECT_TRUE(ValidateAdamOptions({}).ok());
  Status s = ValidateAdamOptions({.learning_rate = 0.0f});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("learning_rate = 0"), std::string::npos) << s.message();
  s = ValidateAdamOptions({.beta1 = 1.0f});
  EXPECT_NE(s.message().find("beta1 = 1"), std::string::npos) << s.message();
  s = ValidateAdamOptions({.beta2 = -0.1f});
  EXPECT_NE(s.message().find("beta2 = -0.1"), std::string::npos) << s.message();
  s = ValidateAdamOptions({.epsilon = 0.0f});
  EXPECT_NE(s.message().find("epsilon = 0"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace vigil::nn::train

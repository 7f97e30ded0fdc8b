#include "nn/train/mlp_graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/train/backprop.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

TEST(MlpGraphTest, GraphMatchesTrainerForward) {
  for (Activation act :
       {Activation::kRelu, Activation::kLeakyRelu, Activation::kTanh, Activation::kSigmoid}) {
    SCOPED_TRACE(static_cast<int>(act));
    MlpSpec spec{.input_dim = 19, .hidden = {33, 4, 17}, .output_dim = 19, .activation = act};
    Result<MlpParams> p = InitMlp(spec, 21);
    ASSERT_TRUE(p.ok());
    Prng rng(22);
    for (DenseLayerParams& layer : p->layers) {
      for (float& b : layer.bias) b = 0.2f * (rng.NextFloat() - 0.5f);
    }
    const int batch = 7;
    std::vector<float> x(batch * 19);
    for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;

    Result<Graph> g = BuildMlpGraph(*p, {.reconstruction_error = true, .mlp_output = true});
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    ASSERT_EQ(g->num_outputs(), 2);
    ASSERT_TRUE(g->Plan(batch).ok());
    std::vector<float> score(batch, NAN), recon(batch * 19, NAN);
    ASSERT_TRUE(g->BindInput(0, x.data()).ok());
    ASSERT_TRUE(g->BindOutput(0, score.data()).ok());
    ASSERT_TRUE(g->BindOutput(1, recon.data()).ok());
    g->Run();

    MlpWorkspace ws;
    std::span<const float> y = ForwardMlp(*p, x.data(), batch, &ws);
    for (size_t k = 0; k < recon.size(); ++k) {
      EXPECT_NEAR(recon[k], y[k], 1e-5f * std::max(1.0f, std::fabs(y[k]))) << k;
    }
    for (int b = 0; b < batch; ++b) {
      const double expected = MseLoss(*p, x.data() + b * 19, x.data() + b * 19, 1, &ws);
      EXPECT_NEAR(score[b], expected, 1e-5 * expected) << b;
    }
  }
}

TEST(MlpGraphTest, ErrorsAreClear) {
  Result<MlpParams> p = InitMlp({.input_dim = 4, .hidden = {3}, .output_dim = 2}, 1);
  ASSERT_TRUE(p.ok());
  Result<Graph> g = BuildMlpGraph(*p, {});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("input_dim == output_dim, got 4 and 2"), std::string::npos)
      << g.status().message();
  g = BuildMlpGraph(*p, {.reconstruction_error = false, .mlp_output = false});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("no output"), std::string::npos);
  g = BuildMlpGraph(*p, {.reconstruction_error = false, .mlp_output = true});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->output_shape(0).dims[0], 2);
  p->layers[0].bias.clear();
  g = BuildMlpGraph(*p, {.reconstruction_error = false, .mlp_output = true});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("layer 0: bias has 0 values"), std::string::npos)
      << g.status().message();
}

}  // namespace
}  // namespace vigil::nn::train

#include "nn/train/net_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/train/backprop.h"
#include "nn/train/net_backprop.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

LayerSpec Conv(int64_t out, int64_t stride, Activation act) {
  return {
      .kind = LayerKind::kConv1D, .out = out, .kernel = 7, .stride = stride, .padding = 3, .activation = act};
}
const LayerSpec kUp{.kind = LayerKind::kUpsample1D, .factor = 2};

// The conv-ae example network over 64 × 8 windows.
const NetSpec kExample{{64, 8},
                       {Conv(32, 2, Activation::kRelu), Conv(16, 2, Activation::kRelu), kUp,
                        Conv(32, 1, Activation::kRelu), kUp, Conv(8, 1, Activation::kNone)}};

// Init plus non-zero biases, and inputs in [-1.5, 1.5).
NetParams Params(const NetSpec& spec, uint64_t seed) {
  NetParams p = InitNet(spec, seed).value();
  Prng rng(seed + 100);
  for (NetLayerParams& l : p.layers) {
    for (float& b : l.bias) b = 0.2f * (rng.NextFloat() - 0.5f);
  }
  return p;
}
std::vector<float> Inputs(size_t n, uint64_t seed) {
  Prng rng(seed);
  std::vector<float> x(n);
  for (float& v : x) v = 3.0f * rng.NextFloat() - 1.5f;
  return x;
}

struct GraphRun {
  std::vector<float> error, output;
};
GraphRun RunGraph(Graph& g, const std::vector<float>& x, int batch, size_t error_floats,
                  size_t output_floats) {
  GraphRun r{std::vector<float>(error_floats, NAN), std::vector<float>(output_floats, NAN)};
  EXPECT_TRUE(g.Plan(batch).ok());
  EXPECT_TRUE(g.BindInput(0, x.data()).ok());
  if (error_floats > 0) {
    EXPECT_TRUE(g.BindOutput(0, r.error.data()).ok());
  }
  if (output_floats > 0) {
    EXPECT_TRUE(g.BindOutput(g.num_outputs() - 1, r.output.data()).ok());
  }
  g.Run();
  return r;
}

TEST(NetGraphTest, ExampleNetworkMatchesTheTrainingForwardPass) {
  const NetParams p = Params(kExample, 5);
  const int batch = 5;
  const size_t sample = 64 * 8;
  const std::vector<float> x = Inputs(batch * sample, 6);
  Result<Graph> g = BuildNetGraph(p, {.reconstruction_error = true, .net_output = true});
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->num_outputs(), 2);
  const GraphRun r = RunGraph(*g, x, batch, batch, batch * sample);

  NetWorkspace ws;
  const std::span<const float> y = ForwardNet(p, x.data(), batch, &ws);
  ASSERT_EQ(y.size(), r.output.size());
  for (size_t k = 0; k < y.size(); ++k) {
    ASSERT_NEAR(r.output[k], y[k], 1e-5f * std::max(1.0f, std::fabs(y[k]))) << k;
  }
  for (int b = 0; b < batch; ++b) {
    const float* xb = x.data() + b * sample;
    const double expected = NetMseLoss(p, xb, xb, 1, &ws);
    EXPECT_NEAR(r.error[b], expected, 1e-5 * expected) << b;
  }
}

TEST(NetGraphTest, PerChannelErrorAveragesOverPositions) {
  const NetSpec spec{{12, 3},
                     {{.kind = LayerKind::kConv1D,
                       .out = 4,
                       .kernel = 3,
                       .stride = 2,
                       .padding = 1,
                       .activation = Activation::kTanh},
                      {.kind = LayerKind::kUpsample1D, .factor = 2, .activation = Activation::kSigmoid},
                      {.kind = LayerKind::kConv1D, .out = 3, .kernel = 3, .padding = 2, .dilation = 2}}};
  const NetParams p = Params(spec, 7);
  const int batch = 3;
  const std::vector<float> x = Inputs(batch * 36, 8);
  Result<Graph> g = BuildNetGraph(p, {.error_axes = ReduceAxes::kPerChannel});
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_EQ(g->num_outputs(), 1);
  const GraphRun r = RunGraph(*g, x, batch, batch * 3, 0);
  NetWorkspace ws;
  const std::span<const float> y = ForwardNet(p, x.data(), batch, &ws);
  for (int b = 0; b < batch; ++b) {
    for (int c = 0; c < 3; ++c) {
      double sum = 0;
      for (int t = 0; t < 12; ++t) {
        const double d = x[b * 36 + t * 3 + c] - y[b * 36 + t * 3 + c];
        sum += d * d;
      }
      EXPECT_NEAR(r.error[b * 3 + c], sum / 12, 1e-5 * std::max(1.0, sum / 12)) << b << "," << c;
    }
  }
}

TEST(NetGraphTest, DenseLayersFlattenAndTheOutputIsReshapedBack) {
  const NetSpec spec{{16, 2},
                     {{.kind = LayerKind::kConv1D,
                       .out = 4,
                       .kernel = 3,
                       .stride = 2,
                       .padding = 1,
                       .activation = Activation::kLeakyRelu},
                      {.kind = LayerKind::kDense, .out = 6, .activation = Activation::kGelu},
                      {.kind = LayerKind::kDense, .out = 32}}};
  const NetParams p = Params(spec, 9);
  const int batch = 4;
  const std::vector<float> x = Inputs(batch * 32, 10);
  Result<Graph> g = BuildNetGraph(p, {.reconstruction_error = true, .net_output = true});
  ASSERT_TRUE(g.ok()) << g.status().message();
  const GraphRun r = RunGraph(*g, x, batch, batch, batch * 32);
  NetWorkspace ws;
  const std::span<const float> y = ForwardNet(p, x.data(), batch, &ws);
  for (size_t k = 0; k < y.size(); ++k)
    EXPECT_NEAR(r.output[k], y[k], 1e-5f * std::max(1.0f, std::fabs(y[k]))) << k;
  for (int b = 0; b < batch; ++b) {
    const double expected = NetMseLoss(p, x.data() + b * 32, x.data() + b * 32, 1, &ws);
    EXPECT_NEAR(r.error[b], expected, 1e-5 * expected) << b;
  }
}

TEST(NetGraphTest, ErrorsNameTheProblem) {
  NetParams p = Params(kExample, 1);
  EXPECT_EQ(BuildNetGraph(p, {.reconstruction_error = false}).status().message(),
            "NetGraphOptions requests no output");
  const NetParams squeeze = Params({{16, 2}, {{.kind = LayerKind::kDense, .out = 5}}}, 2);
  EXPECT_EQ(BuildNetGraph(squeeze, {}).status().message(),
            "reconstruction error needs as many outputs as inputs, got input [16,2] and output [5]");
  EXPECT_TRUE(BuildNetGraph(squeeze, {.reconstruction_error = false, .net_output = true}).ok());
  const NetParams flat = Params({{6}, {{.kind = LayerKind::kDense, .out = 6}}}, 3);
  EXPECT_EQ(BuildNetGraph(flat, {.error_axes = ReduceAxes::kPerChannel}).status().message(),
            "per-channel reconstruction error needs a [length, channels] input, got [6]");
  EXPECT_TRUE(BuildNetGraph(flat, {}).ok());
  p.layers[2].weights.push_back(1.0f);  // an Upsample1D has none
  EXPECT_EQ(BuildNetGraph(p, {}).status().message(), "layer 2: weights has 1 values, expected 0");
}

}  // namespace
}  // namespace vigil::nn::train

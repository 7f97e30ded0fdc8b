#include "nn/train/net.h"

#include <gtest/gtest.h>

#include "nn/train/mlp.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

TEST(NetTest, ShapesChainThroughConvUpsampleAndDense) {
  NetSpec spec{{64, 8},
               {{.kind = LayerKind::kConv1D,
                 .out = 16,
                 .kernel = 7,
                 .stride = 2,
                 .padding = 3,
                 .activation = Activation::kRelu},
                {.kind = LayerKind::kUpsample1D, .factor = 2},
                {.kind = LayerKind::kConv1D, .out = 4, .kernel = 3, .dilation = 2},
                {.kind = LayerKind::kDense, .out = 10}}};
  auto p = InitNet(spec, 1);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->layers[0].out_shape, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(p->layers[1].out_shape, (std::vector<int64_t>{64, 16}));
  EXPECT_EQ(p->layers[2].out_shape, (std::vector<int64_t>{60, 4}));  // 64 − 2·(3−1)
  EXPECT_EQ(p->layers[3].out_shape, (std::vector<int64_t>{10}));
  EXPECT_EQ(p->layers[0].weights.size(), 16u * 7 * 8);
  EXPECT_TRUE(p->layers[1].weights.empty());
  EXPECT_EQ(p->NumParameters(), 16 * 7 * 8 + 16 + 4 * 3 * 16 + 4 + 10 * 240 + 10);
  EXPECT_TRUE(ValidateNetParams(*p).ok());
  for (const auto& l : p->layers) {
    for (float b : l.bias) EXPECT_EQ(b, 0.0f);
  }
}

TEST(NetTest, DenseOnlyNetsDrawExactlyTheMlpWeights) {
  MlpSpec mlp{.input_dim = 6, .hidden = {5, 2}, .output_dim = 6, .activation = Activation::kTanh};
  auto a = InitMlp(mlp, 77);
  NetSpec net{{6},
              {{.kind = LayerKind::kDense, .out = 5, .activation = Activation::kTanh},
               {.kind = LayerKind::kDense, .out = 2, .activation = Activation::kTanh},
               {.kind = LayerKind::kDense, .out = 6}}};
  auto b = InitNet(net, 77);
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t l = 0; l < 3; ++l) EXPECT_EQ(a->layers[l].weights, b->layers[l].weights) << l;
}

TEST(NetTest, ErrorsNameTheLayerAndField) {
  auto msg = [](const NetSpec& s) {
    Status st = ValidateNetSpec(s);
    return st.ok() ? std::string("ok") : st.message();
  };
  EXPECT_EQ(msg({{10}, {{.kind = LayerKind::kConv1D, .out = 2, .kernel = 3}}}),
            "layer 0: Conv1D needs a [length, channels] input, got [10]");
  EXPECT_EQ(msg({{4, 2}, {{.kind = LayerKind::kConv1D, .out = 2, .kernel = 7}}}),
            "layer 0: kernel span 7 exceeds the padded input length 4");
  EXPECT_EQ(msg({{4, 2}, {{.kind = LayerKind::kDense, .out = 0}}}),
            "layer 0: out = 0 must be in [1, 16777216]");
  EXPECT_EQ(msg({{4, 2}, {{.kind = LayerKind::kUpsample1D, .factor = 0}}}),
            "layer 0: factor = 0 must be in [1, 4096]");
  EXPECT_NE(msg({{4, 2}, {{.kind = LayerKind::kDense, .out = 3, .activation = static_cast<Activation>(99)}}})
                .find("layer 0"),
            std::string::npos);
  EXPECT_EQ(msg({{4, 2}, {}}), "the network has no layers");
  EXPECT_EQ(msg({{}, {{.kind = LayerKind::kDense, .out = 1}}}), "input_shape [] must have 1 or 2 dims");
  auto p = InitNet({{4, 2}, {{.kind = LayerKind::kConv1D, .out = 2, .kernel = 3, .padding = 1}}}, 1);
  ASSERT_TRUE(p.ok());
  p->layers[0].weights.pop_back();
  EXPECT_EQ(ValidateNetParams(*p).message(), "layer 0: weights has 11 values, expected 12");
}

}  // namespace
}  // namespace vigil::nn::train

#include "plan/op_cost.h"

#include <gtest/gtest.h>

namespace vigil::plan {
namespace {

nn::PackedNet Net(std::vector<int64_t> input, std::vector<nn::train::LayerSpec> layers) {
  nn::train::NetSpec spec{input, layers};
  auto params = nn::train::InitNet(spec, 7);
  EXPECT_TRUE(params.ok()) << params.status().message();
  auto net = nn::PackedNet::FromParams(*params);
  EXPECT_TRUE(net.ok()) << net.status().message();
  return std::move(*net);
}

TEST(OpCostTest, DenseLayerByHand) {
  using nn::train::LayerKind;
  const nn::PackedNet net = Net({640}, {{.kind = LayerKind::kDense, .out = 128, .activation = kernels::Activation::kRelu},
                                        {.kind = LayerKind::kDense, .out = 8, .activation = kernels::Activation::kTanh}});
  auto ops = NetOpCosts(net, 4);
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 2u);
  const OpCost& d = (*ops)[0];
  EXPECT_EQ(d.macs, 4.0 * 640 * 128);
  EXPECT_EQ(d.input_bytes, 4.0 * 4 * 640);
  EXPECT_EQ(d.output_bytes, 4.0 * 4 * 128);
  EXPECT_TRUE(d.weighted);
  EXPECT_EQ(d.weight_bytes[0], static_cast<double>(nn::PackedWeightBytes(nn::WeightType::kF32, 640, 128)));
  EXPECT_GE(d.weight_bytes[0], 4.0 * (640 * 128 + 128));
  EXPECT_GE(d.weight_bytes[1], 2.0 * 640 * 128 + 4 * 128);
  EXPECT_LT(d.weight_bytes[1], d.weight_bytes[0]);
  EXPECT_LT(d.weight_bytes[2], d.weight_bytes[1]);
  EXPECT_EQ(d.can_run, (std::array<bool, kDTypes>{true, true, true}));
  EXPECT_EQ((*ops)[1].can_run, (std::array<bool, kDTypes>{true, true, false}));  // tanh: no INT8 kernel
  EXPECT_EQ(d.Bytes(nn::WeightType::kF32), d.weight_bytes[0] + d.input_bytes + d.output_bytes);
}

TEST(OpCostTest, ConvAndUpsampleByHand) {
  using nn::train::LayerKind;
  // [64,8] → conv1d(16, k7, s2, p3) → [32,16] → up(2) → [64,16]
  const nn::PackedNet net = Net({64, 8}, {{.kind = LayerKind::kConv1D, .out = 16, .kernel = 7, .stride = 2, .padding = 3},
                                          {.kind = LayerKind::kUpsample1D, .factor = 2}});
  auto ops = NetOpCosts(net, 1);
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ((*ops)[0].macs, 32.0 * 16 * 7 * 8);
  EXPECT_EQ((*ops)[0].input_bytes, 4.0 * 64 * 8);
  EXPECT_EQ((*ops)[0].output_bytes, 4.0 * 32 * 16);
  EXPECT_EQ((*ops)[0].weight_bytes[0], static_cast<double>(nn::PackedWeightBytes(nn::WeightType::kF32, 56, 16)));
  EXPECT_FALSE((*ops)[1].weighted);
  EXPECT_EQ((*ops)[1].macs, 0);
  EXPECT_EQ((*ops)[1].output_bytes, 4.0 * 64 * 16);
  EXPECT_FALSE(NetOpCosts(net, 0).ok());
}

TEST(OpCostTest, ScoringAndGemvCosts) {
  const OpCost s = ReconstructionScoreCost(640, 2);
  EXPECT_EQ(s.macs, 1280);
  EXPECT_EQ(s.input_bytes, 8.0 * 1280);
  EXPECT_FALSE(s.weighted);
  const OpCost g = FloatGemvCost("project", 8, 3, 1);
  EXPECT_EQ(g.macs, 24);
  EXPECT_EQ(g.weight_bytes[0], 96);
  EXPECT_EQ(g.can_run, (std::array<bool, kDTypes>{true, false, false}));
}

TEST(OpCostTest, TransformerBlockLayerByHand) {
  using nn::train::LayerKind;
  const nn::PackedNet net = Net({16, 8}, {{.kind = LayerKind::kConv1D, .out = 32, .kernel = 1},
                                          {.kind = LayerKind::kTransformerBlock, .out = 64, .kernel = 4},
                                          {.kind = LayerKind::kConv1D, .out = 8, .kernel = 1}});
  auto ops = NetOpCosts(net, 2);
  ASSERT_TRUE(ops.ok());
  const OpCost& b = (*ops)[1];
  // Four 32×32 projections and the scores over 16 positions, plus the 32→64→32 MLP.
  EXPECT_EQ(b.macs, 2.0 * (4 * 16 * 32 * 32 + 2 * 16 * 16 * 32) + 2.0 * 2 * 16 * 32 * 64);
  const double params = static_cast<double>(nn::train::BlockLayout({.dim = 32, .heads = 4, .hidden = 64}).size);
  EXPECT_EQ(b.weight_bytes[0], 4 * params);
  EXPECT_EQ(b.can_run, (std::array<bool, kDTypes>{true, false, false}));
  EXPECT_EQ((*ops)[0].macs, 2.0 * 16 * 32 * 8);
}

TEST(OpCostTest, TransformerOpsByHand) {
  const OpCost a = SelfAttentionCost(/*length=*/16, /*dim=*/32, /*heads=*/4, /*batch=*/2);
  EXPECT_EQ(a.macs, 2.0 * (4 * 16 * 32 * 32 + 2 * 16 * 16 * 32));
  EXPECT_EQ(a.weight_bytes[0], 4.0 * static_cast<double>(nn::PackedWeightBytes(nn::WeightType::kF32, 32, 32)));
  EXPECT_EQ(a.input_bytes, 4.0 * 2 * (16 * 32 + 4 * 16 * 32 + 4 * 16 * 16));
  EXPECT_EQ(a.can_run, (std::array<bool, kDTypes>{true, true, false}));
  const OpCost l = LayerNormCost(16, 32, 2);
  EXPECT_EQ(l.macs, 2.0 * 2 * 16 * 32);
  EXPECT_EQ(l.output_bytes, 4.0 * 2 * 16 * 32);
  EXPECT_EQ(SoftmaxCost(4, 16, 1).input_bytes, 4.0 * 64);
  const OpCost m = MatMulCost(16, 8, 16, 4, 2);
  EXPECT_EQ(m.macs, 8.0 * 16 * 8 * 16);
  EXPECT_EQ(m.output_bytes, 4.0 * 8 * 16 * 16);
}

}  // namespace
}  // namespace vigil::plan

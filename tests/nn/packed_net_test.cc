#include "nn/packed_net.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "nn/train/net_backprop.h"
#include "nn/train/prng.h"

namespace vigil::nn {
namespace {

using kernels::Activation;
using train::LayerKind;

train::NetParams Trained() {
  train::NetSpec spec{{16, 3},
                      {{.kind = LayerKind::kConv1D, .out = 7, .kernel = 5, .stride = 2, .padding = 2, .activation = Activation::kRelu},
                       {.kind = LayerKind::kUpsample1D, .factor = 2},
                       {.kind = LayerKind::kConv1D, .out = 3, .kernel = 3, .padding = 2, .dilation = 2, .activation = Activation::kTanh},
                       {.kind = LayerKind::kDense, .out = 48}}};
  auto p = train::InitNet(spec, 21);
  EXPECT_TRUE(p.ok()) << p.status().message();
  train::Prng rng(2);
  for (auto& l : p->layers) {
    for (float& b : l.bias) b = rng.NextFloat() - 0.5f;
  }
  return *p;
}

std::vector<float> RunNet(const PackedNet& net, const std::vector<float>& x, int64_t batch) {
  auto g = net.BuildGraph();
  EXPECT_TRUE(g.ok()) << g.status().message();
  EXPECT_TRUE(g->Plan(batch).ok());
  std::vector<float> y(static_cast<size_t>(batch) * 48, NAN);
  EXPECT_TRUE(g->BindInput(0, x.data()).ok());
  EXPECT_TRUE(g->BindOutput(0, y.data()).ok());
  g->Run();
  EXPECT_EQ(g->stats().copies, 0);
  return y;
}

TEST(PackedNetTest, GraphMatchesTheTrainingForwardPass) {
  const train::NetParams params = Trained();
  auto net = PackedNet::FromParams(params);
  ASSERT_TRUE(net.ok()) << net.status().message();
  EXPECT_FALSE(net->borrowed());
  std::vector<float> x(5 * 48);
  train::Prng rng(5);
  for (float& v : x) v = 2 * rng.NextFloat() - 1;
  train::NetWorkspace ws;
  std::span<const float> ref = train::ForwardNet(params, x.data(), 5, &ws);
  const std::vector<float> y = RunNet(*net, x, 5);
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], ref[i], 1e-5f * std::max(1.0f, std::abs(ref[i]))) << i;
  EXPECT_EQ(net->Summary(), "[16,3] conv1d(7,k5,s2,relu) up(2) conv1d(3,k3,s1,d2,tanh) dense(48,linear)");
}

TEST(PackedNetTest, SaveLoadCopiesOrBorrowsAndRejectsDamage) {
  auto net = PackedNet::FromParams(Trained());
  ASSERT_TRUE(net.ok());
  core::ByteWriter w;
  net->Save(w);
  std::vector<float> x(48, 0.25f);
  const std::vector<float> expected = RunNet(*net, x, 1);

  core::ByteReader plain(w.bytes(), "mem");
  auto copied = PackedNet::Load(plain);
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  EXPECT_FALSE(copied->borrowed());
  EXPECT_EQ(RunNet(*copied, x, 1), expected);

  auto block = std::make_shared<core::Arena>();
  ASSERT_TRUE(block->Allocate(w.size()).ok());
  std::copy(w.bytes().begin(), w.bytes().end(), block->data());
  core::ByteReader mapped(std::span<const uint8_t>(block->data(), w.size()), "mapped", 0, block);
  auto borrowed = PackedNet::Load(mapped);
  ASSERT_TRUE(borrowed.ok()) << borrowed.status().message();
  EXPECT_TRUE(borrowed->borrowed());
  EXPECT_EQ(borrowed->WeightBytes(), net->WeightBytes());
  EXPECT_EQ(RunNet(*borrowed, x, 1), expected);

  // An owner but an unaligned start: copied, still correct.
  auto shifted = std::make_shared<core::Arena>();
  ASSERT_TRUE(shifted->Allocate(w.size() + 8).ok());
  std::copy(w.bytes().begin(), w.bytes().end(), shifted->data() + 8);
  core::ByteReader odd(std::span<const uint8_t>(shifted->data() + 8, w.size()), "odd", 0, shifted);
  auto realigned = PackedNet::Load(odd);
  ASSERT_TRUE(realigned.ok()) << realigned.status().message();
  EXPECT_FALSE(realigned->borrowed());
  EXPECT_EQ(RunNet(*realigned, x, 1), expected);

  for (size_t cut = 0; cut < w.size(); cut += 13) {
    std::vector<uint8_t> part(w.bytes().begin(), w.bytes().begin() + static_cast<std::ptrdiff_t>(cut));
    core::ByteReader r(part, "cut");
    auto bad = PackedNet::Load(r);
    ASSERT_FALSE(bad.ok()) << cut;
    EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  }
  std::vector<uint8_t> wrong_kind = w.bytes();
  wrong_kind[4 + 4 + 16 + 4] = 9;  // first layer's kind
  core::ByteReader r(wrong_kind, "m.vgm");
  auto bad = PackedNet::Load(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "m.vgm: offset 28: field 'net.layer.kind': layer 0: unknown layer kind 9");
}

}  // namespace
}  // namespace vigil::nn

namespace vigil::nn {
namespace {

TEST(PackedNetTest, RefusesTensorsTooLargeToPlan) {
  // Weightless upsampling can multiply a tiny input into a huge tensor: refused, not allocated.
  train::NetSpec spec{{4, 1},
                      {{.kind = LayerKind::kUpsample1D, .factor = 1024},
                       {.kind = LayerKind::kUpsample1D, .factor = 1024},
                       {.kind = LayerKind::kConv1D, .out = 1, .kernel = 1}}};
  auto p = train::InitNet(spec, 1);
  ASSERT_TRUE(p.ok()) << p.status().message();  // 4 M values: trainable in principle
  auto net = PackedNet::FromParams(*p);
  ASSERT_FALSE(net.ok());
  EXPECT_EQ(net.status().message(), "layer 1: output of 4194304 values per sample exceeds 1048576");
}

}  // namespace
}  // namespace vigil::nn

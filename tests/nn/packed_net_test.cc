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

// The tf-ae shape: per-frame embedding, a transformer block, per-frame projection back.
train::NetParams TransformerNet() {
  train::NetSpec spec{{12, 4},
                      {{.kind = LayerKind::kConv1D, .out = 8, .kernel = 1},
                       {.kind = LayerKind::kTransformerBlock, .out = 16, .kernel = 2},
                       {.kind = LayerKind::kConv1D, .out = 4, .kernel = 1}}};
  auto p = train::InitNet(spec, 3);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return *p;
}

TEST(PackedNetTest, TransformerBlocksRunSaveAndLoadInFp32) {
  const train::NetParams params = TransformerNet();
  auto net = PackedNet::FromParams(params);
  ASSERT_TRUE(net.ok()) << net.status().message();
  EXPECT_EQ(net->Summary(), "[12,4] conv1d(8,k1,s1,linear) block(h2,mlp16) conv1d(4,k1,s1,linear)");
  std::vector<float> x(3 * 48);
  train::Prng rng(8);
  for (float& v : x) v = 2 * rng.NextFloat() - 1;
  train::NetWorkspace ws;
  std::span<const float> ref = train::ForwardNet(params, x.data(), 3, &ws);
  auto g = net->BuildGraph();
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_TRUE(g->Plan(3).ok());
  std::vector<float> y(ref.size(), NAN);
  ASSERT_TRUE(g->BindInput(0, x.data()).ok());
  ASSERT_TRUE(g->BindOutput(0, y.data()).ok());
  g->Run();
  for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], ref[i], 2e-5f * std::max(1.0f, std::abs(ref[i]))) << i;
  // Save / load round trip.
  core::ByteWriter w;
  net->Save(w);
  core::ByteReader r(w.bytes(), "net");
  auto again = PackedNet::Load(r);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->Summary(), net->Summary());
  EXPECT_EQ(again->WeightBytes(), net->WeightBytes());
  // Lower precision leaves the block in FP32 (the embedding and projection convert).
  auto half = net->ConvertWeights(WeightType::kF16);
  ASSERT_TRUE(half.ok()) << half.status().message();
  EXPECT_EQ(half->layer_weight_type(0), WeightType::kF16);
  EXPECT_EQ(half->layer_weight_type(1), WeightType::kF32);
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

namespace vigil::nn {
namespace {

// Version 1 of the serialized form (FP32 only, float counts), as earlier releases wrote it.
void SaveVersion1(const train::NetParams& params, core::ByteWriter& w) {
  w.U32(1);
  w.U32(static_cast<uint32_t>(params.input_shape.size()));
  for (int64_t d : params.input_shape) w.I64(d);
  w.U32(static_cast<uint32_t>(params.layers.size()));
  std::vector<int64_t> shape = params.input_shape;
  for (const auto& layer : params.layers) {
    const train::LayerSpec& l = layer.spec;
    for (uint32_t v : {static_cast<uint32_t>(l.kind)}) w.U32(v);
    for (int64_t v : {l.out, l.kernel, l.stride, l.padding, l.dilation, l.factor}) w.I64(v);
    w.U32(static_cast<uint32_t>(l.activation));
    if (l.kind == LayerKind::kUpsample1D) {
      w.U64(0);
      continue;
    }
    const size_t in = layer.weights.size() / static_cast<size_t>(l.out);
    std::vector<float> packed(kernels::PackedDenseFloats(in, static_cast<size_t>(l.out)));
    kernels::PackDense(layer.weights.data(), layer.bias.data(), in, static_cast<size_t>(l.out), packed.data());
    w.U64(packed.size());
    w.Align(core::kArenaAlignment);
    w.Raw(packed.data(), packed.size() * sizeof(float));
  }
}

TEST(PackedNetTest, LoadsVersion1AsF32) {
  const train::NetParams params = Trained();
  core::ByteWriter old;
  SaveVersion1(params, old);
  core::ByteReader r(old.bytes(), "v1");
  auto loaded = PackedNet::Load(r);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->weight_type(), WeightType::kF32);
  auto fresh = PackedNet::FromParams(params);
  ASSERT_TRUE(fresh.ok());
  const std::vector<float> x(48, -0.5f);
  EXPECT_EQ(RunNet(*loaded, x, 1), RunNet(*fresh, x, 1));
}

TEST(PackedNetTest, F16WeightsHalveTheBytesAndStayClose) {
  auto net = PackedNet::FromParams(Trained());
  ASSERT_TRUE(net.ok());
  auto half = net->ConvertWeights(WeightType::kF16);
  ASSERT_TRUE(half.ok()) << half.status().message();
  EXPECT_EQ(half->weight_type(), WeightType::kF16);
  EXPECT_EQ(half->Summary(), "[16,3] f16 conv1d(7,k5,s2,relu) up(2) conv1d(3,k3,s1,d2,tanh) dense(48,linear)");
  EXPECT_LT(half->WeightBytes(), net->WeightBytes() * 6 / 10);

  std::vector<float> x(4 * 48);
  train::Prng rng(8);
  for (float& v : x) v = 2 * rng.NextFloat() - 1;
  const std::vector<float> full = RunNet(*net, x, 4);
  const std::vector<float> reduced = RunNet(*half, x, 4);
  double err = 0, norm = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    err += (full[i] - reduced[i]) * (full[i] - reduced[i]);
    norm += full[i] * full[i];
  }
  // binary16 keeps 11 significant bits: relative weight error ≤ 2^-11, a few layers deep.
  EXPECT_LT(std::sqrt(err / norm), 4e-3);
  EXPECT_GT(err, 0.0);  // it really ran the rounded weights

  // Saved and loaded (mapped: borrowed), the type and the results are kept.
  core::ByteWriter w;
  half->Save(w);
  auto block = std::make_shared<core::Arena>();
  ASSERT_TRUE(block->Allocate(w.size()).ok());
  std::copy(w.bytes().begin(), w.bytes().end(), block->data());
  core::ByteReader mapped(std::span<const uint8_t>(block->data(), w.size()), "mapped", 0, block);
  auto loaded = PackedNet::Load(mapped);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->borrowed());
  EXPECT_EQ(loaded->weight_type(), WeightType::kF16);
  EXPECT_EQ(RunNet(*loaded, x, 4), reduced);

  auto again = half->ConvertWeights(WeightType::kF16);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(RunNet(*again, x, 4), reduced);
  auto back = half->ConvertWeights(WeightType::kF32);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().message(), "layer 0 holds f16 weights; converting them to f32 would not restore what was rounded away (convert the f32 model instead)");

  std::vector<uint8_t> damaged = w.bytes();
  damaged[4 + 4 + 16 + 4 + 4 + 6 * 8 + 4] = 7;  // first layer's weight type
  core::ByteReader r(damaged, "m.vgm");
  auto bad = PackedNet::Load(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "m.vgm: offset 84: field 'net.layer.weight_type': layer 0: unknown weight type 7");
}

}  // namespace
}  // namespace vigil::nn

namespace vigil::nn {
namespace {

TEST(PackedNetTest, Int8WeightsQuarterTheBytesAndKeepUnsupportedLayersF32) {
  // Trained() ends in tanh and linear layers after ReLU ones: tanh cannot run in INT8.
  auto net = PackedNet::FromParams(Trained());
  ASSERT_TRUE(net.ok());
  std::vector<float> x(64 * 48);
  train::Prng rng(9);
  for (float& v : x) v = 2 * rng.NextFloat() - 1;
  EXPECT_FALSE(net->ConvertWeights(WeightType::kInt8).ok());  // no ranges
  std::vector<kernels::QuantParams> q(net->layers().size(), kernels::ChooseQuantParams(-1.0f, 1.0f));
  q[3] = kernels::ChooseQuantParams(-1.0f, 1.0f);
  auto int8 = net->ConvertWeights(WeightType::kInt8, q);
  ASSERT_TRUE(int8.ok()) << int8.status().message();
  EXPECT_EQ(int8->weight_type(), WeightType::kInt8);
  EXPECT_EQ(int8->layer_weight_type(0), WeightType::kInt8);
  EXPECT_EQ(int8->layer_weight_type(2), WeightType::kF32);  // tanh
  EXPECT_EQ(int8->Summary(),
            "[16,3] int8 conv1d(7,k5,s2,relu) up(2) conv1d(3,k3,s1,d2,tanh,f32) dense(48,linear)");
  const std::vector<float> full = RunNet(*net, x, 64);
  const std::vector<float> reduced = RunNet(*int8, x, 64);
  double err = 0, norm = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    err += (full[i] - reduced[i]) * (full[i] - reduced[i]);
    norm += full[i] * full[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.05);
  EXPECT_GT(err, 0.0);

  // Saved and mapped: kept as is, and a damaged INT8 blob is refused when the graph is built.
  core::ByteWriter w;
  int8->Save(w);
  core::ByteReader r(w.bytes(), "mem");
  auto loaded = PackedNet::Load(r);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(RunNet(*loaded, x, 64), reduced);
  std::vector<uint8_t> damaged = w.bytes();
  // The first layer's blob starts at the first 64-byte boundary after its header fields
  // (offset 84 + 4 + 8 = 96 → 128); its kernel header follows the 64-byte layer header.
  const size_t blob = 128;
  damaged[blob + 64 + 4] ^= 0x01;  // kernel header: `in`
  core::ByteReader bad_reader(damaged, "bad");
  auto bad = PackedNet::Load(bad_reader);
  ASSERT_TRUE(bad.ok());  // the layout is intact; the blob is checked when a graph is made
  auto graph = bad->BuildGraph();
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().message(), "node 1: Conv1D: int8 weights: header does not match the layer");
}

TEST(PackedNetTest, ConvertLayersMixesTypesLayerByLayer) {
  auto net = PackedNet::FromParams(Trained());
  ASSERT_TRUE(net.ok());
  std::vector<float> x(64 * 48);
  train::Prng rng(10);
  for (float& v : x) v = 2 * rng.NextFloat() - 1;
  const std::vector<kernels::QuantParams> q(net->layers().size(), kernels::ChooseQuantParams(-1.0f, 1.0f));
  const std::vector<WeightType> types = {WeightType::kInt8, WeightType::kF32, WeightType::kF16, WeightType::kF32};
  auto mixed = net->ConvertLayers(types, q);
  ASSERT_TRUE(mixed.ok()) << mixed.status().message();
  EXPECT_EQ(mixed->layer_weight_type(0), WeightType::kInt8);
  EXPECT_EQ(mixed->layer_weight_type(2), WeightType::kF16);
  EXPECT_EQ(mixed->layer_weight_type(3), WeightType::kF32);
  EXPECT_EQ(mixed->Summary(), "[16,3] int8 conv1d(7,k5,s2,relu) up(2) conv1d(3,k3,s1,d2,tanh,f16) dense(48,linear,f32)");
  EXPECT_EQ(mixed->LayerSummary(2), "conv1d(3,k3,s1,d2,tanh)");
  // The same type everywhere is exactly ConvertWeights.
  auto all16 = net->ConvertLayers(std::vector<WeightType>(4, WeightType::kF16));
  auto half = net->ConvertWeights(WeightType::kF16);
  ASSERT_TRUE(all16.ok() && half.ok());
  EXPECT_EQ(RunNet(*all16, x, 64), RunNet(*half, x, 64));
  // A mixed net runs, close to FP32.
  const std::vector<float> full = RunNet(*net, x, 64);
  const std::vector<float> reduced = RunNet(*mixed, x, 64);
  double err = 0, norm = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    err += (full[i] - reduced[i]) * (full[i] - reduced[i]);
    norm += full[i] * full[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.05);
  // Errors: wrong count, INT8 without ranges, from a lower type.
  EXPECT_FALSE(net->ConvertLayers(std::vector<WeightType>(3, WeightType::kF32)).ok());
  EXPECT_FALSE(net->ConvertLayers(types).ok());
  auto again = half->ConvertLayers(types, q);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("holds f16"), std::string::npos) << again.status().message();
}

}  // namespace
}  // namespace vigil::nn

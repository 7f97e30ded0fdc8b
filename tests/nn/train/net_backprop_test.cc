#include "nn/train/net_backprop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/dense.h"
#include "nn/train/activation_double.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

// Independent double-precision definition of one sample's forward pass, written from the
// layer definitions (direct convolution, no im2col).
std::vector<double> ReferenceForward(const NetParams& p, const std::vector<std::vector<double>>& w,
                                     const std::vector<std::vector<double>>& bias, std::vector<double> a) {
  for (size_t l = 0; l < p.layers.size(); ++l) {
    const NetLayerParams& layer = p.layers[l];
    const LayerSpec& s = layer.spec;
    std::vector<double> z(static_cast<size_t>(ShapeElements(layer.out_shape)));
    if (s.kind == LayerKind::kDense) {
      const size_t in = a.size();
      for (size_t o = 0; o < z.size(); ++o) {
        z[o] = bias[l][o];
        for (size_t i = 0; i < in; ++i) z[o] += w[l][o * in + i] * a[i];
      }
    } else if (s.kind == LayerKind::kConv1D) {
      const int64_t len = layer.in_shape[0], cin = layer.in_shape[1], olen = layer.out_shape[0];
      for (int64_t t = 0; t < olen; ++t) {
        for (int64_t o = 0; o < s.out; ++o) {
          double acc = bias[l][o];
          for (int64_t k = 0; k < s.kernel; ++k) {
            const int64_t src = t * s.stride - s.padding + k * s.dilation;
            if (src < 0 || src >= len) continue;
            for (int64_t c = 0; c < cin; ++c) acc += w[l][(o * s.kernel + k) * cin + c] * a[src * cin + c];
          }
          z[t * s.out + o] = acc;
        }
      }
    } else {
      const int64_t len = layer.in_shape[0], ch = layer.in_shape[1];
      for (int64_t t = 0; t < len * s.factor; ++t) {
        for (int64_t c = 0; c < ch; ++c) z[t * ch + c] = a[(t / s.factor) * ch + c];
      }
    }
    for (double& v : z) v = ActivateDouble(s.activation, v);
    a = std::move(z);
  }
  return a;
}

double ReferenceLoss(const NetParams& p, const std::vector<std::vector<double>>& w,
                     const std::vector<std::vector<double>>& b, const std::vector<float>& x,
                     const std::vector<float>& t, size_t batch) {
  const size_t in = static_cast<size_t>(ShapeElements(p.input_shape));
  const size_t out = static_cast<size_t>(ShapeElements(p.output_shape()));
  double sum = 0;
  for (size_t r = 0; r < batch; ++r) {
    std::vector<double> y =
        ReferenceForward(p, w, b, std::vector<double>(x.begin() + r * in, x.begin() + (r + 1) * in));
    for (size_t o = 0; o < out; ++o) sum += (y[o] - t[r * out + o]) * (y[o] - t[r * out + o]);
  }
  return sum / static_cast<double>(batch * out);
}

struct Case {
  const char* name;
  NetSpec spec;
};

LayerSpec Conv(int64_t out, int64_t k, int64_t stride, int64_t pad, int64_t dil, Activation act) {
  return {.kind = LayerKind::kConv1D,
          .out = out,
          .kernel = k,
          .stride = stride,
          .padding = pad,
          .dilation = dil,
          .activation = act};
}
LayerSpec Up(int64_t f) { return {.kind = LayerKind::kUpsample1D, .factor = f}; }
LayerSpec UpAct(int64_t f, Activation act) {
  return {.kind = LayerKind::kUpsample1D, .factor = f, .activation = act};
}
LayerSpec Dense(int64_t out, Activation act) {
  return {.kind = LayerKind::kDense, .out = out, .activation = act};
}

std::vector<Case> Cases() {
  return {
      {"conv_ae",
       {{12, 3}, {Conv(4, 3, 2, 1, 1, Activation::kTanh), Up(2), Conv(3, 3, 1, 1, 1, Activation::kNone)}}},
      {"strided_dilated",
       {{11, 2}, {Conv(5, 3, 3, 2, 2, Activation::kSigmoid), Conv(2, 2, 1, 0, 1, Activation::kGelu)}}},
      {"no_padding_kernel1",
       {{7, 4},
        {Conv(3, 1, 1, 0, 1, Activation::kLeakyRelu), Up(3), Conv(2, 5, 2, 0, 1, Activation::kNone)}}},
      {"conv_then_dense",
       {{6, 2},
        {Conv(3, 3, 1, 1, 1, Activation::kTanh), Dense(5, Activation::kTanh), Dense(4, Activation::kNone)}}},
      {"relu_stack",
       {{9, 3}, {Conv(6, 3, 1, 1, 1, Activation::kRelu), Conv(3, 3, 1, 1, 1, Activation::kRelu)}}},
      // Dense on a [length, channels] sample flattens it; 15 inputs and 17 outputs are padded
      // to product widths 16 and 32.
      {"dense_on_2d_padded_widths", {{5, 3}, {Dense(17, Activation::kGelu), Dense(15, Activation::kNone)}}},
      {"upsample_with_activation",
       {{6, 2},
        {Conv(9, 2, 1, 0, 1, Activation::kNone), UpAct(3, Activation::kTanh),
         Conv(2, 4, 3, 3, 1, Activation::kSigmoid)}}},
      // fan_in 51 → width 64, 18 outputs → width 32; batch rows not a multiple of any tile.
      {"wide_channels",
       {{10, 17}, {Conv(18, 3, 1, 1, 1, Activation::kRelu), Conv(17, 1, 1, 0, 1, Activation::kNone)}}},
      // Padding beyond the kernel and a stride beyond it: edge positions read only zeros and
      // some inputs are never read.
      {"padding_and_stride_beyond_kernel", {{4, 1}, {Conv(2, 2, 3, 5, 1, Activation::kLeakyRelu)}}},
      {"dilated_padded_stack",
       {{13, 2}, {Conv(3, 3, 2, 3, 3, Activation::kTanh), Up(2), Conv(2, 5, 1, 4, 2, Activation::kNone)}}},
  };
}

class NetBackpropTest : public ::testing::TestWithParam<Case> {};

TEST_P(NetBackpropTest, GradientsMatchCentralDifferences) {
  const NetSpec& spec = GetParam().spec;
  auto params = InitNet(spec, 11);
  ASSERT_TRUE(params.ok()) << params.status().message();
  Prng rng(4);
  for (auto& l : params->layers) {
    for (float& b : l.bias) b = 0.2f * (rng.NextFloat() - 0.5f);
  }
  const size_t batch = 3;
  const size_t in = static_cast<size_t>(ShapeElements(spec.input_shape));
  const size_t out = static_cast<size_t>(ShapeElements(params->output_shape()));
  std::vector<float> x(batch * in), t(batch * out);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  for (float& v : t) v = 2.0f * rng.NextFloat() - 1.0f;

  NetWorkspace ws;
  NetGradients grads;
  const double loss = NetMseLossAndGradients(*params, x.data(), t.data(), batch, &ws, &grads);
  std::vector<std::vector<double>> w, b;
  for (const auto& l : params->layers) {
    w.emplace_back(l.weights.begin(), l.weights.end());
    b.emplace_back(l.bias.begin(), l.bias.end());
  }
  EXPECT_NEAR(loss, ReferenceLoss(*params, w, b, x, t, batch), 1e-5 * std::max(1.0, loss));
  const double h = 1e-5;
  for (size_t l = 0; l < params->layers.size(); ++l) {
    ASSERT_EQ(grads.weights[l].size(), w[l].size()) << l;
    for (int which = 0; which < 2; ++which) {
      std::vector<double>& vals = which == 0 ? w[l] : b[l];
      const std::vector<float>& g = which == 0 ? grads.weights[l] : grads.bias[l];
      for (size_t k = 0; k < vals.size(); ++k) {
        const double keep = vals[k];
        vals[k] = keep + h;
        const double up = ReferenceLoss(*params, w, b, x, t, batch);
        vals[k] = keep - h;
        const double down = ReferenceLoss(*params, w, b, x, t, batch);
        vals[k] = keep;
        const double numeric = (up - down) / (2 * h);
        EXPECT_NEAR(g[k], numeric, 2e-3 * std::max(1.0, std::abs(numeric)))
            << GetParam().name << " layer " << l << (which ? " bias " : " weight ") << k;
      }
    }
  }
}

TEST_P(NetBackpropTest, ForwardMatchesTheDirectDefinition) {
  const NetSpec& spec = GetParam().spec;
  auto params = InitNet(spec, 3);
  ASSERT_TRUE(params.ok());
  const size_t in = static_cast<size_t>(ShapeElements(spec.input_shape));
  std::vector<float> x(2 * in);
  Prng rng(9);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  NetWorkspace ws;
  std::span<const float> y = ForwardNet(*params, x.data(), 2, &ws);
  std::vector<std::vector<double>> w, b;
  for (const auto& l : params->layers) {
    w.emplace_back(l.weights.begin(), l.weights.end());
    b.emplace_back(l.bias.begin(), l.bias.end());
  }
  const size_t out = y.size() / 2;
  for (size_t r = 0; r < 2; ++r) {
    std::vector<double> ref =
        ReferenceForward(*params, w, b, std::vector<double>(x.begin() + r * in, x.begin() + (r + 1) * in));
    for (size_t o = 0; o < out; ++o)
      EXPECT_NEAR(y[r * out + o], ref[o], 1e-5) << GetParam().name << " " << r << "," << o;
  }
}

TEST_P(NetBackpropTest, ActivationsAreTheKernelReferenceBitForBit) {
  auto params = InitNet(GetParam().spec, 5);
  ASSERT_TRUE(params.ok());
  const size_t in = static_cast<size_t>(ShapeElements(GetParam().spec.input_shape));
  std::vector<float> x(3 * in);
  Prng rng(6);
  for (float& v : x) v = 4.0f * rng.NextFloat() - 2.0f;
  NetWorkspace ws;
  (void)ForwardNet(*params, x.data(), 3, &ws);
  for (size_t l = 0; l < params->layers.size(); ++l) {
    const size_t n = 3 * static_cast<size_t>(ShapeElements(params->layers[l].out_shape));
    std::vector<float> expected(ws.pre[l].begin(), ws.pre[l].begin() + static_cast<long>(n));
    kernels::ActivateF32Reference(params->layers[l].spec.activation, expected.data(), n);
    EXPECT_EQ(std::vector<float>(ws.post[l].begin(), ws.post[l].begin() + static_cast<long>(n)), expected)
        << GetParam().name << " layer " << l;
  }
}

// Every output element is the same chain of operations whatever the batch, and a workspace
// grown by a larger batch gives the same gradients as a fresh one.
TEST_P(NetBackpropTest, BitIdenticalAcrossBatchSizesAndWorkspaceReuse) {
  const NetSpec& spec = GetParam().spec;
  auto params = InitNet(spec, 8);
  ASSERT_TRUE(params.ok());
  const size_t in = static_cast<size_t>(ShapeElements(spec.input_shape));
  const size_t out = static_cast<size_t>(ShapeElements(params->output_shape()));
  std::vector<float> x(9 * in), t(9 * out);
  Prng rng(12);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  for (float& v : t) v = 2.0f * rng.NextFloat() - 1.0f;
  NetWorkspace batched, single;
  const std::vector<float> y = [&] {
    std::span<const float> s = ForwardNet(*params, x.data(), 9, &batched);
    return std::vector<float>(s.begin(), s.end());
  }();
  for (size_t r = 0; r < 9; ++r) {
    std::span<const float> one = ForwardNet(*params, x.data() + r * in, 1, &single);
    ASSERT_EQ(std::vector<float>(one.begin(), one.end()),
              std::vector<float>(y.begin() + static_cast<long>(r * out),
                                 y.begin() + static_cast<long>((r + 1) * out)))
        << GetParam().name << " sample " << r;
  }
  NetWorkspace fresh;
  NetGradients g_fresh, g_reused;
  const double a = NetMseLossAndGradients(*params, x.data(), t.data(), 4, &fresh, &g_fresh);
  const double b = NetMseLossAndGradients(*params, x.data(), t.data(), 4, &batched, &g_reused);
  EXPECT_EQ(a, b);
  EXPECT_EQ(g_fresh.weights, g_reused.weights);
  EXPECT_EQ(g_fresh.bias, g_reused.bias);
}

INSTANTIATE_TEST_SUITE_P(Nets, NetBackpropTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vigil::nn::train

namespace vigil::nn::train {
namespace {

// A net with a transformer block: the wiring of the block into the net's passes (the block's
// own math is checked in double in transformer_block_test.cc). Float central differences on a
// sample of parameters, loose tolerance.
TEST(NetBackpropBlockTest, GradientsThroughABlockMatchCentralDifferences) {
  NetSpec spec{{6, 3},
               {{.kind = LayerKind::kConv1D, .out = 8, .kernel = 1},
                {.kind = LayerKind::kTransformerBlock, .out = 12, .kernel = 2},
                {.kind = LayerKind::kConv1D, .out = 3, .kernel = 1}}};
  auto p = InitNet(spec, 4);
  ASSERT_TRUE(p.ok()) << p.status().message();
  constexpr size_t kBatch = 2;
  std::vector<float> x(kBatch * 18), target(kBatch * 18);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = std::sin(0.7f * static_cast<float>(i));
    target[i] = 0.5f * std::cos(0.3f * static_cast<float>(i));
  }
  NetWorkspace ws;
  NetGradients g;
  NetMseLossAndGradients(*p, x.data(), target.data(), kBatch, &ws, &g);
  ASSERT_EQ(g.weights[1].size(), p->layers[1].weights.size());
  EXPECT_TRUE(g.bias[1].empty());
  for (size_t layer : {size_t{0}, size_t{1}, size_t{2}}) {
    auto& w = p->layers[layer].weights;
    for (size_t i = 0; i < w.size(); i += std::max<size_t>(1, w.size() / 17)) {
      const float keep = w[i];
      const float h = 5e-4f;
      w[i] = keep + h;
      const double up = NetMseLoss(*p, x.data(), target.data(), kBatch, &ws);
      w[i] = keep - h;
      const double down = NetMseLoss(*p, x.data(), target.data(), kBatch, &ws);
      w[i] = keep;
      const double fd = (up - down) / (2 * h);
      EXPECT_NEAR(g.weights[layer][i], fd, 2e-3 + 5e-2 * std::fabs(fd)) << "layer " << layer << " weight " << i;
    }
  }
}

TEST(NetBackpropBlockTest, BlockLayersAreValidated) {
  const auto shape = [](LayerSpec l) { return LayerOutputShape(l, {6, 8}, 1); };
  EXPECT_EQ(shape({.kind = LayerKind::kTransformerBlock, .out = 4, .kernel = 2}).value(), (std::vector<int64_t>{6, 8}));
  EXPECT_NE(shape({.kind = LayerKind::kTransformerBlock, .out = 4, .kernel = 3}).status().message().find(
                "kernel (heads) = 3 must divide the 8 channels"),
            std::string::npos);
  EXPECT_FALSE(shape({.kind = LayerKind::kTransformerBlock, .out = 4, .kernel = 2,
                      .activation = kernels::Activation::kRelu})
                   .ok());
  EXPECT_FALSE(LayerOutputShape({.kind = LayerKind::kTransformerBlock, .out = 4, .kernel = 2}, {48}, 0).ok());
  NetSpec spec{{6, 8}, {{.kind = LayerKind::kTransformerBlock, .out = 4, .kernel = 2}}};
  auto p = InitNet(spec, 1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(static_cast<int64_t>(p->layers[0].weights.size()), BlockLayout(BlockSpecOf(spec.layers[0], {6, 8})).size);
  p->layers[0].weights.pop_back();
  EXPECT_NE(ValidateNetParams(*p).message().find("weights has"), std::string::npos);
}

}  // namespace
}  // namespace vigil::nn::train

#include "nn/train/backprop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/dense.h"
#include "nn/train/activation_double.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

// Independent double-precision definition of the loss, for finite differences.
double ReferenceLoss(const MlpParams& p, const std::vector<double>& x, const std::vector<double>& t,
                     int batch) {
  double sum = 0.0;
  for (int b = 0; b < batch; ++b) {
    std::vector<double> a(x.begin() + b * p.input_dim(), x.begin() + (b + 1) * p.input_dim());
    for (const DenseLayerParams& layer : p.layers) {
      std::vector<double> next(static_cast<size_t>(layer.out));
      for (int64_t o = 0; o < layer.out; ++o) {
        double z = layer.bias[o];
        for (int64_t i = 0; i < layer.in; ++i)
          z += static_cast<double>(layer.weights[o * layer.in + i]) * a[i];
        next[o] = ActivateDouble(layer.activation, z);
      }
      a = std::move(next);
    }
    for (int64_t o = 0; o < p.output_dim(); ++o) {
      const double d = a[o] - t[b * p.output_dim() + o];
      sum += d * d;
    }
  }
  return sum / (batch * p.output_dim());
}

// The loss with one parameter replaced by a double value: perturbing the float in place would
// round a 1e-6 step away.
double LossWithParam(const MlpParams& base, bool bias, size_t layer, size_t k, double value,
                     const std::vector<double>& x, const std::vector<double>& t, int batch) {
  double sum = 0.0;
  for (int b = 0; b < batch; ++b) {
    std::vector<double> a(x.begin() + b * base.input_dim(), x.begin() + (b + 1) * base.input_dim());
    for (size_t l = 0; l < base.layers.size(); ++l) {
      const DenseLayerParams& ly = base.layers[l];
      std::vector<double> next(static_cast<size_t>(ly.out));
      for (int64_t o = 0; o < ly.out; ++o) {
        double z = (l == layer && bias && static_cast<size_t>(o) == k) ? value : ly.bias[o];
        for (int64_t i = 0; i < ly.in; ++i) {
          const size_t idx = static_cast<size_t>(o * ly.in + i);
          const double w = (l == layer && !bias && idx == k) ? value : ly.weights[idx];
          z += w * a[i];
        }
        next[o] = ActivateDouble(ly.activation, z);
      }
      a = std::move(next);
    }
    for (int64_t o = 0; o < base.output_dim(); ++o) {
      const double d = a[o] - t[b * base.output_dim() + o];
      sum += d * d;
    }
  }
  return sum / (batch * base.output_dim());
}

void CheckGradients(Activation hidden, Activation output, uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << "hidden " << static_cast<int>(hidden) << " output "
                                    << static_cast<int>(output) << " seed " << seed);
  MlpSpec spec{
      .input_dim = 5, .hidden = {7, 3}, .output_dim = 4, .activation = hidden, .output_activation = output};
  Result<MlpParams> init = InitMlp(spec, seed);
  ASSERT_TRUE(init.ok());
  MlpParams p = *init;
  Prng rng(seed + 100);
  for (DenseLayerParams& layer : p.layers) {
    for (float& b : layer.bias) b = rng.NextFloat() - 0.5f;  // non-zero biases get checked too
  }
  const int batch = 3;
  std::vector<float> x(batch * 5), t(batch * 4);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  for (float& v : t) v = rng.NextFloat();
  const std::vector<double> xd(x.begin(), x.end()), td(t.begin(), t.end());

  MlpWorkspace ws;
  MlpGradients g;
  const double loss = MseLossAndGradients(p, x.data(), t.data(), batch, &ws, &g);
  EXPECT_NEAR(loss, ReferenceLoss(p, xd, td, batch), 1e-5 * ReferenceLoss(p, xd, td, batch));

  const double h = 1e-6;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    for (int pass = 0; pass < 2; ++pass) {
      const bool bias = pass == 1;
      const std::vector<float>& values = bias ? p.layers[l].bias : p.layers[l].weights;
      const std::vector<float>& grad = bias ? g.bias[l] : g.weights[l];
      ASSERT_EQ(grad.size(), values.size());
      for (size_t k = 0; k < values.size(); ++k) {
        const double up = LossWithParam(p, bias, l, k, values[k] + h, xd, td, batch);
        const double down = LossWithParam(p, bias, l, k, values[k] - h, xd, td, batch);
        const double numeric = (up - down) / (2 * h);
        EXPECT_NEAR(grad[k], numeric, 1e-4 + 1e-3 * std::fabs(numeric))
            << (bias ? "bias" : "weight") << " layer " << l << " index " << k;
      }
    }
  }
}

TEST(BackpropTest, GradientsMatchFiniteDifferencesForEveryActivation) {
  const Activation acts[] = {Activation::kNone, Activation::kRelu,    Activation::kLeakyRelu,
                             Activation::kTanh, Activation::kSigmoid, Activation::kGelu};
  for (Activation hidden : acts) CheckGradients(hidden, Activation::kNone, 3);
  for (Activation output : acts) CheckGradients(Activation::kTanh, output, 4);
}

TEST(BackpropTest, HandComputedSingleWeight) {
  // y = w·x + b = 2·3 + 1 = 7, target 4: loss = 9, dL/dw = 2·3·3 = 18, dL/db = 6.
  MlpParams p;
  p.layers.push_back({.in = 1, .out = 1, .weights = {2.0f}, .bias = {1.0f}, .activation = Activation::kNone});
  const float x = 3.0f, t = 4.0f;
  MlpWorkspace ws;
  MlpGradients g;
  EXPECT_DOUBLE_EQ(MseLossAndGradients(p, &x, &t, 1, &ws, &g), 9.0);
  EXPECT_FLOAT_EQ(g.weights[0][0], 18.0f);
  EXPECT_FLOAT_EQ(g.bias[0][0], 6.0f);
}

TEST(BackpropTest, ActivationDerivativesByHand) {
  EXPECT_EQ(ActivationDerivative(Activation::kNone, -3.0f, -3.0f), 1.0f);
  EXPECT_EQ(ActivationDerivative(Activation::kRelu, 2.0f, 2.0f), 1.0f);
  EXPECT_EQ(ActivationDerivative(Activation::kRelu, -2.0f, 0.0f), 0.0f);
  EXPECT_EQ(ActivationDerivative(Activation::kLeakyRelu, -2.0f, -0.02f), 0.01f);
  EXPECT_FLOAT_EQ(ActivationDerivative(Activation::kTanh, 0.5f, 0.5f), 0.75f);
  EXPECT_FLOAT_EQ(ActivationDerivative(Activation::kSigmoid, 0.0f, 0.5f), 0.25f);
  EXPECT_FLOAT_EQ(ActivationDerivative(Activation::kGelu, 0.0f, 0.0f), 0.5f);
}

TEST(BackpropTest, ForwardMatchesDenseReferenceChain) {
  MlpSpec spec{.input_dim = 6, .hidden = {9}, .output_dim = 6, .activation = Activation::kSigmoid};
  Result<MlpParams> p = InitMlp(spec, 9);
  ASSERT_TRUE(p.ok());
  Prng rng(10);
  std::vector<float> x(4 * 6);
  for (float& v : x) v = rng.NextFloat() * 4.0f - 2.0f;
  std::vector<float> h(4 * 9), y(4 * 6);
  const DenseLayerParams& l0 = p->layers[0];
  const DenseLayerParams& l1 = p->layers[1];
  kernels::DenseF32Reference(l0.weights.data(), l0.bias.data(), x.data(), 4, 6, 9, l0.activation, h.data());
  kernels::DenseF32Reference(l1.weights.data(), l1.bias.data(), h.data(), 4, 9, 6, l1.activation, y.data());
  MlpWorkspace ws;
  std::span<const float> out = ForwardMlp(*p, x.data(), 4, &ws);
  ASSERT_EQ(out.size(), y.size());
  for (size_t k = 0; k < y.size(); ++k) EXPECT_NEAR(out[k], y[k], 1e-6f * (1.0f + std::fabs(y[k]))) << k;
}

TEST(BackpropTest, WorkspaceReuseAcrossBatchSizesGivesSameResults) {
  MlpSpec spec{.input_dim = 4, .hidden = {8}, .output_dim = 4};
  Result<MlpParams> p = InitMlp(spec, 2);
  ASSERT_TRUE(p.ok());
  Prng rng(20);
  std::vector<float> x(10 * 4);
  for (float& v : x) v = rng.NextFloat();
  MlpWorkspace fresh, reused;
  MlpGradients g_fresh, g_reused;
  (void)MseLossAndGradients(*p, x.data(), x.data(), 10, &reused, &g_reused);  // grow to 10 rows
  const double a = MseLossAndGradients(*p, x.data(), x.data(), 3, &fresh, &g_fresh);
  const double b = MseLossAndGradients(*p, x.data(), x.data(), 3, &reused, &g_reused);
  EXPECT_EQ(a, b);
  EXPECT_EQ(g_fresh.weights, g_reused.weights);
  EXPECT_EQ(g_fresh.bias, g_reused.bias);
  EXPECT_EQ(MseLoss(*p, x.data(), x.data(), 3, &reused), a);
}

}  // namespace
}  // namespace vigil::nn::train

// Loop orders are chosen so every inner loop walks contiguous memory with independent
// iterations (an axpy), which the compiler vectorizes without reassociating sums: the forward
// pass runs over a transposed copy of the weights for that reason.
#include "nn/train/backprop.h"

#include <algorithm>
#include <cmath>

namespace vigil::nn::train {

namespace {

constexpr float kLeakySlope = 0.01f;               // as kernels::Activation::kLeakyRelu
constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;

template <typename T>
void Grow(std::vector<T>* v, size_t n) {
  if (v->size() < n) v->resize(n);
}

// Sizes the workspace for `batch` rows; allocates only when something grew.
void Prepare(const MlpParams& params, size_t batch, MlpWorkspace* ws) {
  const size_t num_layers = params.layers.size();
  Grow(&ws->pre, num_layers);
  Grow(&ws->post, num_layers);
  Grow(&ws->transposed, num_layers);
  size_t widest = static_cast<size_t>(params.input_dim());
  for (size_t l = 0; l < num_layers; ++l) {
    const size_t out = static_cast<size_t>(params.layers[l].out);
    Grow(&ws->pre[l], batch * out);
    Grow(&ws->post[l], batch * out);
    Grow(&ws->transposed[l], out * static_cast<size_t>(params.layers[l].in));
    widest = std::max(widest, out);
  }
  Grow(&ws->delta, batch * widest);
  Grow(&ws->delta_prev, batch * widest);
}

void DenseForward(const DenseLayerParams& layer, const float* x, size_t batch, float* transposed, float* z) {
  const size_t in = static_cast<size_t>(layer.in);
  const size_t out = static_cast<size_t>(layer.out);
  const float* w = layer.weights.data();
  for (size_t o = 0; o < out; ++o) {
    for (size_t i = 0; i < in; ++i) transposed[i * out + o] = w[o * in + i];
  }
  for (size_t b = 0; b < batch; ++b) {
    const float* xb = x + b * in;
    float* zb = z + b * out;
    std::copy(layer.bias.begin(), layer.bias.end(), zb);
    for (size_t i = 0; i < in; ++i) {
      const float xi = xb[i];
      const float* row = transposed + i * out;
      for (size_t o = 0; o < out; ++o) zb[o] += xi * row[o];
    }
  }
}

}  // namespace

float ActivationDerivative(kernels::Activation act, float z, float a) {
  switch (act) {
    case kernels::Activation::kNone:
      return 1.0f;
    case kernels::Activation::kRelu:
      return z > 0.0f ? 1.0f : 0.0f;
    case kernels::Activation::kLeakyRelu:
      return z > 0.0f ? 1.0f : kLeakySlope;
    case kernels::Activation::kTanh:
      return 1.0f - a * a;
    case kernels::Activation::kSigmoid:
      return a * (1.0f - a);
    case kernels::Activation::kGelu: {
      const float t = std::tanh(kGeluScale * (z + kGeluCubic * z * z * z));
      return 0.5f * (1.0f + t) + 0.5f * z * (1.0f - t * t) * kGeluScale * (1.0f + 3.0f * kGeluCubic * z * z);
    }
  }
  return 1.0f;
}

std::span<const float> ForwardMlp(const MlpParams& params, const float* x, size_t batch, MlpWorkspace* ws) {
  VIGIL_CHECK(!params.layers.empty());
  Prepare(params, batch, ws);
  const float* input = x;
  for (size_t l = 0; l < params.layers.size(); ++l) {
    const DenseLayerParams& layer = params.layers[l];
    VIGIL_CHECK(l == 0 || layer.in == params.layers[l - 1].out);
    const size_t n = batch * static_cast<size_t>(layer.out);
    float* z = ws->pre[l].data();
    float* a = ws->post[l].data();
    DenseForward(layer, input, batch, ws->transposed[l].data(), z);
    std::copy(z, z + n, a);
    kernels::ActivateF32Reference(layer.activation, a, n);
    input = a;
  }
  return {input, batch * static_cast<size_t>(params.output_dim())};
}

double MeanSquaredError(std::span<const float> y, const float* target, float* delta) {
  // dL/dy = 2 (y − target) / N for L = Σ (y − target)² / N.
  const float scale = 2.0f / static_cast<float>(y.size());
  double sum = 0.0;
  for (size_t k = 0; k < y.size(); ++k) {
    const float d = y[k] - target[k];
    sum += static_cast<double>(d) * static_cast<double>(d);
    if (delta != nullptr) delta[k] = scale * d;
  }
  return y.empty() ? 0.0 : sum / static_cast<double>(y.size());
}

double MseLoss(const MlpParams& params, const float* x, const float* target, size_t batch, MlpWorkspace* ws) {
  return MeanSquaredError(ForwardMlp(params, x, batch, ws), target, nullptr);
}

double MseLossAndGradients(const MlpParams& params, const float* x, const float* target, size_t batch,
                           MlpWorkspace* ws, MlpGradients* grads) {
  const std::span<const float> y = ForwardMlp(params, x, batch, ws);
  const size_t num_layers = params.layers.size();
  grads->weights.resize(num_layers);
  grads->bias.resize(num_layers);
  float* delta = ws->delta.data();
  const double loss = MeanSquaredError(y, target, delta);

  for (size_t l = num_layers; l-- > 0;) {
    const DenseLayerParams& layer = params.layers[l];
    const size_t in = static_cast<size_t>(layer.in);
    const size_t out = static_cast<size_t>(layer.out);
    const float* z = ws->pre[l].data();
    const float* a = ws->post[l].data();
    const float* input = l == 0 ? x : ws->post[l - 1].data();

    // delta becomes dL/dz in place.
    if (layer.activation != kernels::Activation::kNone) {
      for (size_t k = 0; k < batch * out; ++k) delta[k] *= ActivationDerivative(layer.activation, z[k], a[k]);
    }

    std::vector<float>& dw = grads->weights[l];
    std::vector<float>& db = grads->bias[l];
    dw.assign(in * out, 0.0f);
    db.assign(out, 0.0f);
    float* delta_prev = ws->delta_prev.data();
    const bool need_prev = l > 0;
    if (need_prev) std::fill(delta_prev, delta_prev + batch * in, 0.0f);
    const float* w = layer.weights.data();
    for (size_t b = 0; b < batch; ++b) {
      const float* db_row = delta + b * out;
      const float* xb = input + b * in;
      float* pb = delta_prev + b * in;
      for (size_t o = 0; o < out; ++o) {
        const float g = db_row[o];
        db[o] += g;
        // ReLU zeroes many deltas; skipping them only drops exact zero terms (data is finite).
        if (g == 0.0f) continue;
        float* dw_row = dw.data() + o * in;
        for (size_t i = 0; i < in; ++i) dw_row[i] += g * xb[i];
        if (need_prev) {
          const float* w_row = w + o * in;
          for (size_t i = 0; i < in; ++i) pb[i] += g * w_row[i];
        }
      }
    }
    if (need_prev) std::swap(ws->delta, ws->delta_prev);
    delta = ws->delta.data();
  }
  return loss;
}

}  // namespace vigil::nn::train

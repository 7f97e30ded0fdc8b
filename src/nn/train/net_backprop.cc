#include "nn/train/net_backprop.h"

#include <algorithm>

#include "nn/train/backprop.h"
#include "nn/train/gemm.h"

namespace vigil::nn::train {
namespace {

template <typename T>
void Grow(std::vector<T>* v, size_t n) {
  if (v->size() < n) v->resize(n);
}

size_t Elements(const std::vector<int64_t>& shape) { return static_cast<size_t>(ShapeElements(shape)); }

// Rows and row width of the matrix product a Dense / Conv1D layer runs.
struct GemmShape {
  size_t m = 0, k = 0, n = 0;
};
GemmShape ShapeOf(const NetLayerParams& l, size_t batch) {
  if (l.spec.kind == LayerKind::kConv1D) {
    return {batch * static_cast<size_t>(l.out_shape[0]), static_cast<size_t>(l.spec.kernel * l.in_shape[1]),
            static_cast<size_t>(l.spec.out)};
  }
  return {batch, Elements(l.in_shape), static_cast<size_t>(l.spec.out)};
}

void Prepare(const NetParams& params, size_t batch, NetWorkspace* ws) {
  const size_t layers = params.layers.size();
  Grow(&ws->pre, layers);
  Grow(&ws->post, layers);
  Grow(&ws->col, layers);
  Grow(&ws->transposed, layers);
  size_t widest = batch * Elements(params.input_shape);
  size_t widest_col = 0;
  for (size_t l = 0; l < layers; ++l) {
    const NetLayerParams& layer = params.layers[l];
    Grow(&ws->pre[l], batch * Elements(layer.out_shape));
    Grow(&ws->post[l], batch * Elements(layer.out_shape));
    widest = std::max(widest, batch * Elements(layer.out_shape));
    if (layer.spec.kind == LayerKind::kUpsample1D) continue;
    const GemmShape g = ShapeOf(layer, batch);
    Grow(&ws->transposed[l], g.k * g.n);
    if (layer.spec.kind == LayerKind::kConv1D) {
      Grow(&ws->col[l], g.m * g.k);
      widest_col = std::max(widest_col, g.m * g.k);
    }
  }
  Grow(&ws->delta, widest);
  Grow(&ws->delta_prev, widest);
  Grow(&ws->dcol, widest_col);
}

// Receptive field of every output position as one row (zeros where it reaches the padding).
void Im2Col(const NetLayerParams& l, const float* x, size_t batch, float* col) {
  const int64_t length = l.in_shape[0], cin = l.in_shape[1], out_len = l.out_shape[0];
  const int64_t k = l.spec.kernel;
  for (size_t b = 0; b < batch; ++b) {
    const float* xb = x + static_cast<int64_t>(b) * length * cin;
    for (int64_t t = 0; t < out_len; ++t) {
      float* row = col + (static_cast<int64_t>(b) * out_len + t) * k * cin;
      for (int64_t kk = 0; kk < k; ++kk) {
        const int64_t src = t * l.spec.stride - l.spec.padding + kk * l.spec.dilation;
        float* dst = row + kk * cin;
        if (src < 0 || src >= length) {
          std::fill(dst, dst + cin, 0.0f);
        } else {
          std::copy(xb + src * cin, xb + (src + 1) * cin, dst);
        }
      }
    }
  }
}

// Adjoint of Im2Col: dx = Σ of the im2col gradient rows over the positions that read each input.
void Col2Im(const NetLayerParams& l, const float* dcol, size_t batch, float* dx) {
  const int64_t length = l.in_shape[0], cin = l.in_shape[1], out_len = l.out_shape[0];
  const int64_t k = l.spec.kernel;
  std::fill(dx, dx + static_cast<int64_t>(batch) * length * cin, 0.0f);
  for (size_t b = 0; b < batch; ++b) {
    float* xb = dx + static_cast<int64_t>(b) * length * cin;
    for (int64_t t = 0; t < out_len; ++t) {
      const float* row = dcol + (static_cast<int64_t>(b) * out_len + t) * k * cin;
      for (int64_t kk = 0; kk < k; ++kk) {
        const int64_t src = t * l.spec.stride - l.spec.padding + kk * l.spec.dilation;
        if (src < 0 || src >= length) continue;
        const float* g = row + kk * cin;
        float* d = xb + src * cin;
        for (int64_t c = 0; c < cin; ++c) d[c] += g[c];
      }
    }
  }
}

void UpsampleForward(const NetLayerParams& l, const float* x, size_t batch, float* y) {
  const int64_t length = l.in_shape[0], ch = l.in_shape[1], f = l.spec.factor;
  for (int64_t r = 0; r < static_cast<int64_t>(batch) * length; ++r) {
    for (int64_t j = 0; j < f; ++j) std::copy(x + r * ch, x + (r + 1) * ch, y + (r * f + j) * ch);
  }
}

void UpsampleBackward(const NetLayerParams& l, const float* dy, size_t batch, float* dx) {
  const int64_t length = l.in_shape[0], ch = l.in_shape[1], f = l.spec.factor;
  for (int64_t r = 0; r < static_cast<int64_t>(batch) * length; ++r) {
    float* d = dx + r * ch;
    std::copy(dy + r * f * ch, dy + (r * f + 1) * ch, d);
    for (int64_t j = 1; j < f; ++j) {
      const float* g = dy + (r * f + j) * ch;
      for (int64_t c = 0; c < ch; ++c) d[c] += g[c];
    }
  }
}

}  // namespace

std::span<const float> ForwardNet(const NetParams& params, const float* x, size_t batch, NetWorkspace* ws) {
  VIGIL_CHECK(!params.layers.empty());
  Prepare(params, batch, ws);
  const float* input = x;
  for (size_t l = 0; l < params.layers.size(); ++l) {
    const NetLayerParams& layer = params.layers[l];
    const size_t n = batch * Elements(layer.out_shape);
    float* z = ws->pre[l].data();
    float* a = ws->post[l].data();
    if (layer.spec.kind == LayerKind::kUpsample1D) {
      UpsampleForward(layer, input, batch, z);
    } else {
      const GemmShape g = ShapeOf(layer, batch);
      const float* rows = input;
      if (layer.spec.kind == LayerKind::kConv1D) {
        Im2Col(layer, input, batch, ws->col[l].data());
        rows = ws->col[l].data();
      }
      Transpose(layer.weights.data(), g.n, g.k, ws->transposed[l].data());
      GemmBiasForward(rows, g.m, g.k, ws->transposed[l].data(), layer.bias.data(), g.n, z);
    }
    std::copy(z, z + n, a);
    kernels::ActivateF32Reference(layer.spec.activation, a, n);
    input = a;
  }
  return {input, batch * Elements(params.output_shape())};
}

double NetMseLoss(const NetParams& params, const float* x, const float* target, size_t batch, NetWorkspace* ws) {
  return MeanSquaredError(ForwardNet(params, x, batch, ws), target, nullptr);
}

double NetMseLossAndGradients(const NetParams& params, const float* x, const float* target, size_t batch,
                              NetWorkspace* ws, NetGradients* grads) {
  const std::span<const float> y = ForwardNet(params, x, batch, ws);
  const size_t layers = params.layers.size();
  grads->weights.resize(layers);
  grads->bias.resize(layers);
  float* delta = ws->delta.data();
  const double loss = MeanSquaredError(y, target, delta);
  for (size_t l = layers; l-- > 0;) {
    const NetLayerParams& layer = params.layers[l];
    const size_t n_out = batch * Elements(layer.out_shape);
    const float* z = ws->pre[l].data();
    const float* a = ws->post[l].data();
    const float* input = l == 0 ? x : ws->post[l - 1].data();
    if (layer.spec.activation != kernels::Activation::kNone) {
      for (size_t k = 0; k < n_out; ++k) delta[k] *= ActivationDerivative(layer.spec.activation, z[k], a[k]);
    }
    const bool need_prev = l > 0;
    float* delta_prev = ws->delta_prev.data();
    if (layer.spec.kind == LayerKind::kUpsample1D) {
      grads->weights[l].clear();
      grads->bias[l].clear();
      if (need_prev) UpsampleBackward(layer, delta, batch, delta_prev);
    } else {
      const GemmShape g = ShapeOf(layer, batch);
      const bool conv = layer.spec.kind == LayerKind::kConv1D;
      const float* rows = conv ? ws->col[l].data() : input;
      grads->weights[l].assign(g.n * g.k, 0.0f);
      grads->bias[l].assign(g.n, 0.0f);
      GemmWeightGrad(delta, rows, g.m, g.k, g.n, grads->weights[l].data(), grads->bias[l].data());
      if (need_prev) {
        if (conv) {
          GemmInputGrad(delta, layer.weights.data(), g.m, g.k, g.n, ws->dcol.data());
          Col2Im(layer, ws->dcol.data(), batch, delta_prev);
        } else {
          GemmInputGrad(delta, layer.weights.data(), g.m, g.k, g.n, delta_prev);
        }
      }
    }
    if (need_prev) std::swap(ws->delta, ws->delta_prev);
    delta = ws->delta.data();
  }
  return loss;
}

}  // namespace vigil::nn::train

// Each Dense / Conv1D layer is three GemmF32 products over "product rows": the layer input as
// an m × fan_in matrix (m = batch for Dense, batch · out_length for Conv1D, whose rows are the
// im2col receptive fields), zero-padded to GemmWidth(fan_in) columns:
//   forward         Z  (m × out)    = bias + rows · Wᵀ     A = rows, B = Wᵀ (fan_in × out)
//   weight gradient dW (out × fan_in) = dZᵀ · rows          A = dZᵀ,  B = rows
//   input gradient  dRows (m × fan_in) = dZ · W             A = dZ,   B = W
// Padding columns are zeros in B, so they produce zeros (or are never copied out).
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

// Sizes of a Dense / Conv1D layer's products.
struct ProductShape {
  size_t m = 0;        // product rows
  size_t k = 0;        // fan_in
  size_t n = 0;        // outputs per row
  size_t k_width = 0;  // GemmWidth(k)
  size_t n_width = 0;  // GemmWidth(n)
};
ProductShape ShapeOf(const NetLayerParams& l, size_t batch) {
  ProductShape s;
  if (l.spec.kind == LayerKind::kConv1D) {
    s.m = batch * static_cast<size_t>(l.out_shape[0]);
    s.k = static_cast<size_t>(l.spec.kernel * l.in_shape[1]);
  } else {
    s.m = batch;
    s.k = Elements(l.in_shape);
  }
  s.n = static_cast<size_t>(l.spec.out);
  s.k_width = GemmWidth(s.k);
  s.n_width = GemmWidth(s.n);
  return s;
}

// A Dense layer whose fan_in is already a valid width reads its input in place.
bool NeedsRows(const NetLayerParams& l, const ProductShape& s) {
  return l.spec.kind == LayerKind::kConv1D || s.k_width != s.k;
}

void Prepare(const NetParams& params, size_t batch, NetWorkspace* ws) {
  const size_t layers = params.layers.size();
  Grow(&ws->pre, layers);
  Grow(&ws->post, layers);
  Grow(&ws->col, layers);
  Grow(&ws->wt, layers);
  Grow(&ws->bias, layers);
  Grow(&ws->block, layers);
  size_t widest = batch * Elements(params.input_shape);
  size_t scratch = 0;
  size_t w_padded = 0;
  for (size_t l = 0; l < layers; ++l) {
    const NetLayerParams& layer = params.layers[l];
    Grow(&ws->pre[l], batch * Elements(layer.out_shape));
    Grow(&ws->post[l], batch * Elements(layer.out_shape));
    widest = std::max(widest, batch * Elements(layer.out_shape));
    if (layer.spec.kind == LayerKind::kTransformerBlock) Grow(&ws->block[l], batch);
    if (layer.spec.kind == LayerKind::kUpsample1D || layer.spec.kind == LayerKind::kTransformerBlock) continue;
    const ProductShape s = ShapeOf(layer, batch);
    Grow(&ws->wt[l], s.k * s.n_width);
    Grow(&ws->bias[l], s.n_width);
    if (NeedsRows(layer, s)) Grow(&ws->col[l], s.m * s.k_width);
    scratch = std::max({scratch, s.m * s.n_width, s.n * s.k_width, s.m * s.k_width});
    w_padded = std::max(w_padded, s.n * s.k_width);
  }
  Grow(&ws->delta, widest);
  Grow(&ws->delta_prev, widest);
  Grow(&ws->scratch, scratch);
  Grow(&ws->w_padded, w_padded);
}

// Copies rows of `cols` floats (source stride `from`) to rows of stride `to` >= cols, zeroing
// the columns in between.
void CopyRows(const float* src, size_t rows, size_t cols, size_t from, float* dst, size_t to) {
  for (size_t r = 0; r < rows; ++r) {
    std::copy(src + r * from, src + r * from + cols, dst + r * to);
    std::fill(dst + r * to + cols, dst + (r + 1) * to, 0.0f);
  }
}

// Taps [*first, *last) of output position t read inside the input (the others read padding).
void ValidTaps(const LayerSpec& s, int64_t length, int64_t t, int64_t* first, int64_t* last) {
  const int64_t start = t * s.stride - s.padding;  // input row of tap 0
  // Smallest tap with start + tap · dilation >= 0, largest + 1 with it < length.
  *first = start >= 0 ? 0 : (-start + s.dilation - 1) / s.dilation;
  *last = start >= length ? 0 : std::min(s.kernel, (length - 1 - start) / s.dilation + 1);
  if (*last < *first) *last = *first;
}

// Receptive field of every output position as one row (zeros where it reaches the padding),
// rows k_width floats apart. With dilation 1 the valid taps are one contiguous input block.
void Im2Col(const NetLayerParams& l, const float* x, size_t batch, size_t k_width, float* col) {
  const LayerSpec& s = l.spec;
  const int64_t length = l.in_shape[0], cin = l.in_shape[1], out_len = l.out_shape[0];
  const int64_t stride = static_cast<int64_t>(k_width);
  for (int64_t b = 0; b < static_cast<int64_t>(batch); ++b) {
    const float* xb = x + b * length * cin;
    for (int64_t t = 0; t < out_len; ++t) {
      float* row = col + (b * out_len + t) * stride;
      int64_t first = 0, last = 0;
      ValidTaps(s, length, t, &first, &last);
      const int64_t start = t * s.stride - s.padding;
      std::fill(row, row + first * cin, 0.0f);
      if (s.dilation == 1) {
        std::copy(xb + (start + first) * cin, xb + (start + last) * cin, row + first * cin);
      } else {
        for (int64_t kk = first; kk < last; ++kk) {
          const float* src = xb + (start + kk * s.dilation) * cin;
          std::copy(src, src + cin, row + kk * cin);
        }
      }
      std::fill(row + last * cin, row + stride, 0.0f);
    }
  }
}

// Adjoint of Im2Col: dx = Σ of the product-row gradients over the positions that read each input.
void Col2Im(const NetLayerParams& l, const float* dcol, size_t batch, size_t k_width, float* dx) {
  const LayerSpec& s = l.spec;
  const int64_t length = l.in_shape[0], cin = l.in_shape[1], out_len = l.out_shape[0];
  const int64_t stride = static_cast<int64_t>(k_width);
  std::fill(dx, dx + static_cast<int64_t>(batch) * length * cin, 0.0f);
  for (int64_t b = 0; b < static_cast<int64_t>(batch); ++b) {
    float* xb = dx + b * length * cin;
    for (int64_t t = 0; t < out_len; ++t) {
      const float* row = dcol + (b * out_len + t) * stride;
      int64_t first = 0, last = 0;
      ValidTaps(s, length, t, &first, &last);
      const int64_t start = t * s.stride - s.padding;
      if (s.dilation == 1) {
        const float* g = row + first * cin;
        float* d = xb + (start + first) * cin;
        const int64_t n = (last - first) * cin;
        for (int64_t i = 0; i < n; ++i) d[i] += g[i];
      } else {
        for (int64_t kk = first; kk < last; ++kk) {
          const float* g = row + kk * cin;
          float* d = xb + (start + kk * s.dilation) * cin;
          for (int64_t c = 0; c < cin; ++c) d[c] += g[c];
        }
      }
    }
  }
}

// a = act(z), the same values as kernels::ActivateF32Reference; the piecewise-linear ones in
// loops the compiler vectorizes.
void ActivateInto(kernels::Activation act, const float* z, float* a, size_t n) {
  switch (act) {
    case kernels::Activation::kNone:
      std::copy(z, z + n, a);
      return;
    case kernels::Activation::kRelu:
      for (size_t k = 0; k < n; ++k) a[k] = z[k] > 0.0f ? z[k] : 0.0f;
      return;
    case kernels::Activation::kLeakyRelu:
      for (size_t k = 0; k < n; ++k) a[k] = z[k] > 0.0f ? z[k] : kLeakySlope * z[k];
      return;
    default:
      std::copy(z, z + n, a);
      kernels::ActivateF32Reference(act, a, n);
  }
}

template <kernels::Activation kAct>
void ScaleByDerivativeOf(float* delta, const float* z, const float* a, size_t n) {
  for (size_t k = 0; k < n; ++k) delta[k] *= ActivationDerivative(kAct, z[k], a[k]);
}

// delta *= act'(z), turning dL/da into dL/dz.
void ScaleByDerivative(kernels::Activation act, float* delta, const float* z, const float* a, size_t n) {
  using kernels::Activation;
  switch (act) {
    case Activation::kNone:
      return;
    case Activation::kRelu:
      return ScaleByDerivativeOf<Activation::kRelu>(delta, z, a, n);
    case Activation::kLeakyRelu:
      return ScaleByDerivativeOf<Activation::kLeakyRelu>(delta, z, a, n);
    case Activation::kTanh:
      return ScaleByDerivativeOf<Activation::kTanh>(delta, z, a, n);
    case Activation::kSigmoid:
      return ScaleByDerivativeOf<Activation::kSigmoid>(delta, z, a, n);
    case Activation::kGelu:
      return ScaleByDerivativeOf<Activation::kGelu>(delta, z, a, n);
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

// Product rows of layer l's input (x): the workspace copy, or x itself for a Dense layer whose
// fan_in is a valid width. Valid after the forward pass filled it.
const float* Rows(const NetLayerParams& layer, const ProductShape& s, size_t l, const float* x,
                  const NetWorkspace& ws) {
  return NeedsRows(layer, s) ? ws.col[l].data() : x;
}

void DenseOrConvForward(const NetLayerParams& layer, size_t l, const float* x, size_t batch, NetWorkspace* ws,
                        float* z) {
  const ProductShape s = ShapeOf(layer, batch);
  if (layer.spec.kind == LayerKind::kConv1D) {
    Im2Col(layer, x, batch, s.k_width, ws->col[l].data());
  } else if (NeedsRows(layer, s)) {
    CopyRows(x, s.m, s.k, s.k, ws->col[l].data(), s.k_width);
  }
  // Wᵀ and the bias, zero past `out`.
  float* wt = ws->wt[l].data();
  const float* w = layer.weights.data();
  for (size_t p = 0; p < s.k; ++p) {
    float* row = wt + p * s.n_width;
    for (size_t j = 0; j < s.n; ++j) row[j] = w[j * s.k + p];
    std::fill(row + s.n, row + s.n_width, 0.0f);
  }
  float* bias = ws->bias[l].data();
  std::copy(layer.bias.begin(), layer.bias.end(), bias);
  std::fill(bias + s.n, bias + s.n_width, 0.0f);

  const bool direct = s.n_width == s.n;
  GemmF32({.a = Rows(layer, s, l, x, *ws),
           .a_row_stride = NeedsRows(layer, s) ? s.k_width : s.k,
           .a_step_stride = 1,
           .b = wt,
           .b_stride = s.n_width,
           .init = bias,
           .c = direct ? z : ws->scratch.data(),
           .c_stride = s.n_width,
           .rows = s.m,
           .steps = s.k,
           .width = s.n_width});
  if (!direct) {
    for (size_t r = 0; r < s.m; ++r) {
      std::copy(ws->scratch.data() + r * s.n_width, ws->scratch.data() + r * s.n_width + s.n, z + r * s.n);
    }
  }
}

// delta holds dL/dZ of the layer (m × out). Writes the weight and bias gradients, and dL/dx to
// dx when it is not null.
void DenseOrConvBackward(const NetLayerParams& layer, size_t l, const float* x, const float* delta,
                         size_t batch, NetWorkspace* ws, std::vector<float>* dw, std::vector<float>* db,
                         float* dx) {
  const ProductShape s = ShapeOf(layer, batch);
  const float* rows = Rows(layer, s, l, x, *ws);
  dw->resize(s.n * s.k);
  db->assign(s.n, 0.0f);
  // dW = dZᵀ · rows: product rows over the layer's outputs, summed over the m rows.
  const bool direct_dw = s.k_width == s.k;
  GemmF32({.a = delta,
           .a_row_stride = 1,
           .a_step_stride = s.n,
           .b = rows,
           .b_stride = NeedsRows(layer, s) ? s.k_width : s.k,
           .init = nullptr,
           .c = direct_dw ? dw->data() : ws->scratch.data(),
           .c_stride = s.k_width,
           .rows = s.n,
           .steps = s.m,
           .width = s.k_width});
  if (!direct_dw) {
    for (size_t j = 0; j < s.n; ++j) {
      std::copy(ws->scratch.data() + j * s.k_width, ws->scratch.data() + j * s.k_width + s.k,
                dw->data() + j * s.k);
    }
  }
  float* bias = db->data();
  for (size_t i = 0; i < s.m; ++i) {
    const float* row = delta + i * s.n;
    for (size_t j = 0; j < s.n; ++j) bias[j] += row[j];
  }
  if (dx == nullptr) return;

  // dRows = dZ · W, then back to the input layout.
  const float* w = layer.weights.data();
  if (s.k_width != s.k) {
    CopyRows(w, s.n, s.k, s.k, ws->w_padded.data(), s.k_width);
    w = ws->w_padded.data();
  }
  const bool conv = layer.spec.kind == LayerKind::kConv1D;
  const bool direct_dx = !conv && s.k_width == s.k;
  float* drows = direct_dx ? dx : ws->scratch.data();
  GemmF32({.a = delta,
           .a_row_stride = s.n,
           .a_step_stride = 1,
           .b = w,
           .b_stride = s.k_width,
           .init = nullptr,
           .c = drows,
           .c_stride = s.k_width,
           .rows = s.m,
           .steps = s.n,
           .width = s.k_width});
  if (conv) {
    Col2Im(layer, drows, batch, s.k_width, dx);
  } else if (!direct_dx) {
    for (size_t r = 0; r < s.m; ++r)
      std::copy(drows + r * s.k_width, drows + r * s.k_width + s.k, dx + r * s.k);
  }
}

// Blocks run sample by sample (transformer_block.h), keeping each sample's cache.
void BlockLayerForward(const NetLayerParams& layer, size_t l, const float* x, size_t batch, NetWorkspace* ws,
                       float* y) {
  const BlockSpec spec = BlockSpecOf(layer.spec, layer.in_shape);
  const int64_t length = layer.in_shape[0];
  const size_t per = Elements(layer.in_shape);
  for (size_t b = 0; b < batch; ++b) {
    BlockForward(spec, length, layer.weights.data(), x + b * per, y + b * per, &ws->block[l][b]);
  }
}

void BlockLayerBackward(const NetLayerParams& layer, size_t l, const float* x, const float* delta, size_t batch,
                        NetWorkspace* ws, std::vector<float>* dw, std::vector<float>* db, float* dx) {
  const BlockSpec spec = BlockSpecOf(layer.spec, layer.in_shape);
  const int64_t length = layer.in_shape[0];
  const size_t per = Elements(layer.in_shape);
  dw->assign(layer.weights.size(), 0.0f);
  db->clear();
  std::vector<float> sink;
  if (dx == nullptr) sink.resize(per);
  for (size_t b = 0; b < batch; ++b) {
    BlockBackward(spec, length, layer.weights.data(), x + b * per, ws->block[l][b], delta + b * per,
                  dx != nullptr ? dx + b * per : sink.data(), dw->data());
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
    } else if (layer.spec.kind == LayerKind::kTransformerBlock) {
      BlockLayerForward(layer, l, input, batch, ws, z);
    } else {
      DenseOrConvForward(layer, l, input, batch, ws, z);
    }
    ActivateInto(layer.spec.activation, z, a, n);
    input = a;
  }
  return {input, batch * Elements(params.output_shape())};
}

double NetMseLoss(const NetParams& params, const float* x, const float* target, size_t batch,
                  NetWorkspace* ws) {
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
    ScaleByDerivative(layer.spec.activation, delta, z, a, n_out);
    float* delta_prev = l > 0 ? ws->delta_prev.data() : nullptr;
    if (layer.spec.kind == LayerKind::kUpsample1D) {
      grads->weights[l].clear();
      grads->bias[l].clear();
      if (delta_prev != nullptr) UpsampleBackward(layer, delta, batch, delta_prev);
    } else if (layer.spec.kind == LayerKind::kTransformerBlock) {
      BlockLayerBackward(layer, l, input, delta, batch, ws, &grads->weights[l], &grads->bias[l], delta_prev);
    } else {
      DenseOrConvBackward(layer, l, input, delta, batch, ws, &grads->weights[l], &grads->bias[l], delta_prev);
    }
    if (delta_prev != nullptr) std::swap(ws->delta, ws->delta_prev);
    delta = ws->delta.data();
  }
  return loss;
}

}  // namespace vigil::nn::train

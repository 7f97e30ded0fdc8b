// One pre-norm transformer encoder block over a window, for training the tf-ae detector:
//
//   x1 = x  + Attention(LayerNorm1(x))          (multi-head self-attention, nn/attention.h math)
//   y  = x1 + W2 · relu(W1 · LayerNorm2(x1) + b1) + b2   (per position)
//
// on samples [length, dim]. All parameters live in one flat vector in the order of BlockLayout
// (ln1 γ, β; Wq, bq; Wk, bk; Wv, bv; Wo, bo; ln2 γ, β; W1, b1; W2, b2 — matrices out × in,
// row-major), so a block is one layer's weight vector for the trainer and the model file.
//
//   train::BlockSpec spec{.dim = 32, .heads = 4, .hidden = 64};
//   std::vector<float> p = train::InitBlock(spec, /*seed=*/1);
//   train::BlockCache<float> cache;
//   train::BlockForward(spec, length, p.data(), x, y, &cache);             // one sample
//   train::BlockBackward(spec, length, p.data(), x, cache, dy, dx, dparams); // dparams +=
//
// Templated on the scalar so the tests can compare float gradients with double finite
// differences of the same definition. Plain loops: windows of tens of positions and dims of
// tens, where the attention's length² terms are as large as the projections.
#pragma once

#include <cstdint>
#include <vector>

namespace vigil::nn::train {

struct BlockSpec {
  int64_t dim = 0;
  int64_t heads = 1;
  int64_t hidden = 0;
  float ln_eps = 1e-5f;
};

// Offsets (in floats) of each parameter in the flat vector, and its size.
struct BlockLayout {
  explicit BlockLayout(const BlockSpec& s);
  int64_t ln1_g, ln1_b, wq, bq, wk, bk, wv, bv, wo, bo, ln2_g, ln2_b, w1, b1, w2, b2, size;
};

// γ = 1, β = 0, biases 0; matrices uniform in ±sqrt(6 / (fan_in + fan_out)) (W1 with the He limit
// sqrt(6 / fan_in), it feeds a ReLU) from a fixed-seed generator.
std::vector<float> InitBlock(const BlockSpec& spec, uint64_t seed);

// What the backward pass needs from the forward pass, for one sample.
template <typename T>
struct BlockCache {
  std::vector<T> xhat1, inv1, h1, q, k, v, p, o, x1, xhat2, inv2, h2, u;
};

template <typename T>
void BlockForward(const BlockSpec& s, int64_t length, const T* params, const T* x, T* y, BlockCache<T>* c);

// Adds the gradient of the parameters to dparams and writes dx (length × dim), given dy.
template <typename T>
void BlockBackward(const BlockSpec& s, int64_t length, const T* params, const T* x, const BlockCache<T>& c,
                   const T* dy, T* dx, T* dparams);

}  // namespace vigil::nn::train

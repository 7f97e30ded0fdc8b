// Naive double-precision multi-head self-attention, the definition the attention code is tested
// against: y = (softmax(Q_h K_hᵀ / sqrt(hd) [+ mask]) V_h concatenated) Woᵀ + bo, with an
// optional window (each position sees at most `window` positions ending at itself).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace vigil::nn::testing {

struct RefAttention {
  int64_t dim, heads;
  std::vector<float> wq, wk, wv, wo, bq, bk, bv, bo;  // row-major out × in, biases dim each

  std::vector<double> Project(const std::vector<float>& w, const std::vector<float>& b, const float* x) const {
    std::vector<double> y(static_cast<size_t>(dim));
    for (int64_t o = 0; o < dim; ++o) {
      double s = b[static_cast<size_t>(o)];
      for (int64_t i = 0; i < dim; ++i) s += static_cast<double>(w[static_cast<size_t>(o * dim + i)]) * x[i];
      y[static_cast<size_t>(o)] = s;
    }
    return y;
  }

  // x: length × dim; causal: position t sees [max(0, t − window + 1), t] (window 0: all ≤ t).
  std::vector<double> Run(const std::vector<float>& x, int64_t length, bool causal, int64_t window = 0) const {
    const int64_t hd = dim / heads;
    std::vector<std::vector<double>> q, k, v;
    for (int64_t t = 0; t < length; ++t) {
      q.push_back(Project(wq, bq, &x[static_cast<size_t>(t * dim)]));
      k.push_back(Project(wk, bk, &x[static_cast<size_t>(t * dim)]));
      v.push_back(Project(wv, bv, &x[static_cast<size_t>(t * dim)]));
    }
    std::vector<double> y(static_cast<size_t>(length * dim));
    for (int64_t t = 0; t < length; ++t) {
      const int64_t last = causal ? t : length - 1;
      const int64_t first = causal && window > 0 ? std::max<int64_t>(0, t - window + 1) : 0;
      std::vector<double> o(static_cast<size_t>(dim), 0.0);
      for (int64_t h = 0; h < heads; ++h) {
        std::vector<double> s;
        double m = -INFINITY;
        for (int64_t j = first; j <= last; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < hd; ++c) dot += q[t][h * hd + c] * k[j][h * hd + c];
          s.push_back(dot / std::sqrt(static_cast<double>(hd)));
          m = std::max(m, s.back());
        }
        double sum = 0;
        for (double& e : s) sum += (e = std::exp(e - m));
        for (int64_t j = first; j <= last; ++j) {
          for (int64_t c = 0; c < hd; ++c) o[h * hd + c] += s[j - first] / sum * v[j][h * hd + c];
        }
      }
      std::vector<float> of(o.begin(), o.end());
      const std::vector<double> yt = Project(wo, bo, of.data());
      std::copy(yt.begin(), yt.end(), y.begin() + t * dim);
    }
    return y;
  }
};

inline RefAttention MakeRefAttention(int64_t dim, int64_t heads, uint32_t seed) {
  RefAttention r{dim, heads, {}, {}, {}, {}, {}, {}, {}, {}};
  uint32_t s = seed;
  const auto next = [&] {
    s = s * 1664525u + 1013904223u;
    return static_cast<float>(static_cast<int32_t>(s >> 8) % 2001 - 1000) / 1000.0f;
  };
  for (auto* w : {&r.wq, &r.wk, &r.wv, &r.wo}) {
    for (int64_t i = 0; i < dim * dim; ++i) w->push_back(next() / std::sqrt(static_cast<float>(dim)));
  }
  for (auto* b : {&r.bq, &r.bk, &r.bv, &r.bo}) {
    for (int64_t i = 0; i < dim; ++i) b->push_back(0.1f * next());
  }
  return r;
}

}  // namespace vigil::nn::testing

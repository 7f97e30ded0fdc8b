#include "nn/train/transformer_block.h"

#include <algorithm>
#include <cmath>

#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

template <typename T>
void Resize(std::vector<T>* v, int64_t n) {
  v->assign(static_cast<size_t>(n), T(0));
}

// y[n × out] = x[n × in] · Wᵀ + b.
template <typename T>
void Linear(const T* x, int64_t n, int64_t in, int64_t out, const T* w, const T* b, T* y) {
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      T s = b[o];
      const T* wr = w + o * in;
      const T* xr = x + r * in;
      for (int64_t i = 0; i < in; ++i) s += wr[i] * xr[i];
      y[r * out + o] = s;
    }
  }
}

// Given dy[n × out] of y = x Wᵀ + b: dW += dyᵀ x, db += Σ dy, dx (+)= dy W.
template <typename T>
void LinearBackward(const T* x, int64_t n, int64_t in, int64_t out, const T* w, const T* dy, T* dw, T* db, T* dx,
                    bool accumulate_dx) {
  for (int64_t r = 0; r < n; ++r) {
    const T* dyr = dy + r * out;
    const T* xr = x + r * in;
    T* dxr = dx + r * in;
    if (!accumulate_dx) std::fill(dxr, dxr + in, T(0));
    for (int64_t o = 0; o < out; ++o) {
      const T g = dyr[o];
      db[o] += g;
      T* dwo = dw + o * in;
      const T* wo = w + o * in;
      for (int64_t i = 0; i < in; ++i) {
        dwo[i] += g * xr[i];
        dxr[i] += g * wo[i];
      }
    }
  }
}

template <typename T>
void LayerNorm(const T* x, int64_t n, int64_t d, const T* g, const T* b, T eps, T* xhat, T* inv, T* y) {
  for (int64_t r = 0; r < n; ++r) {
    const T* xr = x + r * d;
    T mean = 0, var = 0;
    for (int64_t i = 0; i < d; ++i) mean += xr[i];
    mean /= static_cast<T>(d);
    for (int64_t i = 0; i < d; ++i) var += (xr[i] - mean) * (xr[i] - mean);
    const T iv = T(1) / std::sqrt(var / static_cast<T>(d) + eps);
    inv[r] = iv;
    for (int64_t i = 0; i < d; ++i) {
      xhat[r * d + i] = (xr[i] - mean) * iv;
      y[r * d + i] = xhat[r * d + i] * g[i] + b[i];
    }
  }
}

// dx (+)= LayerNorm backward of dy; dγ += Σ dy·x̂, dβ += Σ dy.
template <typename T>
void LayerNormBackward(const T* xhat, const T* inv, int64_t n, int64_t d, const T* g, const T* dy, T* dg, T* db,
                       T* dx) {
  for (int64_t r = 0; r < n; ++r) {
    const T* xh = xhat + r * d;
    const T* dyr = dy + r * d;
    T mean_dxh = 0, mean_dxh_xh = 0;
    for (int64_t i = 0; i < d; ++i) {
      const T dxh = dyr[i] * g[i];
      dg[i] += dyr[i] * xh[i];
      db[i] += dyr[i];
      mean_dxh += dxh;
      mean_dxh_xh += dxh * xh[i];
    }
    mean_dxh /= static_cast<T>(d);
    mean_dxh_xh /= static_cast<T>(d);
    for (int64_t i = 0; i < d; ++i) dx[r * d + i] += inv[r] * (dyr[i] * g[i] - mean_dxh - xh[i] * mean_dxh_xh);
  }
}

}  // namespace

BlockLayout::BlockLayout(const BlockSpec& s) {
  const int64_t d = s.dim, h = s.hidden;
  int64_t at = 0;
  const auto take = [&](int64_t n) {
    const int64_t here = at;
    at += n;
    return here;
  };
  ln1_g = take(d), ln1_b = take(d);
  wq = take(d * d), bq = take(d), wk = take(d * d), bk = take(d), wv = take(d * d), bv = take(d);
  wo = take(d * d), bo = take(d);
  ln2_g = take(d), ln2_b = take(d);
  w1 = take(h * d), b1 = take(h), w2 = take(d * h), b2 = take(d);
  size = at;
}

std::vector<float> InitBlock(const BlockSpec& s, uint64_t seed) {
  const BlockLayout l(s);
  std::vector<float> p(static_cast<size_t>(l.size), 0.0f);
  Prng rng(seed);
  const auto fill = [&](int64_t at, int64_t out, int64_t in, double limit) {
    for (int64_t i = 0; i < out * in; ++i) p[static_cast<size_t>(at + i)] = static_cast<float>((2.0 * rng.NextFloat() - 1.0) * limit);
  };
  const double d = static_cast<double>(s.dim), h = static_cast<double>(s.hidden);
  for (int64_t at : {l.wq, l.wk, l.wv, l.wo}) fill(at, s.dim, s.dim, std::sqrt(6.0 / (2 * d)));
  fill(l.w1, s.hidden, s.dim, std::sqrt(6.0 / d));
  fill(l.w2, s.dim, s.hidden, std::sqrt(6.0 / (d + h)));
  std::fill(p.begin() + l.ln1_g, p.begin() + l.ln1_g + s.dim, 1.0f);
  std::fill(p.begin() + l.ln2_g, p.begin() + l.ln2_g + s.dim, 1.0f);
  return p;
}

template <typename T>
void BlockForward(const BlockSpec& s, int64_t n, const T* p, const T* x, T* y, BlockCache<T>* c) {
  const BlockLayout l(s);
  const int64_t d = s.dim, hd = s.dim / s.heads, hid = s.hidden;
  const T eps = static_cast<T>(s.ln_eps);
  for (auto* v : {&c->xhat1, &c->h1, &c->q, &c->k, &c->v, &c->o, &c->x1, &c->xhat2, &c->h2}) Resize(v, n * d);
  Resize(&c->inv1, n);
  Resize(&c->inv2, n);
  Resize(&c->p, s.heads * n * n);
  Resize(&c->u, n * hid);
  LayerNorm(x, n, d, p + l.ln1_g, p + l.ln1_b, eps, c->xhat1.data(), c->inv1.data(), c->h1.data());
  Linear(c->h1.data(), n, d, d, p + l.wq, p + l.bq, c->q.data());
  Linear(c->h1.data(), n, d, d, p + l.wk, p + l.bk, c->k.data());
  Linear(c->h1.data(), n, d, d, p + l.wv, p + l.bv, c->v.data());
  const T scale = T(1) / std::sqrt(static_cast<T>(hd));
  for (int64_t h = 0; h < s.heads; ++h) {
    T* ph = c->p.data() + h * n * n;
    for (int64_t i = 0; i < n; ++i) {
      T m = -INFINITY;
      for (int64_t j = 0; j < n; ++j) {
        T dot = 0;
        for (int64_t t = 0; t < hd; ++t) dot += c->q[i * d + h * hd + t] * c->k[j * d + h * hd + t];
        ph[i * n + j] = dot * scale;
        m = std::max(m, ph[i * n + j]);
      }
      T sum = 0;
      for (int64_t j = 0; j < n; ++j) sum += (ph[i * n + j] = std::exp(ph[i * n + j] - m));
      for (int64_t j = 0; j < n; ++j) ph[i * n + j] /= sum;
      for (int64_t t = 0; t < hd; ++t) {
        T acc = 0;
        for (int64_t j = 0; j < n; ++j) acc += ph[i * n + j] * c->v[j * d + h * hd + t];
        c->o[i * d + h * hd + t] = acc;
      }
    }
  }
  Linear(c->o.data(), n, d, d, p + l.wo, p + l.bo, c->x1.data());
  for (int64_t i = 0; i < n * d; ++i) c->x1[i] += x[i];
  LayerNorm(c->x1.data(), n, d, p + l.ln2_g, p + l.ln2_b, eps, c->xhat2.data(), c->inv2.data(), c->h2.data());
  Linear(c->h2.data(), n, d, hid, p + l.w1, p + l.b1, c->u.data());
  std::vector<T> r(c->u.size());
  for (size_t i = 0; i < r.size(); ++i) r[i] = std::max(c->u[i], T(0));
  Linear(r.data(), n, hid, d, p + l.w2, p + l.b2, y);
  for (int64_t i = 0; i < n * d; ++i) y[i] += c->x1[i];
}

template <typename T>
void BlockBackward(const BlockSpec& s, int64_t n, const T* p, const T* x, const BlockCache<T>& c, const T* dy, T* dx,
                   T* dp) {
  (void)x;
  const BlockLayout l(s);
  const int64_t d = s.dim, hd = s.dim / s.heads, hid = s.hidden;
  // MLP branch: y = x1 + W2 relu(u) + b2, u = W1 h2 + b1.
  std::vector<T> r(c.u.size()), dr(c.u.size()), dh2(static_cast<size_t>(n * d)), dx1(dy, dy + n * d);
  for (size_t i = 0; i < r.size(); ++i) r[i] = std::max(c.u[i], T(0));
  LinearBackward(r.data(), n, hid, d, p + l.w2, dy, dp + l.w2, dp + l.b2, dr.data(), false);
  for (size_t i = 0; i < dr.size(); ++i) dr[i] = c.u[i] > 0 ? dr[i] : T(0);
  LinearBackward(c.h2.data(), n, d, hid, p + l.w1, dr.data(), dp + l.w1, dp + l.b1, dh2.data(), false);
  LayerNormBackward(c.xhat2.data(), c.inv2.data(), n, d, p + l.ln2_g, dh2.data(), dp + l.ln2_g, dp + l.ln2_b,
                    dx1.data());
  // Attention branch: x1 = x + Wo O + bo.
  std::vector<T> d_o(static_cast<size_t>(n * d)), dq(d_o.size(), T(0)), dk(d_o.size(), T(0)), dv(d_o.size(), T(0));
  LinearBackward(c.o.data(), n, d, d, p + l.wo, dx1.data(), dp + l.wo, dp + l.bo, d_o.data(), false);
  const T scale = T(1) / std::sqrt(static_cast<T>(hd));
  std::vector<T> dpr(static_cast<size_t>(n));
  for (int64_t h = 0; h < s.heads; ++h) {
    const T* ph = c.p.data() + h * n * n;
    for (int64_t i = 0; i < n; ++i) {
      // dP[i][j] = dO_i · V_j; dV_j += P[i][j] dO_i
      T dot_sum = 0;
      for (int64_t j = 0; j < n; ++j) {
        T g = 0;
        for (int64_t t = 0; t < hd; ++t) {
          g += d_o[i * d + h * hd + t] * c.v[j * d + h * hd + t];
          dv[j * d + h * hd + t] += ph[i * n + j] * d_o[i * d + h * hd + t];
        }
        dpr[static_cast<size_t>(j)] = g;
        dot_sum += g * ph[i * n + j];
      }
      for (int64_t j = 0; j < n; ++j) {
        const T ds = ph[i * n + j] * (dpr[static_cast<size_t>(j)] - dot_sum) * scale;  // softmax, then the scale
        for (int64_t t = 0; t < hd; ++t) {
          dq[i * d + h * hd + t] += ds * c.k[j * d + h * hd + t];
          dk[j * d + h * hd + t] += ds * c.q[i * d + h * hd + t];
        }
      }
    }
  }
  std::vector<T> dh1(static_cast<size_t>(n * d), T(0));
  LinearBackward(c.h1.data(), n, d, d, p + l.wq, dq.data(), dp + l.wq, dp + l.bq, dh1.data(), true);
  LinearBackward(c.h1.data(), n, d, d, p + l.wk, dk.data(), dp + l.wk, dp + l.bk, dh1.data(), true);
  LinearBackward(c.h1.data(), n, d, d, p + l.wv, dv.data(), dp + l.wv, dp + l.bv, dh1.data(), true);
  std::copy(dx1.begin(), dx1.end(), dx);
  LayerNormBackward(c.xhat1.data(), c.inv1.data(), n, d, p + l.ln1_g, dh1.data(), dp + l.ln1_g, dp + l.ln1_b, dx);
}

template void BlockForward<float>(const BlockSpec&, int64_t, const float*, const float*, float*, BlockCache<float>*);
template void BlockForward<double>(const BlockSpec&, int64_t, const double*, const double*, double*,
                                   BlockCache<double>*);
template void BlockBackward<float>(const BlockSpec&, int64_t, const float*, const float*, const BlockCache<float>&,
                                   const float*, float*, float*);
template void BlockBackward<double>(const BlockSpec&, int64_t, const double*, const double*,
                                    const BlockCache<double>&, const double*, double*, double*);

}  // namespace vigil::nn::train

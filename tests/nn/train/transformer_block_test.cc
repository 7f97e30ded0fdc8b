// The transformer block's gradients (float) against central finite differences of its double
// forward pass, and its forward pass against the inference attention (nn/attention.h).
#include "nn/train/transformer_block.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/attention.h"

namespace vigil::nn::train {
namespace {

// L = Σ y ⊙ w for fixed random weights w: dL/dy = w.
double Loss(const BlockSpec& s, int64_t n, const std::vector<double>& p, const std::vector<double>& x,
            const std::vector<double>& w) {
  BlockCache<double> c;
  std::vector<double> y(x.size());
  BlockForward(s, n, p.data(), x.data(), y.data(), &c);
  double loss = 0;
  for (size_t i = 0; i < y.size(); ++i) loss += y[i] * w[i];
  return loss;
}

TEST(TransformerBlockTest, GradientsMatchFiniteDifferences) {
  const BlockSpec s{.dim = 8, .heads = 2, .hidden = 12};
  constexpr int64_t kLength = 5;
  std::vector<float> pf = InitBlock(s, 3);
  // Non-trivial γ, β and biases so their gradients are exercised.
  const BlockLayout l(s);
  for (int64_t i = 0; i < s.dim; ++i) {
    pf[static_cast<size_t>(l.ln1_g + i)] = 1.0f + 0.1f * static_cast<float>(i % 3);
    pf[static_cast<size_t>(l.ln2_b + i)] = 0.05f * static_cast<float>(i % 4);
    pf[static_cast<size_t>(l.bq + i)] = 0.02f * static_cast<float>(i);
  }
  std::vector<float> xf(kLength * s.dim), wf(xf.size());
  for (size_t i = 0; i < xf.size(); ++i) {
    xf[i] = std::sin(0.9f * static_cast<float>(i)) + 0.2f;
    wf[i] = std::cos(0.37f * static_cast<float>(i));
  }
  BlockCache<float> c;
  std::vector<float> y(xf.size()), dx(xf.size()), dp(pf.size(), 0.0f);
  BlockForward(s, kLength, pf.data(), xf.data(), y.data(), &c);
  BlockBackward(s, kLength, pf.data(), xf.data(), c, wf.data(), dx.data(), dp.data());

  const std::vector<double> p(pf.begin(), pf.end()), x(xf.begin(), xf.end()), w(wf.begin(), wf.end());
  // Central differences of the double loss in each entry of `v` (the parameters or the input),
  // against the float gradient `got`.
  const auto check = [&](const std::vector<double>& v, const std::vector<float>& got, bool params, const char* what) {
    const double h = 1e-5;
    for (size_t i = 0; i < v.size(); ++i) {
      std::vector<double> a = v, b = v;
      a[i] += h;
      b[i] -= h;
      const double fd = params ? (Loss(s, kLength, a, x, w) - Loss(s, kLength, b, x, w)) / (2 * h)
                               : (Loss(s, kLength, p, a, w) - Loss(s, kLength, p, b, w)) / (2 * h);
      ASSERT_NEAR(got[i], fd, 2e-3 + 2e-3 * std::fabs(fd)) << what << " " << i;
    }
  };
  check(p, dp, true, "parameter");
  check(x, dx, false, "input");
}

TEST(TransformerBlockTest, AttentionPartEqualsTheInferenceAttention) {
  // With the MLP's output weights and bias zero, y = x + Attention(LN1(x)); with γ = 1, β = 0,
  // LN1 is plain normalization, so y − x must equal AttendWindow on LN1(x).
  const BlockSpec s{.dim = 12, .heads = 3, .hidden = 8};
  constexpr int64_t kLength = 7;
  std::vector<float> p = InitBlock(s, 9);
  const BlockLayout l(s);
  std::fill(p.begin() + l.w2, p.begin() + l.w2 + s.dim * s.hidden, 0.0f);
  std::vector<float> x(kLength * s.dim);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.5f * static_cast<float>(i));
  BlockCache<float> c;
  std::vector<float> y(x.size());
  BlockForward(s, kLength, p.data(), x.data(), y.data(), &c);
  const auto span = [&](int64_t at, int64_t n) { return std::span<const float>(p.data() + at, static_cast<size_t>(n)); };
  const int64_t dd = s.dim * s.dim;
  auto w = nn::AttentionWeights::Create({s.dim, s.heads}, span(l.wq, dd), span(l.wk, dd), span(l.wv, dd),
                                        span(l.wo, dd), span(l.bq, s.dim), span(l.bk, s.dim), span(l.bv, s.dim),
                                        span(l.bo, s.dim));
  ASSERT_TRUE(w.ok());
  nn::AttentionScratch scratch(w->spec(), kLength);
  std::vector<float> a(x.size());
  nn::AttendWindow(*w, c.h1.data(), kLength, /*causal=*/false, &scratch, a.data());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i] - x[i], a[i], 1e-5) << i;
}

TEST(TransformerBlockTest, LayoutAndInit) {
  const BlockSpec s{.dim = 4, .heads = 2, .hidden = 6};
  const BlockLayout l(s);
  EXPECT_EQ(l.size, 4 * 4 + 4 * (16 + 4) + 6 * 4 + 6 + 4 * 6 + 4);
  const std::vector<float> p = InitBlock(s, 1);
  EXPECT_EQ(static_cast<int64_t>(p.size()), l.size);
  EXPECT_EQ(p[static_cast<size_t>(l.ln1_g)], 1.0f);
  EXPECT_EQ(p[static_cast<size_t>(l.ln1_b)], 0.0f);
  EXPECT_EQ(InitBlock(s, 1), p);  // deterministic
  EXPECT_NE(InitBlock(s, 2), p);
}

}  // namespace
}  // namespace vigil::nn::train

// Internal: maximum-likelihood fit of a generalized Pareto distribution (GPD) to excesses
// over a threshold, by Grimshaw's reduction to a one-dimensional equation, as used by
// Siffer et al., "Anomaly Detection in Streams with Extreme Value Theory" (KDD'17).
//
// Model: P(Y > y) = (1 + gamma * y / sigma)^(-1/gamma) for y > 0 (exp(-y / sigma) when
// gamma = 0). With x = gamma / sigma the likelihood equations reduce to w(x) = 0 where
//   w(x) = u(x) v(x) - 1,  u(x) = mean(1 / (1 + x Y_i)),  v(x) = 1 + mean(log(1 + x Y_i)),
// and a root x* gives gamma = v(x*) - 1, sigma = gamma / x*. x = 0 always solves w = 0;
// it stands for the exponential model (gamma = 0, sigma = mean excess), which is always
// a candidate.
//
// Censoring (an extension used by SPOT, see spot_threshold.h): M further observations
// known only to exceed c add M log P(Y > c) to the likelihood. The reduction survives:
// for fixed x the best shape is gamma(x) = mean(log(1 + x Y)) + m log(1 + x c) with
// m = M / N, and stationary points solve
//   w(x) = u(x) (1 + gamma(x)) - 1 - m (1 - 1 / (1 + x c)) = 0,
// which is Grimshaw's equation when M = 0. The exponential candidate becomes
// sigma = (sum Y + M c) / N.
//
// Search intervals (Grimshaw's bounds, M = 0): non-trivial roots lie in (-1/Y_max, 0) or
// in (0, 2 (mean - Y_min) / Y_min^2]. Some implementations start the positive search at
// 2 (mean - Y_min) / (mean * Y_min); a numerical check (random GPD samples, dense grid)
// found roots below that value, so the whole positive interval is scanned. With
// censoring the pole is -1/max(Y_max, c) and, lacking a proven bound, the positive
// interval uses Grimshaw's bound with the censored points counted at c, doubled
// (checked against a dense scan, see gpd_fit_test.cc). Each interval is scanned on a
// fixed grid (logit-spaced on the negative side, geometric on the positive side) for
// sign changes of w; each bracketed root is refined by safeguarded Newton. Two roots
// inside one cell leave no sign change at its ends; the slopes w' there (computed
// anyway) reveal that w turns back toward 0 inside the cell, which is then split at its
// extremum. Among the roots and x = 0 the candidate with the largest log-likelihood
// wins. Roots with |x| * mean below ~1e-6 are not searched for: they differ from the
// exponential candidate by |gamma| ~ 1e-6.
//
// Strongly bounded tails (true gamma below about -0.6, small samples) often have no
// root at all: the likelihood keeps growing toward gamma <= -1 at the largest excess,
// where the GPD likelihood is unbounded and no maximum exists. The exponential
// candidate is then returned, which over-estimates such a tail: the threshold errs
// high (fewer alarms), never into a degenerate fit.
//
// Cost: one pass over the excesses (a log1p and a division each) per evaluation of w;
// a full search is ~45 passes. RefitGpd tracks a previous root with Newton (~1.5
// passes with GrimshawSums) for streaming refits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vigil::threshold {

// Fewer excesses than this are fitted with the exponential model (gamma = 0,
// sigma = mean excess): two-parameter fits on a handful of points swing wildly, and
// the exponential is the GPD's gamma = 0 member, the usual default tail.
inline constexpr size_t kMinGpdExcesses = 10;

// Serialized in model files (SPOT state): values are fixed forever, append only.
enum class GpdMethod : uint32_t {
  kTooFewExcesses = 1,  // exponential because size < kMinGpdExcesses
  kExponential = 2,     // x = 0 had the best likelihood (or no other root was found)
  kGrimshawRoot = 3,    // a non-trivial root of w
};

struct GpdFit {
  double gamma = 0;  // shape
  double sigma = 0;  // scale, > 0
  double root = 0;   // x = gamma / sigma; 0 for the exponential methods
  double log_likelihood = 0;
  GpdMethod method = GpdMethod::kExponential;
};

// `count` (>= 0, need not be an integer) observations known only to be > `at` (> 0).
struct GpdCensoring {
  double count = 0;
  double at = 0;
};

// Full search. Preconditions (VIGIL_CHECK): excesses non-empty; each excess finite and
// > 0 (callers subtract the threshold from scores strictly above it); censoring.count
// finite and >= 0, censoring.at finite and > 0 when count > 0.
GpdFit FitGpd(std::span<const double> excesses, GpdCensoring censoring = {});

// The sums over the excesses that w(x), w'(x) and gamma(x) are made of, at one point x.
// One pass computes them; adding or removing one excess updates them in O(1), so a
// streaming refit can take its first Newton step without a pass over the data.
struct GrimshawSums {
  bool valid = false;
  double x = 0;
  double count = 0;
  double sum_log = 0;   // sum log(1 + x Y)
  double sum_frac = 0;  // sum x Y / (1 + x Y)
  double sum_y_r = 0;   // sum Y / (1 + x Y)
  double sum_y_r2 = 0;  // sum Y / (1 + x Y)^2

  // Both leave the sums invalid if 1 + x y <= 0 (y beyond the pole at x).
  void Add(double y);
  void Remove(double y);
};

// One pass over `excesses` at x (valid unless some 1 + x Y_i <= 0).
GrimshawSums ComputeGrimshawSums(std::span<const double> excesses, double x);

// Refit after a small change of `excesses` (one added, maybe the oldest dropped) or of
// the censoring.
// - size < kMinGpdExcesses: the exponential fallback.
// - previous was kTooFewExcesses: full search (FitGpd).
// - previous was kExponential: only the exponential candidate is refreshed; callers
//   that want to discover new roots run FitGpd periodically.
// - previous was kGrimshawRoot: Newton from it. If Newton loses the root (non-finite
//   step, collapse into x = 0, 20 steps without converging, or a root whose likelihood
//   is below the exponential's) a full search runs instead, so only a full search ever
//   settles on the exponential.
// `sums` (may be null) carries Newton's state between calls: if valid on entry it must
// hold the sums over the current `excesses` at sums->x (callers apply Add/Remove for
// the excesses they add and drop), and the first Newton step comes from it without a
// pass. A root is accepted only after a pass made in the call; on return *sums holds
// the sums of that pass, or is invalid if the result did not come from Newton. So
// between calls valid sums always equal ComputeGrimshawSums(excesses, sums->x) bit for
// bit, and (excesses, previous, censoring, sums->x, sums->valid) is enough to resume
// identically.
GpdFit RefitGpd(std::span<const double> excesses, const GpdFit& previous, GrimshawSums* sums,
                GpdCensoring censoring = {});

// The maximum-likelihood exponential fit (gamma = 0, sigma = (sum Y + M c) / N).
GpdFit ExponentialFit(std::span<const double> excesses, GpdMethod method, GpdCensoring censoring = {});

// sum_i log f(Y_i; gamma, sigma) + M log P(Y > c); -inf when some Y_i (or c, if M > 0)
// is outside the support or sigma <= 0.
double GpdLogLikelihood(std::span<const double> excesses, double gamma, double sigma,
                        GpdCensoring censoring = {});

// P(Y > y) for y >= 0 (0 beyond the upper end point when gamma < 0).
double GpdSurvival(double gamma, double sigma, double y);

}  // namespace vigil::threshold

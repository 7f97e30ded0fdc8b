#include "threshold/gpd_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "vigil/status.h"

namespace vigil::threshold {
namespace {

// Grid points per search interval. Fewer risks two close roots sharing one cell (then
// SplitCell must find them); more costs one pass over the excesses each.
constexpr int kGridPoints = 20;
// Relative accuracy of a root in x.
constexpr double kRootTolerance = 1e-10;
// |x| * mean below this is treated as the trivial root x = 0 (|gamma| ~ 1e-6).
constexpr double kNearZero = 1e-6;
// Upper cap for |x| * mean on the positive side: gamma ~ log(1e8) ~ 18 is already far
// beyond any tail a sensor score has; the cap keeps the grid finite when Y_min ~ 0.
constexpr double kMaxScaledRoot = 1e8;
constexpr int kMaxTrackingSteps = 20;
// Relative Newton step at which a tracked root is accepted (see RefitGpd).
constexpr double kTrackingAcceptStep = 1e-5;
constexpr int kMaxRefineSteps = 100;
constexpr int kMaxSplitSteps = 40;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// The excesses, the censoring, and the summary statistics the search needs.
struct Problem {
  std::span<const double> y;
  double n = 0;
  double m = 0;  // censored count / n
  double c = 0;  // censoring point
  double sum = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double pole = 0;  // x must stay above it: -1 / max(Y_max, c)
};

Problem MakeProblem(std::span<const double> y, GpdCensoring censoring) {
  VIGIL_CHECK(!y.empty());
  VIGIL_CHECK(std::isfinite(censoring.count) && censoring.count >= 0);
  Problem p;
  p.y = y;
  p.n = static_cast<double>(y.size());
  if (censoring.count > 0) {
    VIGIL_CHECK(std::isfinite(censoring.at) && censoring.at > 0);
    p.m = censoring.count / p.n;
    p.c = censoring.at;
  }
  p.min = y[0];
  p.max = y[0];
  for (double v : y) {
    VIGIL_CHECK(v > 0 && std::isfinite(v));
    p.sum += v;
    p.min = std::min(p.min, v);
    p.max = std::max(p.max, v);
  }
  p.mean = p.sum / p.n;
  p.pole = -1 / std::max(p.max, p.c);
  return p;
}

// w(x), w'(x) and the profile quantities at x, from the sums. w is formed as
// (u-1) gamma + (u-1) + gamma - m (1 - r_c) from terms that are each O(x) small near
// x = 0, so the O(x^2) value of w there is not lost to cancellation against 1.
struct WValue {
  double w = 0;
  double dw = 0;
  double gamma = 0;      // the profile shape at x
  double dgamma = 0;     // its derivative
  double mean_log = 0;   // mean(log(1 + x Y))
  double dmean_log = 0;  // its derivative, mean(Y / (1 + x Y))
};

WValue FromSums(const Problem& p, const GrimshawSums& s) {
  WValue out;
  double u_m1 = -s.sum_frac / s.count;
  double du = -s.sum_y_r2 / s.count;
  out.mean_log = s.sum_log / s.count;
  out.dmean_log = s.sum_y_r / s.count;
  out.gamma = out.mean_log;
  out.dgamma = out.dmean_log;
  double censored_w = 0;
  double censored_dw = 0;
  if (p.m > 0) {
    double xc = s.x * p.c;
    double rc = 1 / (1 + xc);
    out.gamma += p.m * std::log1p(xc);
    out.dgamma += p.m * p.c * rc;
    censored_w = p.m * xc * rc;  // m (1 - r_c)
    censored_dw = p.m * p.c * rc * rc;
  }
  out.w = u_m1 * out.gamma + u_m1 + out.gamma - censored_w;
  out.dw = du * (1 + out.gamma) + (1 + u_m1) * out.dgamma - censored_dw;
  return out;
}

bool InDomain(const Problem& p, double x) { return x > p.pole; }

// NaN w when x is outside the domain.
WValue EvaluateW(const Problem& p, double x) {
  GrimshawSums s = ComputeGrimshawSums(p.y, x);
  if (!s.valid || !InDomain(p, x)) return WValue{std::numeric_limits<double>::quiet_NaN(), 0, 0, 0, 0, 0};
  return FromSums(p, s);
}

// For fixed x the likelihood is maximized by gamma(x), sigma = gamma / x, where it equals
// -n log(sigma) - n mean_log - n (the censored and uncensored terms combine into n).
GpdFit RootFit(const Problem& p, double x, double gamma, double mean_log) {
  GpdFit fit;
  fit.method = GpdMethod::kGrimshawRoot;
  fit.root = x;
  fit.gamma = gamma;
  fit.sigma = gamma / x;
  if (!(fit.sigma > 0) || !std::isfinite(fit.sigma) || !std::isfinite(gamma) || !std::isfinite(mean_log)) {
    fit.log_likelihood = kNegInf;
  } else {
    fit.log_likelihood = -p.n * std::log(fit.sigma) - p.n * mean_log - p.n;
  }
  return fit;
}

void Consider(const GpdFit& fit, GpdFit* best) {
  if (fit.log_likelihood > best->log_likelihood) *best = fit;
}

// Refines a root bracketed by lo < hi with w(lo), w(hi) of opposite signs: Newton steps
// while they stay inside the bracket, bisection otherwise.
void RefineRoot(const Problem& p, double lo, double w_lo, double hi, GpdFit* best) {
  double x = 0.5 * (lo + hi);
  for (int it = 0; it < kMaxRefineSteps; ++it) {
    WValue e = EvaluateW(p, x);
    if (!std::isfinite(e.w)) return;
    double step = e.w / e.dw;
    bool newton_ok = std::isfinite(step);
    if ((e.w < 0) == (w_lo < 0)) {
      lo = x;
      w_lo = e.w;
    } else {
      hi = x;
    }
    if (e.w == 0 || (newton_ok && std::abs(step) <= kRootTolerance * std::abs(x)) ||
        hi - lo <= kRootTolerance * std::max(std::abs(lo), std::abs(hi))) {
      Consider(RootFit(p, x, e.gamma, e.mean_log), best);
      return;
    }
    double next = x - step;
    x = (newton_ok && next > lo && next < hi) ? next : 0.5 * (lo + hi);
  }
}

// Two roots inside one grid cell show no sign change at its ends, but then w turns back
// toward zero inside the cell: w < 0 rising then falling (or w > 0 falling then rising).
// Bisection on the sign of w' walks to that extremum; if w changes sign on the way, the
// cell splits into two brackets, each refined.
void SplitCell(const Problem& p, double a, const WValue& wa, double b, GpdFit* best) {
  const double lo = a;
  const double hi = b;
  bool below = wa.w < 0;
  for (int it = 0; it < kMaxSplitSteps; ++it) {
    double mid = 0.5 * (a + b);
    WValue e = EvaluateW(p, mid);
    if (!std::isfinite(e.w)) return;
    if (e.w != 0 && (e.w < 0) != below) {
      RefineRoot(p, lo, wa.w, mid, best);
      RefineRoot(p, mid, e.w, hi, best);
      return;
    }
    // Moving toward zero means rising when below: keep the half the slope points into.
    if ((e.dw > 0) == below) {
      a = mid;
    } else {
      b = mid;
    }
    if (b - a <= kRootTolerance * std::max(std::abs(a), std::abs(b))) return;
  }
}

// Scans increasing grid points for sign changes of w and keeps the best root found.
void ScanInterval(const Problem& p, std::span<const double> grid, GpdFit* best) {
  double prev_x = 0;
  WValue prev;
  bool have_prev = false;
  for (double x : grid) {
    WValue e = EvaluateW(p, x);
    if (!std::isfinite(e.w) || !std::isfinite(e.dw)) {
      have_prev = false;
      continue;
    }
    if (e.w == 0) {
      Consider(RootFit(p, x, e.gamma, e.mean_log), best);
    } else if (have_prev && prev.w != 0) {
      if ((prev.w < 0) != (e.w < 0)) {
        RefineRoot(p, prev_x, prev.w, x, best);
      } else if ((prev.w < 0) == (prev.dw > 0) && (e.w < 0) == (e.dw < 0)) {
        SplitCell(p, prev_x, prev, x, best);
      }
    }
    prev_x = x;
    prev = e;
    have_prev = true;
  }
}

GpdFit Exponential(const Problem& p, GpdMethod method) {
  GpdFit fit;
  fit.method = method;
  fit.sigma = (p.sum + p.m * p.n * p.c) / p.n;
  fit.log_likelihood = -p.n * std::log(fit.sigma) - p.n;
  return fit;
}

GpdFit FullSearch(const Problem& p) {
  if (p.y.size() < kMinGpdExcesses) return Exponential(p, GpdMethod::kTooFewExcesses);
  GpdFit best = Exponential(p, GpdMethod::kExponential);

  double grid[kGridPoints];
  // Negative side, x = p * pole with logit(p) evenly spaced: p from ~8e-7 (x near 0) to
  // 1 - 1.5e-8 (x near the pole, where w -> -inf).
  constexpr double kLogitLo = -14;
  constexpr double kLogitHi = 18;
  for (int k = 0; k < kGridPoints; ++k) {
    double logit = kLogitHi - (kLogitHi - kLogitLo) * k / (kGridPoints - 1);
    grid[k] = p.pole / (1 + std::exp(-logit));
  }
  ScanInterval(p, grid, &best);

  // Positive side, geometric in x * mean from kNearZero to the (capped) bound.
  double censored = p.m * p.n;
  double mean_all = (p.sum + censored * p.c) / (p.n + censored);
  double upper = 2 * (mean_all - p.min) / (p.min * p.min) * p.mean;
  if (censored > 0) upper *= 2;
  if (!(upper <= kMaxScaledRoot)) upper = kMaxScaledRoot;  // also catches inf/NaN
  if (upper > kNearZero) {
    double ratio = std::log(upper / kNearZero);
    for (int k = 0; k < kGridPoints; ++k) {
      grid[k] = kNearZero * std::exp(ratio * k / (kGridPoints - 1)) / p.mean;
    }
    ScanInterval(p, grid, &best);
  }
  return best;
}

}  // namespace

void GrimshawSums::Add(double y) {
  double xy = x * y;
  if (!(1 + xy > 0)) {
    valid = false;
    return;
  }
  double r = 1 / (1 + xy);
  count += 1;
  sum_log += std::log1p(xy);
  sum_frac += xy * r;
  sum_y_r += y * r;
  sum_y_r2 += y * r * r;
}

void GrimshawSums::Remove(double y) {
  double xy = x * y;
  if (!(1 + xy > 0)) {
    valid = false;
    return;
  }
  double r = 1 / (1 + xy);
  count -= 1;
  sum_log -= std::log1p(xy);
  sum_frac -= xy * r;
  sum_y_r -= y * r;
  sum_y_r2 -= y * r * r;
}

GrimshawSums ComputeGrimshawSums(std::span<const double> excesses, double x) {
  GrimshawSums s;
  s.x = x;
  s.count = static_cast<double>(excesses.size());
  bool in_domain = true;
  for (double v : excesses) {
    double xv = x * v;
    in_domain &= 1 + xv > 0;
    double r = 1 / (1 + xv);
    s.sum_log += std::log1p(xv);
    s.sum_frac += xv * r;
    double yr = v * r;
    s.sum_y_r += yr;
    s.sum_y_r2 += yr * r;
  }
  s.valid = in_domain && !excesses.empty();
  return s;
}

GpdFit ExponentialFit(std::span<const double> excesses, GpdMethod method, GpdCensoring censoring) {
  return Exponential(MakeProblem(excesses, censoring), method);
}

GpdFit FitGpd(std::span<const double> excesses, GpdCensoring censoring) {
  return FullSearch(MakeProblem(excesses, censoring));
}

GpdFit RefitGpd(std::span<const double> excesses, const GpdFit& previous, GrimshawSums* sums,
                GpdCensoring censoring) {
  GrimshawSums local;
  GrimshawSums& out_sums = sums != nullptr ? *sums : local;
  const GrimshawSums carried = out_sums;
  out_sums.valid = false;  // set again only when returning a Newton result
  Problem p = MakeProblem(excesses, censoring);
  if (excesses.size() < kMinGpdExcesses) return Exponential(p, GpdMethod::kTooFewExcesses);
  if (previous.method == GpdMethod::kTooFewExcesses) return FullSearch(p);
  GpdFit exponential = Exponential(p, GpdMethod::kExponential);
  if (previous.method != GpdMethod::kGrimshawRoot || previous.root == 0) return exponential;

  GrimshawSums at;
  bool fresh = false;  // `at` comes from a pass made in this call
  if (carried.valid && carried.count == p.n && carried.x != 0 && InDomain(p, carried.x) &&
      (carried.x < 0) == (previous.root < 0)) {
    at = carried;
  } else {
    // A new largest excess (or censoring point) can move the pole past the previous root.
    double x = InDomain(p, previous.root) ? previous.root : 0.999 * p.pole;
    at = ComputeGrimshawSums(excesses, x);
    fresh = true;
  }
  for (int it = 0; it < kMaxTrackingSteps && at.valid; ++it) {
    WValue e = FromSums(p, at);
    double step = e.w / e.dw;
    if (!std::isfinite(step)) break;
    // Accepting only after a pass keeps O(1) updates from leaking into the result.
    if (fresh && std::abs(step) <= kTrackingAcceptStep * std::abs(at.x)) {
      // Newton converges quadratically: after this step x is accurate to ~step^2, and
      // the profile quantities move to first order, which saves the pass that would only
      // confirm convergence.
      GpdFit fit = RootFit(p, at.x - step, e.gamma - step * e.dgamma, e.mean_log - step * e.dmean_log);
      // A tracked root worse than the exponential (Newton may also land on a minimum of
      // the profile likelihood) means tracking lost the maximum: search again.
      if (!(fit.log_likelihood > exponential.log_likelihood)) break;
      out_sums = at;
      return fit;
    }
    double next = at.x - step;
    if (at.x < 0 && next <= p.pole) next = 0.5 * (at.x + p.pole);
    if ((next < 0) != (at.x < 0)) next = 0.5 * at.x;  // overshoot across 0: approach it instead
    // The tracked root merged into the trivial one; another root may have taken over.
    if (std::abs(next) * p.mean < kNearZero) break;
    at = ComputeGrimshawSums(excesses, next);
    fresh = true;
  }
  return FullSearch(p);
}

double GpdLogLikelihood(std::span<const double> excesses, double gamma, double sigma,
                        GpdCensoring censoring) {
  if (!(sigma > 0)) return kNegInf;
  double n = static_cast<double>(excesses.size());
  double ll = 0;
  if (gamma == 0) {
    double sum = 0;
    for (double v : excesses) sum += v;
    ll = -n * std::log(sigma) - sum / sigma;
  } else {
    double sum_log = 0;
    for (double v : excesses) {
      double z = gamma * v / sigma;
      if (!(z > -1)) return kNegInf;
      sum_log += std::log1p(z);
    }
    ll = -n * std::log(sigma) - (1 + 1 / gamma) * sum_log;
  }
  if (censoring.count > 0) ll += censoring.count * std::log(GpdSurvival(gamma, sigma, censoring.at));
  return ll;
}

double GpdSurvival(double gamma, double sigma, double y) {
  if (gamma == 0) return std::exp(-y / sigma);
  double z = gamma * y / sigma;
  if (!(z > -1)) return 0;
  return std::exp(-std::log1p(z) / gamma);
}

}  // namespace vigil::threshold

#include "threshold/gpd_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "vigil/status.h"

namespace vigil::threshold {
namespace {

// Grid points per search interval. Fewer risks two close roots sharing one cell (then
// neither is seen); more costs one pass over the excesses each.
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

struct Summary {
  double mean = 0;
  double min = 0;
  double max = 0;
};

Summary Summarize(std::span<const double> y) {
  VIGIL_CHECK(!y.empty());
  Summary s{0, y[0], y[0]};
  double sum = 0;
  for (double v : y) {
    VIGIL_CHECK(v > 0 && std::isfinite(v));
    sum += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  s.mean = sum / static_cast<double>(y.size());
  return s;
}

// w(x) = u(x) v(x) - 1 and its derivative from the sums. w is formed as
// (u-1)(v-1) + (u-1) + (v-1) from terms that are each O(x) small near x = 0, so the
// O(x^2) value of w there is not lost to cancellation against 1.
struct WValue {
  double w = 0;
  double dw = 0;
  double gamma = 0;  // v(x) - 1 = mean(log(1 + x Y_i)): the shape if x is a root
  double dv = 0;     // v'(x) = gamma'(x)
};

WValue FromSums(const GrimshawSums& s) {
  double u_m1 = -s.sum_frac / s.count;
  double v_m1 = s.sum_log / s.count;
  double du = -s.sum_y_r2 / s.count;
  double dv = s.sum_y_r / s.count;
  WValue out;
  out.w = u_m1 * v_m1 + u_m1 + v_m1;
  out.dw = du * (1 + v_m1) + (1 + u_m1) * dv;
  out.gamma = v_m1;
  out.dv = dv;
  return out;
}

// Non-finite w when x is outside the domain (some 1 + x Y_i <= 0).
WValue EvaluateW(std::span<const double> y, double x) {
  GrimshawSums s = ComputeGrimshawSums(y, x);
  if (!s.valid) return WValue{std::numeric_limits<double>::quiet_NaN(), 0, 0, 0};
  return FromSums(s);
}

// At any x the profile likelihood has gamma = mean(log(1 + x Y)), sigma = gamma / x, so
// sum log(1 + x Y) = n gamma and the log-likelihood is -n log(sigma) - n (1 + gamma).
GpdFit RootFit(size_t n, double x, double gamma) {
  GpdFit fit;
  fit.method = GpdMethod::kGrimshawRoot;
  fit.root = x;
  fit.gamma = gamma;
  fit.sigma = gamma / x;
  double nn = static_cast<double>(n);
  if (!(fit.sigma > 0) || !std::isfinite(fit.sigma) || !std::isfinite(gamma)) {
    fit.log_likelihood = -std::numeric_limits<double>::infinity();
  } else {
    fit.log_likelihood = -nn * std::log(fit.sigma) - nn * (1 + gamma);
  }
  return fit;
}

// Refines a root bracketed by lo < hi with w(lo), w(hi) of opposite signs: Newton steps
// while they stay inside the bracket, bisection otherwise.
bool RefineRoot(std::span<const double> y, double lo, double w_lo, double hi, double* x_out, double* gamma_out) {
  double x = 0.5 * (lo + hi);
  for (int it = 0; it < kMaxRefineSteps; ++it) {
    WValue e = EvaluateW(y, x);
    if (!std::isfinite(e.w)) return false;
    if (e.w == 0) {
      *x_out = x;
      *gamma_out = e.gamma;
      return true;
    }
    if ((e.w < 0) == (w_lo < 0)) {
      lo = x;
      w_lo = e.w;
    } else {
      hi = x;
    }
    double step = e.w / e.dw;
    bool newton_ok = std::isfinite(step);
    if ((newton_ok && std::abs(step) <= kRootTolerance * std::abs(x)) ||
        hi - lo <= kRootTolerance * std::max(std::abs(lo), std::abs(hi))) {
      *x_out = x;
      *gamma_out = e.gamma;
      return true;
    }
    double next = x - step;
    x = (newton_ok && next > lo && next < hi) ? next : 0.5 * (lo + hi);
  }
  return false;
}

// Two roots inside one grid cell show no sign change at its ends, but then w turns back
// toward zero inside the cell: w < 0 rising then falling (or w > 0 falling then rising).
// Bisection on the sign of w' walks to that extremum; if w changes sign on the way, the
// cell splits into two brackets. False when no sign change is found.
bool SplitCell(std::span<const double> y, double a, WValue wa, double b, double* mid, WValue* w_mid) {
  constexpr int kMaxSplitSteps = 40;
  bool below = wa.w < 0;
  for (int it = 0; it < kMaxSplitSteps; ++it) {
    double m = 0.5 * (a + b);
    WValue e = EvaluateW(y, m);
    if (!std::isfinite(e.w)) return false;
    if (e.w != 0 && (e.w < 0) != below) {
      *mid = m;
      *w_mid = e;
      return true;
    }
    // Moving toward zero means rising when below: keep the half the slope points into.
    if ((e.dw > 0) == below) {
      a = m;
    } else {
      b = m;
    }
    if (b - a <= kRootTolerance * std::max(std::abs(a), std::abs(b))) return false;
  }
  return false;
}

void ConsiderRoot(std::span<const double> y, double lo, double w_lo, double hi, GpdFit* best) {
  double root = 0;
  double gamma = 0;
  if (!RefineRoot(y, lo, w_lo, hi, &root, &gamma)) return;
  GpdFit fit = RootFit(y.size(), root, gamma);
  if (fit.log_likelihood > best->log_likelihood) *best = fit;
}

// Scans increasing grid points for sign changes of w and keeps the best root found.
void ScanInterval(std::span<const double> y, std::span<const double> grid, GpdFit* best) {
  double prev_x = 0;
  WValue prev;
  bool have_prev = false;
  for (double x : grid) {
    WValue e = EvaluateW(y, x);
    if (!std::isfinite(e.w) || !std::isfinite(e.dw)) {
      have_prev = false;
      continue;
    }
    if (e.w == 0) {
      GpdFit fit = RootFit(y.size(), x, e.gamma);
      if (fit.log_likelihood > best->log_likelihood) *best = fit;
    } else if (have_prev && prev.w != 0) {
      if ((prev.w < 0) != (e.w < 0)) {
        ConsiderRoot(y, prev_x, prev.w, x, best);
      } else if ((prev.w < 0) == (prev.dw > 0) && (e.w < 0) == (e.dw < 0)) {
        double mid = 0;
        WValue w_mid;
        if (SplitCell(y, prev_x, prev, x, &mid, &w_mid)) {
          ConsiderRoot(y, prev_x, prev.w, mid, best);
          ConsiderRoot(y, mid, w_mid.w, x, best);
        }
      }
    }
    prev_x = x;
    prev = e;
    have_prev = true;
  }
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

GpdFit ExponentialFit(std::span<const double> excesses, GpdMethod method) {
  VIGIL_CHECK(!excesses.empty());
  double sum = 0;
  for (double v : excesses) sum += v;
  double n = static_cast<double>(excesses.size());
  GpdFit fit;
  fit.method = method;
  fit.sigma = sum / n;
  fit.log_likelihood = -n * std::log(fit.sigma) - n;
  return fit;
}

GpdFit FitGpd(std::span<const double> excesses) {
  Summary s = Summarize(excesses);
  if (excesses.size() < kMinGpdExcesses) return ExponentialFit(excesses, GpdMethod::kTooFewExcesses);
  GpdFit best = ExponentialFit(excesses, GpdMethod::kExponential);

  double grid[kGridPoints];
  // Negative side, x = -p / Y_max with logit(p) evenly spaced: p from ~8e-7 (x near 0)
  // to 1 - 1.5e-8 (x near the pole -1/Y_max, where w -> -inf).
  constexpr double kLogitLo = -14;
  constexpr double kLogitHi = 18;
  for (int k = 0; k < kGridPoints; ++k) {
    double logit = kLogitHi - (kLogitHi - kLogitLo) * k / (kGridPoints - 1);
    double p = 1 / (1 + std::exp(-logit));
    grid[k] = -p / s.max;
  }
  ScanInterval(excesses, grid, &best);

  // Positive side, geometric in x * mean from kNearZero to the (capped) Grimshaw bound.
  double upper = 2 * (s.mean - s.min) / (s.min * s.min) * s.mean;
  if (!(upper <= kMaxScaledRoot)) upper = kMaxScaledRoot;  // also catches inf/NaN
  if (upper > kNearZero) {
    double ratio = std::log(upper / kNearZero);
    for (int k = 0; k < kGridPoints; ++k) {
      grid[k] = kNearZero * std::exp(ratio * k / (kGridPoints - 1)) / s.mean;
    }
    ScanInterval(excesses, grid, &best);
  }
  return best;
}

GpdFit RefitGpd(std::span<const double> excesses, const GpdFit& previous, GrimshawSums* sums) {
  GrimshawSums local;
  GrimshawSums& out_sums = sums != nullptr ? *sums : local;
  const GrimshawSums carried = out_sums;
  out_sums.valid = false;  // set again only when returning a Newton result
  if (excesses.size() < kMinGpdExcesses) return ExponentialFit(excesses, GpdMethod::kTooFewExcesses);
  if (previous.method == GpdMethod::kTooFewExcesses) return FitGpd(excesses);
  GpdFit exponential = ExponentialFit(excesses, GpdMethod::kExponential);
  if (previous.method != GpdMethod::kGrimshawRoot || previous.root == 0) return exponential;

  Summary s = Summarize(excesses);
  double pole = -1 / s.max;  // negative roots live in (pole, 0)
  GrimshawSums at;
  bool fresh = false;  // `at` comes from a pass made in this call
  if (carried.valid && carried.count == static_cast<double>(excesses.size()) && carried.x != 0 &&
      (carried.x < 0) == (previous.root < 0)) {
    at = carried;
  } else {
    double x = previous.root;
    // A new largest excess can move the pole past the previous root.
    if (x < 0 && x <= pole) x = 0.999 * pole;
    at = ComputeGrimshawSums(excesses, x);
    fresh = true;
  }
  for (int it = 0; it < kMaxTrackingSteps && at.valid; ++it) {
    WValue e = FromSums(at);
    double step = e.w / e.dw;
    if (!std::isfinite(step)) break;
    // Accepting only after a pass keeps O(1) updates from leaking into the result.
    if (fresh && std::abs(step) <= kTrackingAcceptStep * std::abs(at.x)) {
      // Newton converges quadratically: after this step x is accurate to ~step^2, and
      // gamma(x - step) ~ gamma(x) - step * gamma'(x) with gamma' = mean(Y / (1 + x Y)),
      // which saves the pass that would only confirm convergence.
      GpdFit fit = RootFit(excesses.size(), at.x - step, e.gamma - step * e.dv);
      if (!(fit.log_likelihood > exponential.log_likelihood)) return exponential;
      out_sums = at;
      return fit;
    }
    double next = at.x - step;
    if (at.x < 0 && next <= pole) next = 0.5 * (at.x + pole);
    if ((next < 0) != (at.x < 0)) next = 0.5 * at.x;  // overshoot across 0: approach it instead
    // The tracked root merged into the trivial one: the exponential model took over.
    if (std::abs(next) * s.mean < kNearZero) return exponential;
    at = ComputeGrimshawSums(excesses, next);
    fresh = true;
  }
  return FitGpd(excesses);
}

double GpdLogLikelihood(std::span<const double> excesses, double gamma, double sigma) {
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  if (!(sigma > 0)) return kNegInf;
  double n = static_cast<double>(excesses.size());
  if (gamma == 0) {
    double sum = 0;
    for (double v : excesses) sum += v;
    return -n * std::log(sigma) - sum / sigma;
  }
  double sum_log = 0;
  for (double v : excesses) {
    double z = gamma * v / sigma;
    if (!(z > -1)) return kNegInf;
    sum_log += std::log1p(z);
  }
  return -n * std::log(sigma) - (1 + 1 / gamma) * sum_log;
}

}  // namespace vigil::threshold

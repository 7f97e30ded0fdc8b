// NAB changepoint scoring as SKAB's leaderboard computes it.
//
// SKAB's published NAB numbers come from the `tsad` package (waico/tsad; SKAB vendors the
// same code as core/metrics.py, `chp_score`), called with metric='nab',
// window_width='60s', anomaly_window_destination='righter' and every other argument at its
// default (clear_anomalies_mode=True, intersection_mode='cut right window',
// scale_func='improved', scale_koef=1). What that computes, restated:
//
// 1. Windows. Each true changepoint c of a series opens the window [c, c + W], closed at
//    both ends. Windows are taken in time order; when a window's end is at or past the
//    next window's start, the next window is made to start at that end ("cut right
//    window"). Both windows then share that instant.
// 2. Matching. Per window, only the earliest prediction t inside it counts, as a true
//    positive; later predictions in the same window are ignored (neither rewarded nor
//    penalised). A window with no prediction is a miss. A prediction inside no window is
//    a false positive; each costs the constant A_fp. (The original NAB instead weights
//    false positives by the sigmoid of their distance from the previous window; tsad
//    does not, and neither does this file.)
// 3. True-positive weight. pos = (t - start) / (end - start), in [0, 1]. The weight is a
//    1000-point tanh curve falling from A_tp at the window start to A_fp at its end:
//      k = min(floor(1000 * pos), 999),  x_k = -pi/2 + k * pi/999  (x_999 = pi/2 exactly),
//      w = (A_tp - A_fp)/2 * (-tanh(x_k)) / tanh(pi/2) + (A_tp - A_fp)/2 + A_fp.
//    A detection at the very end of its window therefore scores A_fp (< 0), which still
//    beats a miss (A_fn). Note the weight uses the window after any cut in step 1.
// 4. Profiles (A_tp, A_fp, A_fn): standard (1, -0.11, -1), low FP (1, -0.22, -1),
//    low FN (1, -0.11, -2). A_tn is listed in tsad's table but never used.
// 5. Per series: S = A_fp * #FP + A_fn * #missed + sum of true-positive weights,
//    S_null = #windows * A_fn (detector that never fires), S_perfect = #windows * A_tp.
// 6. Normalisation is over all series combined, not averaged per file: the three sums are
//    added over series first, then score = 100 * (S - S_null) / (S_perfect - S_null).
//
// Deliberate differences from tsad, none of which arise on SKAB:
// - tsad rounds the final scores to 2 decimals; these are unrounded.
// - With no true changepoint in any series tsad divides 0 by 0 (NaN, or -inf when there
//   are false positives); here every profile is NaN.
// - A zero-length window (two changepoints at the same instant, after the cut) makes
//   tsad divide by zero; here a prediction at that instant has pos = 0.
// - tsad counts a label only when it equals 1; here any nonzero value counts.
// The arithmetic in steps 3 and 5 follows tsad's operation order, so on whole-second
// timestamps the unrounded scores match tsad's to the last bit or two.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <vector>

#include "vigil/metrics.h"
#include "vigil/status.h"

namespace vigil {
namespace {

// tsad's "detalization": the weight curve is sampled, not evaluated continuously, so
// positions are quantised to 1/1000 of the window.
constexpr int kCurvePoints = 1000;

double TruePositiveWeight(double position, const NabProfile& p) {
  // int() in the reference truncates toward zero; position is never negative here.
  int k = static_cast<int>(position * kCurvePoints);
  k = std::clamp(k, 0, kCurvePoints - 1);
  constexpr double kHalfPi = std::numbers::pi / 2;
  const double step = (kHalfPi - (-kHalfPi)) / (kCurvePoints - 1);
  const double x = k == kCurvePoints - 1 ? kHalfPi : k * step + (-kHalfPi);
  const double half_span = (p.a_tp - p.a_fp) / 2;
  return half_span * -1 * std::tanh(x) / std::tanh(std::numbers::pi / 2) + half_span + p.a_fp;
}

struct Window {
  double start, end;
};

// Profile-independent outcome of matching one series.
struct SeriesOutcome {
  uint64_t windows = 0;
  uint64_t missed = 0;
  uint64_t false_positives = 0;
  std::vector<double> hit_positions;  // pos of each window's first prediction, in window order
};

std::vector<double> SortedTimesOf(std::span<const double> timestamps, std::span<const uint8_t> flags) {
  std::vector<double> times;
  for (size_t i = 0; i < flags.size(); ++i) {
    // A time that is not a number cannot be placed in or out of a window.
    if (flags[i] != 0 && std::isfinite(timestamps[i])) times.push_back(timestamps[i]);
  }
  std::sort(times.begin(), times.end());
  return times;
}

SeriesOutcome MatchSeries(const NabSeries& s, double window_seconds) {
  VIGIL_CHECK(s.timestamps.size() == s.true_changepoints.size());
  VIGIL_CHECK(s.timestamps.size() == s.predicted_changepoints.size());
  const std::vector<double> changes = SortedTimesOf(s.timestamps, s.true_changepoints);
  const std::vector<double> predictions = SortedTimesOf(s.timestamps, s.predicted_changepoints);

  std::vector<Window> windows;
  windows.reserve(changes.size());
  for (double c : changes) windows.push_back({c, c + window_seconds});
  for (size_t i = 0; i + 1 < windows.size(); ++i) {
    if (windows[i].end >= windows[i + 1].start) windows[i + 1].start = windows[i].end;
  }

  SeriesOutcome out;
  out.windows = windows.size();
  for (const Window& w : windows) {
    auto first = std::lower_bound(predictions.begin(), predictions.end(), w.start);
    if (first == predictions.end() || *first > w.end) {
      ++out.missed;
      continue;
    }
    const double length = w.end - w.start;
    out.hit_positions.push_back(length > 0 ? (*first - w.start) / length : 0.0);
  }
  // Windows are sorted by start and, after the cut, never overlap except at a shared
  // endpoint, so a prediction is covered iff the last window starting at or before it
  // has not yet ended.
  for (double t : predictions) {
    auto after = std::upper_bound(windows.begin(), windows.end(), t,
                                  [](double v, const Window& w) { return v < w.start; });
    const bool covered = after != windows.begin() && t <= std::prev(after)->end;
    if (!covered) ++out.false_positives;
  }
  return out;
}

struct ProfileSums {
  double score = 0, null_score = 0, perfect_score = 0;
};

void AddSeries(const SeriesOutcome& o, const NabProfile& p, ProfileSums* sums) {
  double score = 0;
  score += p.a_fp * static_cast<double>(o.false_positives);
  score += p.a_fn * static_cast<double>(o.missed);
  for (double pos : o.hit_positions) score += TruePositiveWeight(pos, p);
  sums->score += score;
  sums->null_score += static_cast<double>(o.windows) * p.a_fn;
  sums->perfect_score += static_cast<double>(o.windows) * p.a_tp;
}

double Normalise(const ProfileSums& s, uint64_t total_windows) {
  if (total_windows == 0) return std::numeric_limits<double>::quiet_NaN();
  return 100 * (s.score - s.null_score) / (s.perfect_score - s.null_score);
}

}  // namespace

NabScores NabScore(std::span<const NabSeries> series, double window_seconds) {
  VIGIL_CHECK(std::isfinite(window_seconds) && window_seconds > 0);
  ProfileSums standard, low_fp, low_fn;
  uint64_t total_windows = 0;
  for (const NabSeries& s : series) {
    const SeriesOutcome o = MatchSeries(s, window_seconds);
    total_windows += o.windows;
    AddSeries(o, kNabStandard, &standard);
    AddSeries(o, kNabLowFp, &low_fp);
    AddSeries(o, kNabLowFn, &low_fn);
  }
  return NabScores{Normalise(standard, total_windows), Normalise(low_fp, total_windows),
                   Normalise(low_fn, total_windows)};
}

std::vector<uint8_t> ChangepointsFromAlarms(std::span<const uint8_t> alarms) {
  std::vector<uint8_t> changes(alarms.size(), 0);
  for (size_t i = 0; i < alarms.size(); ++i) {
    const bool on = alarms[i] != 0;
    const bool was_on = i > 0 && alarms[i - 1] != 0;
    changes[i] = on != was_on ? 1 : 0;
  }
  return changes;
}

}  // namespace vigil

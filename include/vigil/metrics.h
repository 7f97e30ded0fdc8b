// vigil/metrics.h — detection metrics.
//
//   vigil::BinaryMetrics m = vigil::ComputeBinaryMetrics(truth, predicted);
//   printf("F1 %.3f FAR %.2f%% MAR %.2f%%\n", m.f1, m.far_pct, m.mar_pct);
//
// Definitions (SKAB's): positives are anomalous points.
//   precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN),
//   FAR % = 100·FP/(FP+TN), MAR % = 100·FN/(FN+TP). A ratio with a zero denominator is 0.
// AUC-ROC: probability a random positive outranks a random negative (ties count 1/2).
// AUC-PR: average precision as sklearn's average_precision_score: over the distinct score
//   thresholds, highest first, sum of (R_k − R_{k−1})·P_k, R_0 = 0 (step-wise, no
//   interpolation). Both are O(n log n).
// NAB (Lavin & Ahmad 2015, in the variant of SKAB's leaderboard): see NabScore below.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vigil/status.h"

namespace vigil {

struct BinaryMetrics {
  uint64_t tp = 0, fp = 0, tn = 0, fn = 0;
  double precision = 0, recall = 0, f1 = 0;
  double far_pct = 0, mar_pct = 0;
};

// truth and predicted have equal length (VIGIL_CHECK); nonzero = anomalous.
BinaryMetrics ComputeBinaryMetrics(std::span<const uint8_t> truth, std::span<const uint8_t> predicted);
// scores and truth have equal length (VIGIL_CHECK); nonzero truth = anomalous. NaN scores rank below
// every number (-inf included) and tie with each other.
// AucRoc returns NaN if either class is empty (including empty input).
double AucRoc(std::span<const double> scores, std::span<const uint8_t> truth);
// AucPr returns NaN if there is no positive (including empty input), and 1 if there is no
// negative (as sklearn does).
double AucPr(std::span<const double> scores, std::span<const uint8_t> truth);

// One labelled series for NAB scoring. The three vectors have equal length (VIGIL_CHECK).
// Rows need not be sorted by time; rows whose timestamp is not finite are ignored.
struct NabSeries {
  std::vector<double> timestamps;               // seconds
  std::vector<uint8_t> true_changepoints;       // nonzero at each true changepoint
  std::vector<uint8_t> predicted_changepoints;  // nonzero where the detector reports a change
};

struct NabProfile {
  double a_tp, a_fp, a_fn;
};
inline constexpr NabProfile kNabStandard{1.0, -0.11, -1.0};
inline constexpr NabProfile kNabLowFp{1.0, -0.22, -1.0};
inline constexpr NabProfile kNabLowFn{1.0, -0.11, -2.0};

struct NabScores {
  double standard = 0, low_fp = 0, low_fn = 0;
};

// Reproduces the `tsad` package's NAB (waico/tsad, used for SKAB's published numbers with a
// 60 s window to the right of each changepoint); src/eval/nab_score.cc states it in full.
// Each true changepoint c opens the closed window [c, c + window_seconds]; if a window
// reaches the next one's start, the next starts where it ends. Within a window only the
// earliest prediction counts, as a TP weighted by a tanh-shaped sigmoid of its relative
// position (a_tp at the window start falling to a_fp at its end, sampled at 1000 points);
// later predictions in the same window are ignored; a window with no prediction costs
// a_fn; each prediction outside every window costs a_fp (constant, not distance-weighted).
// Scores are normalised per profile over all series combined (sums first, then one ratio):
// 100 · (S − S_null) / (S_perfect − S_null), S_null = every window missed, S_perfect = every
// window hit at its start. Unrounded (tsad rounds to 2 decimals). NaN for every profile if
// no series has a true changepoint. window_seconds must be finite and > 0 (VIGIL_CHECK).
NabScores NabScore(std::span<const NabSeries> series, double window_seconds = 60.0);

// Predicted changepoints from an alarm series (nonzero = on): 1 wherever the alarm state
// changes, on→off included, and at index 0 if it starts on, as SKAB's reference notebooks
// do (|diff|, first element = first alarm).
std::vector<uint8_t> ChangepointsFromAlarms(std::span<const uint8_t> alarms);

}  // namespace vigil

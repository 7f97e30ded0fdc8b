// vigil/metrics.h — detection metrics.
//
//   vigil::BinaryMetrics m = vigil::ComputeBinaryMetrics(truth, predicted);
//   printf("F1 %.3f FAR %.2f%% MAR %.2f%%\n", m.f1, m.far_pct, m.mar_pct);
//
// Definitions (SKAB's): positives are anomalous points.
//   precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN),
//   FAR % = 100·FP/(FP+TN), MAR % = 100·FN/(FN+TP). A ratio with a zero denominator is 0.
// AUC-ROC: probability a random positive outranks a random negative (ties count 1/2).
// AUC-PR: average precision (sum over distinct score thresholds of ΔRecall·Precision).
// NAB (Lavin & Ahmad 2015, as used by SKAB's evaluation): see NabScore below.
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

// truth and predicted have equal length; nonzero = anomalous.
BinaryMetrics ComputeBinaryMetrics(std::span<const uint8_t> truth, std::span<const uint8_t> predicted);
// NaN scores are treated as the lowest score. Returns NaN if either class is empty.
double AucRoc(std::span<const double> scores, std::span<const uint8_t> truth);
double AucPr(std::span<const double> scores, std::span<const uint8_t> truth);

// One labelled series for NAB scoring.
struct NabSeries {
  std::vector<double> timestamps;        // seconds, non-decreasing
  std::vector<uint8_t> true_changepoints;  // 1 at each true changepoint
  std::vector<uint8_t> predicted_changepoints;  // 1 where the detector reports a change
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

// Windows of `window_seconds` start at each true changepoint and extend to its right.
// Within a window only the earliest prediction counts, as a TP weighted by the scaled
// sigmoid of its relative position; a window with no prediction costs a_fn; predictions
// outside every window cost a_fp. Scores are normalised per profile over all series:
// 100 · (S − S_null) / (S_perfect − S_null), S_null = every window missed.
NabScores NabScore(std::span<const NabSeries> series, double window_seconds = 60.0);

// Predicted changepoints from a 0/1 alarm series: 1 wherever the alarm state changes
// (and at index 0 if it starts on), as in SKAB's reference notebooks.
std::vector<uint8_t> ChangepointsFromAlarms(std::span<const uint8_t> alarms);

}  // namespace vigil

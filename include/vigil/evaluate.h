// vigil/evaluate.h — run models over labelled data and measure detection quality.
//
//   vigil::FitOptions opt = vigil::DefaultFitOptions("pca");
//   auto report = vigil::EvaluateSkab("../shared/data/skab", opt, {}, progress);
//   printf("F1 %.3f FAR %.1f%%\n", report->binary.f1, report->binary.far_pct);
//
// SKAB protocol (see the data set's README): for each labelled file (valve1/, valve2/,
// other/), fit on the first `train_rows` rows, stream the whole file through a scorer (the
// training rows warm the windows up), and count the rows after `train_rows`: outlier
// metrics over all files' counted rows concatenated, and NAB changepoint scores with a
// window of `nab_window_seconds` to the right of each labelled changepoint. Predicted
// changepoints are the rising and falling edges of the alarm series.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vigil/csv.h"
#include "vigil/metrics.h"
#include "vigil/model.h"

namespace vigil {

// Recommended options per detector (one parameter set for all data; thresholds are learned
// from the normal data). NotFound for an unknown detector.
Result<FitOptions> DefaultFitOptions(std::string_view detector);

// Per-row results of one labelled series.
struct ScoredRun {
  std::string name;
  std::vector<double> timestamps;
  std::vector<double> scores;    // smoothed score divided by the threshold in force
  std::vector<uint8_t> alarms;   // debounced alarm
  std::vector<uint8_t> anomaly;  // truth (label column), 0/1
  std::vector<uint8_t> changepoint;
};

// Streams rows [0, table rows) through a scorer of `model` and keeps rows from `skip` on.
// `label_index` selects the anomaly label among the table's label columns, `changepoint_index`
// the changepoint label (or -1). fixed_threshold < 0 keeps the model's threshold.
ScoredRun ScoreLabelled(const Model& model, const LabelledTable& table, size_t skip, int label_index,
                        int changepoint_index, double fixed_threshold = -1);

struct DetectionReport {
  BinaryMetrics binary;
  double auc_roc = 0, auc_pr = 0;
  NabScores nab;
  bool has_changepoints = false;
  uint64_t files = 0, rows = 0;
  double seconds = 0;
};

DetectionReport Summarize(const std::vector<ScoredRun>& runs, double nab_window_seconds = 60.0);

// The labelled SKAB files under `dir` (valve1, valve2, other), in a stable numeric order.
// NotFound if the folder holds none.
Result<std::vector<std::string>> ListSkabFiles(const std::string& dir);

struct SkabOptions {
  size_t train_rows = 400;
  double nab_window_seconds = 60;
  // Files evaluated in parallel (0 = one per hardware thread). Results do not depend on it.
  size_t threads = 0;
  // When set ("fp16", "int8"), each fitted model's network weights are re-stored at that precision
  // (Model::Quantize, calibrated on the file's training rows) before scoring; the threshold
  // learned in FP32 is kept. Detectors without network weights fail with InvalidArgument.
  std::string quantize;
};

// progress(done, total, file) is called after each file (may be empty), from the worker
// that finished it, one call at a time. options.detector_options.progress, if set, may be
// called from several threads at once.
using ProgressFn = std::function<void(size_t, size_t, const std::string&)>;
Result<DetectionReport> EvaluateSkab(const std::string& dir, const FitOptions& options,
                                     const SkabOptions& skab, const ProgressFn& progress,
                                     std::vector<ScoredRun>* runs = nullptr);

}  // namespace vigil

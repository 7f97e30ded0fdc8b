// Shared pieces of the vigil command line: flag groups, exit codes, error printing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "vigil/csv.h"
#include "vigil/model.h"
#include "vigil/status.h"

namespace vigil::cli {

// Exit codes: 0 success, 2 the user's input or flags are wrong (bad data, bad model file,
// bad flags, missing file), 1 anything else.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitUserError = 2;

// Prints "vigil: <message>" to stderr and returns the exit code for the status.
int Fail(const Status& status);

// Flags that shape how a CSV is read.
struct CsvFlags {
  std::string time_column;
  std::string columns;  // comma-separated
  std::string missing = "hold";
  std::string delimiter;  // "", ",", ";", "tab"
};
void AddCsvFlags(CLI::App* cmd, CsvFlags* flags, bool with_columns);
Result<CsvOptions> ToCsvOptions(const CsvFlags& flags);

// Flags that shape a fit (detector, features, threshold, alarm policy). Unset flags keep
// the detector's recommended defaults (DefaultFitOptions).
struct FitFlags {
  std::string detector = "pca";
  std::optional<uint32_t> window, smooth, min_run, trees, subsample, calibration_folds;
  std::optional<std::string> window_stats, threshold_method, combine;
  std::optional<double> quantile, risk, init_quantile, margin, explained_variance;
  std::optional<float> input_smoothing;
  std::optional<uint64_t> seed;
  // ae / conv-ae
  std::optional<std::string> hidden, channels;
  std::optional<uint32_t> kernel, epochs, batch_size, patience;
  std::optional<uint32_t> tf_dim, tf_heads, tf_blocks, tf_hidden;
  std::optional<double> learning_rate;
};
void AddFitFlags(CLI::App* cmd, FitFlags* flags);
// Options for `detector` (which may differ from flags.detector, for eval over several).
Result<FitOptions> ToFitOptions(const FitFlags& flags, const std::string& detector);

// Normal-data frames for calibrating a model's conversion: the model's channels, by name.
// DataError when the file has no rows.
Result<FrameTable> ReadCalibration(const Model& model, const std::string& path, size_t max_rows, const CsvFlags& csv);

// Per-layer precision routing (Model::QuantizeRouted): --accuracy-budget, --objective,
// --route-batch.
struct RouteFlags {
  RouteRequest request;
};
void AddRouteFlags(CLI::App* cmd, RouteFlags* flags);
// Routes `model` on the calibration frames and prints the route table to stderr.
Status RouteModel(Model& model, const RouteFlags& flags, const FrameTable& calibration);

// Splits "a,b,c" (empty → empty list).
std::vector<std::string> SplitList(const std::string& text);
// Parses "128,128,8" into positive integers; InvalidArgument names `flag` and the bad item.
Result<std::vector<uint32_t>> ParseWidths(const std::string& flag, const std::string& text);

// A single-line progress bar on stderr; silent when stderr is not a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void Update(size_t done, size_t total, const std::string& note);
  void Finish();

 private:
  std::string label_;
  bool tty_;
  double start_;
};

// "Current:0.61|Pressure:0.22"
std::string FormatTopChannels(const StreamScorer& scorer, const FrameSchema& schema, size_t max = 3);

// Each subcommand registers itself and sets *run to its action.
using Action = std::function<int()>;
void RegisterFit(CLI::App& app, Action* run);
void RegisterScore(CLI::App& app, Action* run);
void RegisterEval(CLI::App& app, Action* run);
void RegisterInspect(CLI::App& app, Action* run);
void RegisterDemo(CLI::App& app, Action* run);
void RegisterBench(CLI::App& app, Action* run);
void RegisterQuantize(CLI::App& app, Action* run);
void RegisterEvents(CLI::App& app, Action* run);
void RegisterServe(CLI::App& app, Action* run);
void RegisterPlan(CLI::App& app, Action* run);
void RegisterCalibrate(CLI::App& app, Action* run);
void RegisterExport(CLI::App& app, Action* run);

}  // namespace vigil::cli

#include "vigil/cli_common.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <iostream>

#include "detect/window_features.h"
#include "vigil/evaluate.h"

namespace vigil::cli {

int Fail(const Status& status) {
  std::cerr << "vigil: " << status.message() << std::endl;
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kDataError:
    case StatusCode::kCorruption:
    case StatusCode::kIOError:
    case StatusCode::kNotFound:
      return kExitUserError;
    case StatusCode::kUnimplemented:
      return kExitInternal;
  }
  return kExitInternal;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

void AddCsvFlags(CLI::App* cmd, CsvFlags* f, bool with_columns) {
  cmd->add_option("--time-column", f->time_column,
                  "Timestamp column (default: detected: datetime/timestamp/time/date/ts)");
  if (with_columns)
    cmd->add_option("--columns", f->columns,
                    "Comma-separated feature columns (default: all but time and labels)");
  cmd->add_option("--missing", f->missing, "Missing cells: hold (last value), skip (row), fail")
      ->capture_default_str();
  cmd->add_option("--delimiter", f->delimiter, "Field delimiter: ',', ';' or 'tab' (default: detected)");
}

Result<CsvOptions> ToCsvOptions(const CsvFlags& f) {
  CsvOptions o;
  o.time_column = f.time_column;
  o.columns = SplitList(f.columns);
  VIGIL_ASSIGN_OR_RETURN(o.missing, ParseMissingPolicy(f.missing));
  if (f.delimiter.empty()) {
    o.delimiter = 0;
  } else if (f.delimiter == "," || f.delimiter == ";") {
    o.delimiter = f.delimiter[0];
  } else if (f.delimiter == "tab" || f.delimiter == "\\t" || f.delimiter == "\t") {
    o.delimiter = '\t';
  } else {
    return Status::InvalidArgument("--delimiter must be ',', ';' or 'tab', got '" + f.delimiter + "'");
  }
  return o;
}

void AddFitFlags(CLI::App* cmd, FitFlags* f) {
  cmd->add_option("--window", f->window, "Sliding-window features over this many rows (0 = raw channels)");
  cmd->add_option("--window-stats", f->window_stats, "Window features: any of raw,mean,std,diff, or lags (the whole window, for ae/conv-ae)");
  cmd->add_option("--input-smoothing", f->input_smoothing,
                  "Exponential smoothing of every channel before the window features: weight of the newest row in "
                  "(0, 1); 0 = off");
  cmd->add_option("--threshold-method", f->threshold_method, "quantile | pot | spot");
  cmd->add_option("--quantile", f->quantile, "quantile method: q of the normal scores");
  cmd->add_option("--risk", f->risk, "pot/spot: exceedance probability per sample");
  cmd->add_option("--init-quantile", f->init_quantile, "pot/spot: quantile of the initial (peaks) threshold");
  cmd->add_option("--margin", f->margin, "Multiplies the learned threshold");
  cmd->add_option("--calibration-folds", f->calibration_folds,
                  "Learn the threshold on K-fold out-of-fold scores (0 = in-sample scores)");
  cmd->add_option("--smooth", f->smooth, "Rolling median of the score over this many rows");
  cmd->add_option("--min-run", f->min_run, "Consecutive exceedances before an alarm");
  cmd->add_option("--explained-variance", f->explained_variance, "pca: variance fraction kept");
  cmd->add_option("--combine", f->combine, "pca: sum|max of T2 and Q; zscore: rms|max of |z|");
  cmd->add_option("--trees", f->trees, "iforest: number of trees");
  cmd->add_option("--subsample", f->subsample, "iforest: rows per tree");
  cmd->add_option("--seed", f->seed, "Random seed");
  cmd->add_option("--hidden", f->hidden,
                  "ae: encoder layer widths, bottleneck last (decoder mirrored), e.g. 128,128,128,128,8");
  cmd->add_option("--channels", f->channels, "conv-ae: encoder channels, each layer halving the length, e.g. 32,16");
  cmd->add_option("--kernel", f->kernel, "conv-ae: convolution kernel length (odd)");
  cmd->add_option("--tf-dim", f->tf_dim, "tf-ae: embedding width (a multiple of --tf-heads)");
  cmd->add_option("--tf-heads", f->tf_heads, "tf-ae: attention heads");
  cmd->add_option("--tf-blocks", f->tf_blocks, "tf-ae: transformer encoder blocks");
  cmd->add_option("--tf-hidden", f->tf_hidden, "tf-ae: MLP width inside each block");
  cmd->add_option("--epochs", f->epochs, "ae/conv-ae: maximum training epochs");
  cmd->add_option("--batch-size", f->batch_size, "ae/conv-ae: training mini-batch rows");
  cmd->add_option("--learning-rate", f->learning_rate, "ae/conv-ae: Adam learning rate");
  cmd->add_option("--patience", f->patience, "ae/conv-ae: epochs without validation improvement before stopping (0 = never)");
}

Result<std::vector<uint32_t>> ParseWidths(const std::string& flag, const std::string& text) {
  std::vector<uint32_t> out;
  for (const std::string& item : SplitList(text)) {
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || errno != 0 || v < 1 || v > (1u << 16) || item[0] == '-') {
      return Status::InvalidArgument(flag + ": '" + item + "' is not an integer in 1..65536 (in '" + text + "')");
    }
    out.push_back(static_cast<uint32_t>(v));
  }
  if (out.empty()) return Status::InvalidArgument(flag + " needs at least one width");
  return out;
}

Result<FitOptions> ToFitOptions(const FitFlags& f, const std::string& detector) {
  VIGIL_ASSIGN_OR_RETURN(FitOptions o, DefaultFitOptions(detector));
  if (f.window) o.window = *f.window;
  if (f.window_stats) {
    auto stats = detect::ParseFeatureStats(*f.window_stats);
    if (!stats.ok()) return stats.status();
    o.window_stats = *stats;
  }
  if (f.input_smoothing) o.input_smoothing = *f.input_smoothing;
  if (f.threshold_method) {
    VIGIL_ASSIGN_OR_RETURN(o.threshold.kind, ParseThresholdKind(*f.threshold_method));
    if (o.threshold.kind == ThresholdKind::kFixed) {
      return Status::InvalidArgument("--threshold-method fixed is set at score time with --threshold VALUE");
    }
  }
  if (f.quantile) o.threshold.quantile = *f.quantile;
  if (f.risk) o.threshold.risk = *f.risk;
  if (f.init_quantile) o.threshold.init_quantile = *f.init_quantile;
  if (f.margin) o.threshold.margin = *f.margin;
  if (f.calibration_folds) o.calibration_folds = *f.calibration_folds;
  if (f.smooth) o.smooth = *f.smooth;
  if (f.min_run) o.min_run = *f.min_run;
  if (f.explained_variance) o.detector_options.pca_explained_variance = *f.explained_variance;
  if (f.combine) {
    o.detector_options.pca_combine = *f.combine;
    o.detector_options.zscore_combine = *f.combine;
  }
  if (f.trees) o.detector_options.iforest_trees = *f.trees;
  if (f.subsample) o.detector_options.iforest_subsample = *f.subsample;
  if (f.seed) o.detector_options.seed = *f.seed;
  if (f.hidden) {
    VIGIL_ASSIGN_OR_RETURN(o.detector_options.ae_hidden, ParseWidths("--hidden", *f.hidden));
  }
  if (f.channels) {
    VIGIL_ASSIGN_OR_RETURN(o.detector_options.conv_channels, ParseWidths("--channels", *f.channels));
  }
  if (f.kernel) o.detector_options.conv_kernel = *f.kernel;
  if (f.tf_dim) o.detector_options.tf_dim = *f.tf_dim;
  if (f.tf_heads) o.detector_options.tf_heads = *f.tf_heads;
  if (f.tf_blocks) o.detector_options.tf_blocks = *f.tf_blocks;
  if (f.tf_hidden) o.detector_options.tf_hidden = *f.tf_hidden;
  if (f.epochs) o.detector_options.nn_epochs = *f.epochs;
  if (f.batch_size) o.detector_options.nn_batch_size = *f.batch_size;
  if (f.learning_rate) o.detector_options.nn_learning_rate = *f.learning_rate;
  if (f.patience) o.detector_options.nn_patience = *f.patience;
  return o;
}

namespace {
double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0), start_(Now()) {}

void ProgressBar::Update(size_t done, size_t total, const std::string& note) {
  if (!tty_ || total == 0) return;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total);
  double elapsed = Now() - start_;
  double eta = done > 0 ? elapsed * static_cast<double>(total - done) / static_cast<double>(done) : 0;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %zu/%zu %.1fs eta %.1fs %s", label_.c_str(), bar.c_str(), done, total,
               elapsed, eta, note.c_str());
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!tty_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

std::string FormatTopChannels(const StreamScorer& scorer, const FrameSchema& schema, size_t max) {
  std::string out;
  char buf[32];
  for (const auto& [channel, share] : scorer.TopChannels(max)) {
    if (!out.empty()) out += '|';
    out += schema.name(channel);
    std::snprintf(buf, sizeof buf, ":%.2f", share);
    out += buf;
  }
  return out;
}

}  // namespace vigil::cli

namespace vigil::cli {

Result<FrameTable> ReadCalibration(const Model& model, const std::string& path, size_t max_rows, const CsvFlags& flags) {
  VIGIL_ASSIGN_OR_RETURN(CsvOptions csv, ToCsvOptions(flags));
  csv.columns = model.schema().names();  // the model's channels, by name, in its order
  VIGIL_ASSIGN_OR_RETURN(auto table, ReadCsvTable(path, csv, max_rows));
  if (table.frames.rows() == 0) return Status::DataError(path + ": no data rows");
  return std::move(table.frames);
}

void AddRouteFlags(CLI::App* cmd, RouteFlags* flags) {
  cmd->add_option("--accuracy-budget", flags->request.accuracy_budget,
                  "Routing: largest relative RMS change of the network output vs FP32 on the calibration data")
      ->capture_default_str();
  cmd->add_option("--objective", flags->request.objective, "Routing: latency or energy (modelled joules)")
      ->capture_default_str();
  cmd->add_option("--route-batch", flags->request.batch, "Routing: the batch the layers are timed at")
      ->capture_default_str();
}

Status RouteModel(Model& model, const RouteFlags& flags, const FrameTable& calibration) {
  std::string report;
  VIGIL_RETURN_IF_ERROR(model.QuantizeRouted(flags.request, calibration, &report));
  std::cerr << report;
  return Status::OK();
}

}  // namespace vigil::cli

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "vigil/evaluate.h"

namespace vigil {

namespace fs = std::filesystem;

Result<std::vector<std::string>> ListSkabFiles(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::NotFound(dir + ": not a directory (expected the SKAB data folder)");
  std::vector<std::string> out;
  for (const char* group : {"valve1", "valve2", "other"}) {
    fs::path sub = fs::path(dir) / group;
    if (!fs::is_directory(sub, ec)) continue;
    std::vector<std::pair<long, std::string>> files;
    for (const auto& e : fs::directory_iterator(sub, ec)) {
      if (e.path().extension() != ".csv") continue;
      const std::string stem = e.path().stem().string();
      long n = std::all_of(stem.begin(), stem.end(), ::isdigit) && !stem.empty() ? std::stol(stem) : 1L << 30;
      files.emplace_back(n, e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (auto& f : files) out.push_back(std::move(f.second));
  }
  if (out.empty())
    return Status::NotFound(dir + ": no labelled SKAB files (expected valve1/, valve2/, other/ with *.csv)");
  return out;
}

Result<DetectionReport> EvaluateSkab(const std::string& dir, const FitOptions& options,
                                     const SkabOptions& skab, const ProgressFn& progress,
                                     std::vector<ScoredRun>* runs_out) {
  auto start = std::chrono::steady_clock::now();
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> files, ListSkabFiles(dir));
  CsvOptions csv;
  csv.label_columns = {"anomaly", "changepoint"};
  csv.warn = [](const std::string&) {};
  std::vector<ScoredRun> runs;
  for (size_t i = 0; i < files.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(LabelledTable table, ReadCsvTable(files[i], csv));
    if (!table.has_label[0]) return Status::DataError(files[i] + ": no 'anomaly' column");
    if (table.frames.rows() <= skab.train_rows) {
      return Status::DataError(files[i] + ": " + std::to_string(table.frames.rows()) +
                               " rows, need more than " + std::to_string(skab.train_rows));
    }
    FrameTable train;
    train.schema = table.frames.schema;
    train.timestamps.assign(table.frames.timestamps.begin(),
                            table.frames.timestamps.begin() + skab.train_rows);
    train.values.assign(table.frames.values.begin(),
                        table.frames.values.begin() + skab.train_rows * table.frames.cols());
    auto model = Model::Fit(train, options);
    if (!model.ok()) return Status::InvalidArgument(files[i] + ": " + model.status().message());
    ScoredRun run = ScoreLabelled(*model, table, skab.train_rows, 0, table.has_label[1] ? 1 : -1);
    run.name = files[i];
    runs.push_back(std::move(run));
    if (progress) progress(i + 1, files.size(), files[i]);
  }
  DetectionReport rep = Summarize(runs, skab.nab_window_seconds);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (runs_out) *runs_out = std::move(runs);
  return rep;
}

}  // namespace vigil

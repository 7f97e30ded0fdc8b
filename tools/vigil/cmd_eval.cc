// vigil eval skab | vigil eval file: measure detection quality on labelled data.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "vigil/cli_common.h"
#include "vigil/evaluate.h"

namespace vigil::cli {
namespace {

struct SkabArgs {
  std::string dir;
  std::string detectors = "zscore,pca,iforest";
  std::string json_path;
  size_t train_rows = 400;
  size_t threads = 0;
  std::string quantize;
  FitFlags fit;
};

struct FileArgs {
  std::string model, input, label_column = "anomaly", json_path;
  size_t skip_rows = 0;
  std::optional<double> threshold;
  CsvFlags csv;
};

nlohmann::json ReportJson(const DetectionReport& r) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json j = {
      {"files", r.files},
      {"rows", r.rows},
      {"f1", r.binary.f1},
      {"far_pct", r.binary.far_pct},
      {"mar_pct", r.binary.mar_pct},
      {"precision", r.binary.precision},
      {"recall", r.binary.recall},
      {"tp", r.binary.tp},
      {"fp", r.binary.fp},
      {"tn", r.binary.tn},
      {"fn", r.binary.fn},
      {"auc_roc", num(r.auc_roc)},
      {"auc_pr", num(r.auc_pr)},
      {"seconds", r.seconds},
  };
  if (r.has_changepoints) {
    j["nab"] = {{"standard", r.nab.standard}, {"low_fp", r.nab.low_fp}, {"low_fn", r.nab.low_fn}};
  }
  return j;
}

Status WriteJson(const std::string& path, const nlohmann::json& j) {
  std::ofstream f(path);
  if (!f) return Status::IOError(path + ": cannot open for writing");
  f << j.dump(2) << "\n";
  if (!f) return Status::IOError(path + ": write failed");
  return Status::OK();
}

int RunSkab(const SkabArgs& a) {
  std::vector<std::string> detectors = SplitList(a.detectors);
  if (detectors.empty()) return Fail(Status::InvalidArgument("--detector: empty list"));
  std::vector<FitOptions> options;
  for (const auto& d : detectors) {
    auto o = ToFitOptions(a.fit, d);
    if (!o.ok()) return Fail(o.status());
    options.push_back(*o);
  }
  auto files = ListSkabFiles(a.dir);
  if (!files.ok()) return Fail(files.status());
  SkabOptions skab;
  skab.train_rows = a.train_rows;
  skab.threads = a.threads;
  skab.quantize = a.quantize;
  std::printf(
      "SKAB outlier + changepoint evaluation: %zu files, fit on the first %zu rows of each, scored on the "
      "rest%s\n\n",
      files->size(), a.train_rows,
      a.quantize.empty() ? "" : (", network weights stored as " + a.quantize + " before scoring").c_str());
  std::printf("%-9s %6s %7s %7s %6s %6s %7s %6s %8s %8s %8s %7s\n", "detector", "F1", "FAR%", "MAR%", "prec",
              "recall", "AUC-ROC", "AUC-PR", "NAB", "NAB-lFP", "NAB-lFN", "time_s");
  nlohmann::json out = nlohmann::json::object();
  out["dataset"] = a.dir;
  out["train_rows"] = a.train_rows;
  if (!a.quantize.empty()) out["quantize"] = a.quantize;
  out["detectors"] = nlohmann::json::object();
  for (size_t i = 0; i < detectors.size(); ++i) {
    ProgressBar bar("eval " + detectors[i]);
    auto rep = EvaluateSkab(a.dir, options[i], skab, [&](size_t done, size_t total, const std::string& f) {
      bar.Update(done, total, f);
    });
    bar.Finish();
    if (!rep.ok()) return Fail(rep.status());
    const DetectionReport& r = *rep;
    std::printf("%-9s %6.3f %7.2f %7.2f %6.3f %6.3f %7.3f %6.3f %8.2f %8.2f %8.2f %7.2f\n",
                detectors[i].c_str(), r.binary.f1, r.binary.far_pct, r.binary.mar_pct, r.binary.precision,
                r.binary.recall, r.auc_roc, r.auc_pr, r.nab.standard, r.nab.low_fp, r.nab.low_fn, r.seconds);
    std::fflush(stdout);
    out["detectors"][detectors[i]] = ReportJson(r);
  }
  if (!a.json_path.empty()) {
    if (Status s = WriteJson(a.json_path, out); !s.ok()) return Fail(s);
  }
  return kExitOk;
}

int RunFile(const FileArgs& a) {
  auto model = Model::Load(a.model);
  if (!model.ok()) return Fail(model.status());
  auto csv = ToCsvOptions(a.csv);
  if (!csv.ok()) return Fail(csv.status());
  csv->columns = model->schema().names();
  csv->label_columns = {a.label_column, "changepoint"};
  if (a.label_column == "changepoint") csv->label_columns = {a.label_column};
  auto table = ReadCsvTable(a.input, *csv);
  if (!table.ok()) return Fail(table.status());
  if (!table->has_label[0]) {
    return Fail(
        Status::NotFound(a.input + ":1: no label column '" + a.label_column + "' (use --label-column)"));
  }
  if (a.skip_rows >= table->frames.rows()) {
    return Fail(Status::InvalidArgument("--skip-rows " + std::to_string(a.skip_rows) +
                                        " leaves no rows to evaluate in " + a.input));
  }
  int cp = table->has_label.size() > 1 && table->has_label[1] ? 1 : -1;
  ScoredRun run = ScoreLabelled(*model, *table, a.skip_rows, 0, cp, a.threshold.value_or(-1));
  DetectionReport r = Summarize({run});
  std::printf("file: %s\nrows: %llu\n", a.input.c_str(), static_cast<unsigned long long>(r.rows));
  std::printf(
      "F1: %.4f\nFAR: %.2f %%\nMAR: %.2f %%\nprecision: %.4f\nrecall: %.4f\nAUC-ROC: %.4f\nAUC-PR: %.4f\n",
      r.binary.f1, r.binary.far_pct, r.binary.mar_pct, r.binary.precision, r.binary.recall, r.auc_roc,
      r.auc_pr);
  std::printf("TP %llu FP %llu TN %llu FN %llu\n", static_cast<unsigned long long>(r.binary.tp),
              static_cast<unsigned long long>(r.binary.fp), static_cast<unsigned long long>(r.binary.tn),
              static_cast<unsigned long long>(r.binary.fn));
  if (r.has_changepoints) {
    std::printf("NAB standard: %.2f\nNAB low-FP: %.2f\nNAB low-FN: %.2f\n", r.nab.standard, r.nab.low_fp,
                r.nab.low_fn);
  }
  if (!a.json_path.empty()) {
    nlohmann::json j = ReportJson(r);
    j["file"] = a.input;
    if (Status s = WriteJson(a.json_path, j); !s.ok()) return Fail(s);
  }
  return kExitOk;
}

}  // namespace

void RegisterEval(CLI::App& app, Action* run) {
  CLI::App* eval = app.add_subcommand("eval", "Measure detection quality on labelled data");
  eval->require_subcommand(1);

  auto skab = std::make_shared<SkabArgs>();
  CLI::App* s = eval->add_subcommand("skab", "Reproduce the SKAB benchmark protocol (F1/FAR/MAR, NAB)");
  s->add_option("dir", skab->dir, "SKAB data folder (holding valve1/, valve2/, other/)")->required();
  s->add_option("--detector", skab->detectors, "Comma-separated detectors")->capture_default_str();
  s->add_option("--json", skab->json_path, "Also write the results as JSON to this file");
  s->add_option("--train-rows", skab->train_rows, "Rows at the start of each file used for fitting")
      ->capture_default_str();
  s->add_option("--quantize", skab->quantize,
                "Store each fitted network's weights as fp16 or int8 before scoring, calibrated on the training rows (ae, conv-ae, tf-ae; threshold kept)");
  s->add_option("--threads", skab->threads, "Files evaluated in parallel (0 = one per CPU; results do not change)")
      ->capture_default_str();
  AddFitFlags(s, &skab->fit);
  s->callback([skab, run] { *run = [skab] { return RunSkab(*skab); }; });

  auto file = std::make_shared<FileArgs>();
  CLI::App* f = eval->add_subcommand("file", "Evaluate a model on one labelled CSV");
  f->add_option("--model,-m", file->model, "Model file (.vgm)")->required();
  f->add_option("--input,-i", file->input, "Labelled CSV")->required();
  f->add_option("--label-column", file->label_column, "0/1 label column")->capture_default_str();
  f->add_option("--skip-rows", file->skip_rows,
                "Score but do not count the first N rows (e.g. the training part)");
  f->add_option("--threshold", file->threshold, "Override the learned threshold");
  f->add_option("--json", file->json_path, "Also write the results as JSON to this file");
  AddCsvFlags(f, &file->csv, false);
  f->callback([file, run] { *run = [file] { return RunFile(*file); }; });
}

}  // namespace vigil::cli

// vigil demo: fit on a normal run shipped in data/, replay a faulty run as if live, print
// each alarm as it happens and finish with the detection metrics.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "vigil/cli_common.h"
#include "vigil/evaluate.h"

namespace vigil::cli {
namespace {

struct DemoArgs {
  std::string data_dir;
  std::string detector = "pca";
  double rate = 400;  // rows per second of replay; 0 = as fast as possible
};

std::string FindDataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& dir :
       {std::string(VIGIL_DATA_DIR), std::string("data"), std::string("/usr/local/share/vigil/data"),
        std::string("/usr/share/vigil/data")}) {
    if (fs::exists(fs::path(dir) / "normal.csv", ec)) return dir;
  }
  return VIGIL_DATA_DIR;
}

int RunDemo(const DemoArgs& a) {
  const std::string dir = FindDataDir(a.data_dir);
  const std::string normal_path = dir + "/normal.csv", faulty_path = dir + "/faulty.csv";
  auto options = DefaultFitOptions(a.detector);
  if (!options.ok()) return Fail(options.status());
  CsvOptions csv;
  auto normal = ReadCsvTable(normal_path, csv);
  if (!normal.ok()) return Fail(normal.status());
  auto model = Model::Fit(normal->frames, *options);
  if (!model.ok()) return Fail(model.status());
  std::printf("vigil demo — SKAB water-pump testbed (data/README.md)\n");
  std::printf(
      "1. fitted '%s' on %zu rows of normal operation (%s), %zu sensors; threshold %.3g learned without "
      "labels\n",
      a.detector.c_str(), normal->frames.rows(), normal_path.c_str(), normal->frames.cols(),
      model->threshold().value());

  auto faulty = ReadCsvTable(faulty_path, csv);
  if (!faulty.ok()) return Fail(faulty.status());
  std::string speed =
      a.rate > 0 ? "at " + std::to_string(static_cast<int>(a.rate)) + " rows/s" : "as fast as possible";
  std::printf("2. replaying %s (%zu rows, 1 row = 1 s) %s; alarms as they happen:\n\n", faulty_path.c_str(),
              faulty->frames.rows(), speed.c_str());
  // Warm the stream with the end of the normal run, as a live service would have seen it.
  StreamScorer scorer(*model);
  for (size_t r = 0; r < normal->frames.rows(); ++r) scorer.Step(normal->frames.row(r));

  ScoredRun run;
  const size_t labels = faulty->has_label.size();
  bool in_alarm = false;
  double alarm_start = 0;
  size_t alarms = 0;
  auto tick = std::chrono::steady_clock::now();
  for (size_t r = 0; r < faulty->frames.rows(); ++r) {
    const ScoredFrame& s = scorer.Step(faulty->frames.row(r));
    run.timestamps.push_back(s.timestamp);
    run.scores.push_back(s.score / s.threshold);
    run.alarms.push_back(s.alarm);
    float truth = faulty->has_label[0] ? faulty->labels[r * labels] : 0.0f;
    run.anomaly.push_back(truth > 0 ? 1 : 0);
    float cp = labels > 1 && faulty->has_label[1] ? faulty->labels[r * labels + 1] : 0.0f;
    run.changepoint.push_back(cp > 0 ? 1 : 0);
    if (s.alarm && !in_alarm) {
      ++alarms;
      alarm_start = s.timestamp;
      std::printf("  %s  ALARM  score %7.3f > threshold %.3f   caused by %s\n", faulty->time_text[r].c_str(),
                  s.score, s.threshold, FormatTopChannels(scorer, model->schema()).c_str());
    } else if (!s.alarm && in_alarm) {
      std::printf("  %s  clear  (alarm lasted %.0f s)\n", faulty->time_text[r].c_str(),
                  s.timestamp - alarm_start);
    }
    in_alarm = s.alarm;
    std::fflush(stdout);
    if (a.rate > 0) {
      tick += std::chrono::microseconds(static_cast<int64_t>(1e6 / a.rate));
      std::this_thread::sleep_until(tick);
    }
  }
  DetectionReport rep = Summarize({run});
  std::printf("\n3. %zu alarm(s). Against the labels (the detector never saw them):\n", alarms);
  std::printf("   F1 %.3f   FAR %.1f %%   MAR %.1f %%   precision %.3f   recall %.3f   AUC-ROC %.3f\n",
              rep.binary.f1, rep.binary.far_pct, rep.binary.mar_pct, rep.binary.precision, rep.binary.recall,
              rep.auc_roc);
  if (rep.has_changepoints) {
    std::printf("   NAB changepoint score: standard %.1f, low-FP %.1f, low-FN %.1f\n", rep.nab.standard,
                rep.nab.low_fp, rep.nab.low_fn);
  }
  std::printf("\nNext: vigil eval skab ../shared/data/skab  (the full benchmark), vigil --help\n");
  return kExitOk;
}

}  // namespace

void RegisterDemo(CLI::App& app, Action* run) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd =
      app.add_subcommand("demo", "Fit on a shipped normal run, replay a faulty run live, print alarms");
  cmd->add_option("--data", args->data_dir,
                  "Folder holding normal.csv and faulty.csv (default: the shipped data/)");
  cmd->add_option("--detector", args->detector, "zscore | pca | iforest")->capture_default_str();
  cmd->add_option("--rate", args->rate, "Replay speed in rows per second (0 = as fast as possible)")
      ->capture_default_str();
  cmd->callback([args, run] { *run = [args] { return RunDemo(*args); }; });
}

}  // namespace vigil::cli

// vigil score: stream a CSV through a model, one output row per input row.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct ScoreArgs {
  std::string model, input = "-", output = "-";
  std::optional<double> threshold;
  CsvFlags csv;
  std::string route, calibration;
  size_t calibration_rows = 0;
  RouteFlags route_flags;
};

// Flush every row when a person or a pipe is reading, so results arrive as rows do.
bool IsInteractive(FILE* f) {
  struct stat st {};
  int fd = ::fileno(f);
  return ::isatty(fd) || (::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
}

int RunScore(const ScoreArgs& a) {
  auto model = Model::Load(a.model);
  if (!model.ok()) return Fail(model.status());
  if (a.route == "auto") {
    if (a.calibration.empty()) return Fail(Status::InvalidArgument("--route auto needs --calibration (normal data)"));
    auto calibration = ReadCalibration(*model, a.calibration, a.calibration_rows, a.csv);
    if (!calibration.ok()) return Fail(calibration.status());
    if (Status s = RouteModel(*model, a.route_flags, *calibration); !s.ok()) {
      return Fail(Status::InvalidArgument(a.model + ": " + s.message()));
    }
  } else if (!a.route.empty() && a.route != "stored") {
    return Fail(Status::InvalidArgument("--route: '" + a.route + "' (valid: auto, stored)"));
  }
  auto csv = ToCsvOptions(a.csv);
  if (!csv.ok()) return Fail(csv.status());
  csv->columns = model->schema().names();  // the model's channels, by name, in its order
  auto reader = CsvReader::Open(a.input, *csv);
  if (!reader.ok()) return Fail(reader.status());

  FILE* out = stdout;
  if (a.output != "-") {
    out = std::fopen(a.output.c_str(), "w");
    if (!out) return Fail(Status::IOError(a.output + ": cannot open for writing: " + std::strerror(errno)));
  }
  const bool flush_each = IsInteractive(out);
  StreamScorer scorer(*model);
  if (a.threshold) scorer.SetFixedThreshold(*a.threshold);
  std::fprintf(out, "timestamp,score,threshold,alarm,top_channels\n");
  CsvRow row;
  int rc = kExitOk;
  while (true) {
    auto more = (*reader)->Next(&row);
    if (!more.ok()) {
      rc = Fail(more.status());
      break;
    }
    if (!*more) break;
    const ScoredFrame& s = scorer.Step(FrameView{row.timestamp, row.values});
    std::string ts =
        row.time_text.empty() ? std::to_string(static_cast<uint64_t>(row.timestamp)) : row.time_text;
    std::string top = FormatTopChannels(scorer, model->schema());
    std::fprintf(out, "%s,%.6g,%.6g,%d,%s\n", ts.c_str(), s.score, s.threshold, s.alarm ? 1 : 0, top.c_str());
    if (flush_each) std::fflush(out);
    if (std::ferror(out)) {
      rc = Fail(Status::IOError(a.output + ": write failed"));
      break;
    }
  }
  if (out != stdout && std::fclose(out) != 0 && rc == kExitOk)
    rc = Fail(Status::IOError(a.output + ": close failed"));
  if (out == stdout) std::fflush(stdout);
  return rc;
}

}  // namespace

void RegisterScore(CLI::App& app, Action* run) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd =
      app.add_subcommand("score", "Score a CSV row by row with a model (streaming, constant memory)");
  cmd->add_option("--model,-m", args->model, "Model file (.vgm)")->required();
  cmd->add_option("--input,-i", args->input, "CSV to score ('-' = stdin)")->capture_default_str();
  cmd->add_option("--output,-o", args->output, "Output CSV ('-' = stdout)")->capture_default_str();
  cmd->add_option("--threshold", args->threshold, "Override the learned threshold with a fixed value");
  cmd->add_option("--route", args->route,
                  "auto: choose fp32/fp16/int8 per layer for this machine before scoring (needs --calibration); "
                  "stored (default): run the weights as stored");
  cmd->add_option("--calibration", args->calibration, "Normal-data CSV for --route auto");
  cmd->add_option("--calibration-rows", args->calibration_rows, "Use only the first N calibration rows (0 = all)");
  AddRouteFlags(cmd, &args->route_flags);
  AddCsvFlags(cmd, &args->csv, false);
  cmd->callback([args, run] { *run = [args] { return RunScore(*args); }; });
}

}  // namespace vigil::cli

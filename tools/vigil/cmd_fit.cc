// vigil fit: learn a model from normal data.
#include <cstdio>
#include <iostream>

#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct FitArgs {
  std::string input, output;
  size_t train_rows = 0;
  CsvFlags csv;
  FitFlags fit;
};

int RunFit(const FitArgs& a) {
  auto csv = ToCsvOptions(a.csv);
  if (!csv.ok()) return Fail(csv.status());
  auto options = ToFitOptions(a.fit, a.fit.detector);
  if (!options.ok()) return Fail(options.status());
  auto table = ReadCsvTable(a.input, *csv, a.train_rows);
  if (!table.ok()) return Fail(table.status());
  if (table->frames.rows() == 0) return Fail(Status::DataError(a.input + ": no data rows"));
  // Neural detectors report every epoch: a live bar on a terminal, one summary line after.
  ProgressBar bar("training " + a.fit.detector);
  TrainingProgress last;
  options->detector_options.progress = [&](const TrainingProgress& p) {
    last = p;
    char note[128];
    std::snprintf(note, sizeof(note), "epoch %d/%d loss %.4g val %.4g", p.epoch, p.max_epochs, p.train_loss,
                  p.validation_loss);
    bar.Update(static_cast<size_t>(p.epoch), static_cast<size_t>(p.max_epochs), note);
  };
  auto model = Model::Fit(table->frames, *options);
  bar.Finish();
  if (last.epoch > 0) {
    std::fprintf(stderr, "vigil: trained %d epochs in %.2f s (training loss %.4g, validation loss %.4g)\n",
                 last.epoch, last.elapsed_seconds, last.train_loss, last.validation_loss);
  }
  if (!model.ok()) return Fail(Status::InvalidArgument(a.input + ": " + model.status().message()));
  if (Status s = model->Save(a.output); !s.ok()) return Fail(s);
  std::cerr << "vigil: fitted " << a.fit.detector << " on " << table->frames.rows() << " rows x "
            << table->frames.cols() << " channels; threshold " << model->threshold().value() << "; wrote "
            << a.output << "\n";
  return kExitOk;
}

}  // namespace

void RegisterFit(CLI::App& app, Action* run) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* cmd = app.add_subcommand("fit", "Fit a detector on normal data and write a model file");
  cmd->add_option("--detector", args->fit.detector, "zscore | pca | iforest | ae | conv-ae | tf-ae")->capture_default_str();
  cmd->add_option("--input,-i", args->input, "Normal data CSV ('-' = stdin)")->required();
  cmd->add_option("--output,-o", args->output, "Model file to write (.vgm)")->required();
  cmd->add_option("--train-rows", args->train_rows, "Use only the first N rows (0 = all)");
  AddCsvFlags(cmd, &args->csv, true);
  AddFitFlags(cmd, &args->fit);
  cmd->callback([args, run] { *run = [args] { return RunFit(*args); }; });
}

}  // namespace vigil::cli

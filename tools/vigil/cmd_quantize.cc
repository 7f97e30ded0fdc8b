// vigil quantize: re-store a model's network weights at a lower precision.
#include <iostream>

#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct QuantizeArgs {
  std::string input, output, to, calibration;
  size_t calibration_rows = 0;
  CsvFlags csv;
};

int RunQuantize(const QuantizeArgs& a) {
  auto model = Model::Load(a.input);
  if (!model.ok()) return Fail(model.status());
  std::optional<FrameTable> calibration;
  if (!a.calibration.empty()) {
    auto csv = ToCsvOptions(a.csv);
    if (!csv.ok()) return Fail(csv.status());
    csv->columns = model->schema().names();  // the model's channels, by name, in its order
    auto table = ReadCsvTable(a.calibration, *csv, a.calibration_rows);
    if (!table.ok()) return Fail(table.status());
    if (table->frames.rows() == 0) return Fail(Status::DataError(a.calibration + ": no data rows"));
    calibration = std::move(table->frames);
  }
  if (Status s = model->Quantize(a.to, calibration ? &*calibration : nullptr); !s.ok()) {
    return Fail(Status::InvalidArgument(a.input + ": " + s.message()));
  }
  if (Status s = model->Save(a.output); !s.ok()) return Fail(s);
  std::cerr << "vigil: stored " << model->detector().name() << " weights as " << model->detector().WeightType()
            << " (" << model->detector().ParameterBytes() << " parameter bytes)"
            << (calibration ? "; error measured on " + std::to_string(calibration->rows()) + " calibration frames"
                            : std::string("; no calibration data, error not measured"))
            << "; wrote " << a.output << "\n";
  return kExitOk;
}

}  // namespace

void RegisterQuantize(CLI::App& app, Action* run) {
  auto args = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand("quantize", "Store a neural model's weights at a lower precision (fp16, int8)");
  cmd->add_option("model", args->input, "Model file to read (.vgm)")->required();
  cmd->add_option("--to", args->to, "Weight type: fp16, int8 (needs --calibration), or fp32 (unchanged)")->required();
  cmd->add_option("--output,-o", args->output, "Model file to write (.vgm)")->required();
  cmd->add_option("--calibration", args->calibration,
                  "Normal-data CSV: int8 activation ranges are chosen on it, and the error the conversion adds is measured on it");
  cmd->add_option("--calibration-rows", args->calibration_rows, "Use only the first N calibration rows (0 = all)");
  AddCsvFlags(cmd, &args->csv, false);
  cmd->callback([args, run] { *run = [args] { return RunQuantize(*args); }; });
}

}  // namespace vigil::cli

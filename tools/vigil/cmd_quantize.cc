// vigil quantize: re-store a model's network weights at a lower precision.
#include <iostream>

#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct QuantizeArgs {
  std::string input, output, to, calibration;
  size_t calibration_rows = 0;
  CsvFlags csv;
  RouteFlags route;
};

int RunQuantize(const QuantizeArgs& a) {
  auto model = Model::Load(a.input);
  if (!model.ok()) return Fail(model.status());
  std::optional<FrameTable> calibration;
  if (!a.calibration.empty()) {
    auto table = ReadCalibration(*model, a.calibration, a.calibration_rows, a.csv);
    if (!table.ok()) return Fail(table.status());
    calibration = std::move(*table);
  }
  if (a.to == "auto") {
    if (!calibration) return Fail(Status::InvalidArgument("--to auto needs --calibration (normal data)"));
    if (Status s = RouteModel(*model, a.route, *calibration); !s.ok()) {
      return Fail(Status::InvalidArgument(a.input + ": " + s.message()));
    }
  } else if (Status s = model->Quantize(a.to, calibration ? &*calibration : nullptr); !s.ok()) {
    return Fail(Status::InvalidArgument(a.input + ": " + s.message()));
  }
  if (Status s = model->Save(a.output); !s.ok()) return Fail(s);
  std::cerr << "vigil: stored " << model->detector().name() << " weights as "
            << (a.to == "auto" ? "routed per layer (lowest " + std::string(model->detector().WeightType()) + ")"
                               : std::string(model->detector().WeightType()))
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
  cmd->add_option("--to", args->to,
                  "Weight type: fp16, int8 (needs --calibration), fp32 (unchanged), or auto (a type per layer chosen "
                  "for this machine under --accuracy-budget; needs --calibration)")
      ->required();
  cmd->add_option("--output,-o", args->output, "Model file to write (.vgm)")->required();
  cmd->add_option("--calibration", args->calibration,
                  "Normal-data CSV: int8 activation ranges are chosen on it, and the error the conversion adds is measured on it");
  cmd->add_option("--calibration-rows", args->calibration_rows, "Use only the first N calibration rows (0 = all)");
  AddCsvFlags(cmd, &args->csv, false);
  AddRouteFlags(cmd, &args->route);
  cmd->callback([args, run] { *run = [args] { return RunQuantize(*args); }; });
}

}  // namespace vigil::cli

// vigil export: a fitted model's scoring path in another runtime's format.
#include <cstdio>
#include <fstream>

#include "export/onnx_export.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct ExportArgs {
  std::string model;
  std::string format = "onnx";
  std::string output;
};

int RunExport(const ExportArgs& a) {
  if (a.format != "onnx") {
    return Fail(Status::InvalidArgument("--format '" + a.format + "' is not supported (onnx)"));
  }
  auto model = Model::Load(a.model);
  if (!model.ok()) return Fail(model.status());
  auto bytes = exporter::ExportOnnx(*model);
  if (!bytes.ok()) return Fail(Status::InvalidArgument(a.model + ": " + bytes.status().message()));
  std::ofstream out(a.output, std::ios::binary);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  out.close();
  if (!out) return Fail(Status::IOError(a.output + ": cannot write"));
  std::fprintf(stderr, "vigil: wrote %s (%zu bytes, ONNX opset 13: input [N, features] -> score [N], channel_error)\n",
               a.output.c_str(), bytes->size());
  return kExitOk;
}

}  // namespace

void RegisterExport(CLI::App& app, Action* run) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Write a neural model's scoring path as ONNX");
  cmd->add_option("model", args->model, "Model file (.vgm)")->required();
  cmd->add_option("--format", args->format, "onnx")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Output file")->required();
  cmd->callback([args, run] { *run = [args] { return RunExport(*args); }; });
}

}  // namespace vigil::cli

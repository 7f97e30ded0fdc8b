// vigil inspect: what a model file holds.
#include <iostream>

#include "detect/window_features.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

int RunInspect(const std::string& path) {
  auto model = Model::Load(path);
  if (!model.ok()) return Fail(model.status());
  std::cout << "model: " << path << "\n";
  model->Describe(std::cout);
  std::vector<std::string> features = model->FeatureNames();
  if (model->window() > 1 && model->window_stats() == detect::kFeatLags) {  // say it, do not list W×C names
    std::cout << "feature_names: <channel>.lag" << model->window() - 1 << " ... <channel>.lag0 (" << features.size()
              << " values, oldest frame first)\n";
  } else if (features.size() != model->schema().size()) {
    std::cout << "feature_names:";
    for (const auto& f : features) std::cout << " " << f;
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterInspect(CLI::App& app, Action* run) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("inspect", "Describe a model file (detector, channels, scaling, threshold, sizes)");
  cmd->add_option("model", *path, "Model file (.vgm)")->required();
  cmd->callback([path, run] { *run = [path] { return RunInspect(*path); }; });
}

}  // namespace vigil::cli

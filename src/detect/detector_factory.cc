#include <string>
#include <vector>

#include "detect/autoencoder_detector.h"
#include "detect/iforest_detector.h"
#include "detect/pca_detector.h"
#include "detect/zscore_detector.h"
#include "vigil/detector.h"

namespace vigil {

Status Detector::QuantizeRouted(const RouteRequest& /*request*/, const float* /*calibration*/, size_t /*rows*/,
                                std::string* /*report*/) {
  return Status::InvalidArgument("detector " + std::string(name()) +
                                 " has no network weights to route (only ae, conv-ae and tf-ae do)");
}

Status Detector::Quantize(std::string_view type, const float* /*calibration*/, size_t /*rows*/) {
  if (type == "fp32" || type == "f32") return Status::OK();
  return Status::InvalidArgument("detector " + std::string(name()) +
                                 " has no network weights to quantize (only ae, conv-ae and tf-ae do)");
}

const std::vector<std::string>& DetectorNames() {
  static const std::vector<std::string> kNames = {"zscore", "pca", "iforest", "ae", "conv-ae", "tf-ae"};
  return kNames;
}

Result<std::unique_ptr<Detector>> MakeDetector(DetectorKind kind, const DetectorOptions& options) {
  switch (kind) {
    case DetectorKind::kZScore:
      return detect::NewZScoreDetector(options);
    case DetectorKind::kPca:
      return detect::NewPcaDetector(options);
    case DetectorKind::kIForest:
      return detect::NewIForestDetector(options);
    case DetectorKind::kAutoencoder:
    case DetectorKind::kConvAutoencoder:
    case DetectorKind::kTransformerAutoencoder:
      return detect::NewAutoencoderDetector(kind, options);
  }
  return Status::Corruption("unknown detector kind " + std::to_string(static_cast<uint32_t>(kind)));
}

Result<std::unique_ptr<Detector>> MakeDetector(std::string_view name, const DetectorOptions& options) {
  if (name == "zscore") return MakeDetector(DetectorKind::kZScore, options);
  if (name == "pca") return MakeDetector(DetectorKind::kPca, options);
  if (name == "iforest") return MakeDetector(DetectorKind::kIForest, options);
  if (name == "ae") return MakeDetector(DetectorKind::kAutoencoder, options);
  if (name == "conv-ae") return MakeDetector(DetectorKind::kConvAutoencoder, options);
  if (name == "tf-ae") return MakeDetector(DetectorKind::kTransformerAutoencoder, options);
  std::string valid;
  for (const auto& n : DetectorNames()) {
    if (!valid.empty()) valid += ", ";
    valid += n;
  }
  return Status::NotFound("unknown detector '" + std::string(name) + "' (valid: " + valid + ")");
}

}  // namespace vigil

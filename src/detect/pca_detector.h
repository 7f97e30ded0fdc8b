#pragma once

#include <memory>

#include "vigil/detector.h"

namespace vigil::detect {

// Validates options (InvalidArgument naming the field) and returns an unfitted detector.
Result<std::unique_ptr<Detector>> NewPcaDetector(const DetectorOptions& options);

}  // namespace vigil::detect

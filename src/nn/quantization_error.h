// How much a lower-precision copy of a network changes each layer's output, measured on data.
//
//   VIGIL_ASSIGN_OR_RETURN(std::vector<double> change,
//                          nn::LayerOutputChange(f32_net, f16_net, calibration_rows, n));
//   // change[k]: relative RMS difference of the outputs after layer k, both nets fed the same
//   // input (errors of earlier layers included, as in real inference)
//
// Relative RMS = sqrt(Σ (changed − reference)² / Σ reference²) over every output value of every
// row (0 when both are all zero). The nets must have the same layers and input shape
// (InvalidArgument otherwise). Allocates its own graphs; thread-safe for distinct arguments.
#pragma once

#include <cstddef>
#include <vector>

#include "nn/packed_net.h"
#include "vigil/status.h"

namespace vigil::nn {

Result<std::vector<double>> LayerOutputChange(const PackedNet& reference, const PackedNet& changed, const float* x,
                                              size_t rows);

}  // namespace vigil::nn

// Input quantization of every layer of a network, chosen on calibration data (normal rows).
//
//   VIGIL_ASSIGN_OR_RETURN(std::vector<kernels::QuantParams> q,
//                          nn::CalibrateLayerInputs(f32_net, rows_data, rows));
//   VIGIL_ASSIGN_OR_RETURN(nn::PackedNet int8, f32_net.ConvertWeights(nn::WeightType::kInt8, q));
//
// Layer k's input is the network input (k = 0) or the FP32 output of layers 0..k−1 on the
// calibration rows. Its uint8 range is picked among candidate clips — the full [min, max] and
// the two-sided 99.99 % and 99.9 % quantiles — as the one whose quantize → dequantize round trip
// has the smallest mean squared error over those values (a clip trades resolution for the rare
// outliers it saturates). Every range includes 0 (kernels::ChooseQuantParams), so zero padding
// and ReLU outputs are exact. InvalidArgument when rows is 0. Allocates its own graphs.
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/dense_int8.h"
#include "nn/packed_net.h"
#include "vigil/status.h"

namespace vigil::nn {

Result<std::vector<kernels::QuantParams>> CalibrateLayerInputs(const PackedNet& net, const float* x, size_t rows);

// The range choice alone, over one tensor's values (exposed for tests). values is reordered.
kernels::QuantParams ChooseClippedQuantParams(std::vector<float>& values);

}  // namespace vigil::nn

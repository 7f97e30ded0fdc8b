// ONNX export of a fitted neural model's scoring path (ONNX opset 13, libonnx-dev's onnx.proto):
//
//   VIGIL_ASSIGN_OR_RETURN(std::string bytes, exporter::ExportOnnx(model));   // a ModelProto
//
// Graph: input `input` [N, features] (the detector's input rows: `frames` consecutive frames ×
// channels, frame-major, as vigil's window features produce them) → standardization (Sub mean,
// Mul 1/sd, per channel) → the network (Dense as Gemm; Conv1D as Conv on [N, channels, length];
// Upsample1D as Resize nearest; a transformer block as MatMul / Softmax / layer norms composed
// of ReduceMean, Sqrt and Div) → squared error against the standardized input → outputs
// `score` [N] (the mean over all features, vigil's detector score) and `channel_error` [N,
// channels] (the mean per channel). Metadata: the detector, the channel names in order, the
// frames per row and the threshold the model learned (vigil applies it after its score
// smoothing, outside this graph).
//
// FP16 weights are stored as FLOAT16 initializers behind a Cast to float (vigil widens them the
// same way). InvalidArgument for detectors without a network (pca, zscore, iforest) and for INT8
// weights (QDQ export is not implemented yet).
#pragma once

#include <string>

#include "vigil/model.h"
#include "vigil/status.h"

namespace vigil::exporter {

Result<std::string> ExportOnnx(const Model& model);

}  // namespace vigil::exporter

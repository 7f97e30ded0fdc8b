// The "ae" (dense) and "conv-ae" (1-D convolutional) autoencoder detectors.
//
// Fit standardizes each channel (mean / standard deviation over the training rows), trains
// the network of detect/autoencoder_arch.h to reconstruct the standardized rows (Adam, MSE,
// early stopping on the last rows), and runs it on the runtime's packed kernels. Score =
// mean squared reconstruction error of the row in standardized units; contributions = each
// input feature's share of that error (the model sums them per channel).
//
// Thread-safety: Score is const and may be called from several threads; calls are
// serialized on one planned graph (batch 1 for single rows, a batch graph for bulk scoring)
// and scratch buffers allocated at Fit/Load, so Score never allocates.
#pragma once

#include <memory>

#include "nn/graph.h"
#include "nn/packed_net.h"
#include "vigil/detector.h"

namespace vigil::detect {

// kind is kAutoencoder or kConvAutoencoder. InvalidArgument naming the option for bad
// architecture or training options.
Result<std::unique_ptr<Detector>> NewAutoencoderDetector(DetectorKind kind, const DetectorOptions& options);

// The network of a fitted or loaded autoencoder detector, or nullptr for other detectors
// (vigil bench uses it to build and time graphs of its own).
const nn::PackedNet* AutoencoderNetwork(const Detector& detector);

// The standardization in front of that network: frames per row, channels, and per channel the
// mean and 1 / standard deviation (an input value v of channel c enters as (v − mean) · inv).
// False for other detectors.
struct AutoencoderScaling {
  size_t frames = 0, channels = 0;
  std::vector<float> mean, inv_scale;
};
bool GetAutoencoderScaling(const Detector& detector, AutoencoderScaling* out);

}  // namespace vigil::detect

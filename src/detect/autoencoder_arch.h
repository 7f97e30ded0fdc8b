// The network shapes behind the "ae" and "conv-ae" detectors, from DetectorOptions.
//
//   VIGIL_ASSIGN_OR_RETURN(nn::train::NetSpec spec,
//                          detect::AutoencoderSpec(DetectorKind::kConvAutoencoder, options, frames, channels));
//
// ae: input [frames·channels] → Dense(h1) … Dense(hk) → Dense(hk−1) … Dense(h1) → Dense(input),
//     ReLU everywhere but the linear output (MLPerf Tiny's anomaly-detection autoencoder when
//     hidden = 128,128,128,128,8 on 640 inputs).
// conv-ae: input [frames, channels] → per encoder width c: Conv1D(c, k, stride 2, pad k/2, ReLU);
//     decoder per width in reverse (the last one being the input channels): Upsample×2 →
//     Conv1D(c, k, stride 1, pad k/2), ReLU except the linear output.
// tf-ae: input [frames, channels] → per-frame linear embedding to tf_dim (Conv1D, kernel 1) →
//     tf_blocks pre-norm transformer encoder blocks (tf_heads heads, MLP tf_hidden, no positional
//     encoding: each frame is rebuilt from itself and its context) → per-frame linear back to the
//     channels.
#pragma once

#include <cstdint>

#include "nn/train/net.h"
#include "vigil/detector.h"
#include "vigil/status.h"

namespace vigil::detect {

// InvalidArgument naming the option: empty or zero widths, an even or zero kernel, more than
// 16 layers, or (conv-ae) frames not a multiple of 2^layers or shorter than the kernel needs.
Result<nn::train::NetSpec> AutoencoderSpec(DetectorKind kind, const DetectorOptions& options, int64_t frames,
                                           int64_t channels);

}  // namespace vigil::detect

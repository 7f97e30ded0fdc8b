// Trains a sequential network (net.h) as an autoencoder — the output reconstructs the input —
// with Adam on mean squared error. train::Train (trainer.h) is this loop for MLPs.
//
//   train::NetSpec spec = ...;   // output shape must equal input_shape
//   train::TrainOptions opt{.epochs = 60, .batch_size = 32, .seed = 7, .patience = 10};
//   VIGIL_ASSIGN_OR_RETURN(train::NetTrainResult r, train::TrainNet(spec, samples, rows, opt));
//
// data holds `rows` samples of ShapeElements(spec.input_shape) floats in time order. The LAST
// validation_fraction of them is held out (never shuffled into training); early stopping
// watches the validation loss (the training loss when nothing is held out) and the weights of
// the best epoch are returned. Same spec, data, options and seed → bit-identical weights on
// re-run (single thread, fixed loop orders, own PRNG for init and shuffling), and across
// machines whose GEMM target rounds multiply-adds alike (gemm.h: every AVX2 / AVX-512 CPU).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nn/train/net.h"
#include "nn/train/trainer.h"
#include "vigil/status.h"

namespace vigil::nn::train {

struct NetTrainResult {
  NetParams params;  // from best_epoch
  std::vector<EpochStats> history;
  int best_epoch = 0;
  bool stopped_early = false;
};

// InvalidArgument naming the field for a bad spec (ValidateNetSpec), an output shape that
// differs from the input shape, data.size() != rows × sample elements, epochs < 1,
// batch_size < 1, a bad learning_rate, validation_fraction outside [0, 1) or leaving no
// validation or no training row, patience < 0. DataError naming row and column for a
// non-finite value, or when the loss is not finite after the first epoch (diverged).
Result<NetTrainResult> TrainNet(const NetSpec& spec, std::span<const float> data, int64_t rows,
                                const TrainOptions& options);

}  // namespace vigil::nn::train

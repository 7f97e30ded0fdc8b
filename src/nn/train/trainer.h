// Trains an MLP autoencoder (output reconstructs input) with Adam on mean squared error.
//
//   train::MlpSpec spec{.input_dim = 8, .hidden = {16, 2, 16}, .output_dim = 8};
//   train::TrainOptions opt{.epochs = 100, .batch_size = 32, .seed = 7, .patience = 10};
//   opt.progress = [](int epoch, double train, double val, double s) { ... };
//   VIGIL_ASSIGN_OR_RETURN(train::TrainResult r, train::Train(spec, rows_x_dim, rows, dim, opt));
//   // r.params are the weights of the best epoch; r.history has one entry per epoch run.
//
// Data is row-major rows × dim in time order. The LAST validation_fraction of the rows is held
// out (never shuffled into training) so validation measures generalisation to later data, as
// the detector will face. Early stopping watches the validation loss (the training loss when
// nothing is held out) and returns the weights of the best epoch.
//
// Deterministic: the same spec, data, options and seed give bit-identical weights on re-run
// (single thread, fixed loop orders, own PRNG for init and shuffling).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "nn/train/mlp.h"
#include "vigil/status.h"

namespace vigil::nn::train {

struct EpochStats {
  int epoch = 0;                 // from 1
  double train_loss = 0.0;       // mean of the epoch's mini-batch losses, weighted by rows
  double validation_loss = 0.0;  // after the epoch's updates; NaN when nothing is held out
  double seconds = 0.0;          // wall time of this epoch
};

struct TrainOptions {
  int epochs = 50;  // upper bound; early stopping may end sooner
  int64_t batch_size = 32;
  float learning_rate = 1e-3f;
  uint64_t seed = 1;                 // weight init and shuffling
  double validation_fraction = 0.1;  // in [0, 1); the last rows
  int patience = 5;                  // epochs without improvement before stopping; 0 = run every epoch
  // Called after every epoch on the training thread; may be empty.
  std::function<void(int epoch, double train_loss, double validation_loss, double seconds)> progress{};
};

struct TrainResult {
  MlpParams params;  // from best_epoch
  std::vector<EpochStats> history;
  int best_epoch = 0;
  bool stopped_early = false;
};

// InvalidArgument naming the field for a bad spec (ValidateMlpSpec), input_dim or output_dim
// differing from dim, data.size() != rows · dim, epochs < 1, batch_size < 1, a bad
// learning_rate, validation_fraction outside [0, 1), a fraction that leaves no validation row
// or no training row, or patience < 0. DataError naming row and column for a non-finite value,
// or when the loss is not finite after the first epoch (diverged: lower the learning rate). A
// later non-finite loss never counts as an improvement, so the best earlier weights come back.
Result<TrainResult> Train(const MlpSpec& spec, std::span<const float> data, int64_t rows, int64_t dim,
                          const TrainOptions& options);

}  // namespace vigil::nn::train

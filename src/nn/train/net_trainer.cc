#include "nn/train/net_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "nn/train/adam.h"
#include "nn/train/net_backprop.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {

namespace {

// Separates the shuffling stream from the init stream drawn from the same seed.
constexpr uint64_t kShuffleStream = 0x6a09e667f3bcc909ULL;

Status ValidateInputs(const NetSpec& spec, std::span<const float> data, int64_t rows, int64_t dim,
                      const TrainOptions& options) {
  VIGIL_RETURN_IF_ERROR(ValidateNetSpec(spec));
  std::vector<int64_t> shape = spec.input_shape;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(shape, LayerOutputShape(spec.layers[i], shape, i));
  }
  if (ShapeElements(shape) != dim) {
    return Status::InvalidArgument("autoencoder output has " + std::to_string(ShapeElements(shape)) +
                                   " values per sample, the input " + std::to_string(dim));
  }
  if (rows < 1) return Status::InvalidArgument("rows = " + std::to_string(rows) + " must be >= 1");
  // Division instead of rows · dim so absurd rows cannot overflow.
  if (data.size() % static_cast<size_t>(dim) != 0 ||
      data.size() / static_cast<size_t>(dim) != static_cast<size_t>(rows)) {
    return Status::InvalidArgument("data has " + std::to_string(data.size()) +
                                   " values, expected rows × dim = " + std::to_string(rows) + " × " +
                                   std::to_string(dim));
  }
  if (options.epochs < 1)
    return Status::InvalidArgument("epochs = " + std::to_string(options.epochs) + " must be >= 1");
  if (options.batch_size < 1) {
    return Status::InvalidArgument("batch_size = " + std::to_string(options.batch_size) + " must be >= 1");
  }
  VIGIL_RETURN_IF_ERROR(ValidateAdamOptions({.learning_rate = options.learning_rate}));
  if (!(options.validation_fraction >= 0.0 && options.validation_fraction < 1.0)) {
    return Status::InvalidArgument("validation_fraction = " + std::to_string(options.validation_fraction) +
                                   " must be in [0, 1)");
  }
  if (options.patience < 0) {
    return Status::InvalidArgument("patience = " + std::to_string(options.patience) + " must be >= 0");
  }
  for (size_t k = 0; k < data.size(); ++k) {
    if (!std::isfinite(data[k])) {
      return Status::DataError("training data row " + std::to_string(k / static_cast<size_t>(dim)) +
                               " column " + std::to_string(k % static_cast<size_t>(dim)) + " is " +
                               std::to_string(data[k]) + "; every value must be finite");
    }
  }
  return Status::OK();
}

// Mean loss over rows [begin, end), in chunks so the workspace stays batch-sized.
double SliceLoss(const NetParams& params, const float* data, int64_t begin, int64_t end, int64_t dim,
                 int64_t chunk, NetWorkspace* ws) {
  double weighted = 0.0;
  for (int64_t r = begin; r < end; r += chunk) {
    const int64_t n = std::min(chunk, end - r);
    const float* x = data + r * dim;
    weighted += NetMseLoss(params, x, x, static_cast<size_t>(n), ws) * static_cast<double>(n);
  }
  return weighted / static_cast<double>(end - begin);
}

}  // namespace

Result<NetTrainResult> TrainNet(const NetSpec& spec, std::span<const float> data, int64_t rows,
                                const TrainOptions& options) {
  VIGIL_RETURN_IF_ERROR(ValidateNetSpec(spec));
  const int64_t dim = ShapeElements(spec.input_shape);
  VIGIL_RETURN_IF_ERROR(ValidateInputs(spec, data, rows, dim, options));
  const auto validation_rows =
      static_cast<int64_t>(std::floor(static_cast<double>(rows) * options.validation_fraction));
  const int64_t train_rows = rows - validation_rows;
  if (options.validation_fraction > 0.0 && validation_rows == 0) {
    return Status::InvalidArgument("validation_fraction = " + std::to_string(options.validation_fraction) +
                                   " of " + std::to_string(rows) +
                                   " rows holds out no row; use 0 or more rows");
  }
  if (train_rows < 1) {
    return Status::InvalidArgument("validation_fraction = " + std::to_string(options.validation_fraction) +
                                   " leaves no training row of " + std::to_string(rows));
  }

  VIGIL_ASSIGN_OR_RETURN(NetParams params, InitNet(spec, options.seed));
  // Adam sees the tensors that have weights, in layer order: weights then bias.
  std::vector<size_t> sizes;
  std::vector<std::vector<float>*> tensors;
  std::vector<size_t> trained_layers;
  for (size_t l = 0; l < params.layers.size(); ++l) {
    if (params.layers[l].weights.empty()) continue;
    trained_layers.push_back(l);
    tensors.push_back(&params.layers[l].weights);
    tensors.push_back(&params.layers[l].bias);
    sizes.push_back(params.layers[l].weights.size());
    sizes.push_back(params.layers[l].bias.size());
  }
  Adam adam(sizes, {.learning_rate = options.learning_rate});
  std::vector<const std::vector<float>*> grad_tensors;
  Prng shuffle_rng(options.seed ^ kShuffleStream);
  NetWorkspace ws;
  NetGradients grads;
  const int64_t batch = std::min(options.batch_size, train_rows);
  std::vector<float> batch_rows(static_cast<size_t>(batch * dim));
  std::vector<int64_t> order(static_cast<size_t>(train_rows));
  std::iota(order.begin(), order.end(), int64_t{0});

  NetTrainResult result;
  result.params = params;
  double best_loss = std::numeric_limits<double>::infinity();
  int epochs_without_improvement = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    // Fisher–Yates with the own generator keeps the order identical across platforms.
    for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[shuffle_rng.NextBelow(k)]);

    double weighted_loss = 0.0;
    for (int64_t first = 0; first < train_rows; first += batch) {
      const int64_t n = std::min(batch, train_rows - first);
      for (int64_t b = 0; b < n; ++b) {
        const float* row = data.data() + order[static_cast<size_t>(first + b)] * dim;
        std::copy(row, row + dim, batch_rows.begin() + b * dim);
      }
      const double loss = NetMseLossAndGradients(params, batch_rows.data(), batch_rows.data(),
                                                 static_cast<size_t>(n), &ws, &grads);
      weighted_loss += loss * static_cast<double>(n);
      grad_tensors.clear();
      for (size_t l : trained_layers) {
        grad_tensors.push_back(&grads.weights[l]);
        grad_tensors.push_back(&grads.bias[l]);
      }
      adam.Step(grad_tensors, tensors);
    }

    EpochStats stats;
    stats.epoch = epoch;
    stats.train_loss = weighted_loss / static_cast<double>(train_rows);
    stats.validation_loss = validation_rows > 0
                                ? SliceLoss(params, data.data(), train_rows, rows, dim, batch, &ws)
                                : std::numeric_limits<double>::quiet_NaN();
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.history.push_back(stats);
    if (options.progress) options.progress(epoch, stats.train_loss, stats.validation_loss, stats.seconds);

    const double monitored = validation_rows > 0 ? stats.validation_loss : stats.train_loss;
    if (!std::isfinite(monitored) && result.best_epoch == 0) {
      return Status::DataError("training diverged: loss is " + std::to_string(monitored) + " after epoch " +
                               std::to_string(epoch) + "; lower learning_rate (" +
                               std::to_string(options.learning_rate) + ") or scale the data");
    }
    if (monitored < best_loss) {
      best_loss = monitored;
      result.best_epoch = epoch;
      result.params = params;
      epochs_without_improvement = 0;
    } else if (options.patience > 0 && ++epochs_without_improvement >= options.patience) {
      result.stopped_early = epoch < options.epochs;
      break;
    }
  }
  return result;
}

}  // namespace vigil::nn::train

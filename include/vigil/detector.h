// vigil/detector.h — detectors learn "normal" from normal data and score departures.
//
//   auto det = vigil::MakeDetector("pca", {});
//   VIGIL_RETURN_IF_ERROR((*det)->Fit(train.data(), rows, dim));
//   std::vector<float> scores(n), contrib(n * dim);
//   (*det)->Score(x, n, scores.data(), contrib.data());   // contrib may be nullptr
//
// Contract
// - Inputs are row-major float matrices, rows × dim, with no NaN/Inf (the CSV reader's
//   missing-value policy guarantees that).
// - Fit() validates and returns InvalidArgument for too few rows or bad options.
// - Score() is const, thread-safe after Fit()/Load(), never allocates on the heap, never
//   fails. A larger score means more anomalous. contrib[i*dim + j] >= 0 is channel j's
//   share of row i's score (shares of one row sum to 1 when the score is > 0).
// - Save()/Load() round-trip bit-exactly; Load() reports Corruption for bad payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil {
namespace core {
class ByteWriter;
class ByteReader;
}  // namespace core

// Serialized in model files: values are fixed forever, append only.
enum class DetectorKind : uint32_t {
  kZScore = 1,
  kPca = 2,
  kIForest = 3,
  kAutoencoder = 4,      // "ae": dense autoencoder
  kConvAutoencoder = 5,  // "conv-ae": 1-D convolutional autoencoder
  kTransformerAutoencoder = 6,  // "tf-ae": transformer-encoder autoencoder over windows
};

// Reported after every training epoch of a neural detector (for progress bars).
struct TrainingProgress {
  int epoch = 0;       // from 1
  int max_epochs = 0;  // upper bound: early stopping may end sooner
  double train_loss = 0.0;
  double validation_loss = 0.0;  // NaN when nothing is held out
  double elapsed_seconds = 0.0;  // since training started
};

// Options shared by all detectors; each uses the ones that apply to it.
// What Detector::QuantizeRouted optimizes (see src/nn/layer_route.h for the cost model).
struct RouteRequest {
  double accuracy_budget = 0.01;   // largest relative RMS change of the network output vs FP32
  std::string objective = "latency";  // or "energy" (modelled joules)
  int64_t batch = 1;               // the batch the layers are timed at
  double active_watts = 0;         // energy model; 0: the documented default
  double joules_per_byte = 0;      // energy model; 0: the documented default
};

struct DetectorOptions {
  uint64_t seed = 42;
  // zscore: how per-channel |z| values are combined ("max" or "rms").
  std::string zscore_combine = "rms";
  // pca: fraction of variance the kept components explain.
  double pca_explained_variance = 0.85;
  // pca: how T² and Q (each divided by its training mean) are combined ("sum" or "max").
  std::string pca_combine = "sum";
  // pca: T² and Q normalisers from K-fold out-of-fold statistics (0 = in-sample means).
  uint32_t pca_normaliser_folds = 0;
  // iforest
  uint32_t iforest_trees = 100;
  uint32_t iforest_subsample = 256;
  // ae / conv-ae: autoencoders over windows of the standardized channels. Each input row is
  // `nn_frames` consecutive frames × channels, frame-major (Model::Fit sets nn_frames to the
  // window when the window features are "lags"; 1 = one frame per row).
  uint32_t nn_frames = 1;
  // ae: encoder widths, bottleneck last; the decoder mirrors them back to the input width.
  // {128,128,128,128,8} on 80 frames × 8 channels is the MLPerf Tiny anomaly-detection network.
  std::vector<uint32_t> ae_hidden = {64, 16};
  // conv-ae: encoder channels; each encoder Conv1D halves the length (stride 2), the decoder
  // mirrors them with ×2 upsampling + Conv1D, so nn_frames must be a multiple of 2^layers.
  std::vector<uint32_t> conv_channels = {32, 16};
  uint32_t conv_kernel = 7;  // odd, "same" padding
  // tf-ae: per-frame linear embedding to tf_dim, tf_blocks pre-norm encoder blocks (tf_heads
  // attention heads, an MLP of tf_hidden), per-frame linear projection back to the channels.
  uint32_t tf_dim = 32;
  uint32_t tf_heads = 4;
  uint32_t tf_blocks = 1;
  uint32_t tf_hidden = 64;
  // Training (Adam on mean squared reconstruction error, early stopping on the last
  // nn_validation_fraction of the training rows, best epoch kept).
  uint32_t nn_epochs = 60;
  uint32_t nn_batch_size = 32;
  double nn_learning_rate = 1e-3;
  uint32_t nn_patience = 10;  // 0 = run every epoch
  double nn_validation_fraction = 0.1;
  // Called on the fitting thread after each epoch; may be empty.
  std::function<void(const TrainingProgress&)> progress{};
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual DetectorKind kind() const = 0;
  virtual std::string_view name() const = 0;
  // Input dimension, known after Fit()/Load().
  virtual size_t dim() const = 0;

  virtual Status Fit(const float* x, size_t rows, size_t dim) = 0;
  virtual void Score(const float* x, size_t rows, float* scores, float* contrib) const = 0;

  virtual void Save(core::ByteWriter& w) const = 0;
  virtual Status Load(core::ByteReader& r) = 0;
  // Human-readable description for `vigil inspect`, one "key: value" per line.
  virtual void Describe(std::ostream& os) const = 0;
  // Bytes of learned parameters (for inspect and benchmarks).
  virtual size_t ParameterBytes() const = 0;
  // Scores of the training rows, in order, as a model that had not seen them would give —
  // when Fit() cross-fitted internally (e.g. pca with pca_normaliser_folds), else empty.
  // Threshold calibration prefers these to an outer cross-fit because they are in exactly
  // the units of the fitted detector. Valid until the next Fit()/Load().
  virtual std::span<const float> OutOfFoldTrainingScores() const { return {}; }

  // Re-stores the learned network weights at a lower precision: "fp16" (binary16 weights,
  // FP32 arithmetic), "int8" (int8 weights per output channel, uint8 activations per tensor,
  // int32 accumulation), or "fp32" (no change). `calibration` holds `rows` feature rows of normal
  // data (rows × dim(); may be null with rows 0 except for int8, whose activation ranges are
  // chosen on it); the error the conversion adds is measured on it per layer and reported by
  // Describe. InvalidArgument for detectors without network weights, unknown types, or int8
  // without calibration rows. Not thread-safe: call before sharing the detector.
  virtual Status Quantize(std::string_view type, const float* calibration, size_t rows);
  // Chooses the weight type of each layer (fp32, fp16, int8) for this machine — each layer timed
  // in each type where it runs, the output change measured on the calibration rows — so that the
  // objective is smallest within the accuracy budget, and re-stores the weights so (mixed
  // precision). `report` (may be null) receives one line per layer: the measured times, the
  // choice and why. Needs calibration rows and FP32 weights. Same errors as Quantize.
  virtual Status QuantizeRouted(const RouteRequest& request, const float* calibration, size_t rows,
                                std::string* report);
  // The stored precision of the weights: "f32" unless Quantize changed it.
  virtual std::string_view WeightType() const { return "f32"; }
};

// "zscore" | "pca" | "iforest" | "ae" | "conv-ae" | "tf-ae". NotFound lists the valid names.
Result<std::unique_ptr<Detector>> MakeDetector(std::string_view name, const DetectorOptions& options);
Result<std::unique_ptr<Detector>> MakeDetector(DetectorKind kind, const DetectorOptions& options);
// Names of all detectors, in a stable order.
const std::vector<std::string>& DetectorNames();

}  // namespace vigil

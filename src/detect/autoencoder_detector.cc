// Payload (version 1): u32 version, u32 frames, u32 channels, f32[] mean, f32[] scale (per
// channel), u32 epochs run, u32 best epoch, f64 best validation loss, then the network
// (nn::PackedNet, weights 64-byte aligned in the file).
#include "detect/autoencoder_detector.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "core/byte_io.h"
#include "detect/autoencoder_arch.h"
#include "nn/int8_calibration.h"
#include "nn/layer_route.h"
#include "nn/quantization_error.h"
#include "nn/train/net_trainer.h"

namespace vigil::detect {
namespace {

constexpr uint32_t kPayloadVersion = 2;
// Rows per run of the bulk-scoring graph; leftovers go through the batch-1 graph.
constexpr size_t kScoreBatch = 64;

class AutoencoderDetector final : public Detector {
 public:
  AutoencoderDetector(DetectorKind kind, DetectorOptions options) : kind_(kind), options_(std::move(options)) {}

  DetectorKind kind() const override { return kind_; }
  std::string_view name() const override {
    return kind_ == DetectorKind::kAutoencoder ? "ae" : kind_ == DetectorKind::kConvAutoencoder ? "conv-ae" : "tf-ae";
  }
  size_t dim() const override { return frames_ * channels_; }

  Status Fit(const float* x, size_t rows, size_t dim) override;
  void Score(const float* x, size_t rows, float* scores, float* contrib) const override;
  void Save(core::ByteWriter& w) const override;
  Status Load(core::ByteReader& r) override;
  void Describe(std::ostream& os) const override;
  size_t ParameterBytes() const override { return net_.WeightBytes() + 2 * channels_ * sizeof(float); }
  Status Quantize(std::string_view type, const float* calibration, size_t rows) override;
  Status QuantizeRouted(const RouteRequest& request, const float* calibration, size_t rows,
                        std::string* report) override;
  std::string_view WeightType() const override { return nn::WeightTypeName(net_.weight_type()); }

  const nn::PackedNet& net() const { return net_; }
  AutoencoderScaling scaling() const { return {frames_, channels_, mean_, inv_scale_}; }

 private:
  // Builds and plans both graphs and sizes the scratch buffers.
  Status Prepare();
  // Calibration rows standardized the way scoring standardizes its input.
  std::vector<float> Standardize(const float* rows_data, size_t rows) const;
  // Replaces the net with `converted`, keeping the per-layer change it causes on `standardized`.
  Status Adopt(nn::PackedNet converted, const std::vector<float>& standardized, size_t rows);
  // Standardizes rows into scratch_in_, runs `graph` on them, and turns the reconstruction
  // into scores and contributions.
  void ScoreRows(nn::Graph& graph, const float* x, size_t rows, float* scores, float* contrib) const;

  const DetectorKind kind_;
  const DetectorOptions options_;

  // Set by Fit/Load, const afterwards.
  size_t frames_ = 0;
  size_t channels_ = 0;
  std::vector<float> mean_;       // per channel
  std::vector<float> inv_scale_;  // per channel: 1 / standard deviation
  std::vector<float> scale_;
  nn::PackedNet net_;
  uint32_t epochs_run_ = 0;
  uint32_t best_epoch_ = 0;
  double best_validation_loss_ = std::numeric_limits<double>::quiet_NaN();
  // Per layer, the relative RMS change of its output that the conversion to the stored type
  // caused on calibration rows (empty when FP32 or not measured).
  std::vector<double> quantization_error_;
  uint64_t quantization_rows_ = 0;

  // Guarded by mu_: the graphs' arenas and bindings and the scratch rows.
  mutable std::mutex mu_;
  mutable std::unique_ptr<nn::Graph> single_;
  mutable std::unique_ptr<nn::Graph> batch_;
  mutable std::vector<float> scratch_in_;
  mutable std::vector<float> scratch_out_;
};

Status ValidateTraining(const DetectorOptions& o) {
  if (o.nn_epochs < 1 || o.nn_epochs > 100000) {
    return Status::InvalidArgument("epochs must be in 1..100000, got " + std::to_string(o.nn_epochs));
  }
  if (o.nn_batch_size < 1 || o.nn_batch_size > 65536) {
    return Status::InvalidArgument("batch size must be in 1..65536, got " + std::to_string(o.nn_batch_size));
  }
  if (!(o.nn_learning_rate > 0 && o.nn_learning_rate < 1)) {
    return Status::InvalidArgument("learning rate must be in (0, 1), got " + std::to_string(o.nn_learning_rate));
  }
  if (!(o.nn_validation_fraction >= 0 && o.nn_validation_fraction < 0.5)) {
    return Status::InvalidArgument("validation fraction must be in [0, 0.5), got " +
                                   std::to_string(o.nn_validation_fraction));
  }
  if (o.nn_frames < 1) return Status::InvalidArgument("frames per row must be >= 1");
  return Status::OK();
}

Status AutoencoderDetector::Fit(const float* x, size_t rows, size_t dim) {
  VIGIL_RETURN_IF_ERROR(ValidateTraining(options_));
  const size_t frames = options_.nn_frames;
  if (dim == 0 || dim % frames != 0) {
    return Status::InvalidArgument(std::string(name()) + ": " + std::to_string(dim) +
                                   " features are not a whole number of " + std::to_string(frames) + "-frame rows");
  }
  const size_t channels = dim / frames;
  VIGIL_ASSIGN_OR_RETURN(nn::train::NetSpec spec,
                         AutoencoderSpec(kind_, options_, static_cast<int64_t>(frames), static_cast<int64_t>(channels)));
  const size_t min_rows = options_.nn_validation_fraction > 0 ? 10 : 2;
  if (rows < min_rows) {
    return Status::InvalidArgument(std::string(name()) + " needs at least " + std::to_string(min_rows) +
                                   " training rows, got " + std::to_string(rows));
  }

  // Per-channel standardization over every frame of every row.
  std::vector<double> sum(channels, 0.0), sum_sq(channels, 0.0);
  for (size_t i = 0; i < rows * dim; ++i) sum[i % channels] += x[i];
  const double n = static_cast<double>(rows * frames);
  std::vector<float> mean(channels), scale(channels), inv_scale(channels);
  for (size_t c = 0; c < channels; ++c) mean[c] = static_cast<float>(sum[c] / n);
  for (size_t i = 0; i < rows * dim; ++i) {
    const double d = x[i] - mean[i % channels];
    sum_sq[i % channels] += d * d;
  }
  for (size_t c = 0; c < channels; ++c) {
    const double sd = std::sqrt(sum_sq[c] / n);
    // A constant channel keeps unit scale: any later change then shows as reconstruction error
    // in the channel's own units instead of an unbounded ratio.
    scale[c] = sd > 1e-12 * std::max(1.0, std::abs(static_cast<double>(mean[c]))) ? static_cast<float>(sd) : 1.0f;
    inv_scale[c] = 1.0f / scale[c];
  }
  std::vector<float> standardized(rows * dim);
  for (size_t i = 0; i < rows * dim; ++i) {
    standardized[i] = (x[i] - mean[i % channels]) * inv_scale[i % channels];
  }

  nn::train::TrainOptions train;
  train.epochs = static_cast<int>(options_.nn_epochs);
  train.batch_size = options_.nn_batch_size;
  train.learning_rate = static_cast<float>(options_.nn_learning_rate);
  train.seed = options_.seed;
  train.validation_fraction = options_.nn_validation_fraction;
  train.patience = static_cast<int>(options_.nn_patience);
  const auto start = std::chrono::steady_clock::now();
  if (options_.progress) {
    train.progress = [&](int epoch, double loss, double validation, double) {
      TrainingProgress p;
      p.epoch = epoch;
      p.max_epochs = train.epochs;
      p.train_loss = loss;
      p.validation_loss = validation;
      p.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      options_.progress(p);
    };
  }
  VIGIL_ASSIGN_OR_RETURN(nn::train::NetTrainResult trained,
                         nn::train::TrainNet(spec, standardized, static_cast<int64_t>(rows), train));
  VIGIL_ASSIGN_OR_RETURN(net_, nn::PackedNet::FromParams(trained.params));
  frames_ = frames;
  channels_ = channels;
  mean_ = std::move(mean);
  scale_ = std::move(scale);
  inv_scale_ = std::move(inv_scale);
  epochs_run_ = static_cast<uint32_t>(trained.history.size());
  best_epoch_ = static_cast<uint32_t>(trained.best_epoch);
  const auto& best = trained.history[static_cast<size_t>(trained.best_epoch - 1)];
  best_validation_loss_ = options_.nn_validation_fraction > 0 ? best.validation_loss : best.train_loss;
  return Prepare();
}

Status AutoencoderDetector::Prepare() {
  VIGIL_ASSIGN_OR_RETURN(nn::Graph single, net_.BuildGraph());
  VIGIL_ASSIGN_OR_RETURN(nn::Graph batch, net_.BuildGraph());
  const nn::PlanOptions external{.external_inputs = true, .external_outputs = true};
  VIGIL_RETURN_IF_ERROR(single.Plan(1, external));
  VIGIL_RETURN_IF_ERROR(batch.Plan(kScoreBatch, external));
  std::lock_guard<std::mutex> lock(mu_);
  single_ = std::make_unique<nn::Graph>(std::move(single));
  batch_ = std::make_unique<nn::Graph>(std::move(batch));
  scratch_in_.assign(kScoreBatch * dim(), 0.0f);
  scratch_out_.assign(kScoreBatch * dim(), 0.0f);
  return Status::OK();
}

void AutoencoderDetector::ScoreRows(nn::Graph& graph, const float* x, size_t rows, float* scores,
                                    float* contrib) const {
  const size_t d = dim();
  for (size_t i = 0; i < rows * d; ++i) {
    const size_t c = i % channels_;
    scratch_in_[i] = (x[i] - mean_[c]) * inv_scale_[c];
  }
  // Binding cannot fail here: the graph is planned and the index is valid.
  (void)graph.BindInput(0, scratch_in_.data());
  (void)graph.BindOutput(0, scratch_out_.data());
  graph.Run();
  for (size_t r = 0; r < rows; ++r) {
    const float* in = scratch_in_.data() + r * d;
    const float* out = scratch_out_.data() + r * d;
    float* share = contrib ? contrib + r * d : nullptr;
    double total = 0.0;
    for (size_t i = 0; i < d; ++i) {
      const float e = (in[i] - out[i]) * (in[i] - out[i]);
      total += e;
      if (share) share[i] = e;
    }
    scores[r] = static_cast<float>(total / static_cast<double>(d));
    if (share) {
      const float inv = total > 0 ? static_cast<float>(1.0 / total) : 0.0f;
      for (size_t i = 0; i < d; ++i) share[i] *= inv;
    }
  }
}

void AutoencoderDetector::Score(const float* x, size_t rows, float* scores, float* contrib) const {
  VIGIL_CHECK(single_ != nullptr);
  const size_t d = dim();
  std::lock_guard<std::mutex> lock(mu_);
  size_t r = 0;
  for (; r + kScoreBatch <= rows; r += kScoreBatch) {
    ScoreRows(*batch_, x + r * d, kScoreBatch, scores + r, contrib ? contrib + r * d : nullptr);
  }
  for (; r < rows; ++r) ScoreRows(*single_, x + r * d, 1, scores + r, contrib ? contrib + r * d : nullptr);
}

void AutoencoderDetector::Save(core::ByteWriter& w) const {
  w.U32(kPayloadVersion);
  w.U32(static_cast<uint32_t>(frames_));
  w.U32(static_cast<uint32_t>(channels_));
  w.F32Array(mean_);
  w.F32Array(scale_);
  w.U32(epochs_run_);
  w.U32(best_epoch_);
  w.F64(best_validation_loss_);
  w.U64(quantization_rows_);
  w.U32(static_cast<uint32_t>(quantization_error_.size()));
  for (double e : quantization_error_) w.F64(e);
  net_.Save(w);
}

Status AutoencoderDetector::Load(core::ByteReader& r) {
  uint32_t version = 0, frames = 0, channels = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("ae.version", &version));
  if (version < 1 || version > kPayloadVersion) {
    return r.Error("ae.version", "unsupported version " + std::to_string(version));
  }
  VIGIL_RETURN_IF_ERROR(r.U32("ae.frames", &frames));
  VIGIL_RETURN_IF_ERROR(r.U32("ae.channels", &channels));
  if (frames < 1 || channels < 1 || static_cast<uint64_t>(frames) * channels > (1u << 24)) {
    return r.Error("ae.frames", "frames x channels out of range: " + std::to_string(frames) + " x " +
                                    std::to_string(channels));
  }
  std::vector<float> mean, scale;
  VIGIL_RETURN_IF_ERROR(r.F32Array("ae.mean", &mean, channels));
  VIGIL_RETURN_IF_ERROR(r.F32Array("ae.scale", &scale, channels));
  if (mean.size() != channels || scale.size() != channels) {
    return r.Error("ae.scale", "expected " + std::to_string(channels) + " values per standardization array");
  }
  for (size_t c = 0; c < channels; ++c) {
    if (!std::isfinite(mean[c]) || !std::isfinite(scale[c]) || !(scale[c] > 0)) {
      return r.Error("ae.scale", "channel " + std::to_string(c) + " has a non-finite mean or non-positive scale");
    }
  }
  VIGIL_RETURN_IF_ERROR(r.U32("ae.epochs_run", &epochs_run_));
  VIGIL_RETURN_IF_ERROR(r.U32("ae.best_epoch", &best_epoch_));
  VIGIL_RETURN_IF_ERROR(r.F64("ae.best_validation_loss", &best_validation_loss_));
  quantization_error_.clear();
  quantization_rows_ = 0;
  if (version >= 2) {
    uint32_t count = 0;
    VIGIL_RETURN_IF_ERROR(r.U64("ae.quantization_rows", &quantization_rows_));
    VIGIL_RETURN_IF_ERROR(r.U32("ae.quantization_error_count", &count));
    if (count > 256) return r.Error("ae.quantization_error_count", "more entries than layers: " + std::to_string(count));
    quantization_error_.resize(count);
    for (double& e : quantization_error_) VIGIL_RETURN_IF_ERROR(r.F64("ae.quantization_error", &e));
  }
  VIGIL_ASSIGN_OR_RETURN(net_, nn::PackedNet::Load(r));
  if (!quantization_error_.empty() && quantization_error_.size() != net_.layers().size()) {
    return r.Error("ae.quantization_error_count", std::to_string(quantization_error_.size()) +
                                                      " entries for a network of " +
                                                      std::to_string(net_.layers().size()) + " layers");
  }
  const std::vector<int64_t> expected =
      kind_ != DetectorKind::kAutoencoder
          ? std::vector<int64_t>{frames, channels}
          : std::vector<int64_t>{static_cast<int64_t>(frames) * static_cast<int64_t>(channels)};
  if (net_.input_shape() != expected) {
    return r.Error("net.input_dim", "network input does not match " + std::to_string(frames) + " frames x " +
                                        std::to_string(channels) + " channels");
  }
  frames_ = frames;
  channels_ = channels;
  mean_ = std::move(mean);
  scale_ = std::move(scale);
  inv_scale_.resize(channels);
  for (size_t c = 0; c < channels; ++c) inv_scale_[c] = 1.0f / scale_[c];
  if (Status s = Prepare(); !s.ok()) return r.Error("net", s.message());
  return Status::OK();
}

Status AutoencoderDetector::Quantize(std::string_view type, const float* calibration, size_t rows) {
  VIGIL_CHECK(single_ != nullptr);
  VIGIL_ASSIGN_OR_RETURN(nn::WeightType to, nn::ParseWeightType(type));
  if (to == net_.weight_type()) return Status::OK();
  if (to == nn::WeightType::kInt8 && rows == 0) {
    return Status::InvalidArgument("int8 needs calibration data (normal rows) to choose activation ranges");
  }
  const std::vector<float> standardized = Standardize(calibration, rows);
  std::vector<kernels::QuantParams> input_params;
  if (to == nn::WeightType::kInt8) {
    VIGIL_ASSIGN_OR_RETURN(input_params, nn::CalibrateLayerInputs(net_, standardized.data(), rows));
  }
  VIGIL_ASSIGN_OR_RETURN(nn::PackedNet converted, net_.ConvertWeights(to, input_params));
  return Adopt(std::move(converted), standardized, rows);
}

std::vector<float> AutoencoderDetector::Standardize(const float* rows_data, size_t rows) const {
  std::vector<float> standardized(rows * dim());
  for (size_t i = 0; i < standardized.size(); ++i) {
    const size_t c = i % channels_;
    standardized[i] = (rows_data[i] - mean_[c]) * inv_scale_[c];
  }
  return standardized;
}

Status AutoencoderDetector::Adopt(nn::PackedNet converted, const std::vector<float>& standardized, size_t rows) {
  std::vector<double> errors;
  if (rows > 0) {
    VIGIL_ASSIGN_OR_RETURN(errors, nn::LayerOutputChange(net_, converted, standardized.data(), rows));
  }
  net_ = std::move(converted);
  quantization_error_ = std::move(errors);
  quantization_rows_ = rows;
  return Prepare();
}

Status AutoencoderDetector::QuantizeRouted(const RouteRequest& request, const float* calibration, size_t rows,
                                           std::string* report) {
  VIGIL_CHECK(single_ != nullptr);
  if (rows == 0) return Status::InvalidArgument("routing needs calibration data (normal rows)");
  nn::RouteOptions o;
  VIGIL_ASSIGN_OR_RETURN(o.objective, nn::ParseRouteObjective(request.objective));
  o.accuracy_budget = request.accuracy_budget;
  o.batch = request.batch;
  if (request.active_watts > 0) o.active_watts = request.active_watts;
  if (request.joules_per_byte > 0) o.joules_per_byte = request.joules_per_byte;
  const std::vector<float> standardized = Standardize(calibration, rows);
  VIGIL_ASSIGN_OR_RETURN(nn::Route route, nn::ChooseRoute(net_, standardized.data(), rows, o));
  if (report != nullptr) *report = nn::FormatRoute(net_, route, o);
  VIGIL_ASSIGN_OR_RETURN(nn::PackedNet converted, net_.ConvertLayers(route.types, route.int8_inputs));
  return Adopt(std::move(converted), standardized, rows);
}

void AutoencoderDetector::Describe(std::ostream& os) const {
  os << "detector: " << name() << "\n";
  os << "input: " << frames_ << " frames x " << channels_ << " channels (standardized per channel)\n";
  os << "network: " << net_.Summary() << "\n";
  os << "weight_bytes: " << net_.WeightBytes()
     << (net_.borrowed() ? " (read in place from the mapped file)" : " (in memory)") << "\n";
  os << "training: " << epochs_run_ << " epochs, best " << best_epoch_ << ", loss " << best_validation_loss_
     << "\n";
  os << "weights: " << WeightType();
  if (net_.weight_type() != nn::WeightType::kF32) {
    if (quantization_error_.empty()) {
      os << " (quantization error not measured: no calibration data)";
    } else {
      os << ", relative RMS output change per layer vs f32 on " << quantization_rows_ << " calibration rows:";
      for (size_t i = 0; i < quantization_error_.size(); ++i) os << (i ? ", " : " ") << quantization_error_[i];
    }
  }
  os << "\n";
  os << "score: mean squared reconstruction error (standardized units)\n";
}

}  // namespace

Result<std::unique_ptr<Detector>> NewAutoencoderDetector(DetectorKind kind, const DetectorOptions& options) {
  VIGIL_RETURN_IF_ERROR(ValidateTraining(options));
  // Architecture options are checked now (with a placeholder shape) so a bad flag fails before
  // any data is read; the real shape is checked again at Fit.
  const int64_t frames = int64_t{1} << std::min<size_t>(options.conv_channels.size(), 16);
  if (Status s = AutoencoderSpec(kind, options, kind != DetectorKind::kAutoencoder ? frames : 1, 1).status();
      !s.ok()) {
    return s;
  }
  return std::unique_ptr<Detector>(new AutoencoderDetector(kind, options));
}

bool GetAutoencoderScaling(const Detector& detector, AutoencoderScaling* out) {
  const auto* ae = dynamic_cast<const AutoencoderDetector*>(&detector);
  if (ae == nullptr) return false;
  *out = ae->scaling();
  return true;
}

const nn::PackedNet* AutoencoderNetwork(const Detector& detector) {
  const auto* ae = dynamic_cast<const AutoencoderDetector*>(&detector);
  return ae ? &ae->net() : nullptr;
}

}  // namespace vigil::detect

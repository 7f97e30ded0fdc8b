// Model fitting, (de)serialization and description.
//
// Payload layout (version 2), after the 64-byte header described in vigil/model.h:
//   u32 channel count, then each channel name (u32 length + UTF-8 bytes)
//   u32 window, u32 window_stats, u32 smooth, u32 min_run, u32 calibration_folds,
//   f32 input smoothing (version 2 and later; 0 = off)
//   u64 training rows
//   u32 detector kind (DetectorKind), u64 detector payload bytes, detector payload
//   u32 threshold kind (ThresholdKind), u64 threshold payload bytes, threshold payload
// Each component payload is length-prefixed so a component that reads too little or too
// much is caught as corruption at that component, with its byte offset. Since version 2 zero
// padding follows each size field so that every component payload starts at a multiple of 64
// bytes from the start of the file: a component may then align its own arrays (neural weights)
// to 64 bytes in the file, and a memory-mapped model uses them in place. Version 1 files (no
// padding) still load.
#include "vigil/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "core/byte_io.h"
#include "detect/contiguous_folds.h"
#include "detect/rolling_median.h"
#include "detect/window_features.h"
#include "model/model_file.h"

namespace vigil {

Model::Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

namespace {

constexpr uint32_t kMaxChannels = 1u << 16;
constexpr uint32_t kMaxWindow = 1u << 16;

Status ValidateFitOptions(const FitOptions& o) {
  if (o.window > kMaxWindow)
    return Status::InvalidArgument("window must be <= 65536, got " + std::to_string(o.window));
  if ((o.window_stats & ~detect::kFeatAll) != 0 || o.window_stats == 0 ||
      ((o.window_stats & detect::kFeatLags) && o.window_stats != detect::kFeatLags)) {
    return Status::InvalidArgument("window_stats must be a non-empty subset of raw,mean,std,diff, or lags alone");
  }
  if (!(o.input_smoothing >= 0.0f && o.input_smoothing <= 1.0f)) {
    return Status::InvalidArgument("input smoothing must be in [0, 1] (0 = off), got " +
                                   std::to_string(o.input_smoothing));
  }
  if (o.smooth < 1 || o.smooth > 10000)
    return Status::InvalidArgument("smooth must be in 1..10000, got " + std::to_string(o.smooth));
  if (o.min_run < 1 || o.min_run > 100000)
    return Status::InvalidArgument("min_run must be in 1..100000, got " + std::to_string(o.min_run));
  if (o.calibration_folds == 1 || o.calibration_folds > 100) {
    return Status::InvalidArgument("calibration folds must be 0 (in-sample) or 2..100, got " +
                                   std::to_string(o.calibration_folds));
  }
  return Status::OK();
}

// Smoothed scores of `rows` feature rows, as the streaming scorer would produce them.
std::vector<double> SmoothedScores(const Detector& det, const float* features, size_t rows, uint32_t smooth) {
  std::vector<float> raw(rows);
  det.Score(features, rows, raw.data(), nullptr);
  detect::RollingMedian med(smooth);
  std::vector<double> out(rows);
  for (size_t i = 0; i < rows; ++i) out[i] = med.Push(raw[i]);
  return out;
}

// Scores of each of K contiguous folds by a detector fitted on the other folds, in time
// order, then smoothed like the live score.
Result<std::vector<double>> OutOfFoldScores(const FitOptions& options, const float* x, size_t rows,
                                            size_t dim) {
  const size_t k = options.calibration_folds;
  if (rows < 2 * k) {
    return Status::InvalidArgument(std::to_string(k) + " calibration folds need at least " +
                                   std::to_string(2 * k) + " rows, got " + std::to_string(rows));
  }
  std::vector<float> raw(rows);
  DetectorOptions fold_options = options.detector_options;
  fold_options.progress = nullptr;  // one progress display is for the model being fitted
  VIGIL_RETURN_IF_ERROR(detect::ForEachContiguousFold(
      x, rows, dim, k, [&](size_t f, size_t begin, size_t size, const float* rest, size_t rest_rows) -> Status {
        VIGIL_ASSIGN_OR_RETURN(auto det, MakeDetector(options.detector, fold_options));
        Status s = det->Fit(rest, rest_rows, dim);
        if (!s.ok()) return Status::InvalidArgument("calibration fold " + std::to_string(f + 1) + ": " + s.message());
        det->Score(x + begin * dim, size, raw.data() + begin, nullptr);
        return Status::OK();
      }));
  detect::RollingMedian med(options.smooth);
  std::vector<double> out(rows);
  for (size_t i = 0; i < rows; ++i) out[i] = med.Push(raw[i]);
  return out;
}

// Reads a length-prefixed component with its own bounds: a component that reads past its
// length or leaves bytes unread is corruption at that component.
constexpr size_t kComponentAlignment = 64;

template <typename LoadFn>
Status ReadComponent(core::ByteReader& r, std::span<const uint8_t> payload, uint32_t version,
                     const std::string& name, LoadFn load) {
  uint64_t size = 0;
  VIGIL_RETURN_IF_ERROR(r.U64(name + "_size", &size));
  if (version >= 2) VIGIL_RETURN_IF_ERROR(r.Align(kComponentAlignment));
  if (size > r.remaining())
    return r.Error(name + "_size", "component of " + std::to_string(size) + " bytes exceeds the file");
  const size_t start = r.offset();
  core::ByteReader sub(payload.subspan(start, size), r.source(), model::kHeaderSize + start, r.owner());
  VIGIL_RETURN_IF_ERROR(load(sub));
  if (sub.remaining() != 0) return sub.Error(name, std::to_string(sub.remaining()) + " unread bytes");
  return r.Skip(name, size);
}

void WriteComponent(core::ByteWriter& w, uint32_t kind, const core::ByteWriter& payload) {
  w.U32(kind);
  w.U64(payload.size());
  // The payload buffer starts right after the 64-byte header, so aligning within it aligns in
  // the file.
  static_assert(model::kHeaderSize % kComponentAlignment == 0);
  w.Align(kComponentAlignment);
  w.Raw(payload.bytes().data(), payload.size());
}

}  // namespace

Result<Model> Model::Fit(const FrameTable& normal, const FitOptions& requested) {
  VIGIL_RETURN_IF_ERROR(ValidateFitOptions(requested));
  FitOptions options = requested;
  // Lag features hand the detector [window, channels] blocks; neural detectors need the shape.
  options.detector_options.nn_frames =
      options.window > 1 && options.window_stats == detect::kFeatLags ? options.window : 1;
  if (normal.cols() == 0) return Status::InvalidArgument("no feature columns to fit on");
  if (normal.rows() == 0) return Status::InvalidArgument("no training rows");
  for (float v : normal.values) {
    if (!std::isfinite(v)) return Status::InvalidArgument("training data contains NaN or Inf");
  }
  Model m;
  m.schema_ = normal.schema;
  m.window_ = options.window;
  m.window_stats_ = options.window_stats;
  m.input_smoothing_ = options.input_smoothing;
  m.smooth_ = options.smooth;
  m.min_run_ = options.min_run;
  m.info_.training_rows = normal.rows();
  m.calibration_folds_ = options.calibration_folds;
  m.info_.created_unix = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());

  detect::WindowFeatures wf({options.window, options.window_stats, options.input_smoothing}, normal.cols());
  const size_t fd = wf.out_dim();
  std::vector<float> all_features = wf.Transform(normal.data(), normal.rows());
  // The first window−1 rows see partial windows; they warm the features up but are not
  // fitted on, so the detector learns full-window behaviour only.
  const size_t burn_in = options.window > 1 ? options.window - 1 : 0;
  if (normal.rows() <= burn_in + 1) {
    return Status::InvalidArgument("need more than " + std::to_string(burn_in + 1) +
                                   " training rows for window " + std::to_string(options.window) + ", got " +
                                   std::to_string(normal.rows()));
  }
  const size_t rows = normal.rows() - burn_in;
  const float* features = all_features.data() + burn_in * fd;

  VIGIL_ASSIGN_OR_RETURN(m.detector_, MakeDetector(options.detector, options.detector_options));
  VIGIL_RETURN_IF_ERROR(m.detector_->Fit(features, rows, fd));
  std::vector<double> calibration;
  if (options.calibration_folds >= 2 && !m.detector_->OutOfFoldTrainingScores().empty()) {
    detect::RollingMedian med(options.smooth);
    for (float v : m.detector_->OutOfFoldTrainingScores()) calibration.push_back(med.Push(v));
  } else if (options.calibration_folds >= 2) {
    VIGIL_ASSIGN_OR_RETURN(calibration, OutOfFoldScores(options, features, rows, fd));
  } else {
    calibration = SmoothedScores(*m.detector_, features, rows, options.smooth);
  }

  VIGIL_ASSIGN_OR_RETURN(m.threshold_, MakeThreshold(options.threshold));
  VIGIL_RETURN_IF_ERROR(m.threshold_->Fit(calibration));
  return m;
}

Result<std::vector<float>> Model::CalibrationFeatures(const FrameTable* calibration, size_t* rows) const {
  std::vector<float> features;
  *rows = 0;
  if (calibration == nullptr) return features;
  if (calibration->cols() != schema_.size()) {
    return Status::InvalidArgument("calibration data has " + std::to_string(calibration->cols()) +
                                   " channels, the model " + std::to_string(schema_.size()));
  }
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (calibration->schema.name(c) != schema_.name(c)) {
      return Status::InvalidArgument("calibration channel " + std::to_string(c + 1) + " is '" +
                                     calibration->schema.name(c) + "', the model expects '" + schema_.name(c) + "'");
    }
  }
  for (float v : calibration->values) {
    if (!std::isfinite(v)) return Status::InvalidArgument("calibration data contains NaN or Inf");
  }
  detect::WindowFeatures wf({window_, window_stats_, input_smoothing_}, schema_.size());
  features = wf.Transform(calibration->data(), calibration->rows());
  // As in Fit: rows before the first full window only warm the features up.
  const size_t burn_in = window_ > 1 ? window_ - 1 : 0;
  if (calibration->rows() > burn_in) {
    *rows = calibration->rows() - burn_in;
    features.erase(features.begin(), features.begin() + static_cast<std::ptrdiff_t>(burn_in * wf.out_dim()));
  }
  return features;
}

Status Model::RefitThresholdAfterConversion(const std::vector<float>& features, size_t rows) {
  // The threshold was learned from FP32 scores. When it came from in-sample scores of normal
  // data, it is learned again the same way from the converted detector's scores of the
  // calibration rows (normal data too), so it sits where Fit would have put it for this detector.
  if (rows > 0 && calibration_folds_ < 2) {
    VIGIL_RETURN_IF_ERROR(threshold_->Fit(SmoothedScores(*detector_, features.data(), rows, smooth_)));
  }
  return Status::OK();
}

Status Model::Quantize(std::string_view type, const FrameTable* calibration) {
  size_t rows = 0;
  VIGIL_ASSIGN_OR_RETURN(std::vector<float> features, CalibrationFeatures(calibration, &rows));
  VIGIL_RETURN_IF_ERROR(detector_->Quantize(type, rows ? features.data() : nullptr, rows));
  return RefitThresholdAfterConversion(features, rows);
}

Status Model::QuantizeRouted(const RouteRequest& request, const FrameTable& calibration, std::string* report) {
  size_t rows = 0;
  VIGIL_ASSIGN_OR_RETURN(std::vector<float> features, CalibrationFeatures(&calibration, &rows));
  if (rows == 0) return Status::InvalidArgument("calibration data is shorter than the model's window");
  VIGIL_RETURN_IF_ERROR(detector_->QuantizeRouted(request, features.data(), rows, report));
  return RefitThresholdAfterConversion(features, rows);
}

std::vector<uint8_t> Model::Serialize() const {
  core::ByteWriter w;
  w.U32(static_cast<uint32_t>(schema_.size()));
  for (const auto& n : schema_.names()) w.Str(n);
  w.U32(window_);
  w.U32(window_stats_);
  w.U32(smooth_);
  w.U32(min_run_);
  w.U32(calibration_folds_);
  w.F32(input_smoothing_);
  w.U64(info_.training_rows);
  core::ByteWriter det, thr;
  detector_->Save(det);
  threshold_->Save(thr);
  WriteComponent(w, static_cast<uint32_t>(detector_->kind()), det);
  WriteComponent(w, static_cast<uint32_t>(threshold_->kind()), thr);
  return model::WrapPayload(w.bytes(), kModelFormatVersion, info_.created_unix);
}

Status Model::Save(const std::string& path) const {
  std::vector<uint8_t> bytes = Serialize();
  return model::WriteFileAtomic(path, bytes);
}

Result<Model> Model::Load(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(model::MappedFile file, model::MappedFile::Open(path));
  // Shared so detectors can keep using weights inside the mapping after Load returns.
  auto mapping = std::make_shared<model::MappedFile>(std::move(file));
  return DeserializeFrom(mapping->bytes(), path, mapping);
}

Result<Model> Model::Deserialize(std::span<const uint8_t> bytes, const std::string& source) {
  return DeserializeFrom(bytes, source, nullptr);
}

Result<Model> Model::DeserializeFrom(std::span<const uint8_t> bytes, const std::string& source,
                                     std::shared_ptr<const void> owner) {
  VIGIL_ASSIGN_OR_RETURN(model::Unwrapped u, model::UnwrapPayload(bytes, source));
  core::ByteReader r(u.payload, source, model::kHeaderSize, std::move(owner));
  Model m;
  m.info_.format_version = u.version;
  m.info_.created_unix = u.created_unix;
  m.info_.file_bytes = bytes.size();
  uint32_t channels = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("channel_count", &channels));
  if (channels == 0 || channels > kMaxChannels) {
    return r.Error("channel_count", "must be in 1..65536, found " + std::to_string(channels));
  }
  std::vector<std::string> names(channels);
  for (auto& n : names) VIGIL_RETURN_IF_ERROR(r.Str("channel_name", &n, 4096));
  m.schema_ = FrameSchema(std::move(names));
  VIGIL_RETURN_IF_ERROR(r.U32("window", &m.window_));
  VIGIL_RETURN_IF_ERROR(r.U32("window_stats", &m.window_stats_));
  VIGIL_RETURN_IF_ERROR(r.U32("smooth", &m.smooth_));
  VIGIL_RETURN_IF_ERROR(r.U32("min_run", &m.min_run_));
  VIGIL_RETURN_IF_ERROR(r.U32("calibration_folds", &m.calibration_folds_));
  if (u.version >= 2) VIGIL_RETURN_IF_ERROR(r.F32("input_smoothing", &m.input_smoothing_));
  VIGIL_RETURN_IF_ERROR(r.U64("training_rows", &m.info_.training_rows));
  FitOptions check;
  check.window = m.window_;
  check.window_stats = m.window_stats_;
  check.smooth = m.smooth_;
  check.min_run = m.min_run_;
  check.calibration_folds = m.calibration_folds_;
  check.input_smoothing = m.input_smoothing_;
  if (Status s = ValidateFitOptions(check); !s.ok()) return r.Error("alarm policy", s.message());
  if (static_cast<uint64_t>(std::max(m.window_, 1u)) * channels > (1u << 24)) {
    return r.Error("window", "window " + std::to_string(m.window_) + " x " + std::to_string(channels) +
                                 " channels exceeds the supported state size");
  }

  // Detector.
  uint32_t kind = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("detector_kind", &kind));
  auto det = MakeDetector(static_cast<DetectorKind>(kind), DetectorOptions{});
  if (!det.ok()) return r.Error("detector_kind", "unknown detector kind " + std::to_string(kind));
  VIGIL_RETURN_IF_ERROR(
      ReadComponent(r, u.payload, u.version, "detector", [&](core::ByteReader& sub) { return (*det)->Load(sub); }));
  m.detector_ = std::move(*det);
  detect::WindowFeatures wf({m.window_, m.window_stats_, m.input_smoothing_}, channels);
  if (m.detector_->dim() != wf.out_dim()) {
    return r.Error("detector", "detector expects " + std::to_string(m.detector_->dim()) +
                                   " features but the schema gives " + std::to_string(wf.out_dim()));
  }

  // Threshold.
  VIGIL_RETURN_IF_ERROR(r.U32("threshold_kind", &kind));
  if (kind < 1 || kind > 4)
    return r.Error("threshold_kind", "unknown threshold kind " + std::to_string(kind));
  m.threshold_ = NewThreshold(static_cast<ThresholdKind>(kind));
  VIGIL_RETURN_IF_ERROR(ReadComponent(r, u.payload, u.version, "threshold",
                                      [&](core::ByteReader& sub) { return m.threshold_->Load(sub); }));
  if (r.remaining() != 0) return r.Error("end of payload", std::to_string(r.remaining()) + " trailing bytes");
  return m;
}

std::vector<std::string> Model::FeatureNames() const {
  detect::WindowFeatures wf({window_, window_stats_, input_smoothing_}, schema_.size());
  std::vector<std::string> out(wf.out_dim());
  for (size_t i = 0; i < out.size(); ++i) out[i] = wf.FeatureName(i, schema_.names());
  return out;
}

void Model::Describe(std::ostream& os) const {
  os << "format_version: " << info_.format_version << "\n";
  if (info_.file_bytes) os << "file_bytes: " << info_.file_bytes << "\n";
  os << "training_rows: " << info_.training_rows << "\n";
  os << "channels: " << schema_.size() << " (";
  for (size_t i = 0; i < schema_.size(); ++i) os << (i ? ", " : "") << schema_.name(i);
  os << ")\n";
  if (window_ > 1) {
    os << "window: " << window_ << " (" << detect::FeatureStatsName(window_stats_) << ")\n";
  } else {
    os << "window: none (raw channels)\n";
  }
  if (input_smoothing_ > 0.0f && input_smoothing_ < 1.0f) {
    os << "input_smoothing: exponential, newest frame weight " << input_smoothing_ << "\n";
  }
  os << "features: " << detector_->dim() << "\n";
  os << "parameter_bytes: " << detector_->ParameterBytes() << "\n";
  os << "score_smoothing: rolling median of " << smooth_ << "\n";
  os << "min_run: " << min_run_ << "\n";
  os << "threshold_calibration: "
     << (calibration_folds_ >= 2 ? std::to_string(calibration_folds_) + "-fold out-of-fold scores"
                                 : "in-sample scores")
     << "\n";
  detector_->Describe(os);
  os << "threshold:\n";
  std::ostringstream t;
  threshold_->Describe(t);
  std::istringstream lines(t.str());
  for (std::string line; std::getline(lines, line);) os << "  " << line << "\n";
}

}  // namespace vigil

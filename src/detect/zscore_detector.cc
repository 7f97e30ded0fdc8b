// Robust z-score: each channel centred on its training median and scaled by its robust scale
// (see robust_stats.h); the row score combines the |z| values.
#include "detect/zscore_detector.h"

#include <cmath>

#include "core/byte_io.h"
#include "detect/robust_stats.h"

namespace vigil::detect {
namespace {

// Serialized: values fixed, append only.
enum class Combine : uint32_t { kRms = 1, kMax = 2 };

class ZScoreDetector final : public Detector {
 public:
  explicit ZScoreDetector(Combine combine) : combine_(combine) {}
  DetectorKind kind() const override { return DetectorKind::kZScore; }
  std::string_view name() const override { return "zscore"; }
  size_t dim() const override { return center_.size(); }

  Status Fit(const float* x, size_t rows, size_t dim) override {
    if (dim == 0) return Status::InvalidArgument("zscore: no input channels");
    if (rows < 2)
      return Status::InvalidArgument("zscore: need at least 2 training rows, got " + std::to_string(rows));
    center_.assign(dim, 0);
    inv_scale_.assign(dim, 0);
    for (size_t j = 0; j < dim; ++j) {
      std::vector<double> col = Column(x, rows, dim, j);
      double med = Median(col);
      center_[j] = static_cast<float>(med);
      inv_scale_[j] = static_cast<float>(1.0 / RobustScale(col, med));
    }
    return Status::OK();
  }

  void Score(const float* x, size_t rows, float* scores, float* contrib) const override {
    const size_t d = dim();
    for (size_t r = 0; r < rows; ++r) {
      const float* row = x + r * d;
      float sum_sq = 0, max_abs = 0;
      for (size_t j = 0; j < d; ++j) {
        float z = (row[j] - center_[j]) * inv_scale_[j];
        sum_sq += z * z;
        max_abs = std::max(max_abs, std::abs(z));
        if (contrib) contrib[r * d + j] = z * z;
      }
      scores[r] = combine_ == Combine::kMax ? max_abs : std::sqrt(sum_sq / static_cast<float>(d));
      if (contrib) {
        float inv = sum_sq > 0 ? 1.0f / sum_sq : 0.0f;
        for (size_t j = 0; j < d; ++j) contrib[r * d + j] *= inv;
      }
    }
  }

  void Save(core::ByteWriter& w) const override {
    w.U32(static_cast<uint32_t>(combine_));
    w.F32Array(center_);
    w.F32Array(inv_scale_);
  }

  Status Load(core::ByteReader& r) override {
    uint32_t combine = 0;
    VIGIL_RETURN_IF_ERROR(r.U32("zscore.combine", &combine));
    if (combine != 1 && combine != 2)
      return r.Error("zscore.combine", "unknown value " + std::to_string(combine));
    combine_ = static_cast<Combine>(combine);
    VIGIL_RETURN_IF_ERROR(r.F32Array("zscore.center", &center_));
    VIGIL_RETURN_IF_ERROR(r.F32Array("zscore.inv_scale", &inv_scale_));
    if (center_.empty() || inv_scale_.size() != center_.size()) {
      return r.Error("zscore.inv_scale", "expected " + std::to_string(center_.size()) + " values, found " +
                                             std::to_string(inv_scale_.size()));
    }
    for (size_t j = 0; j < center_.size(); ++j) {
      if (!std::isfinite(center_[j]) || !std::isfinite(inv_scale_[j]) || inv_scale_[j] <= 0) {
        return r.Error("zscore.inv_scale",
                       "non-finite or non-positive value at channel " + std::to_string(j));
      }
    }
    return Status::OK();
  }

  void Describe(std::ostream& os) const override {
    os << "detector: zscore\ncombine: " << (combine_ == Combine::kMax ? "max" : "rms")
       << "\nscaling: robust (median, 1.4826*MAD)\n";
    for (size_t j = 0; j < center_.size(); ++j) {
      os << "feature[" << j << "]: median " << center_[j] << " scale " << 1.0f / inv_scale_[j] << "\n";
    }
  }
  size_t ParameterBytes() const override { return (center_.size() + inv_scale_.size()) * sizeof(float); }

 private:
  Combine combine_;
  std::vector<float> center_;
  std::vector<float> inv_scale_;
};

}  // namespace

Result<std::unique_ptr<Detector>> NewZScoreDetector(const DetectorOptions& options) {
  Combine c;
  if (options.zscore_combine == "rms") {
    c = Combine::kRms;
  } else if (options.zscore_combine == "max") {
    c = Combine::kMax;
  } else {
    return Status::InvalidArgument("zscore: combine must be 'rms' or 'max', got '" + options.zscore_combine +
                                   "'");
  }
  return std::unique_ptr<Detector>(new ZScoreDetector(c));
}

}  // namespace vigil::detect

#include "detect/window_features.h"

#include <cmath>
#include <string>

#include "core/byte_io.h"

namespace vigil::detect {
namespace {
constexpr struct {
  FeatureStat stat;
  const char* name;
} kStats[] = {{kFeatRaw, "raw"}, {kFeatMean, "mean"}, {kFeatStd, "std"}, {kFeatDiff, "diff"}, {kFeatLags, "lags"}};
}  // namespace

Result<uint32_t> ParseFeatureStats(std::string_view text) {
  uint32_t mask = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    bool found = false;
    for (const auto& s : kStats) {
      if (item == s.name) {
        mask |= s.stat;
        found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument("unknown window feature '" + std::string(item) +
                                     "' (valid: raw, mean, std, diff, or lags alone)");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if ((mask & kFeatLags) && mask != kFeatLags) {
    return Status::InvalidArgument("window feature 'lags' cannot be combined with raw, mean, std or diff");
  }
  return mask;
}

std::string FeatureStatsName(uint32_t stats) {
  std::string out;
  for (const auto& s : kStats) {
    if (!(stats & s.stat)) continue;
    if (!out.empty()) out += ',';
    out += s.name;
  }
  return out;
}

WindowFeatures::WindowFeatures(FeatureSpec spec, size_t channels)
    : spec_(spec), channels_(channels), window_(spec.window < 1 ? 1 : spec.window) {
  // Reserved now so the first Push does not allocate.
  if (smoothing_on()) smoothed_.reserve(channels_);
  uint32_t stats = window_ == 1 ? static_cast<uint32_t>(kFeatRaw) : spec.stats;
  if (stats == 0) stats = kFeatRaw;
  if (stats & kFeatLags) {
    lags_ = true;
    for (size_t k = 0; k < window_; ++k) {
      for (size_t c = 0; c < channels; ++c) {
        source_.push_back(c);
        stat_.push_back(kFeatLags);
      }
    }
    ring_.assign(window_ * channels_, 0.0f);
    return;
  }
  for (size_t c = 0; c < channels; ++c) {
    for (const auto& s : kStats) {
      if (stats & s.stat) {
        source_.push_back(c);
        stat_.push_back(s.stat);
      }
    }
  }
  ring_.assign(window_ * channels_, 0.0f);
}

std::string WindowFeatures::FeatureName(size_t i, const std::vector<std::string>& names) const {
  const std::string& base = names[source_[i]];
  if (stat_[i] == kFeatRaw) return base;
  if (stat_[i] == kFeatLags) return base + ".lag" + std::to_string(window_ - 1 - i / channels_);
  for (const auto& s : kStats) {
    if (stat_[i] == s.stat) return base + "." + s.name + std::to_string(window_);
  }
  return base;
}

void WindowFeatures::Reset() {
  filled_ = head_ = 0;
  smoothing_started_ = false;
}

void WindowFeatures::Push(std::span<const float> raw, float* out) {
  VIGIL_CHECK(raw.size() == channels_);
  std::span<const float> values = raw;
  if (smoothing_on()) {
    if (!smoothing_started_) {
      smoothed_.assign(raw.begin(), raw.end());
      smoothing_started_ = true;
    } else {
      for (size_t c = 0; c < channels_; ++c) smoothed_[c] += spec_.smoothing * (raw[c] - smoothed_[c]);
    }
    values = smoothed_;
  }
  std::copy(values.begin(), values.end(), ring_.begin() + head_ * channels_);
  head_ = (head_ + 1) % window_;
  if (filled_ < window_) ++filled_;
  // Oldest frame in the window.
  const size_t oldest = (head_ + window_ - filled_) % window_;
  if (lags_) {
    // Frame k of the row is the (k − (window − filled))-th frame held, clamped to the oldest.
    const size_t missing = window_ - filled_;
    for (size_t k = 0; k < window_; ++k) {
      const size_t held = k < missing ? 0 : k - missing;
      const float* src = ring_.data() + ((oldest + held) % window_) * channels_;
      std::copy(src, src + channels_, out + k * channels_);
    }
    return;
  }
  const double inv_n = 1.0 / static_cast<double>(filled_);
  size_t o = 0;
  for (size_t c = 0; c < channels_; ++c) {
    double mean = 0, var = 0;
    if (window_ > 1 && (spec_.stats & (kFeatMean | kFeatStd))) {
      // Recomputed over the ring (windows are short) to avoid drift of running sums.
      for (size_t k = 0; k < filled_; ++k) mean += ring_[k * channels_ + c];
      mean *= inv_n;
      for (size_t k = 0; k < filled_; ++k) {
        double dv = ring_[k * channels_ + c] - mean;
        var += dv * dv;
      }
      var *= inv_n;
    }
    while (o < source_.size() && source_[o] == c) {
      switch (stat_[o]) {
        case kFeatRaw:
          out[o] = values[c];
          break;
        case kFeatMean:
          out[o] = static_cast<float>(mean);
          break;
        case kFeatStd:
          out[o] = static_cast<float>(std::sqrt(var));
          break;
        case kFeatDiff:
          out[o] = values[c] - ring_[oldest * channels_ + c];
          break;
        default:
          out[o] = 0;
          break;
      }
      ++o;
    }
  }
}

void WindowFeatures::SaveState(core::ByteWriter& w) const {
  w.U64(filled_);
  w.U64(head_);
  w.U8(smoothing_started_ ? 1 : 0);
  w.F32Array(smoothing_started_ ? std::span<const float>(smoothed_) : std::span<const float>());
  // The whole ring in memory order: mean and std sum it in that order, so restoring the
  // order (not just the values) keeps the features bit-identical.
  w.F32Array(ring_);
}

Status WindowFeatures::LoadState(core::ByteReader& r) {
  uint64_t filled = 0, head = 0;
  VIGIL_RETURN_IF_ERROR(r.U64("window_features.filled", &filled));
  if (filled > window_) {
    return r.Error("window_features.filled",
                   std::to_string(filled) + " frames held, the window is " + std::to_string(window_));
  }
  VIGIL_RETURN_IF_ERROR(r.U64("window_features.head", &head));
  // Until the window is full the ring fills from slot 0, so the next slot is `filled`.
  const bool head_ok = filled < window_ ? head == filled : head < window_;
  if (!head_ok) {
    return r.Error("window_features.head", "ring position " + std::to_string(head) + " with " +
                                               std::to_string(filled) + " of " + std::to_string(window_) +
                                               " frames held");
  }
  uint8_t started = 0;
  VIGIL_RETURN_IF_ERROR(r.U8("window_features.smoothing_started", &started));
  if (started > 1 || (started == 1 && !smoothing_on()) || (started == 0 && smoothing_on() && filled > 0)) {
    return r.Error("window_features.smoothing_started",
                   "value " + std::to_string(started) + " with input smoothing " +
                       (smoothing_on() ? "on" : "off") + " and " + std::to_string(filled) + " frames held");
  }
  std::vector<float> smoothed, ring;
  VIGIL_RETURN_IF_ERROR(r.F32Array("window_features.smoothed", &smoothed, channels_));
  if (smoothed.size() != (started ? channels_ : 0)) {
    return r.Error("window_features.smoothed", std::to_string(smoothed.size()) + " values, expected " +
                                                   std::to_string(started ? channels_ : 0));
  }
  VIGIL_RETURN_IF_ERROR(r.F32Array("window_features.ring", &ring, ring_.size()));
  if (ring.size() != ring_.size()) {
    return r.Error("window_features.ring", std::to_string(ring.size()) + " values, expected " +
                                               std::to_string(ring_.size()) + " (" + std::to_string(window_) +
                                               " frames x " + std::to_string(channels_) + " channels)");
  }
  filled_ = filled;
  head_ = head;
  smoothing_started_ = started == 1;
  if (smoothing_started_) smoothed_.assign(smoothed.begin(), smoothed.end());
  ring_.swap(ring);
  return Status::OK();
}

std::vector<float> WindowFeatures::Transform(const float* x, size_t rows) {
  std::vector<float> out(rows * out_dim());
  for (size_t r = 0; r < rows; ++r) {
    Push(std::span<const float>(x + r * channels_, channels_), out.data() + r * out_dim());
  }
  return out;
}

}  // namespace vigil::detect

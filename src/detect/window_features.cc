#include "detect/window_features.h"

#include <cmath>

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
  if (spec_.smoothing > 0.0f && spec_.smoothing < 1.0f) {
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

std::vector<float> WindowFeatures::Transform(const float* x, size_t rows) {
  std::vector<float> out(rows * out_dim());
  for (size_t r = 0; r < rows; ++r) {
    Push(std::span<const float>(x + r * channels_, channels_), out.data() + r * out_dim());
  }
  return out;
}

}  // namespace vigil::detect

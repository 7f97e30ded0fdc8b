// Sliding-window features: turns each raw channel into a few causal features over the last
// `window` frames, so detectors see short-term dynamics (level, variability, change),
// optionally after causal exponential smoothing of the channels.
//
//   WindowFeatures wf({.window = 10, .stats = kFeatRaw | kFeatMean | kFeatStd}, channels);
//   std::vector<float> out(wf.out_dim());
//   wf.Push(frame_values, out.data());          // one frame in, one feature row out
//
// Features are computed over the frames seen so far when fewer than `window` have arrived
// (warm-up), so the first rows are defined too. Not thread-safe (holds the window).
//
// SaveState/LoadState checkpoint the window and the smoothing state, so a restarted stream
// produces the same rows, bit for bit, as one that never stopped.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vigil/status.h"

namespace vigil::core {
class ByteWriter;
class ByteReader;
}  // namespace vigil::core

namespace vigil::detect {

// Bitmask of per-channel statistics. Serialized: values fixed forever.
enum FeatureStat : uint32_t {
  kFeatRaw = 1,   // the value itself
  kFeatMean = 2,  // mean over the window
  kFeatStd = 4,   // standard deviation over the window
  kFeatDiff = 8,  // value minus the value `window − 1` frames earlier (oldest in window)
  // Every frame of the window, oldest first: feature k·channels + c is channel c of the frame
  // `window − 1 − k` frames back, so a row is a [window, channels] block (what the neural
  // detectors reconstruct). Exclusive: cannot be combined with the other statistics. During
  // warm-up the missing older frames repeat the oldest frame seen.
  kFeatLags = 16,
};

// Every valid statistic bit.
inline constexpr uint32_t kFeatAll = kFeatRaw | kFeatMean | kFeatStd | kFeatDiff | kFeatLags;

struct FeatureSpec {
  uint32_t window = 0;  // 0 or 1: raw channels only
  uint32_t stats = kFeatRaw;
  // Causal exponential smoothing of every channel before any statistic:
  // s_t = α·x_t + (1 − α)·s_{t−1}, starting at the first frame. 0 = off (raw values), 1 = the
  // same as off. Denoises the windows the neural detectors reconstruct.
  float smoothing = 0.0f;
  bool operator==(const FeatureSpec&) const = default;
};

// Parses "raw,mean,std,diff" (any subset, any order) or "lags" (alone). InvalidArgument names a
// bad item or a combination with lags.
Result<uint32_t> ParseFeatureStats(std::string_view text);
std::string FeatureStatsName(uint32_t stats);

class WindowFeatures {
 public:
  WindowFeatures(FeatureSpec spec, size_t channels);
  size_t out_dim() const { return source_.size(); }
  // Raw channel that feature i is computed from.
  size_t source_channel(size_t i) const { return source_[i]; }
  // Frames per row for lags (the window), else 1: rows are [frames, channels] blocks.
  size_t frames_per_row() const { return lags_ ? window_ : 1; }
  // "Current", "Current.mean10", "Current.std10", "Current.diff10", "Current.lag3".
  std::string FeatureName(size_t i, const std::vector<std::string>& channel_names) const;

  void Push(std::span<const float> values, float* out);
  void Reset();

  // Writes the streaming state (frames held, ring position, the window's values, input
  // smoothing). The configuration is not written: it comes from the model.
  void SaveState(core::ByteWriter& w) const;
  // Reads SaveState() bytes of a WindowFeatures with the same spec and channel count.
  // Corruption (naming the field and byte offset) for truncated bytes or a state that does
  // not fit this window; on error nothing is changed.
  Status LoadState(core::ByteReader& r);

  // All feature rows for a table of frames (rows × channels) → rows × out_dim().
  std::vector<float> Transform(const float* x, size_t rows);

 private:
  // Smoothing 1 weights only the newest frame, the same as off.
  bool smoothing_on() const { return spec_.smoothing > 0.0f && spec_.smoothing < 1.0f; }

  FeatureSpec spec_;
  size_t channels_;
  size_t window_;
  std::vector<size_t> source_;
  std::vector<uint32_t> stat_;  // which statistic feature i is
  std::vector<float> ring_;     // window_ × channels_
  bool lags_ = false;
  std::vector<float> smoothed_;  // per channel, when spec_.smoothing > 0
  bool smoothing_started_ = false;
  size_t filled_ = 0, head_ = 0;
};

}  // namespace vigil::detect

// vigil/frame.h — the unit of data flowing through vigil.
//
//   vigil::FrameSchema schema({"Current", "Pressure"});
//   float values[2] = {1.3f, 0.05f};
//   vigil::FrameView f{.timestamp = 1583748873.0, .values = values};
//
// A frame is one sample of all channels at one time. Missing values are NaN.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vigil {

// Channel names in order. Immutable after construction; safe to share across threads.
class FrameSchema {
 public:
  FrameSchema() = default;
  explicit FrameSchema(std::vector<std::string> channels) : channels_(std::move(channels)) {}
  size_t size() const { return channels_.size(); }
  const std::string& name(size_t i) const { return channels_[i]; }
  const std::vector<std::string>& names() const { return channels_; }
  std::optional<size_t> IndexOf(std::string_view name) const {
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i] == name) return i;
    }
    return std::nullopt;
  }
  bool operator==(const FrameSchema&) const = default;

 private:
  std::vector<std::string> channels_;
};

// Non-owning view of one frame. `timestamp` is seconds since the Unix epoch (UTC), or the
// row number when the source has no time column.
struct FrameView {
  double timestamp = 0;
  std::span<const float> values;
};

// Owning row-major table of frames (used for training and batch evaluation).
struct FrameTable {
  FrameSchema schema;
  std::vector<double> timestamps;  // one per row
  std::vector<float> values;       // rows × schema.size(), row-major

  size_t rows() const { return timestamps.size(); }
  size_t cols() const { return schema.size(); }
  FrameView row(size_t i) const {
    return FrameView{timestamps[i], std::span<const float>(values.data() + i * cols(), cols())};
  }
  const float* data() const { return values.data(); }
};

}  // namespace vigil

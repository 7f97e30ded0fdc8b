// Internal: what one StreamScorer holds. Shared by stream_scorer.cc (Step) and
// stream_state.cc (SaveState/LoadState), which must agree on every member that changes
// while streaming: a member added here is streaming state until shown otherwise, and
// belongs in the checkpoint.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "detect/rolling_median.h"
#include "detect/window_features.h"
#include "vigil/model.h"
#include "vigil/threshold.h"

namespace vigil {

struct StreamScorer::State {
  explicit State(const Model& m);

  // Const after construction.
  const Model& model;

  // Streaming state (checkpointed).
  detect::WindowFeatures features;
  detect::RollingMedian smoother;
  Debouncer debouncer;
  std::unique_ptr<Threshold> threshold;  // the scorer's own copy: SPOT adapts per stream
  bool fixed = false;
  double fixed_value = 0;
  ScoredFrame out;

  // Scratch rows, overwritten by every Step.
  std::vector<float> feature_row, feature_contrib;

  // CRC-32 of the serialized model, computed on first use by a checkpoint.
  std::optional<uint32_t> model_crc;
};

}  // namespace vigil

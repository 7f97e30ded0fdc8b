// One stream's scoring state: window features → detector → score smoothing → threshold
// (SPOT adapts here) → debounce. Step() allocates nothing after construction.
#include <algorithm>

#include "core/byte_io.h"
#include "model/stream_scorer_state.h"

namespace vigil {

StreamScorer::State::State(const Model& m)
    : model(m),
      features({m.window_, m.window_stats_, m.input_smoothing_}, m.schema_.size()),
      smoother(m.smooth_),
      debouncer(m.min_run_),
      feature_row(features.out_dim()),
      feature_contrib(features.out_dim()) {
  // The scorer owns its copy of the threshold: SPOT state is per stream.
  core::ByteWriter w;
  m.threshold_->Save(w);
  threshold = NewThreshold(m.threshold_->kind());
  core::ByteReader r(w.bytes(), "threshold copy");
  VIGIL_CHECK(threshold->Load(r).ok());
  out.contributions.assign(m.schema_.size(), 0.0f);
}

StreamScorer::StreamScorer(const Model& model) : state_(std::make_unique<State>(model)) {}
StreamScorer::~StreamScorer() = default;

void StreamScorer::SetFixedThreshold(double value) {
  state_->fixed = true;
  state_->fixed_value = value;
}

const ScoredFrame& StreamScorer::Step(FrameView frame) {
  State& s = *state_;
  VIGIL_CHECK(frame.values.size() == s.model.schema_.size());
  s.features.Push(frame.values, s.feature_row.data());
  float raw = 0;
  s.model.detector_->Score(s.feature_row.data(), 1, &raw, s.feature_contrib.data());
  std::fill(s.out.contributions.begin(), s.out.contributions.end(), 0.0f);
  for (size_t i = 0; i < s.feature_contrib.size(); ++i) {
    s.out.contributions[s.features.source_channel(i)] += s.feature_contrib[i];
  }
  s.out.timestamp = frame.timestamp;
  s.out.score = s.smoother.Push(raw);
  if (s.fixed) {
    s.out.threshold = s.fixed_value;
    s.out.above = s.out.score > s.fixed_value;
  } else {
    s.out.threshold = s.threshold->value();
    s.out.above = s.threshold->Observe(s.out.score);
  }
  s.out.alarm = s.debouncer.Step(s.out.above);
  return s.out;
}

const ScoredFrame& StreamScorer::last() const { return state_->out; }

std::vector<std::pair<size_t, float>> StreamScorer::TopChannels(size_t max, float min_share) const {
  std::vector<std::pair<size_t, float>> v;
  const auto& c = state_->out.contributions;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] >= min_share) v.emplace_back(i, c[i]);
  }
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > max) v.resize(max);
  return v;
}

}  // namespace vigil

#include "serve/line_scorer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/byte_io.h"

namespace vigil::serve {
namespace {
constexpr uint32_t kStateMagic = 0x4c4e5354;  // "TSNL"
constexpr uint32_t kStateVersion = 1;
}  // namespace

Result<std::unique_ptr<LineScorer>> LineScorer::Create(const LineConfig& config) {
  Result<Model> model = Model::Load(config.model);
  if (!model.ok()) {
    return model.status().WithPrefix("line '" + config.name + "': ");
  }
  auto owned = std::make_unique<Model>(std::move(*model));
  const auto& channels = owned->schema().names();
  if (config.format == PayloadFormat::kCsv && !config.csv_columns.empty()) {
    const auto& cols = config.csv_columns;
    if (std::count(cols.begin(), cols.end(), "ts") != 1) {
      return Status::InvalidArgument("line '" + config.name + "': csv_columns must name 'ts' exactly once");
    }
    for (const std::string& c : channels) {
      if (std::count(cols.begin(), cols.end(), c) != 1 && config.missing_channels == MissingPolicy::kReject) {
        return Status::InvalidArgument("line '" + config.name + "': csv_columns must name the model's channel '" + c +
                                       "' exactly once");
      }
    }
  }
  return std::unique_ptr<LineScorer>(new LineScorer(config, std::move(owned)));
}

LineScorer::LineScorer(const LineConfig& config, std::unique_ptr<Model> model)
    : config_(config),
      model_(std::move(model)),
      parser_(config_, model_->schema().names()),
      scorer_(*model_),
      held_(model_->schema().size(), std::numeric_limits<float>::quiet_NaN()) {}

bool LineScorer::RecentlyScored(double ts) const {
  const size_t n = std::min(recent_count_, recent_ts_.size());
  for (size_t i = 0; i < n; ++i) {
    if (recent_ts_[i] == ts) return true;
  }
  return false;
}

LineOutcome LineScorer::Process(std::string_view payload, size_t arrived_bytes) {
  if (std::optional<ParseReject> r = parser_.Parse(payload, &reading_, arrived_bytes)) {
    LineOutcome o;
    o.reject = std::move(*r);
    ++status_.rejected;
    return o;
  }
  return Score();
}

LineOutcome LineScorer::ProcessReading(double ts, std::span<const float> values) {
  VIGIL_CHECK(values.size() == held_.size());
  reading_.ts = ts;
  reading_.values.assign(values.begin(), values.end());
  return Score();
}

LineOutcome LineScorer::Score() {
  LineOutcome o;
  if (!std::isnan(last_ts_) && reading_.ts <= last_ts_) {
    if (RecentlyScored(reading_.ts)) {
      o.kind = LineOutcome::kDuplicate;
      ++status_.duplicates;
      return o;
    }
    o.reject = {RejectReason::kOutOfOrder, "ts " + std::to_string(reading_.ts) + " is not after the last scored " +
                                               std::to_string(last_ts_)};
    ++status_.rejected;
    return o;
  }
  for (size_t c = 0; c < reading_.values.size(); ++c) {
    if (!std::isnan(reading_.values[c])) continue;
    if (std::isnan(held_[c])) {
      o.reject = {RejectReason::kMissingChannel,
                  "channel '" + model_->schema().name(c) + "' is absent and has no earlier value to hold"};
      ++status_.rejected;
      return o;
    }
    reading_.values[c] = held_[c];
  }
  held_ = reading_.values;

  const ScoredFrame& s = scorer_.Step(FrameView{reading_.ts, reading_.values});
  last_ts_ = reading_.ts;
  recent_ts_[recent_count_++ % recent_ts_.size()] = reading_.ts;
  o.kind = LineOutcome::kScored;
  o.score = {config_.name, reading_.ts, s.score, s.threshold, s.alarm};
  ++status_.scored;
  status_.last_score = s.score;
  status_.threshold = s.threshold;

  if (s.alarm && !open_) {
    AlarmRecord a;
    a.line = config_.name;
    a.start_ts = reading_.ts;
    a.peak_score = s.score;
    a.threshold = s.threshold;
    a.readings = 1;
    for (const auto& [channel, share] : scorer_.TopChannels(3)) a.channels.emplace_back(model_->schema().name(channel), share);
    open_ = a;
    o.alarm = a;
    ++status_.alarms;
  } else if (open_ && s.alarm) {
    open_->peak_score = std::max(open_->peak_score, s.score);
    ++open_->readings;
  } else if (open_ && !s.alarm) {
    open_->end_ts = reading_.ts;
    o.alarm = std::move(*open_);
    open_.reset();
  }
  return o;
}

std::vector<uint8_t> LineScorer::SaveState() const {
  core::ByteWriter w;
  w.U32(kStateMagic);
  w.U32(kStateVersion);
  w.F64(last_ts_);
  w.U64(recent_count_);
  for (double t : recent_ts_) w.F64(t);
  w.U32(static_cast<uint32_t>(held_.size()));
  for (float v : held_) w.F32(v);
  w.U32(open_ ? 1 : 0);
  if (open_) {
    w.F64(open_->start_ts);
    w.F64(open_->peak_score);
    w.F64(open_->threshold);
    w.U64(open_->readings);
    w.U32(static_cast<uint32_t>(open_->channels.size()));
    for (const auto& [name, share] : open_->channels) {
      w.Str(name);
      w.F32(share);
    }
  }
  w.U64(status_.scored);
  w.U64(status_.alarms);
  const std::vector<uint8_t> scorer = scorer_.SaveState();
  w.U64(scorer.size());
  w.Raw(scorer.data(), scorer.size());
  return w.bytes();
}

Status LineScorer::LoadState(std::span<const uint8_t> bytes) {
  core::ByteReader r(bytes, "line '" + config_.name + "' state");
  uint32_t magic = 0, version = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("magic", &magic));
  VIGIL_RETURN_IF_ERROR(r.U32("version", &version));
  if (magic != kStateMagic || version != kStateVersion) {
    return Status::Corruption("line '" + config_.name + "' state: unknown format");
  }
  double last_ts = 0;
  uint64_t recent_count = 0;
  std::array<double, 64> recent{};
  VIGIL_RETURN_IF_ERROR(r.F64("last_ts", &last_ts));
  VIGIL_RETURN_IF_ERROR(r.U64("recent_count", &recent_count));
  for (double& t : recent) VIGIL_RETURN_IF_ERROR(r.F64("recent_ts", &t));
  uint32_t channels = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("channel_count", &channels));
  if (channels != held_.size()) {
    return Status::InvalidArgument("line '" + config_.name + "' state has " + std::to_string(channels) +
                                   " channels, the model " + std::to_string(held_.size()));
  }
  std::vector<float> held(channels);
  for (float& v : held) VIGIL_RETURN_IF_ERROR(r.F32("held_value", &v));
  uint32_t has_open = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("has_open_alarm", &has_open));
  std::optional<AlarmRecord> open;
  if (has_open) {
    AlarmRecord a;
    a.line = config_.name;
    uint32_t n = 0;
    VIGIL_RETURN_IF_ERROR(r.F64("alarm.start_ts", &a.start_ts));
    VIGIL_RETURN_IF_ERROR(r.F64("alarm.peak_score", &a.peak_score));
    VIGIL_RETURN_IF_ERROR(r.F64("alarm.threshold", &a.threshold));
    VIGIL_RETURN_IF_ERROR(r.U64("alarm.readings", &a.readings));
    VIGIL_RETURN_IF_ERROR(r.U32("alarm.channel_count", &n));
    if (n > channels) return Status::Corruption("line '" + config_.name + "' state: bad alarm channel count");
    for (uint32_t i = 0; i < n; ++i) {
      std::string name;
      float share = 0;
      VIGIL_RETURN_IF_ERROR(r.Str("alarm.channel", &name));
      VIGIL_RETURN_IF_ERROR(r.F32("alarm.share", &share));
      a.channels.emplace_back(std::move(name), share);
    }
    open = std::move(a);
  }
  uint64_t scored = 0, alarms = 0, scorer_bytes = 0;
  VIGIL_RETURN_IF_ERROR(r.U64("scored", &scored));
  VIGIL_RETURN_IF_ERROR(r.U64("alarms", &alarms));
  VIGIL_RETURN_IF_ERROR(r.U64("scorer_state_bytes", &scorer_bytes));
  std::span<const uint8_t> scorer;
  VIGIL_RETURN_IF_ERROR(r.View("scorer_state", scorer_bytes, &scorer));
  VIGIL_RETURN_IF_ERROR(scorer_.LoadState(scorer));
  last_ts_ = last_ts;
  recent_count_ = recent_count;
  recent_ts_ = recent;
  held_ = std::move(held);
  open_ = std::move(open);
  status_.scored = scored;
  status_.alarms = alarms;
  return Status::OK();
}

}  // namespace vigil::serve

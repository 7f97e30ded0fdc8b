// One production line inside vigil serve: its model, its stream's scoring state, and the alarm
// it may have open. Readings go in as payloads; scores, alarm events and refusals come out.
//
//   VIGIL_ASSIGN_OR_RETURN(auto line, serve::LineScorer::Create(line_config));
//   serve::LineOutcome o = line->Process(payload);
//   if (o.kind == serve::LineOutcome::kScored && o.alarm) publish(*o.alarm);
//
// Ordering: readings must arrive with increasing ts. A reading whose ts is one of the last 64
// scored ones is a redelivery (the broker resending what was already taken after a crash) and
// is reported as kDuplicate, not scored twice; any other ts at or before the last is refused
// as out_of_order.
// Alarms: a debounced alarm that turns on opens an AlarmRecord (its causing channels are the
// top contributors at that reading) and is reported once with end_ts = NaN; when it turns off
// it is reported again, closed (end_ts = that reading's ts). peak_score and readings grow
// while it is open.
// State (SaveState/LoadState) holds everything needed to continue after a restart exactly as
// if there had been none. Not thread-safe: one thread drives a line.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "serve/reading_parser.h"
#include "serve/records.h"
#include "serve/serve_config.h"
#include "vigil/model.h"

namespace vigil::serve {

struct LineOutcome {
  enum Kind { kScored, kRejected, kDuplicate } kind = kRejected;
  ScoreRecord score;                 // kScored
  std::optional<AlarmRecord> alarm;  // kScored: an alarm opened or closed at this reading
  ParseReject reject;                // kRejected
};

// Counts and the last score of a line (what /api/lines shows, with last_ts() and open_alarm()).
struct LineStatus {
  uint64_t scored = 0, rejected = 0, duplicates = 0, alarms = 0;
  double last_score = kOpen, threshold = kOpen;
};

class LineScorer {
 public:
  // Loads the model named in `config` and checks the config against it (CSV columns).
  static Result<std::unique_ptr<LineScorer>> Create(const LineConfig& config);

  // `arrived_bytes`: see ReadingParser::Parse.
  LineOutcome Process(std::string_view payload, size_t arrived_bytes = 0);
  // A reading already split into ts and values (model channel order; NaN = absent).
  LineOutcome ProcessReading(double ts, std::span<const float> values);

  std::vector<uint8_t> SaveState() const;
  // InvalidArgument / Corruption (state unchanged) for bytes of another model or damaged bytes.
  Status LoadState(std::span<const uint8_t> bytes);

  const LineConfig& config() const { return config_; }
  const Model& model() const { return *model_; }
  const LineStatus& status() const { return status_; }
  double last_ts() const { return last_ts_; }  // NaN before the first scored reading
  const std::optional<AlarmRecord>& open_alarm() const { return open_; }

 private:
  LineScorer(const LineConfig& config, std::unique_ptr<Model> model);
  bool RecentlyScored(double ts) const;
  LineOutcome Score();  // reading_ is filled

  const LineConfig config_;
  const std::unique_ptr<Model> model_;
  ReadingParser parser_;
  StreamScorer scorer_;
  ParsedReading reading_;  // scratch

  double last_ts_ = kOpen;
  std::array<double, 64> recent_ts_{};  // ring of the last scored ts
  size_t recent_count_ = 0;
  std::vector<float> held_;  // last value per channel (policy "hold"); NaN = never seen
  std::optional<AlarmRecord> open_;
  LineStatus status_;
};

}  // namespace vigil::serve

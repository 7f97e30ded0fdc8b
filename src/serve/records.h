// What vigil serve produces and keeps: alarms, score history, rejected readings and each
// line's checkpoint. Shared by the event store, the MQTT output and the HTTP API.
//
//   serve::AlarmRecord a{.line = "pump-1", .start_ts = 1583748873, .peak_score = 4.2, ...};
//   nlohmann::json j = serve::ToJson(a);   // {"id":"pump-1@1583748873.000000", ...}
//
// Timestamps are epoch seconds (UTC) as read from the reading's "ts"; NaN means "not yet"
// (an alarm still open has end_ts = NaN).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace vigil::serve {

inline constexpr double kOpen = std::numeric_limits<double>::quiet_NaN();

// One debounced alarm of one line. Identified by (line, start_ts): the reading that raised it.
// Replaying the same readings raises the same alarm with the same identity, which is what
// makes storing it idempotent.
struct AlarmRecord {
  std::string line;
  double start_ts = kOpen;
  double end_ts = kOpen;  // first reading after it that was no longer in alarm; NaN while open
  double peak_score = 0;  // largest smoothed score while open
  double threshold = 0;   // threshold in force when it was raised
  uint64_t readings = 0;  // readings scored while it was open
  // The channels that caused it (largest share of the score first), at the reading that raised it.
  std::vector<std::pair<std::string, float>> channels;

  bool open() const { return std::isnan(end_ts); }
  // "<line>@<start_ts with 6 decimals>": stable across restarts and replays.
  std::string Id() const;
};

// One scored reading (the rolling score history).
struct ScoreRecord {
  std::string line;
  double ts = 0;
  double score = 0;
  double threshold = 0;
  bool alarm = false;
};

// Why a reading was not scored. Serialized by name (RejectReasonName); values never renumber.
enum class RejectReason : uint32_t {
  kMalformed = 0,        // not valid JSON / CSV, or not an object
  kOversize = 1,         // payload longer than the line's max_payload_bytes
  kUnknownChannel = 2,   // a channel the model does not know (policy "reject")
  kMissingChannel = 3,   // a channel the model needs is absent and has no value to hold
  kWrongType = 4,        // a value that is not a number (or ts that is not a time)
  kNonFinite = 5,        // NaN or ±Inf
  kOutOfOrder = 6,       // ts not later than the line's last scored ts
  kMissingTimestamp = 7, // no "ts"
  kUnknownTopic = 8,     // a topic no line's filter matches
  kQueueFull = 9,        // dropped under overload (policy "drop")
};
inline constexpr size_t kRejectReasonCount = 10;
// "malformed", "oversize", "unknown_channel", ... (the metric label and the stored text).
const char* RejectReasonName(RejectReason reason);

// A reading that was refused, with enough to find it again.
struct RejectRecord {
  uint64_t seq = 0;  // the ingest journal's sequence number: unique, makes storing idempotent
  std::string line;  // empty when no line matched the topic
  RejectReason reason = RejectReason::kMalformed;
  std::string detail;   // e.g. "channel 'Pressure': expected a number, got string"
  std::string payload;  // the first 256 bytes of what arrived
  double received_unix = 0;
};

// Where a line's scoring stood at a commit: restart continues from here.
struct LineCheckpoint {
  std::string line;
  uint64_t journal_seq = 0;    // last journal record whose effects are in the store
  double last_ts = kOpen;      // last scored reading's ts (NaN: none yet)
  std::vector<uint8_t> state;  // StreamScorer state + the open alarm, opaque to the store
};

// Compact JSON text. Invalid UTF-8 in strings (payload excerpts are raw bytes from the wire)
// becomes U+FFFD instead of an exception.
std::string JsonText(const nlohmann::json& j);

nlohmann::json ToJson(const AlarmRecord& a);
nlohmann::json ToJson(const ScoreRecord& s);
nlohmann::json ToJson(const RejectRecord& r);

}  // namespace vigil::serve

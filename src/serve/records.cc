#include "serve/records.h"

#include <cstdio>

#include "io/timestamp.h"

namespace vigil::serve {

std::string AlarmRecord::Id() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "@%.6f", start_ts);
  return line + buf;
}

const char* RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kMalformed: return "malformed";
    case RejectReason::kOversize: return "oversize";
    case RejectReason::kUnknownChannel: return "unknown_channel";
    case RejectReason::kMissingChannel: return "missing_channel";
    case RejectReason::kWrongType: return "wrong_type";
    case RejectReason::kNonFinite: return "non_finite";
    case RejectReason::kOutOfOrder: return "out_of_order";
    case RejectReason::kMissingTimestamp: return "missing_timestamp";
    case RejectReason::kUnknownTopic: return "unknown_topic";
    case RejectReason::kQueueFull: return "queue_full";
  }
  return "unknown";
}

namespace {
nlohmann::json TimeJson(double ts) {
  if (std::isnan(ts)) return nullptr;
  return ts;
}
}  // namespace

std::string JsonText(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

nlohmann::json ToJson(const AlarmRecord& a) {
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& [name, share] : a.channels) channels.push_back({{"channel", name}, {"share", share}});
  return {{"id", a.Id()},
          {"line", a.line},
          {"start_ts", a.start_ts},
          {"start", io::FormatTimestamp(a.start_ts)},
          {"end_ts", TimeJson(a.end_ts)},
          {"open", a.open()},
          {"peak_score", a.peak_score},
          {"threshold", a.threshold},
          {"readings", a.readings},
          {"channels", channels}};
}

nlohmann::json ToJson(const ScoreRecord& s) {
  return {{"line", s.line}, {"ts", s.ts}, {"score", s.score}, {"threshold", s.threshold}, {"alarm", s.alarm}};
}

nlohmann::json ToJson(const RejectRecord& r) {
  return {{"seq", r.seq},         {"line", r.line},       {"reason", RejectReasonName(r.reason)},
          {"detail", r.detail},   {"payload", r.payload}, {"received_unix", r.received_unix}};
}

}  // namespace vigil::serve

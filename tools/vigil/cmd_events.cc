// vigil events: what vigil serve stored (alarms, or refused readings), read from its SQLite store.
// Reads only: a mistyped --store path is an error, never a new empty store.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

#include "io/timestamp.h"
#include "serve/event_store.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct EventsArgs {
  std::string store;
  std::string since;  // empty = from the beginning
  std::string line;
  size_t limit = 100;
  std::string format = "table";
  bool rejects = false;
};

// Shortest text that reads back as the same double ("0.1", "1583748873.25").
std::string Number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvRow(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += CsvField(fields[i]);
  }
  return out;
}

// Payloads are whatever arrived: show control bytes and non-ASCII as \xNN so a table stays one line.
std::string Printable(const std::string& s, size_t max_chars) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// "Pressure:0.62|Temperature:0.25", the largest shares first (as stored).
std::string TopChannels(const serve::AlarmRecord& a, size_t max = 3) {
  std::string out;
  for (size_t i = 0; i < a.channels.size() && i < max; ++i) {
    if (!out.empty()) out += '|';
    out += a.channels[i].first + ":" + Fixed(a.channels[i].second, 2);
  }
  return out;
}

// Left-aligned columns, two spaces apart; the last column is not padded.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string out;
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << out << "\n";
  }
}

// Invalid UTF-8 in a payload must not stop the listing: replaced by U+FFFD in JSON output.
void PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void PrintAlarms(const std::vector<serve::AlarmRecord>& alarms, const std::string& format) {
  if (format == "json") {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& a : alarms) j.push_back(serve::ToJson(a));
    PrintJson(j);
  } else if (format == "csv") {
    std::cout << "id,line,start,end,start_ts,end_ts,peak_score,threshold,readings,top_channels\n";
    for (const auto& a : alarms) {
      std::cout << CsvRow({a.Id(), a.line, io::FormatTimestamp(a.start_ts),
                           a.open() ? "" : io::FormatTimestamp(a.end_ts), Number(a.start_ts),
                           a.open() ? "" : Number(a.end_ts), Number(a.peak_score), Number(a.threshold),
                           std::to_string(a.readings), TopChannels(a)})
                << "\n";
    }
  } else {
    std::vector<std::vector<std::string>> rows{
        {"start", "end", "line", "peak", "threshold", "readings", "top_channels"}};
    for (const auto& a : alarms) {
      rows.push_back({io::FormatTimestamp(a.start_ts), a.open() ? "open" : io::FormatTimestamp(a.end_ts),
                      a.line, Fixed(a.peak_score, 3), Fixed(a.threshold, 3), std::to_string(a.readings),
                      TopChannels(a)});
    }
    PrintTable(rows);
  }
}

void PrintRejects(const std::vector<serve::RejectRecord>& rejects, const std::string& format) {
  if (format == "json") {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : rejects) j.push_back(serve::ToJson(r));
    PrintJson(j);
  } else if (format == "csv") {
    std::cout << "seq,received,received_unix,line,reason,detail,payload\n";
    for (const auto& r : rejects) {
      std::cout << CsvRow({std::to_string(r.seq), io::FormatTimestamp(r.received_unix),
                           Number(r.received_unix), r.line, serve::RejectReasonName(r.reason), r.detail,
                           r.payload})
                << "\n";
    }
  } else {
    std::vector<std::vector<std::string>> rows{{"seq", "received", "line", "reason", "detail", "payload"}};
    for (const auto& r : rejects) {
      rows.push_back({std::to_string(r.seq), io::FormatTimestamp(r.received_unix),
                      r.line.empty() ? "-" : r.line, serve::RejectReasonName(r.reason),
                      Printable(r.detail, 120), Printable(r.payload, 60)});
    }
    PrintTable(rows);
  }
}

int RunEvents(const EventsArgs& a) {
  double since = -std::numeric_limits<double>::infinity();
  if (!a.since.empty()) {
    auto parsed = io::ParseTimestamp(a.since);
    if (!parsed.ok()) {
      return Fail(Status::InvalidArgument("--since '" + a.since + "': " + parsed.status().message()));
    }
    since = *parsed;
  }
  auto store = serve::EventStore::Open({.path = a.store, .create_if_missing = false});
  if (!store.ok()) return Fail(store.status());
  if (a.rejects) {
    auto rejects = (*store)->Rejects(a.line, a.limit, since);
    if (!rejects.ok()) return Fail(rejects.status());
    PrintRejects(*rejects, a.format);
  } else {
    auto alarms = (*store)->Alarms({.since = since, .line = a.line, .limit = a.limit});
    if (!alarms.ok()) return Fail(alarms.status());
    PrintAlarms(*alarms, a.format);
  }
  std::cout.flush();
  if (!std::cout) return Fail(Status::IOError("writing to stdout failed"));
  return kExitOk;
}

}  // namespace

void RegisterEvents(CLI::App& app, Action* run) {
  auto args = std::make_shared<EventsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "events",
      "List the alarms (or, with --rejects, the refused readings) stored by vigil serve, newest first");
  cmd->add_option("--store", args->store, "The service's event store (SQLite file); never created here")
      ->required();
  cmd->add_option("--since", args->since,
                  "Only alarms still going at or after this time (rejects: received at or after it): "
                  "YYYY-MM-DD[ hh:mm[:ss]][offset] or epoch seconds");
  cmd->add_option("--line", args->line, "Only this line");
  cmd->add_option("--limit", args->limit, "At most this many rows (0 = all)")->capture_default_str();
  cmd->add_option("--format", args->format, "Output: table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  cmd->add_flag("--rejects", args->rejects, "List refused readings instead of alarms");
  cmd->callback([args, run] { *run = [args] { return RunEvents(*args); }; });
}

}  // namespace vigil::cli

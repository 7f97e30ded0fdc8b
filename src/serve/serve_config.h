// vigil serve's configuration, read from a TOML file.
//
//   Result<serve::ServeConfig> c = serve::LoadServeConfig("vigil.toml");
//   if (!c.ok()) { print c.status().message(); }   // "vigil.toml:12:3: line 'pump': ..."
//
// Every key is checked: unknown keys (typos) are errors, as are missing required keys, wrong
// types and out-of-range values; each message names the file, line and column (or the key path
// when the key is absent). Relative paths (model files, store, state directory, password and
// token files) are resolved against the config file's directory. See docs/serve.md for every
// key and its default.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vigil/status.h"

namespace vigil::serve {

enum class PayloadFormat { kJson, kCsv };
enum class ChannelPolicy { kReject, kIgnore };  // unknown channels in a JSON reading
enum class MissingPolicy { kReject, kHold };    // channels absent from a reading
enum class OverloadPolicy { kBlock, kDrop };    // what a full ingest queue does

struct BrokerConfig {
  bool enabled = false;  // false: no [broker] table (replay from --source only)
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id = "vigil";
  std::string username;
  std::string password;  // from `password` or the file named by `password_file`
  int keepalive_s = 30;
  uint32_t session_expiry_s = 86400;  // how long the broker keeps our queue while we are away
  std::string ca_file, cert_file, key_file;  // TLS when ca_file is set
  int connect_timeout_ms = 10000;            // first connection; later ones retry forever
};

struct LineConfig {
  std::string name;
  std::string topic;  // MQTT topic filter (may hold + and #)
  PayloadFormat format = PayloadFormat::kJson;
  std::string model;        // .vgm path (resolved)
  std::string alarm_topic;  // default "vigil/alarms/<name>"
  std::string score_topic;  // empty: scores are not published
  ChannelPolicy unknown_channels = ChannelPolicy::kReject;
  MissingPolicy missing_channels = MissingPolicy::kReject;
  std::vector<std::string> csv_columns;  // CSV payload columns; default: ts, then the model's channels
  size_t max_payload_bytes = 65536;
};

struct StoreConfig {
  std::string path = "vigil.db";
  uint64_t max_score_rows = 1000000;
  double max_score_age_s = 0;
  int commit_interval_ms = 100;  // a commit at least this often while readings flow
  size_t commit_max_readings = 2000;
};

struct HttpConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:8080";
  std::string bearer_token;  // from `bearer_token` or `token_file`
};

struct ServiceConfig {
  std::string state_dir = "vigil-state";  // the ingest journal
  size_t queue_capacity = 10000;
  OverloadPolicy overload = OverloadPolicy::kBlock;
  std::string dead_letter_topic = "vigil/dead-letter";
  std::string share_group;  // set: subscribe through $share/<group>/<topic>
  uint32_t worker_index = 0;  // this worker's lines: those whose name hashes to worker_index
  uint32_t worker_count = 1;  // mod worker_count ("worker = \"2/3\"" is index 1 of 3)
};

struct ServeConfig {
  std::string path;  // the file it came from
  BrokerConfig broker;
  StoreConfig store;
  HttpConfig http;
  ServiceConfig service;
  std::vector<LineConfig> lines;  // at least one
};

Result<ServeConfig> LoadServeConfig(const std::string& path);
// The same from text; `name` stands for the file in messages, `base_dir` resolves paths.
Result<ServeConfig> ParseServeConfig(std::string_view text, const std::string& name, const std::string& base_dir);

// Parses "K/N" (1 <= K <= N) into a 0-based index and a count; InvalidArgument otherwise.
Status ParseWorker(const std::string& text, uint32_t* index, uint32_t* count);

// Whether line `name` belongs to worker `index` of `count` (stable hash of the name).
bool LineBelongsToWorker(const std::string& name, uint32_t index, uint32_t count);

}  // namespace vigil::serve

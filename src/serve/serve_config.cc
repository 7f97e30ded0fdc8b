#include "serve/serve_config.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "io/toml_table.h"

namespace vigil::serve {
namespace {

std::string Resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute() || base_dir.empty()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(key + ": cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Status ReadBroker(const toml::table& t, const std::string& file, const std::string& dir, BrokerConfig* b) {
  io::TomlTable r(t, file, "broker");
  b->enabled = true;
  VIGIL_RETURN_IF_ERROR(r.String("host", &b->host));
  VIGIL_RETURN_IF_ERROR(r.Integer("port", &b->port, 1, 65535));
  VIGIL_RETURN_IF_ERROR(r.String("client_id", &b->client_id));
  if (b->client_id.empty() || b->client_id.size() > 128) {
    return Status::InvalidArgument(file + ": broker.client_id must be 1..128 characters");
  }
  VIGIL_RETURN_IF_ERROR(r.String("username", &b->username));
  VIGIL_RETURN_IF_ERROR(r.String("password", &b->password));
  std::string password_file;
  VIGIL_RETURN_IF_ERROR(r.String("password_file", &password_file));
  if (!password_file.empty()) {
    if (!b->password.empty()) {
      return Status::InvalidArgument(file + ": broker: set password or password_file, not both");
    }
    VIGIL_ASSIGN_OR_RETURN(b->password, ReadSecretFile(Resolve(dir, password_file), "broker.password_file"));
  }
  VIGIL_RETURN_IF_ERROR(r.Integer("keepalive_s", &b->keepalive_s, 5, 65535));
  VIGIL_RETURN_IF_ERROR(r.Integer("session_expiry_s", &b->session_expiry_s, 0, 4294967295LL));
  VIGIL_RETURN_IF_ERROR(r.Integer("connect_timeout_ms", &b->connect_timeout_ms, 100, 600000));
  VIGIL_RETURN_IF_ERROR(r.String("ca_file", &b->ca_file));
  VIGIL_RETURN_IF_ERROR(r.String("cert_file", &b->cert_file));
  VIGIL_RETURN_IF_ERROR(r.String("key_file", &b->key_file));
  b->ca_file = Resolve(dir, b->ca_file);
  b->cert_file = Resolve(dir, b->cert_file);
  b->key_file = Resolve(dir, b->key_file);
  if (b->cert_file.empty() != b->key_file.empty()) {
    return Status::InvalidArgument(file + ": broker: cert_file and key_file go together");
  }
  if (!b->cert_file.empty() && b->ca_file.empty()) {
    return Status::InvalidArgument(file + ": broker: a client certificate needs ca_file (TLS)");
  }
  return r.CheckNoUnknownKeys();
}

Status ReadLine(const toml::table& t, const std::string& file, const std::string& dir, size_t index,
                LineConfig* l) {
  io::TomlTable r(t, file, "line[" + std::to_string(index) + "]");
  VIGIL_RETURN_IF_ERROR(r.String("name", &l->name, true));
  for (char c : l->name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return r.Error(*t.get("name"), "name", "'" + l->name + "' may hold only letters, digits, '-', '_' and '.'");
    }
  }
  VIGIL_RETURN_IF_ERROR(r.String("topic", &l->topic, true));
  int format = 0;
  VIGIL_RETURN_IF_ERROR(r.Choice("format", {"json", "csv"}, &format));
  l->format = static_cast<PayloadFormat>(format);
  VIGIL_RETURN_IF_ERROR(r.String("model", &l->model, true));
  l->model = Resolve(dir, l->model);
  l->alarm_topic = "vigil/alarms/" + l->name;
  VIGIL_RETURN_IF_ERROR(r.String("alarm_topic", &l->alarm_topic));
  VIGIL_RETURN_IF_ERROR(r.String("score_topic", &l->score_topic));
  int unknown = 0, missing = 0;
  VIGIL_RETURN_IF_ERROR(r.Choice("unknown_channels", {"reject", "ignore"}, &unknown));
  VIGIL_RETURN_IF_ERROR(r.Choice("missing_channels", {"reject", "hold"}, &missing));
  l->unknown_channels = static_cast<ChannelPolicy>(unknown);
  l->missing_channels = static_cast<MissingPolicy>(missing);
  VIGIL_RETURN_IF_ERROR(r.StringList("csv_columns", &l->csv_columns));
  VIGIL_RETURN_IF_ERROR(r.Integer("max_payload_bytes", &l->max_payload_bytes, 16, 16 << 20));
  for (const std::string* topic : {&l->alarm_topic, &l->score_topic}) {
    if (topic->find_first_of("+#") != std::string::npos) {
      return Status::InvalidArgument(file + ": line '" + l->name + "': output topic '" + *topic +
                                     "' must not hold wildcards");
    }
  }
  return r.CheckNoUnknownKeys();
}

}  // namespace

Status ParseWorker(const std::string& text, uint32_t* index, uint32_t* count) {
  unsigned i = 0, n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%u/%u%c", &i, &n, &tail) != 2 || n < 1 || i < 1 || i > n) {
    return Status::InvalidArgument("'" + text + "' is not K/N with 1 <= K <= N");
  }
  *index = i - 1;
  *count = n;
  return Status::OK();
}

bool LineBelongsToWorker(const std::string& name, uint32_t index, uint32_t count) {
  // FNV-1a: stable across builds and platforms, so every worker agrees on the partition.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return count <= 1 || h % count == index;
}

Result<ServeConfig> ParseServeConfig(std::string_view text, const std::string& name, const std::string& base_dir) {
  toml::table root;
  VIGIL_RETURN_IF_ERROR(io::ParseToml(text, name, &root));
  ServeConfig c;
  c.path = name;
  io::TomlTable r(root, name, "");
  VIGIL_ASSIGN_OR_RETURN(const toml::table* broker, r.Table("broker"));
  if (broker) VIGIL_RETURN_IF_ERROR(ReadBroker(*broker, name, base_dir, &c.broker));

  VIGIL_ASSIGN_OR_RETURN(const toml::table* store, r.Table("store"));
  if (store) {
    io::TomlTable s(*store, name, "store");
    VIGIL_RETURN_IF_ERROR(s.String("path", &c.store.path));
    VIGIL_RETURN_IF_ERROR(s.Integer("max_score_rows", &c.store.max_score_rows, 0, INT64_MAX));
    VIGIL_RETURN_IF_ERROR(s.Number("max_score_age_s", &c.store.max_score_age_s, 0, 1e12));
    VIGIL_RETURN_IF_ERROR(s.Integer("commit_interval_ms", &c.store.commit_interval_ms, 1, 60000));
    VIGIL_RETURN_IF_ERROR(s.Integer("commit_max_readings", &c.store.commit_max_readings, 1, 1000000));
    VIGIL_RETURN_IF_ERROR(s.CheckNoUnknownKeys());
  }
  c.store.path = Resolve(base_dir, c.store.path);

  VIGIL_ASSIGN_OR_RETURN(const toml::table* http, r.Table("http"));
  if (http) {
    io::TomlTable h(*http, name, "http");
    VIGIL_RETURN_IF_ERROR(h.Bool("enabled", &c.http.enabled));
    VIGIL_RETURN_IF_ERROR(h.String("listen", &c.http.listen));
    VIGIL_RETURN_IF_ERROR(h.String("bearer_token", &c.http.bearer_token));
    std::string token_file;
    VIGIL_RETURN_IF_ERROR(h.String("token_file", &token_file));
    if (!token_file.empty()) {
      if (!c.http.bearer_token.empty()) {
        return Status::InvalidArgument(name + ": http: set bearer_token or token_file, not both");
      }
      VIGIL_ASSIGN_OR_RETURN(c.http.bearer_token, ReadSecretFile(Resolve(base_dir, token_file), "http.token_file"));
    }
    VIGIL_RETURN_IF_ERROR(h.CheckNoUnknownKeys());
  }

  VIGIL_ASSIGN_OR_RETURN(const toml::table* service, r.Table("service"));
  if (service) {
    io::TomlTable s(*service, name, "service");
    VIGIL_RETURN_IF_ERROR(s.String("state_dir", &c.service.state_dir));
    VIGIL_RETURN_IF_ERROR(s.Integer("queue_capacity", &c.service.queue_capacity, 1, 10000000));
    int overload = 0;
    VIGIL_RETURN_IF_ERROR(s.Choice("overload", {"block", "drop"}, &overload));
    c.service.overload = static_cast<OverloadPolicy>(overload);
    VIGIL_RETURN_IF_ERROR(s.String("dead_letter_topic", &c.service.dead_letter_topic));
    VIGIL_RETURN_IF_ERROR(s.String("share_group", &c.service.share_group));
    if (c.service.share_group.find_first_of("/+#") != std::string::npos) {
      return s.Error(*service->get("share_group"), "share_group", "must not hold '/', '+' or '#'");
    }
    std::string worker;
    VIGIL_RETURN_IF_ERROR(s.String("worker", &worker));
    if (!worker.empty()) {
      if (Status w = ParseWorker(worker, &c.service.worker_index, &c.service.worker_count); !w.ok()) {
        return s.Error(*service->get("worker"), "worker", w.message());
      }
    }
    VIGIL_RETURN_IF_ERROR(s.CheckNoUnknownKeys());
  }
  c.service.state_dir = Resolve(base_dir, c.service.state_dir);

  const toml::node* lines = r.Node("line");
  if (lines == nullptr || !lines->is_array_of_tables() || lines->as_array()->empty()) {
    return Status::InvalidArgument(name + ": at least one [[line]] table is required");
  }
  std::set<std::string> names, topics;
  size_t index = 0;
  for (const toml::node& n : *lines->as_array()) {
    LineConfig l;
    VIGIL_RETURN_IF_ERROR(ReadLine(*n.as_table(), name, base_dir, index++, &l));
    if (!names.insert(l.name).second) {
      return Status::InvalidArgument(io::TomlWhere(name, n.source()) + ": line name '" + l.name + "' is used twice");
    }
    if (!topics.insert(l.topic).second) {
      return Status::InvalidArgument(io::TomlWhere(name, n.source()) + ": topic filter '" + l.topic + "' is used by two lines");
    }
    c.lines.push_back(std::move(l));
  }
  VIGIL_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  return c;
}

Result<ServeConfig> LoadServeConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseServeConfig(ss.str(), path, dir);
}

}  // namespace vigil::serve

#include "serve/serve_config.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace vigil::serve {
namespace {

std::string Where(const std::string& file, const toml::source_region& at) {
  return file + ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column);
}

// Reads one TOML table's keys, remembering which were used so leftovers (typos) are reported.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string file, std::string path)
      : t_(t), file_(std::move(file)), path_(std::move(path)) {}

  const toml::node* Node(const std::string& key) {
    used_.insert(key);
    return t_.get(key);
  }
  std::string Name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Status Error(const toml::node& n, const std::string& key, const std::string& what) const {
    return Status::InvalidArgument(Where(file_, n.source()) + ": " + Name(key) + ": " + what);
  }
  Status Missing(const std::string& key) const {
    return Status::InvalidArgument(file_ + ": " + (path_.empty() ? "" : "[" + path_ + "] ") + "missing required key '" +
                                   key + "'");
  }

  Status String(const std::string& key, std::string* out, bool required = false) {
    const toml::node* n = Node(key);
    if (n == nullptr) return required ? Missing(key) : Status::OK();
    if (!n->is_string()) return Error(*n, key, "expected a string");
    *out = *n->value<std::string>();
    if (required && out->empty()) return Error(*n, key, "must not be empty");
    return Status::OK();
  }
  template <typename T>
  Status Integer(const std::string& key, T* out, int64_t lo, int64_t hi) {
    const toml::node* n = Node(key);
    if (n == nullptr) return Status::OK();
    if (!n->is_integer()) return Error(*n, key, "expected an integer");
    const int64_t v = *n->value<int64_t>();
    if (v < lo || v > hi) {
      return Error(*n, key, std::to_string(v) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    *out = static_cast<T>(v);
    return Status::OK();
  }
  Status Number(const std::string& key, double* out, double lo, double hi) {
    const toml::node* n = Node(key);
    if (n == nullptr) return Status::OK();
    if (!n->is_number()) return Error(*n, key, "expected a number");
    const double v = *n->value<double>();
    if (!(v >= lo && v <= hi)) return Error(*n, key, std::to_string(v) + " is out of range");
    *out = v;
    return Status::OK();
  }
  Status Bool(const std::string& key, bool* out) {
    const toml::node* n = Node(key);
    if (n == nullptr) return Status::OK();
    if (!n->is_boolean()) return Error(*n, key, "expected true or false");
    *out = *n->value<bool>();
    return Status::OK();
  }
  // A string that must be one of `choices`; returns its index through `out`.
  Status Choice(const std::string& key, const std::vector<std::string>& choices, int* out) {
    std::string s;
    VIGIL_RETURN_IF_ERROR(String(key, &s));
    if (t_.get(key) == nullptr) return Status::OK();
    for (size_t i = 0; i < choices.size(); ++i) {
      if (s == choices[i]) {
        *out = static_cast<int>(i);
        return Status::OK();
      }
    }
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    return Error(*t_.get(key), key, "'" + s + "' is not one of " + list);
  }
  Status StringList(const std::string& key, std::vector<std::string>* out) {
    const toml::node* n = Node(key);
    if (n == nullptr) return Status::OK();
    const toml::array* a = n->as_array();
    if (a == nullptr) return Error(*n, key, "expected an array of strings");
    out->clear();
    for (const toml::node& e : *a) {
      if (!e.is_string()) return Error(e, key, "expected an array of strings");
      out->push_back(*e.value<std::string>());
    }
    return Status::OK();
  }
  // Unknown keys are errors: a misspelt key would otherwise silently keep its default.
  Status CheckNoUnknownKeys() const {
    for (auto&& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) {
        return Status::InvalidArgument(Where(file_, k.source()) + ": unknown key '" + Name(std::string(k.str())) + "'");
      }
    }
    return Status::OK();
  }

 private:
  const toml::table& t_;
  std::string file_, path_;
  std::set<std::string> used_;
};

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

Result<const toml::table*> SubTable(const toml::table& root, TableReader& r, const std::string& key) {
  const toml::node* n = r.Node(key);
  if (n == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!n->is_table()) return r.Error(*n, key, "expected a table [" + key + "]");
  (void)root;
  return n->as_table();
}

Status ReadBroker(const toml::table& t, const std::string& file, const std::string& dir, BrokerConfig* b) {
  TableReader r(t, file, "broker");
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
  TableReader r(t, file, "line[" + std::to_string(index) + "]");
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
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(Where(name, e.source()) + ": " + std::string(e.description()));
  }
  ServeConfig c;
  c.path = name;
  TableReader r(root, name, "");
  VIGIL_ASSIGN_OR_RETURN(const toml::table* broker, SubTable(root, r, "broker"));
  if (broker) VIGIL_RETURN_IF_ERROR(ReadBroker(*broker, name, base_dir, &c.broker));

  VIGIL_ASSIGN_OR_RETURN(const toml::table* store, SubTable(root, r, "store"));
  if (store) {
    TableReader s(*store, name, "store");
    VIGIL_RETURN_IF_ERROR(s.String("path", &c.store.path));
    VIGIL_RETURN_IF_ERROR(s.Integer("max_score_rows", &c.store.max_score_rows, 0, INT64_MAX));
    VIGIL_RETURN_IF_ERROR(s.Number("max_score_age_s", &c.store.max_score_age_s, 0, 1e12));
    VIGIL_RETURN_IF_ERROR(s.Integer("commit_interval_ms", &c.store.commit_interval_ms, 1, 60000));
    VIGIL_RETURN_IF_ERROR(s.Integer("commit_max_readings", &c.store.commit_max_readings, 1, 1000000));
    VIGIL_RETURN_IF_ERROR(s.CheckNoUnknownKeys());
  }
  c.store.path = Resolve(base_dir, c.store.path);

  VIGIL_ASSIGN_OR_RETURN(const toml::table* http, SubTable(root, r, "http"));
  if (http) {
    TableReader h(*http, name, "http");
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

  VIGIL_ASSIGN_OR_RETURN(const toml::table* service, SubTable(root, r, "service"));
  if (service) {
    TableReader s(*service, name, "service");
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
      return Status::InvalidArgument(Where(name, n.source()) + ": line name '" + l.name + "' is used twice");
    }
    if (!topics.insert(l.topic).second) {
      return Status::InvalidArgument(Where(name, n.source()) + ": topic filter '" + l.topic + "' is used by two lines");
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

#include "io/toml_table.h"

#include <cstdio>

namespace vigil::io {

std::string TomlWhere(const std::string& file, const toml::source_region& at) {
  return file + ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column);
}

Status ParseToml(std::string_view text, const std::string& file, toml::table* out) {
  try {
    *out = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(TomlWhere(file, e.source()) + ": " + std::string(e.description()));
  }
  return Status::OK();
}

const toml::node* TomlTable::Node(const std::string& key) {
  used_.insert(key);
  return t_.get(key);
}

Status TomlTable::Error(const toml::node& n, const std::string& key, const std::string& what) const {
  return Status::InvalidArgument(TomlWhere(file_, n.source()) + ": " + Name(key) + ": " + what);
}

Status TomlTable::Missing(const std::string& key) const {
  return Status::InvalidArgument(file_ + ": " + (path_.empty() ? "" : "[" + path_ + "] ") + "missing required key '" +
                                 key + "'");
}

Status TomlTable::String(const std::string& key, std::string* out, bool required) {
  const toml::node* n = Node(key);
  if (n == nullptr) return required ? Missing(key) : Status::OK();
  if (!n->is_string()) return Error(*n, key, "expected a string");
  *out = *n->value<std::string>();
  if (required && out->empty()) return Error(*n, key, "must not be empty");
  return Status::OK();
}

Status TomlTable::IntegerValue(const std::string& key, int64_t* out, int64_t lo, int64_t hi, bool required) {
  const toml::node* n = Node(key);
  if (n == nullptr) return required ? Missing(key) : Status::OK();
  if (!n->is_integer()) return Error(*n, key, "expected an integer");
  const int64_t v = *n->value<int64_t>();
  if (v < lo || v > hi) {
    return Error(*n, key, std::to_string(v) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  *out = v;
  return Status::OK();
}

Status TomlTable::Number(const std::string& key, double* out, double lo, double hi, bool required,
                         std::string_view unit) {
  const toml::node* n = Node(key);
  if (n == nullptr) return required ? Missing(key) : Status::OK();
  std::string suffix;
  if (!unit.empty()) suffix.append(" ").append(unit);
  if (!n->is_number()) return Error(*n, key, "expected a number" + suffix);
  const double v = *n->value<double>();
  if (!(v >= lo && v <= hi)) {
    char range[96];
    std::snprintf(range, sizeof range, "%g is out of range %g..%g", v, lo, hi);
    return Error(*n, key, std::string(range).append(suffix));
  }
  *out = v;
  return Status::OK();
}

Status TomlTable::Bool(const std::string& key, bool* out) {
  const toml::node* n = Node(key);
  if (n == nullptr) return Status::OK();
  if (!n->is_boolean()) return Error(*n, key, "expected true or false");
  *out = *n->value<bool>();
  return Status::OK();
}

Status TomlTable::Choice(const std::string& key, const std::vector<std::string>& choices, int* out) {
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

Status TomlTable::StringList(const std::string& key, std::vector<std::string>* out) {
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

Status TomlTable::NumberList(const std::string& key, std::vector<double>* out, double lo, double hi) {
  const toml::node* n = Node(key);
  if (n == nullptr) return Status::OK();
  const toml::array* a = n->as_array();
  if (a == nullptr) return Error(*n, key, "expected an array of numbers");
  out->clear();
  for (const toml::node& e : *a) {
    if (!e.is_number()) return Error(e, key, "expected an array of numbers");
    const double v = *e.value<double>();
    if (!(v >= lo && v <= hi)) {
      char range[96];
      std::snprintf(range, sizeof range, "%g is out of range %g..%g", v, lo, hi);
      return Error(e, key, range);
    }
    out->push_back(v);
  }
  return Status::OK();
}

Result<const toml::table*> TomlTable::Table(const std::string& key) {
  const toml::node* n = Node(key);
  if (n == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!n->is_table()) return Error(*n, key, "expected a table [" + Name(key) + "]");
  return n->as_table();
}

Result<std::vector<const toml::table*>> TomlTable::TableArray(const std::string& key) {
  std::vector<const toml::table*> out;
  const toml::node* n = Node(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) return Error(*n, key, "expected an array of tables [[" + Name(key) + "]]");
  for (const toml::node& e : *a) {
    if (!e.is_table()) return Error(e, key, "expected an array of tables [[" + Name(key) + "]]");
    out.push_back(e.as_table());
  }
  return out;
}

Status TomlTable::CheckNoUnknownKeys() const {
  for (auto&& [k, v] : t_) {
    if (!used_.count(std::string(k.str()))) {
      return Status::InvalidArgument(TomlWhere(file_, k.source()) + ": unknown key '" + Name(std::string(k.str())) + "'");
    }
  }
  return Status::OK();
}

}  // namespace vigil::io

// Reading one TOML table (toml++) key by key with located errors, shared by every TOML file
// vigil reads (vigil serve's config, device profiles).
//
//   toml::table root;
//   VIGIL_RETURN_IF_ERROR(io::ParseToml(text, "m1.toml", &root));
//   io::TomlTable r(root, "m1.toml", "");
//   VIGIL_RETURN_IF_ERROR(r.String("name", &name, /*required=*/true));
//   VIGIL_RETURN_IF_ERROR(r.CheckNoUnknownKeys());   // "m1.toml:3:1: unknown key 'nmae'"
//
// Messages name the file, line and column of the offending value (or the key path when the key
// is absent). Keys read through the accessors are remembered, so leftovers (typos) are errors
// instead of silently keeping a default. Not thread-safe; the table must outlive the reader.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "vigil/status.h"

namespace vigil::io {

// "file:line:column".
std::string TomlWhere(const std::string& file, const toml::source_region& at);

// Parses `text`; InvalidArgument "file:line:column: what" for a syntax error.
Status ParseToml(std::string_view text, const std::string& file, toml::table* out);

class TomlTable {
 public:
  // `path` is the table's key path in messages ("broker", "unit[2]"; empty for the root).
  TomlTable(const toml::table& t, std::string file, std::string path)
      : t_(t), file_(std::move(file)), path_(std::move(path)) {}

  // The node under `key` (null when absent), marking the key as known.
  const toml::node* Node(const std::string& key);
  std::string Name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Status Error(const toml::node& n, const std::string& key, const std::string& what) const;
  Status Missing(const std::string& key) const;

  // Each leaves *out unchanged when the key is absent (an error when `required`).
  Status String(const std::string& key, std::string* out, bool required = false);
  template <typename T>
  Status Integer(const std::string& key, T* out, int64_t lo, int64_t hi, bool required = false) {
    int64_t v = 0;
    VIGIL_RETURN_IF_ERROR(IntegerValue(key, &v, lo, hi, required));
    if (t_.get(key) != nullptr) *out = static_cast<T>(v);
    return Status::OK();
  }
  // A number (integer or float) in [lo, hi]; `unit` (e.g. "GB/s") is named in range errors.
  Status Number(const std::string& key, double* out, double lo, double hi, bool required = false,
                std::string_view unit = {});
  Status Bool(const std::string& key, bool* out);
  // A string that must be one of `choices`; its index goes to *out.
  Status Choice(const std::string& key, const std::vector<std::string>& choices, int* out);
  Status StringList(const std::string& key, std::vector<std::string>* out);
  // An array of numbers, each in [lo, hi].
  Status NumberList(const std::string& key, std::vector<double>* out, double lo, double hi);
  // A sub-table [key] (null when absent); an error when the key holds something else.
  Result<const toml::table*> Table(const std::string& key);
  // An array of tables [[key]] (empty when absent); an error for anything else.
  Result<std::vector<const toml::table*>> TableArray(const std::string& key);
  // Unknown keys are errors: a misspelt key would otherwise silently keep its default.
  Status CheckNoUnknownKeys() const;

  const std::string& file() const { return file_; }

 private:
  Status IntegerValue(const std::string& key, int64_t* out, int64_t lo, int64_t hi, bool required);

  const toml::table& t_;
  std::string file_, path_;
  std::set<std::string> used_;
};

}  // namespace vigil::io

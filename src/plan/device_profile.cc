#include "plan/device_profile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "io/toml_table.h"

namespace vigil::plan {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kKiB = 1024.0;
// Bounds that catch unit mistakes (a figure in the wrong unit is off by 1e3..1e9), not devices.
constexpr double kMaxGops = 1e7;       // 10 POPS per core
constexpr double kMaxGbs = 1e5;        // 100 TB/s
constexpr double kMaxWatts = 1e4;
constexpr double kMaxOverheadUs = 1e5;

const std::vector<std::string>& KindNames() {
  static const std::vector<std::string> names = {"cpu", "gpu", "npu"};
  return names;
}

Status ReadCache(const toml::table& t, const std::string& file, const std::string& path, CacheLevel* c) {
  io::TomlTable r(t, file, path);
  VIGIL_RETURN_IF_ERROR(r.Integer("level", &c->level, 1, 4, true));
  double kib = 0;
  VIGIL_RETURN_IF_ERROR(r.Number("size_kib", &kib, 1, 1e7, true, "KiB"));
  c->size_bytes = kib * kKiB;
  VIGIL_RETURN_IF_ERROR(r.Number("bandwidth_gbs", &c->bandwidth_gbs, 0.01, kMaxGbs, true, "GB/s"));
  return r.CheckNoUnknownKeys();
}

Status ReadKernel(const toml::table& t, const std::string& file, const std::string& path, ComputeUnit* u) {
  io::TomlTable r(t, file, path);
  KernelEfficiency e;
  int op = 0, dtype = -1;
  static const std::vector<std::string> kOps = {"dense", "conv1d", "block"};
  VIGIL_RETURN_IF_ERROR(r.Choice("op", kOps, &op));
  e.op = kOps[static_cast<size_t>(op)];
  VIGIL_RETURN_IF_ERROR(r.Choice("dtype", {"fp32", "fp16", "int8"}, &dtype));
  if (dtype < 0) return r.Missing("dtype");
  e.dtype = static_cast<nn::WeightType>(dtype);
  VIGIL_RETURN_IF_ERROR(r.Integer("batch", &e.batch, 0, 1 << 24));
  for (const KernelEfficiency& k : u->kernels) {
    if (k.op == e.op && k.dtype == e.dtype && k.batch == e.batch) {
      return Status::InvalidArgument(io::TomlWhere(file, t.source()) + ": " + path + ": a second entry for op " + e.op +
                                     ", dtype " + nn::WeightTypeName(e.dtype) + ", batch " + std::to_string(e.batch));
    }
  }
  VIGIL_RETURN_IF_ERROR(r.Number("bandwidth_fraction", &e.bandwidth_fraction, 0.001, 1, false, "(fraction)"));
  VIGIL_RETURN_IF_ERROR(r.NumberList("out", &e.out_widths, 1, 1e6));
  VIGIL_RETURN_IF_ERROR(r.NumberList("compute_fraction", &e.compute_fractions, 0.001, 1));
  if (e.out_widths.size() != e.compute_fractions.size()) {
    return Status::InvalidArgument(io::TomlWhere(file, t.source()) + ": " + path +
                                   ": out and compute_fraction need the same number of entries");
  }
  for (size_t i = 1; i < e.out_widths.size(); ++i) {
    if (e.out_widths[i] <= e.out_widths[i - 1]) {
      return Status::InvalidArgument(io::TomlWhere(file, t.get("out")->source()) + ": " + path + ".out: must ascend");
    }
  }
  u->kernels.push_back(std::move(e));
  return r.CheckNoUnknownKeys();
}

Status ReadUnit(const toml::table& t, const std::string& file, const std::string& path, ComputeUnit* u) {
  io::TomlTable r(t, file, path);
  VIGIL_RETURN_IF_ERROR(r.String("name", &u->name, true));
  int kind = -1;
  VIGIL_RETURN_IF_ERROR(r.Choice("kind", KindNames(), &kind));
  if (kind < 0) return r.Missing("kind");
  u->kind = static_cast<UnitKind>(kind);
  VIGIL_RETURN_IF_ERROR(r.Integer("cores", &u->cores, 1, 4096));
  static const char* const kPeakKeys[kDTypes] = {"fp32_gops", "fp16_gops", "int8_gops"};
  double gops[kDTypes] = {};
  for (size_t i = 0; i < kDTypes; ++i) {
    VIGIL_RETURN_IF_ERROR(r.Number(kPeakKeys[i], &gops[i], 0, kMaxGops, false, "G operations/s per core"));
    u->peak_ops[i] = gops[i] * 1e9;
  }
  if (gops[0] == 0 && gops[1] == 0 && gops[2] == 0) {
    return Status::InvalidArgument(file + ": [" + path + "] '" + u->name +
                                   "' needs at least one of fp32_gops, fp16_gops, int8_gops (G operations/s per core)");
  }
  VIGIL_RETURN_IF_ERROR(r.Number("bandwidth_gbs", &u->core_bandwidth_gbs, 0, kMaxGbs, false, "GB/s"));
  VIGIL_RETURN_IF_ERROR(r.Number("total_bandwidth_gbs", &u->total_bandwidth_gbs, 0, kMaxGbs, false, "GB/s"));
  double own_gib = 0;
  VIGIL_RETURN_IF_ERROR(r.Number("memory_gib", &own_gib, 0, 1e5, false, "GiB"));
  u->memory_bytes = own_gib * kGiB;
  if (u->memory_bytes > 0 && u->core_bandwidth_gbs <= 0) {
    return Status::InvalidArgument(file + ": [" + path + "] '" + u->name +
                                   "' has memory_gib (its own memory) and needs that memory's bandwidth_gbs (GB/s)");
  }
  VIGIL_RETURN_IF_ERROR(r.Number("active_watts", &u->active_watts, 0, kMaxWatts, true, "W"));
  VIGIL_RETURN_IF_ERROR(r.Number("idle_watts", &u->idle_watts, 0, kMaxWatts, false, "W"));
  VIGIL_RETURN_IF_ERROR(r.Number("overhead_us", &u->overhead_us, 0, kMaxOverheadUs, false, "µs"));
  VIGIL_ASSIGN_OR_RETURN(std::vector<const toml::table*> caches, r.TableArray("cache"));
  for (size_t i = 0; i < caches.size(); ++i) {
    CacheLevel c;
    VIGIL_RETURN_IF_ERROR(ReadCache(*caches[i], file, path + ".cache[" + std::to_string(i) + "]", &c));
    if (!u->caches.empty() && (c.level <= u->caches.back().level || c.size_bytes <= u->caches.back().size_bytes)) {
      return Status::InvalidArgument(io::TomlWhere(file, caches[i]->source()) + ": " + path + ".cache[" +
                                     std::to_string(i) + "]: levels must ascend in level and size");
    }
    u->caches.push_back(c);
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<const toml::table*> kernels, r.TableArray("kernel"));
  for (size_t i = 0; i < kernels.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(ReadKernel(*kernels[i], file, path + ".kernel[" + std::to_string(i) + "]", u));
  }
  return r.CheckNoUnknownKeys();
}

Status ReadLink(const toml::table& t, const std::string& file, const std::string& path, const DeviceProfile& d,
                Link* l) {
  io::TomlTable r(t, file, path);
  VIGIL_RETURN_IF_ERROR(r.String("from", &l->from, true));
  VIGIL_RETURN_IF_ERROR(r.String("to", &l->to, true));
  for (const std::string* end : {&l->from, &l->to}) {
    if (d.FindUnit(*end) == nullptr) {
      return r.Error(*t.get(end == &l->from ? "from" : "to"), end == &l->from ? "from" : "to",
                     "no unit named '" + *end + "' (declare it with [[unit]] first)");
    }
  }
  if (l->from == l->to) return r.Error(*t.get("to"), "to", "a link joins two different units");
  VIGIL_RETURN_IF_ERROR(r.Bool("unified", &l->unified));
  VIGIL_RETURN_IF_ERROR(r.Number("bandwidth_gbs", &l->bandwidth_gbs, 0, kMaxGbs, false, "GB/s"));
  VIGIL_RETURN_IF_ERROR(r.Number("latency_us", &l->latency_us, 0, 1e6, false, "µs"));
  if (!l->unified && l->bandwidth_gbs <= 0) {
    return Status::InvalidArgument(io::TomlWhere(file, t.source()) + ": " + path +
                                   ": a link that is not unified needs bandwidth_gbs (GB/s)");
  }
  return r.CheckNoUnknownKeys();
}

}  // namespace

double KernelEfficiency::ComputeFraction(double out_width) const {
  if (out_widths.empty() || !(out_width > 0)) return 1.0;
  if (out_width <= out_widths.front()) return compute_fractions.front();
  if (out_width >= out_widths.back()) return compute_fractions.back();
  size_t i = 1;
  while (out_widths[i] < out_width) ++i;
  const double a = std::log2(out_widths[i - 1]), b = std::log2(out_widths[i]);
  const double t = (std::log2(out_width) - a) / (b - a);
  return compute_fractions[i - 1] + t * (compute_fractions[i] - compute_fractions[i - 1]);
}

const KernelEfficiency* ComputeUnit::FindKernel(std::string_view op, nn::WeightType dtype, int64_t batch) const {
  for (std::string_view want : {op, std::string_view("dense")}) {
    const KernelEfficiency* best = nullptr;
    double best_distance = 0;
    for (const KernelEfficiency& k : kernels) {
      if (k.op != want || k.dtype != dtype) continue;
      const double distance =
          k.batch == 0 ? 0 : std::fabs(std::log(static_cast<double>(std::max<int64_t>(batch, 1)) / k.batch));
      if (best == nullptr || distance < best_distance) {
        best = &k;
        best_distance = distance;
      }
    }
    if (best != nullptr) return best;
  }
  return nullptr;
}

const char* UnitKindName(UnitKind kind) { return KindNames()[static_cast<size_t>(kind)].c_str(); }

const ComputeUnit* DeviceProfile::FindUnit(std::string_view unit) const {
  for (const ComputeUnit& u : units) {
    if (u.name == unit) return &u;
  }
  return nullptr;
}

const Link* DeviceProfile::FindLink(std::string_view a, std::string_view b) const {
  for (const Link& l : links) {
    if ((l.from == a && l.to == b) || (l.from == b && l.to == a)) return &l;
  }
  return nullptr;
}

Result<DeviceProfile> ParseDeviceProfile(std::string_view text, const std::string& file) {
  toml::table root;
  VIGIL_RETURN_IF_ERROR(io::ParseToml(text, file, &root));
  DeviceProfile d;
  d.file = file;
  io::TomlTable r(root, file, "");
  VIGIL_RETURN_IF_ERROR(r.String("name", &d.name, true));
  VIGIL_RETURN_IF_ERROR(r.String("description", &d.description));
  VIGIL_ASSIGN_OR_RETURN(const toml::table* memory, r.Table("memory"));
  if (memory == nullptr) return r.Missing("memory");
  {
    io::TomlTable m(*memory, file, "memory");
    double gib = 0;
    VIGIL_RETURN_IF_ERROR(m.Number("size_gib", &gib, 1.0 / 1024, 1e5, true, "GiB"));
    d.memory_bytes = gib * kGiB;
    VIGIL_RETURN_IF_ERROR(m.Number("bandwidth_gbs", &d.memory_bandwidth_gbs, 0.01, kMaxGbs, true, "GB/s"));
    VIGIL_RETURN_IF_ERROR(m.CheckNoUnknownKeys());
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<const toml::table*> units, r.TableArray("unit"));
  if (units.empty()) return Status::InvalidArgument(file + ": a profile needs at least one [[unit]]");
  for (size_t i = 0; i < units.size(); ++i) {
    ComputeUnit u;
    VIGIL_RETURN_IF_ERROR(ReadUnit(*units[i], file, "unit[" + std::to_string(i) + "]", &u));
    if (d.FindUnit(u.name) != nullptr) {
      return Status::InvalidArgument(io::TomlWhere(file, units[i]->get("name")->source()) + ": unit name '" + u.name +
                                     "' is used twice");
    }
    d.units.push_back(std::move(u));
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<const toml::table*> links, r.TableArray("link"));
  for (size_t i = 0; i < links.size(); ++i) {
    Link l;
    VIGIL_RETURN_IF_ERROR(ReadLink(*links[i], file, "link[" + std::to_string(i) + "]", d, &l));
    d.links.push_back(std::move(l));
  }
  VIGIL_RETURN_IF_ERROR(r.CheckNoUnknownKeys());
  return d;
}

Result<DeviceProfile> LoadDeviceProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read device profile '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseDeviceProfile(ss.str(), path);
}

std::string UserProfileDir() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/vigil/profiles";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.config/vigil/profiles";
}

std::vector<std::string> ProfileSearchPath(const std::string& shipped_dir) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("VIGIL_PROFILES"); env != nullptr) {
    std::stringstream ss(env);
    for (std::string dir; std::getline(ss, dir, ':');) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  dirs.push_back(UserProfileDir());
  if (!shipped_dir.empty()) dirs.push_back(shipped_dir);
  return dirs;
}

std::vector<std::string> ListDeviceProfiles(const std::vector<std::string>& search_path) {
  std::set<std::string> names;
  for (const std::string& dir : search_path) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".toml") names.insert(e.path().stem().string());
    }
  }
  return {names.begin(), names.end()};
}

Result<DeviceProfile> FindDeviceProfile(const std::string& name_or_path, const std::vector<std::string>& search_path) {
  if (name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.ends_with(".toml"))) {
    return LoadDeviceProfile(name_or_path);
  }
  for (const std::string& dir : search_path) {
    const std::string path = dir + "/" + name_or_path + ".toml";
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return LoadDeviceProfile(path);
  }
  std::string known;
  for (const std::string& n : ListDeviceProfiles(search_path)) known += (known.empty() ? "" : ", ") + n;
  std::string msg = "no device profile named '" + name_or_path + "'";
  if (name_or_path == "host") msg += " (run `vigil calibrate` to measure this machine and write it)";
  msg += "; known: " + (known.empty() ? std::string("none") : known);
  std::string dirs;
  for (const std::string& dir : search_path) dirs += (dirs.empty() ? "" : ", ") + dir;
  return Status::NotFound(msg + "; searched " + dirs);
}

namespace {

std::string Num(double v) {
  char b[48];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string FormatDeviceProfile(const DeviceProfile& d, const std::vector<std::string>& header) {
  std::ostringstream o;
  for (const std::string& h : header) o << "# " << h << "\n";
  if (!header.empty()) o << "\n";
  o << "name = " << Quoted(d.name) << "\n";
  if (!d.description.empty()) o << "description = " << Quoted(d.description) << "\n";
  o << "\n[memory]\nsize_gib = " << Num(d.memory_bytes / kGiB) << "\nbandwidth_gbs = " << Num(d.memory_bandwidth_gbs)
    << "\n";
  static const char* const kPeakKeys[kDTypes] = {"fp32_gops", "fp16_gops", "int8_gops"};
  for (const ComputeUnit& u : d.units) {
    o << "\n[[unit]]\nname = " << Quoted(u.name) << "\nkind = \"" << UnitKindName(u.kind) << "\"\ncores = " << u.cores
      << "\n";
    for (size_t i = 0; i < kDTypes; ++i) {
      if (u.peak_ops[i] > 0) o << kPeakKeys[i] << " = " << Num(u.peak_ops[i] / 1e9) << "\n";
    }
    if (u.core_bandwidth_gbs > 0) o << "bandwidth_gbs = " << Num(u.core_bandwidth_gbs) << "\n";
    if (u.total_bandwidth_gbs > 0) o << "total_bandwidth_gbs = " << Num(u.total_bandwidth_gbs) << "\n";
    if (u.memory_bytes > 0) o << "memory_gib = " << Num(u.memory_bytes / kGiB) << "\n";
    o << "active_watts = " << Num(u.active_watts) << "\n";
    if (u.idle_watts > 0) o << "idle_watts = " << Num(u.idle_watts) << "\n";
    if (u.overhead_us > 0) o << "overhead_us = " << Num(u.overhead_us) << "\n";
    for (const CacheLevel& c : u.caches) {
      o << "\n[[unit.cache]]\nlevel = " << c.level << "\nsize_kib = " << Num(c.size_bytes / kKiB)
        << "\nbandwidth_gbs = " << Num(c.bandwidth_gbs) << "\n";
    }
    for (const KernelEfficiency& e : u.kernels) {
      static const char* const kDTypeNames[kDTypes] = {"fp32", "fp16", "int8"};
      o << "\n[[unit.kernel]]\nop = \"" << e.op << "\"\ndtype = \"" << kDTypeNames[DTypeIndex(e.dtype)] << "\"\n";
      if (e.batch > 0) o << "batch = " << e.batch << "\n";
      o << "bandwidth_fraction = " << Num(e.bandwidth_fraction) << "\n";
      if (!e.out_widths.empty()) {
        o << "out = [";
        for (size_t i = 0; i < e.out_widths.size(); ++i) o << (i ? ", " : "") << Num(e.out_widths[i]);
        o << "]\ncompute_fraction = [";
        for (size_t i = 0; i < e.compute_fractions.size(); ++i) o << (i ? ", " : "") << Num(e.compute_fractions[i]);
        o << "]\n";
      }
    }
  }
  for (const Link& l : d.links) {
    o << "\n[[link]]\nfrom = " << Quoted(l.from) << "\nto = " << Quoted(l.to) << "\n";
    if (l.unified) o << "unified = true\n";
    if (l.bandwidth_gbs > 0) o << "bandwidth_gbs = " << Num(l.bandwidth_gbs) << "\n";
    if (l.latency_us > 0) o << "latency_us = " << Num(l.latency_us) << "\n";
  }
  return o.str();
}

}  // namespace vigil::plan

#include "serve/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "vigil/status.h"

namespace vigil::serve {
namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

// Names starting with "__" are reserved for Prometheus' own use.
bool IsLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

void CheckName(std::string_view what, std::string_view name, bool valid) {
  if (!valid) {
    std::fprintf(stderr, "vigil: invalid Prometheus %.*s '%.*s'\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(name.size()), name.data());
  }
  VIGIL_CHECK(valid);
}

// Go's strconv formatting as Prometheus writes it: shortest round-trip text, and the
// spellings +Inf, -Inf, NaN that its parser expects.
void AppendDouble(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

void AppendUint(uint64_t v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// HELP text escapes only backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string_view text, bool escape_quote, std::string& out) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="1",b="2"}` (nothing when there are no labels). `extra` (the histogram's le) goes last.
void AppendLabels(const Labels& labels, const std::pair<std::string_view, std::string_view>* extra,
                  std::string& out) {
  if (labels.empty() && extra == nullptr) return;
  out += '{';
  bool first = true;
  auto append_one = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    AppendEscaped(value, /*escape_quote=*/true, out);
    out += '"';
  };
  for (const auto& [name, value] : labels) append_one(name, value);
  if (extra != nullptr) append_one(extra->first, extra->second);
  out += '}';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    VIGIL_CHECK(std::isfinite(bounds_[i]));
    VIGIL_CHECK(i == 0 || bounds_[i - 1] < bounds_[i]);
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // lower_bound finds the first bound >= v, i.e. the "le" bucket. NaN compares false with
  // everything, which would put it in the first bucket; it belongs with the unbounded ones.
  size_t i = bounds_.size();
  if (!std::isnan(v)) i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) total += BucketCount(i);
  return total;
}

std::vector<double> LatencyBucketsSeconds() {
  // Literals rather than a computed progression: each prints back exactly as written in "le".
  return {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
}

MetricsRegistry::Series& MetricsRegistry::GetSeries(std::string_view name, std::string_view help, Type type,
                                                    Labels labels) {
  CheckName("metric name", name, IsMetricName(name));
  for (const auto& [label, value] : labels) CheckName("label name", label, IsLabelName(label));
  std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < labels.size(); ++i) {
    CheckName("label set (label given twice)", labels[i].first, labels[i - 1].first != labels[i].first);
  }
  if (type == Type::kHistogram) {
    for (const auto& [label, value] : labels) CheckName("histogram label", label, label != "le");
  }

  Family* family;
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    family = it->second;
    CheckName("metric registered again with another type", name, family->type == type);
    CheckName("metric registered again with another help text", name, family->help == help);
  } else {
    families_.push_back(std::make_unique<Family>(Family{std::string(name), std::string(help), type, {}, {}}));
    family = families_.back().get();
    by_name_.emplace(family->name, family);
  }
  if (auto it = family->by_labels.find(labels); it != family->by_labels.end()) return *it->second;
  family->series.push_back(std::make_unique<Series>());
  Series& series = *family->series.back();
  series.labels = labels;
  family->by_labels.emplace(std::move(labels), &series);
  return series;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help, Labels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = GetSeries(name, help, Type::kCounter, std::move(labels));
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help, Labels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = GetSeries(name, help, Type::kGauge, std::move(labels));
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         std::vector<double> bounds, Labels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = GetSeries(name, help, Type::kHistogram, std::move(labels));
  if (!s.histogram) {
    s.histogram = std::make_unique<Histogram>(std::move(bounds));
  } else {
    CheckName("histogram registered again with other bounds", name, s.histogram->bounds() == bounds);
  }
  return *s.histogram;
}

const char* MetricsRegistry::TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void MetricsRegistry::RenderFamily(const Family& family, std::string& out) {
  out += "# HELP ";
  out += family.name;
  out += ' ';
  AppendEscaped(family.help, /*escape_quote=*/false, out);
  out += "\n# TYPE ";
  out += family.name;
  out += ' ';
  out += TypeName(family.type);
  out += '\n';
  for (const auto& series : family.series) {
    if (series->counter) {
      out += family.name;
      AppendLabels(series->labels, nullptr, out);
      out += ' ';
      AppendUint(series->counter->value(), out);
      out += '\n';
    } else if (series->gauge) {
      out += family.name;
      AppendLabels(series->labels, nullptr, out);
      out += ' ';
      AppendDouble(series->gauge->value(), out);
      out += '\n';
    } else if (series->histogram) {
      const Histogram& h = *series->histogram;
      // Buckets are read once each and accumulated here, so _count always equals the +Inf
      // bucket even while other threads observe.
      uint64_t cumulative = 0;
      std::string le;
      for (size_t i = 0; i <= h.bounds().size(); ++i) {
        cumulative += h.BucketCount(i);
        le.clear();
        if (i < h.bounds().size()) {
          AppendDouble(h.bounds()[i], le);
        } else {
          le = "+Inf";
        }
        const std::pair<std::string_view, std::string_view> le_label{"le", le};
        out += family.name;
        out += "_bucket";
        AppendLabels(series->labels, &le_label, out);
        out += ' ';
        AppendUint(cumulative, out);
        out += '\n';
      }
      out += family.name;
      out += "_sum";
      AppendLabels(series->labels, nullptr, out);
      out += ' ';
      AppendDouble(h.sum(), out);
      out += '\n';
      out += family.name;
      out += "_count";
      AppendLabels(series->labels, nullptr, out);
      out += ' ';
      AppendUint(cumulative, out);
      out += '\n';
    }
  }
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& family : families_) RenderFamily(*family, out);
  return out;
}

}  // namespace vigil::serve

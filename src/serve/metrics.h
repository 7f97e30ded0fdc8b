// Counters, gauges and histograms that vigil serve exposes to Prometheus.
//
//   serve::MetricsRegistry registry;
//   serve::Counter& scored = registry.GetCounter("vigil_readings_scored_total", "Readings scored.",
//                                                {{"line", "pump-1"}});
//   serve::Histogram& latency = registry.GetHistogram(
//       "vigil_score_seconds", "Time to score one reading.", serve::LatencyBucketsSeconds());
//   scored.Add();                  // hot path: one relaxed atomic add, no lock
//   latency.Observe(0.0003);
//   std::string text = registry.RenderPrometheus();   // served on GET /metrics
//
// Contract:
// - Registration (Get*) takes a mutex and is meant for setup time. It returns a reference that
//   stays valid as long as the registry lives; the same name and label set returns the same
//   object, whatever order the labels were given in.
// - Names, label names, help texts and type clashes are programmer errors: they are compile-time
//   strings in the service, so a bad one aborts with VIGIL_CHECK rather than returning a Status.
//   Label values may be anything (they often come from the configuration: line names) and are
//   escaped on output.
// - Counter/Gauge/Histogram updates are lock-free and safe from any thread; RenderPrometheus may
//   run concurrently with them and with registration. A rendering sees each value as it was at
//   some moment during the call, not one snapshot of the whole registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::serve {

// (label name, label value) pairs. Order does not matter: the registry sorts them by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count (events, bytes). Exact under concurrent Add.
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (queue depth, last score).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into fixed buckets (upper bounds, inclusive, as Prometheus' "le").
// An observation above the last bound, or NaN, lands in the implicit +Inf bucket.
class Histogram {
 public:
  // `bounds`: finite, strictly increasing (VIGIL_CHECK). May be empty (only +Inf).
  explicit Histogram(std::vector<double> bounds);

  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations in bucket i alone (not cumulative); i == bounds().size() is the +Inf bucket.
  uint64_t BucketCount(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  // Sum over all buckets: always equals the +Inf cumulative count of the same read.
  uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  const std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Bucket bounds for latencies in seconds: 10 µs to 1 s in a 1-2.5-5 progression (each step
// x2 or x2.5), 16 bounds: 1e-05, 2.5e-05, 5e-05, 0.0001, ..., 0.25, 0.5, 1. Scoring one reading
// takes tens of microseconds; an HTTP request or a store commit, milliseconds. Slower than 1 s
// is already an outage and only needs to be counted (+Inf).
std::vector<double> LatencyBucketsSeconds();

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*; label names match [a-zA-Z_][a-zA-Z0-9_]*, do not
  // start with "__" and appear once per set. All series of one name share its type and help.
  Counter& GetCounter(std::string_view name, std::string_view help, Labels labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, Labels labels = {});
  // Histograms may not use the label "le"; every series of a name must use the same bounds.
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                          Labels labels = {});

  // Text exposition format 0.0.4: per metric name, in the order names were first registered,
  // "# HELP" and "# TYPE" then every label set in registration order. Histograms expand to
  // cumulative name_bucket{...,le="..."} lines (ending with le="+Inf"), name_sum and name_count.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    Labels labels;  // sorted by name
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<std::unique_ptr<Series>> series;  // registration order
    std::map<Labels, Series*> by_labels;
  };

  // Finds or creates the series; the caller fills in its metric when it is new (metric == null).
  // Requires mu_ held.
  Series& GetSeries(std::string_view name, std::string_view help, Type type, Labels labels);
  static const char* TypeName(Type type);
  static void RenderFamily(const Family& family, std::string& out);

  mutable std::mutex mu_;
  // Guarded by mu_: the families and their series lists. The metric objects they point to
  // are never moved or freed before the registry, so references handed out need no lock.
  std::vector<std::unique_ptr<Family>> families_;  // registration order
  std::map<std::string, Family*, std::less<>> by_name_;
};

}  // namespace vigil::serve

// Traffic of serve_load_bench: a paced QoS 1 generator of JSON readings (normal rows of the shipped
// sample, and optionally bursts of anomalous ones), and a collector of end-to-end latencies.
#pragma once

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "serve/mqtt_link.h"
#include "serve_load/processes.h"
#include "vigil/status.h"

namespace vigil::bench {

using serve::BrokerConfig;
using serve::MqttLink;

// Receives messages carrying the publish time of a reading (epoch seconds, under `key`) and keeps
// the latency of each: scores carry their reading's "ts", raised alarms the "start_ts" of the
// reading that raised them (`require` keeps only those, leaving out the alarms' "cleared" events).
// Only messages stamped at or after the current step's start count, so a straggler from an
// earlier step cannot pollute the next one.
class LatencyCollector {
 public:
  LatencyCollector() = default;
  LatencyCollector(std::string key, std::string require) : key_("\"" + std::move(key) + "\":"), require_(std::move(require)) {}

  void Reset(int64_t since_us) {
    std::lock_guard<std::mutex> lock(mu_);
    since_us_ = since_us;
    count_ = 0;
    latencies_ms_.clear();
  }

  // On the subscriber's network thread: the clock is read before anything else.
  void OnMessage(std::string_view payload) {
    const int64_t now_us = EpochMicros();
    if (!require_.empty() && payload.find(require_) == std::string_view::npos) return;
    const size_t at = payload.find(key_);
    if (at == std::string_view::npos) return;
    // The payload is not NUL-terminated: parse a bounded copy of the number.
    char number[48] = {};
    const std::string_view rest = payload.substr(at + key_.size(), sizeof number - 1);
    std::memcpy(number, rest.data(), rest.size());
    char* end = nullptr;
    const double ts = std::strtod(number, &end);
    if (end == number) return;
    const int64_t ts_us = std::llround(ts * 1e6);
    std::lock_guard<std::mutex> lock(mu_);
    if (ts_us < since_us_) return;
    ++count_;
    latencies_ms_.push_back(static_cast<double>(now_us - ts_us) / 1000.0);
  }

  uint64_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::vector<double> Latencies() const {
    std::lock_guard<std::mutex> lock(mu_);
    return latencies_ms_;
  }

 private:
  const std::string key_ = "\"ts\":";
  const std::string require_;
  mutable std::mutex mu_;
  int64_t since_us_ = 0;              // guarded by mu_
  uint64_t count_ = 0;                // guarded by mu_
  std::vector<double> latencies_ms_;  // guarded by mu_
};

inline BrokerConfig ClientConfig(int port, const std::string& client_id) {
  BrokerConfig b;
  b.enabled = true;
  b.port = port;
  b.client_id = client_id;
  // The session ends with the connection: nothing queues for a client that has gone.
  b.session_expiry_s = 0;
  return b;
}

inline Result<std::unique_ptr<MqttLink>> Subscribe(int port, const std::string& client_id, const std::string& topic,
                                            LatencyCollector* collector) {
  MqttLink::Callbacks cb;
  cb.on_message = [collector](std::string_view, std::string_view payload) { collector->OnMessage(payload); };
  return MqttLink::Connect(ClientConfig(port, client_id), {topic}, std::move(cb));
}

// The body of each reading after its ts: the channels of one row of the shipped normal sample.
// `anomalous` moves every value v to 3·v + 5, far from anything in the sample on every channel.
inline Result<std::vector<std::string>> ReadingBodies(const std::string& csv_path, bool anomalous = false) {
  std::ifstream in(csv_path);
  if (!in) return Status::IOError("cannot open " + csv_path);
  auto split = [](std::string s) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
    std::vector<std::string> cells;
    std::stringstream ss(s);
    for (std::string c; std::getline(ss, c, ';');) cells.push_back(c);
    return cells;
  };
  std::string header;
  std::getline(in, header);
  const std::vector<std::string> names = split(header);
  std::vector<std::string> bodies;
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> cells = split(line);
    if (cells.size() != names.size()) continue;
    std::string body;
    for (size_t i = 1; i < cells.size(); ++i) {
      const std::string value = anomalous ? std::to_string(3 * std::strtod(cells[i].c_str(), nullptr) + 5) : cells[i];
      body += ", \"" + names[i] + "\": " + value;
    }
    bodies.push_back(body + "}");
  }
  if (bodies.empty()) return Status::DataError(csv_path + ": no data rows");
  return bodies;
}

// A QoS 1 publisher that counts the broker's PUBACKs. The generator bounds what it has handed
// to the client library but the broker has not yet acknowledged: without that bound, a rate the
// broker cannot take piles up inside this process, "sent" only on paper, and its queueing would
// be charged to whatever is measured downstream.
class AckedPublisher {
 public:
  static Result<std::unique_ptr<AckedPublisher>> Connect(int port, const std::string& client_id) {
    mosquitto_lib_init();
    std::unique_ptr<AckedPublisher> p(new AckedPublisher);
    p->mosq_ = mosquitto_new(client_id.c_str(), true, p.get());
    if (p->mosq_ == nullptr) return Status::IOError("cannot create the MQTT publisher");
    mosquitto_int_option(p->mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    // The generator should add no delay of its own: each reading leaves as soon as it is published.
    mosquitto_int_option(p->mosq_, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_v5_callback_set(p->mosq_,
                                      [](mosquitto*, void* self, int rc, int, const mosquitto_property*) {
                                        auto* me = static_cast<AckedPublisher*>(self);
                                        std::lock_guard<std::mutex> lock(me->mu_);
                                        me->connect_rc_ = rc;
                                        me->cv_.notify_all();
                                      });
    mosquitto_publish_v5_callback_set(
        p->mosq_, [](mosquitto*, void* self, int, int, const mosquitto_property*) {
          static_cast<AckedPublisher*>(self)->acked_.fetch_add(1, std::memory_order_relaxed);
        });
    const std::string where = "broker 127.0.0.1:" + std::to_string(port);
    int rc = mosquitto_connect_bind_v5(p->mosq_, "127.0.0.1", port, 30, nullptr, nullptr);
    if (rc != MOSQ_ERR_SUCCESS)
      return Status::IOError("publisher: cannot connect to " + where + ": " + mosquitto_strerror(rc));
    rc = mosquitto_loop_start(p->mosq_);
    if (rc != MOSQ_ERR_SUCCESS)
      return Status::IOError(std::string("publisher: network thread: ") + mosquitto_strerror(rc));
    p->loop_started_ = true;
    std::unique_lock<std::mutex> lock(p->mu_);
    if (!p->cv_.wait_for(lock, std::chrono::seconds(5), [&] { return p->connect_rc_ >= 0; }) ||
        p->connect_rc_ != 0) {
      return Status::IOError("publisher: " + where + " did not accept the connection (rc " +
                             std::to_string(p->connect_rc_) + ")");
    }
    return p;
  }
  ~AckedPublisher() {
    if (mosq_ == nullptr) return;
    if (loop_started_) {
      mosquitto_disconnect(mosq_);
      mosquitto_loop_stop(mosq_, false);
    }
    mosquitto_destroy(mosq_);
  }

  // From one thread at a time.
  bool Publish(const std::string& topic, std::string_view payload) {
    const bool ok = mosquitto_publish_v5(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                         payload.data(), 1, false, nullptr) == MOSQ_ERR_SUCCESS;
    if (ok) ++sent_;
    return ok;
  }
  // Published but not yet acknowledged by the broker.
  uint64_t unacked() const { return sent_ - acked_.load(std::memory_order_relaxed); }

 private:
  AckedPublisher() = default;
  mosquitto* mosq_ = nullptr;
  bool loop_started_ = false;
  uint64_t sent_ = 0;               // the publishing thread only
  std::atomic<uint64_t> acked_{0};  // PUBACKs, counted on the network thread
  std::mutex mu_;                   // guards connect_rc_
  std::condition_variable cv_;
  int connect_rc_ = -1;
};

struct SendStats {
  uint64_t sent = 0;
  uint64_t failed = 0;
  uint64_t stalls = 0;  // waits for the broker's acknowledgements (the unacked bound was reached)
  uint64_t bursts = 0;  // anomalous bursts sent whole (each must raise one alarm)
  double seconds = 0;
  double achieved() const { return seconds > 0 ? static_cast<double>(sent) / seconds : 0; }
};

// Publishes readings round-robin over `topics` at a total rate, paced against the steady
// clock. Between sends it sleeps rather than spins, and never for less than kMinSleep: a
// generator that spins, or wakes for every reading at 20 k/s, takes most of a core from vigil
// and the broker on a 2-core machine. The readings that fell due meanwhile are sent at once (at
// high rates, small bursts); each one's ts is its real send time, so latency stays honest. At
// most kMaxUnacked readings are on their way to the broker: past that the generator waits, so
// the achieved rate is what the broker actually took.
//
// With `anomalous` bodies, each line's readings come in cycles of kCycle: the last kBurst of a
// cycle are anomalous, long enough to outlast the score's smoothing and debounce, and the
// normal readings after them clear the alarm before the next burst.
class Generator {
 public:
  static constexpr uint64_t kMaxUnacked = 256;
  static constexpr std::chrono::microseconds kMinSleep{250};
  static constexpr uint64_t kCycle = 100, kBurst = 10;

  Generator(AckedPublisher* publisher, std::vector<std::string> topics, const std::vector<std::string>* bodies,
            const std::vector<std::string>* anomalous = nullptr)
      : publisher_(publisher),
        topics_(std::move(topics)),
        bodies_(bodies),
        anomalous_(anomalous),
        last_ts_us_(topics_.size(), 0),
        per_line_(topics_.size(), 0) {}

  SendStats Run(double rate, double seconds) {
    SendStats stats;
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::string payload;
    char ts_text[64];
    for (uint64_t k = 0;; ++k) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(static_cast<double>(k) / rate));
      if (due >= end || Clock::now() >= end) break;
      if (const auto now = Clock::now(); due > now)
        std::this_thread::sleep_until(std::max(due, now + kMinSleep));
      if (publisher_->unacked() >= kMaxUnacked) {
        ++stats.stalls;
        while (publisher_->unacked() >= kMaxUnacked && Clock::now() < end) {
          std::this_thread::sleep_for(kMinSleep);
        }
        if (Clock::now() >= end) break;
      }
      const size_t line = k % topics_.size();
      // `ts` is the send time, strictly increasing per line (vigil refuses an older or equal one).
      int64_t ts = EpochMicros();
      if (ts <= last_ts_us_[line]) ts = last_ts_us_[line] + 1;
      last_ts_us_[line] = ts;
      std::snprintf(ts_text, sizeof ts_text, "{\"ts\": %lld.%06lld", static_cast<long long>(ts / 1000000),
                    static_cast<long long>(ts % 1000000));
      payload.assign(ts_text);
      const uint64_t phase = per_line_[line]++ % kCycle;
      if (anomalous_ != nullptr && phase >= kCycle - kBurst) {
        if (phase == kCycle - 1) ++stats.bursts;  // counted once whole: a cut one may not raise
        payload += (*anomalous_)[row_++ % anomalous_->size()];
      } else {
        payload += (*bodies_)[row_++ % bodies_->size()];
      }
      if (publisher_->Publish(topics_[line], payload)) {
        ++stats.sent;
      } else {
        ++stats.failed;
      }
    }
    stats.seconds = Seconds(Clock::now() - start);
    return stats;
  }

 private:
  AckedPublisher* const publisher_;
  const std::vector<std::string> topics_;
  const std::vector<std::string>* const bodies_;
  const std::vector<std::string>* const anomalous_;  // null: normal readings only
  std::vector<int64_t> last_ts_us_;
  std::vector<uint64_t> per_line_;  // readings sent per line
  size_t row_ = 0;
};

// Waits until `want` messages have arrived, or none has arrived for `quiet` (the rest are lost).
inline double Drain(const LatencyCollector& c, uint64_t want,
             std::chrono::milliseconds quiet = std::chrono::milliseconds(3000)) {
  const auto start = Clock::now();
  uint64_t seen = c.count();
  auto last_progress = Clock::now();
  while (seen < want && Clock::now() - last_progress < quiet &&
         Clock::now() - start < std::chrono::minutes(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const uint64_t now = c.count();
    if (now != seen) {
      seen = now;
      last_progress = Clock::now();
    }
  }
  return Seconds(Clock::now() - start);
}

// Nearest-rank percentile of sorted values.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return NAN;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct LatencySummary {
  uint64_t received = 0;
  double p50 = NAN, p99 = NAN, p999 = NAN, max = NAN;
};

inline LatencySummary Summarize(const LatencyCollector& c) {
  std::vector<double> v = c.Latencies();
  std::sort(v.begin(), v.end());
  LatencySummary s;
  s.received = v.size();
  s.p50 = Percentile(v, 0.50);
  s.p99 = Percentile(v, 0.99);
  s.p999 = Percentile(v, 0.999);
  if (!v.empty()) s.max = v.back();
  return s;
}

}  // namespace vigil::bench

// End-to-end load on `vigil serve`: a generator publishes JSON readings (QoS 1) round-robin over
// several lines at a paced total rate; vigil scores each and publishes the score on
// vigil/scores/<line>; latency is the time from the reading's publish (its `ts`) to the score's
// arrival at a subscriber. The peer, measured in the same run at the same rates, is the broker
// alone: the same readings published on topics vigil does not read, received by a subscriber
// directly, so the ratio says what vigil adds to one broker round trip. Then an overload at
// --overload-factor x the best rate that kept p99 <= 2 ms, once with overload = "block" and once
// with overload = "drop" and a small queue, with vigil's resident memory sampled every 100 ms.
//
//   build/bench/serve_load_bench --lines 4 --seconds 3 --rates 1000,5000,20000 --json out.json
//
// Starts its own mosquitto on a free loopback port (the test fixture) and the real CLI as a
// child process; everything lives in a temp directory removed at the end. Never asserts: it
// prints numbers and ratios, and exits non-zero only when the setup itself fails.
#include <fcntl.h>
#include <httplib.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "serve/mosquitto_broker.h"
#include "serve/mqtt_link.h"
#include "vigil/status.h"

namespace vigil::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using serve::BrokerConfig;
using serve::MqttLink;

constexpr double kTargetP99Ms = 2.0;  // the product's latency target

struct Options {
  int lines = 4;
  double seconds = 3;
  std::vector<double> rates = {1000, 2000, 5000, 10000, 20000, 40000};
  double overload_factor = 10;
  std::string json_path;
  std::string detector = "pca";
};

void Usage() {
  std::fprintf(stderr,
               "usage: serve_load_bench [--lines L] [--seconds S] [--rates R1,R2,...] [--overload-factor F]\n"
               "                        [--detector NAME] [--json out.json]\n");
}

Result<std::vector<double>> ParseRates(const std::string& text) {
  std::vector<double> rates;
  std::stringstream ss(text);
  for (std::string cell; std::getline(ss, cell, ',');) {
    char* end = nullptr;
    const double r = std::strtod(cell.c_str(), &end);
    if (cell.empty() || *end != '\0' || !(r > 0)) {
      return Status::InvalidArgument("--rates: '" + cell + "' is not a positive number of readings/s");
    }
    rates.push_back(r);
  }
  if (rates.empty()) return Status::InvalidArgument("--rates: empty list");
  std::sort(rates.begin(), rates.end());
  return rates;
}

Result<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Status::InvalidArgument(flag + ": needs a value");
    }
    auto number = [&](double lo, double* out) -> Status {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(v >= lo)) {
        return Status::InvalidArgument(flag + ": '" + value + "' is not a number >= " + std::to_string(lo));
      }
      *out = v;
      return Status::OK();
    };
    if (flag == "--lines") {
      double v = 0;
      VIGIL_RETURN_IF_ERROR(number(1, &v));
      o.lines = static_cast<int>(v);
    } else if (flag == "--seconds") {
      VIGIL_RETURN_IF_ERROR(number(0.1, &o.seconds));
    } else if (flag == "--rates") {
      VIGIL_ASSIGN_OR_RETURN(o.rates, ParseRates(value));
    } else if (flag == "--overload-factor") {
      VIGIL_RETURN_IF_ERROR(number(1, &o.overload_factor));
    } else if (flag == "--json") {
      o.json_path = value;
    } else if (flag == "--detector") {
      o.detector = value;
    } else {
      return Status::InvalidArgument("unknown flag '" + flag + "'");
    }
  }
  return o;
}

int64_t EpochMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A "Key:   123 kB" field of /proc/<pid>/status in kB; -1 when the process or key is gone.
int64_t ProcStatusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size() + 1, key + ":") == 0) return std::atoll(line.c_str() + key.size() + 1);
  }
  return -1;
}

// User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15).
double ProcCpuSeconds(pid_t pid) {
  const std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The broker fixture does not expose its pid: it is this process's child named mosquitto.
pid_t FindChildNamed(const std::string& name) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string dir = entry.path().filename().string();
    if (dir.empty() || !std::isdigit(static_cast<unsigned char>(dir[0]))) continue;
    std::ifstream in(entry.path() / "status");
    std::string line, comm;
    pid_t ppid = -1;
    while (std::getline(in, line)) {
      if (line.rfind("Name:", 0) == 0) comm = line.substr(line.find_first_not_of(" \t", 5));
      if (line.rfind("PPid:", 0) == 0) ppid = static_cast<pid_t>(std::atoi(line.c_str() + 5));
    }
    if (comm == name && ppid == ::getpid()) return static_cast<pid_t>(std::atoi(dir.c_str()));
  }
  return -1;
}

std::string LoadAverage() {
  std::string text = ReadText("/proc/loadavg");
  std::istringstream in(text);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Runs the CLI to completion with its output in `log`; the exit code (-1 when killed).
int RunCli(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("vigil"));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(VIGIL_CLI_PATH, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// `vigil serve --config <file> --quiet` as a child process.
class VigilProcess {
 public:
  VigilProcess(std::string config, std::string dir, std::string tag)
      : config_(std::move(config)), out_(dir + "/" + tag + ".out"), err_(dir + "/" + tag + ".err") {}
  ~VigilProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Starts it and waits for the "ready" line on stderr.
  Status Start() {
    const char* argv[] = {"vigil", "serve", "--config", config_.c_str(), "--quiet", nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execv(VIGIL_CLI_PATH, const_cast<char* const*>(argv));
      ::_exit(127);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      const std::string err = ReadText(err_);
      if (const size_t at = err.find("vigil serve: ready");
          at != std::string::npos && err.find('\n', at) != std::string::npos) {
        const size_t http = err.find(", http ", at);
        if (http != std::string::npos) http_port_ = std::atoi(err.c_str() + err.find(':', http + 7) + 1);
        return Status::OK();
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Status::IOError("vigil serve exited at start: " + err);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Status::IOError("vigil serve was not ready within 30 s: " + ReadText(err_));
  }

  // SIGTERM (it scores what is queued and commits), then waits; SIGKILL after 60 s.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  pid_t pid() const { return pid_; }
  int http_port() const { return http_port_; }
  std::string err() const { return ReadText(err_); }

 private:
  const std::string config_, out_, err_;
  pid_t pid_ = -1;
  int http_port_ = 0;
};

// Receives messages carrying a "ts" (epoch seconds of the reading's publish) and keeps the
// latency of each. Only messages stamped at or after the current step's start count, so a
// straggler from an earlier step cannot pollute the next one.
class LatencyCollector {
 public:
  void Reset(int64_t since_us) {
    std::lock_guard<std::mutex> lock(mu_);
    since_us_ = since_us;
    count_ = 0;
    latencies_ms_.clear();
  }

  // On the subscriber's network thread: the clock is read before anything else.
  void OnMessage(std::string_view payload) {
    const int64_t now_us = EpochMicros();
    const size_t at = payload.find("\"ts\":");
    if (at == std::string_view::npos) return;
    // The payload is not NUL-terminated: parse a bounded copy of the number.
    char number[48] = {};
    const std::string_view rest = payload.substr(at + 5, sizeof number - 1);
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
  mutable std::mutex mu_;
  int64_t since_us_ = 0;              // guarded by mu_
  uint64_t count_ = 0;                // guarded by mu_
  std::vector<double> latencies_ms_;  // guarded by mu_
};

BrokerConfig ClientConfig(int port, const std::string& client_id) {
  BrokerConfig b;
  b.enabled = true;
  b.port = port;
  b.client_id = client_id;
  // The session ends with the connection: nothing queues for a client that has gone.
  b.session_expiry_s = 0;
  return b;
}

Result<std::unique_ptr<MqttLink>> Subscribe(int port, const std::string& client_id, const std::string& topic,
                                            LatencyCollector* collector) {
  MqttLink::Callbacks cb;
  cb.on_message = [collector](std::string_view, std::string_view payload) { collector->OnMessage(payload); };
  return MqttLink::Connect(ClientConfig(port, client_id), {topic}, std::move(cb));
}

// The body of each reading after its ts: the channels of one row of the shipped normal sample.
Result<std::vector<std::string>> ReadingBodies(const std::string& csv_path) {
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
    for (size_t i = 1; i < cells.size(); ++i) body += ", \"" + names[i] + "\": " + cells[i];
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
class Generator {
 public:
  static constexpr uint64_t kMaxUnacked = 256;
  static constexpr std::chrono::microseconds kMinSleep{250};

  Generator(AckedPublisher* publisher, std::vector<std::string> topics,
            const std::vector<std::string>* bodies)
      : publisher_(publisher), topics_(std::move(topics)), bodies_(bodies), last_ts_us_(topics_.size(), 0) {}

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
      payload += (*bodies_)[row_++ % bodies_->size()];
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
  std::vector<int64_t> last_ts_us_;
  size_t row_ = 0;
};

// Waits until `want` messages have arrived, or none has arrived for `quiet` (the rest are lost).
double Drain(const LatencyCollector& c, uint64_t want,
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
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return NAN;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct LatencySummary {
  uint64_t received = 0;
  double p50 = NAN, p99 = NAN, p999 = NAN, max = NAN;
};

LatencySummary Summarize(const LatencyCollector& c) {
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

// Samples the resident memory of vigil and the broker every 100 ms while it lives.
class RssSampler {
 public:
  RssSampler(pid_t vigil, pid_t broker) : vigil_(vigil), broker_(broker) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        Sample();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ~RssSampler() { Stop(); }
  void Stop() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
      Sample();
    }
  }
  int64_t vigil_peak_kb() const { return vigil_peak_kb_.load(); }
  int64_t broker_peak_kb() const { return broker_peak_kb_.load(); }
  int samples() const { return samples_.load(); }

 private:
  void Sample() {
    vigil_peak_kb_ = std::max(vigil_peak_kb_.load(), ProcStatusKb(vigil_, "VmRSS"));
    if (broker_ > 0) broker_peak_kb_ = std::max(broker_peak_kb_.load(), ProcStatusKb(broker_, "VmRSS"));
    ++samples_;
  }
  const pid_t vigil_, broker_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> vigil_peak_kb_{0}, broker_peak_kb_{0};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

// A Prometheus sample without labels; NAN when absent.
double MetricValue(const std::string& body, const std::string& name) {
  size_t at = 0;
  while ((at = body.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || body[at - 1] == '\n') return std::strtod(body.c_str() + at + name.size() + 1, nullptr);
    at += name.size();
  }
  return NAN;
}

// What vigil reports about itself on GET /metrics (NAN where unreachable).
struct VigilCounters {
  double ingest_sum = NAN, ingest_count = NAN;  // arrival on vigil's network thread -> scored and published
  double commit_sum = NAN, commit_count = NAN;  // store commits, on the scoring thread
  double dropped = NAN;

  static VigilCounters Scrape(int http_port) {
    VigilCounters c;
    httplib::Client http("127.0.0.1", http_port);
    auto res = http.Get("/metrics");
    if (!res || res->status != 200) return c;
    c.ingest_sum = MetricValue(res->body, "vigil_ingest_latency_seconds_sum");
    c.ingest_count = MetricValue(res->body, "vigil_ingest_latency_seconds_count");
    c.commit_sum = MetricValue(res->body, "vigil_store_commit_seconds_sum");
    c.commit_count = MetricValue(res->body, "vigil_store_commit_seconds_count");
    c.dropped = MetricValue(res->body, "vigil_queue_dropped_total");
    return c;
  }
  // Mean in-vigil latency (ms) of what was scored since `before`.
  double IngestMeanMsSince(const VigilCounters& before) const {
    return 1000 * (ingest_sum - before.ingest_sum) / (ingest_count - before.ingest_count);
  }
  double CommitMeanMsSince(const VigilCounters& before) const {
    return 1000 * (commit_sum - before.commit_sum) / (commit_count - before.commit_count);
  }
};

std::string LineName(int i) { return "line-" + std::to_string(i + 1); }

std::vector<std::string> Topics(const std::string& prefix, int lines) {
  std::vector<std::string> t;
  for (int i = 0; i < lines; ++i) t.push_back(prefix + "/" + LineName(i) + "/readings");
  return t;
}

std::string WriteConfig(const std::string& dir, const std::string& tag, int broker_port, int lines,
                        const std::string& model, const std::string& overload, size_t queue_capacity) {
  std::ostringstream c;
  c << "[broker]\nport = " << broker_port << "\nclient_id = \"vigil-bench-" << tag << "\"\n"
    << "connect_timeout_ms = 5000\nsession_expiry_s = 0\n"
    << "[store]\npath = \"" << tag << ".db\"\n"
    << "[http]\nlisten = \"127.0.0.1:0\"\n"
    << "[service]\nstate_dir = \"" << tag << "-state\"\nqueue_capacity = " << queue_capacity
    << "\noverload = \"" << overload << "\"\n";
  for (int i = 0; i < lines; ++i) {
    c << "[[line]]\nname = \"" << LineName(i) << "\"\ntopic = \"plant/" << LineName(i)
      << "/readings\"\nmodel = \"" << model << "\"\nscore_topic = \"vigil/scores/" << LineName(i) << "\"\n";
  }
  const std::string path = dir + "/" + tag + ".toml";
  std::ofstream(path) << c.str();
  return path;
}

struct StepResult {
  double target_rate = 0;
  SendStats vigil_send, broker_send;
  LatencySummary vigil, broker;
  int64_t rss_kb = 0;
  double vigil_cpu = 0;   // CPU seconds per wall second while publishing and draining
  double broker_cpu = 0;  // the same for the broker, over the vigil step
  double in_vigil_ms = NAN, commits = NAN, commit_ms = NAN;  // vigil's own metrics over the step
};

struct OverloadResult {
  std::string policy;
  size_t queue_capacity = 0;
  double target_rate = 0;
  bool generator_limited = false;
  SendStats send;
  LatencySummary latency;
  int64_t rss_before_kb = 0, rss_peak_sampled_kb = 0, vm_hwm_kb = 0, rss_after_kb = 0;
  int64_t broker_rss_before_kb = 0, broker_rss_peak_kb = 0;
  int samples = 0;
  double dropped = NAN, drain_seconds = 0, in_vigil_ms = NAN;
  int exit_code = 0;
};

double Mib(int64_t kb) { return static_cast<double>(kb) / 1024.0; }

std::string Fmt(const char* format, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

nlohmann::json Json(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json Json(const LatencySummary& s) {
  return {{"received", s.received},
          {"p50_ms", Json(s.p50)},
          {"p99_ms", Json(s.p99)},
          {"p999_ms", Json(s.p999)},
          {"max_ms", Json(s.max)}};
}

nlohmann::json Json(const SendStats& s) {
  return {{"sent", s.sent},
          {"failed", s.failed},
          {"stalls", s.stalls},
          {"seconds", s.seconds},
          {"achieved_rate", s.achieved()}};
}

class LoadBench {
 public:
  explicit LoadBench(Options options) : o_(std::move(options)) {}
  ~LoadBench() {
    vigil_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  Status Run() {
    dir_ = (fs::temp_directory_path() / ("vigil_serve_load_" + std::to_string(::getpid()))).string();
    fs::create_directories(dir_);
    std::printf(
        "serve_load_bench: %d line(s), %.1f s per step, detector %s, overload x%.0f; %ld CPUs, load %s\n",
        o_.lines, o_.seconds, o_.detector.c_str(), o_.overload_factor, ::sysconf(_SC_NPROCESSORS_ONLN),
        LoadAverage().c_str());
    if (!broker_.available()) return Status::NotFound("mosquitto is not installed");
    if (!broker_.Start()) return Status::IOError("mosquitto: " + broker_.error());
    broker_pid_ = FindChildNamed("mosquitto");
    model_ = dir_ + "/model.vgm";
    const std::string data = VIGIL_REPO_DATA_DIR;
    if (RunCli({"fit", "--detector", o_.detector, "-i", data + "/normal.csv", "-o", model_},
               dir_ + "/fit.log") != 0) {
      return Status::IOError("vigil fit failed: " + ReadText(dir_ + "/fit.log"));
    }
    VIGIL_ASSIGN_OR_RETURN(bodies_, ReadingBodies(data + "/normal.csv"));
    VIGIL_ASSIGN_OR_RETURN(publisher_, AckedPublisher::Connect(broker_.port(), "bench-publisher"));
    VIGIL_ASSIGN_OR_RETURN(score_sub_, Subscribe(broker_.port(), "bench-scores", "vigil/scores/#", &scores_));
    VIGIL_ASSIGN_OR_RETURN(peer_sub_, Subscribe(broker_.port(), "bench-peer", "peer/+/readings", &peer_));

    VIGIL_RETURN_IF_ERROR(StartVigil("sweep", "block", 10000));
    Generator vigil_gen(publisher_.get(), Topics("plant", o_.lines), &bodies_);
    Generator peer_gen(publisher_.get(), Topics("peer", o_.lines), &bodies_);
    // Warm both paths (first SQLite commit, first score of each line, TCP buffers); not reported.
    Step(peer_gen, peer_, o_.rates.front(), 1.0);
    Step(vigil_gen, scores_, o_.rates.front(), 1.0);

    PrintSweepHeader();
    for (double rate : o_.rates) {
      StepResult r;
      r.target_rate = rate;
      r.broker_send = Step(peer_gen, peer_, rate, o_.seconds);
      r.broker = Summarize(peer_);
      const VigilCounters before = VigilCounters::Scrape(vigil_->http_port());
      const double cpu_before = ProcCpuSeconds(vigil_->pid());
      const double broker_cpu_before = ProcCpuSeconds(broker_pid_);
      const auto wall_before = Clock::now();
      r.vigil_send = Step(vigil_gen, scores_, rate, o_.seconds);
      const double wall = Seconds(Clock::now() - wall_before);
      r.vigil_cpu = (ProcCpuSeconds(vigil_->pid()) - cpu_before) / wall;
      r.broker_cpu = (ProcCpuSeconds(broker_pid_) - broker_cpu_before) / wall;
      const VigilCounters after = VigilCounters::Scrape(vigil_->http_port());
      r.in_vigil_ms = after.IngestMeanMsSince(before);
      r.commits = after.commit_count - before.commit_count;
      r.commit_ms = after.CommitMeanMsSince(before);
      r.vigil = Summarize(scores_);
      r.rss_kb = ProcStatusKb(vigil_->pid(), "VmRSS");
      PrintStep(r);
      steps_.push_back(r);
    }
    const int64_t sweep_hwm = ProcStatusKb(vigil_->pid(), "VmHWM");
    sweep_exit_ = vigil_->Stop();
    vigil_.reset();
    PrintVerdict(sweep_hwm);

    // Overload: `factor` x the best rate that met the target (the lowest rate when none did).
    const double base = highest_ok_ > 0 ? highest_ok_ : o_.rates.front();
    const double overload_rate = o_.overload_factor * base;
    std::printf(
        "\noverload: %.0f x %.0f (%s) = %.0f readings/s for %.1f s, a fresh vigil per policy\n",
        o_.overload_factor, base,
        highest_ok_ > 0 ? "the highest rate that met the target" : "no rate met the target: the lowest rate",
        overload_rate, o_.seconds);
    const std::pair<const char*, size_t> kPolicies[] = {{"block", 10000}, {"drop", 1000}};
    for (const auto& [policy, capacity] : kPolicies) {
      VIGIL_ASSIGN_OR_RETURN(OverloadResult r, Overload(policy, capacity, overload_rate));
      overloads_.push_back(r);
    }
    PrintOverload();
    std::printf("\nload at end: %s\n", LoadAverage().c_str());
    if (!o_.json_path.empty()) VIGIL_RETURN_IF_ERROR(WriteJson(base));
    publisher_.reset();
    score_sub_->Stop();
    peer_sub_->Stop();
    broker_.Stop();
    return Status::OK();
  }

 private:
  Status StartVigil(const std::string& tag, const std::string& overload, size_t capacity) {
    const std::string config = WriteConfig(dir_, tag, broker_.port(), o_.lines, model_, overload, capacity);
    vigil_ = std::make_unique<VigilProcess>(config, dir_, tag);
    return vigil_->Start();
  }

  SendStats Step(Generator& gen, LatencyCollector& collector, double rate, double seconds) {
    collector.Reset(EpochMicros());
    const SendStats s = gen.Run(rate, seconds);
    Drain(collector, s.sent);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the machine settle
    return s;
  }

  Result<OverloadResult> Overload(const std::string& policy, size_t capacity, double rate) {
    OverloadResult r;
    r.policy = policy;
    r.queue_capacity = capacity;
    r.target_rate = rate;
    VIGIL_RETURN_IF_ERROR(StartVigil("overload-" + policy, policy, capacity));
    Generator gen(publisher_.get(), Topics("plant", o_.lines), &bodies_);
    Step(gen, scores_, o_.rates.front(), 0.5);  // warm-up, not reported
    const pid_t pid = vigil_->pid();
    r.rss_before_kb = ProcStatusKb(pid, "VmRSS");
    r.broker_rss_before_kb = broker_pid_ > 0 ? ProcStatusKb(broker_pid_, "VmRSS") : -1;
    const VigilCounters before = VigilCounters::Scrape(vigil_->http_port());
    scores_.Reset(EpochMicros());
    {
      RssSampler sampler(pid, broker_pid_);
      r.send = gen.Run(rate, o_.seconds);
      r.drain_seconds = Drain(scores_, r.send.sent);
      sampler.Stop();
      r.rss_peak_sampled_kb = sampler.vigil_peak_kb();
      r.broker_rss_peak_kb = sampler.broker_peak_kb();
      r.samples = sampler.samples();
    }
    r.generator_limited = r.send.achieved() < 0.95 * rate;
    r.latency = Summarize(scores_);
    r.vm_hwm_kb = ProcStatusKb(pid, "VmHWM");
    r.rss_after_kb = ProcStatusKb(pid, "VmRSS");
    const VigilCounters after = VigilCounters::Scrape(vigil_->http_port());
    r.dropped = after.dropped - before.dropped;
    r.in_vigil_ms = after.IngestMeanMsSince(before);
    r.exit_code = vigil_->Stop();
    vigil_.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return r;
  }

  void PrintSweepHeader() const {
    std::printf(
        "\nlatency publish -> score received (vigil) and publish -> reading received (broker alone), ms\n"
        "%8s %9s %15s %7s %7s %7s %7s %6s %5s %5s %8s %7s %7s | %9s %7s %7s | %6s %6s\n",
        "rate/s", "achieved", "recv/sent", "p50", "p99", "p99.9", "max", "RSS", "cpu", "brk", "in-vigil",
        "commits", "commit", "broker/s", "p50", "p99", "x p50", "x p99");
  }

  void PrintStep(const StepResult& r) const {
    const std::string recv = std::to_string(r.vigil.received) + "/" + std::to_string(r.vigil_send.sent);
    std::printf(
        "%8.0f %9.0f %15s %7s %7s %7s %7s %5.1fM %4.0f%% %4.0f%% %8s %7s %7s | %9.0f %7s %7s | %6s %6s\n",
        r.target_rate, r.vigil_send.achieved(), recv.c_str(), Fmt("%.3f", r.vigil.p50).c_str(),
        Fmt("%.3f", r.vigil.p99).c_str(), Fmt("%.3f", r.vigil.p999).c_str(), Fmt("%.2f", r.vigil.max).c_str(),
        Mib(r.rss_kb), 100 * r.vigil_cpu, 100 * r.broker_cpu, Fmt("%.3f", r.in_vigil_ms).c_str(),
        Fmt("%.0f", r.commits).c_str(), Fmt("%.2f", r.commit_ms).c_str(), r.broker_send.achieved(),
        Fmt("%.3f", r.broker.p50).c_str(), Fmt("%.3f", r.broker.p99).c_str(),
        Fmt("%.1f", r.vigil.p50 / r.broker.p50).c_str(), Fmt("%.1f", r.vigil.p99 / r.broker.p99).c_str());
    std::fflush(stdout);
  }

  void PrintVerdict(int64_t sweep_hwm_kb) {
    for (const StepResult& s : steps_) {
      const bool ok = s.vigil.p99 <= kTargetP99Ms && s.vigil.received == s.vigil_send.sent;
      if (ok) highest_ok_ = s.target_rate;
      if (!ok && first_over_ == 0) first_over_ = s.target_rate;
    }
    std::printf(
        "(recv/sent: score messages received / readings sent; RSS: VmRSS after the step;\n"
        " cpu, brk: CPU time / wall of vigil and of the broker during the vigil step;\n"
        " in-vigil: mean ms from arrival on vigil's network thread to scored and published, and the store\n"
        " commits with their mean ms, both from vigil's /metrics;\n"
        " x: vigil latency / broker-alone latency at the same rate)\n");
    std::printf(
        "highest rate with p99 <= %.0f ms and nothing lost: %s; first rate over: %s; sweep VmHWM %.1f MiB, "
        "exit %d\n",
        kTargetP99Ms, highest_ok_ > 0 ? Fmt("%.0f/s", highest_ok_).c_str() : "none",
        first_over_ > 0 ? Fmt("%.0f/s", first_over_).c_str() : "none (all rates met it)", Mib(sweep_hwm_kb),
        sweep_exit_);
  }

  void PrintOverload() const {
    std::printf("%6s %6s %9s %9s %15s %8s %9s %9s %9s %8s %8s %8s %10s %8s %8s\n", "policy", "queue",
                "target/s", "achieved", "recv/sent", "dropped", "p50 ms", "p99 ms", "in-vigil", "RSS0",
                "RSSpeak", "VmHWM", "brokerRSS0", "brokerPk", "drain s");
    for (const OverloadResult& r : overloads_) {
      const std::string recv = std::to_string(r.latency.received) + "/" + std::to_string(r.send.sent);
      std::printf("%6s %6zu %9.0f %9.0f %15s %8s %9s %9s %9s %7.1fM %7.1fM %7.1fM %9.1fM %7.1fM %8.2f\n",
                  r.policy.c_str(), r.queue_capacity, r.target_rate, r.send.achieved(), recv.c_str(),
                  Fmt("%.0f", r.dropped).c_str(), Fmt("%.1f", r.latency.p50).c_str(),
                  Fmt("%.1f", r.latency.p99).c_str(), Fmt("%.2f", r.in_vigil_ms).c_str(),
                  Mib(r.rss_before_kb), Mib(r.rss_peak_sampled_kb), Mib(r.vm_hwm_kb),
                  Mib(r.broker_rss_before_kb), Mib(r.broker_rss_peak_kb), r.drain_seconds);
    }
    for (const OverloadResult& r : overloads_) {
      if (r.generator_limited) {
        std::printf("%s: the generator reached %.0f of %.0f readings/s (as fast as it can here)\n",
                    r.policy.c_str(), r.send.achieved(), r.target_rate);
      }
      std::printf("%s: %d RSS samples, peak/before %.2f, exit %d\n", r.policy.c_str(), r.samples,
                  static_cast<double>(r.rss_peak_sampled_kb) /
                      static_cast<double>(std::max<int64_t>(r.rss_before_kb, 1)),
                  r.exit_code);
    }
  }

  Status WriteJson(double overload_base) const {
    nlohmann::json j;
    j["config"] = {{"lines", o_.lines},
                   {"seconds", o_.seconds},
                   {"rates", o_.rates},
                   {"overload_factor", o_.overload_factor},
                   {"detector", o_.detector},
                   {"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)},
                   {"target_p99_ms", kTargetP99Ms}};
    j["steps"] = nlohmann::json::array();
    for (const StepResult& s : steps_) {
      j["steps"].push_back({{"target_rate", s.target_rate},
                            {"vigil_send", Json(s.vigil_send)},
                            {"vigil", Json(s.vigil)},
                            {"vigil_rss_kb", s.rss_kb},
                            {"vigil_cpu", s.vigil_cpu},
                            {"broker_cpu", s.broker_cpu},
                            {"in_vigil_mean_ms", Json(s.in_vigil_ms)},
                            {"store_commits", Json(s.commits)},
                            {"store_commit_mean_ms", Json(s.commit_ms)},
                            {"broker_send", Json(s.broker_send)},
                            {"broker", Json(s.broker)},
                            {"p50_ratio", Json(s.vigil.p50 / s.broker.p50)},
                            {"p99_ratio", Json(s.vigil.p99 / s.broker.p99)}});
    }
    j["highest_rate_meeting_target"] =
        highest_ok_ > 0 ? nlohmann::json(highest_ok_) : nlohmann::json(nullptr);
    j["first_rate_over_target"] = first_over_ > 0 ? nlohmann::json(first_over_) : nlohmann::json(nullptr);
    j["overload_base_rate"] = overload_base;
    j["overload"] = nlohmann::json::array();
    for (const OverloadResult& r : overloads_) {
      j["overload"].push_back({{"policy", r.policy},
                               {"queue_capacity", r.queue_capacity},
                               {"target_rate", r.target_rate},
                               {"generator_limited", r.generator_limited},
                               {"send", Json(r.send)},
                               {"latency", Json(r.latency)},
                               {"dropped", Json(r.dropped)},
                               {"in_vigil_mean_ms", Json(r.in_vigil_ms)},
                               {"rss_before_kb", r.rss_before_kb},
                               {"rss_peak_sampled_kb", r.rss_peak_sampled_kb},
                               {"vm_hwm_kb", r.vm_hwm_kb},
                               {"rss_after_kb", r.rss_after_kb},
                               {"broker_rss_before_kb", r.broker_rss_before_kb},
                               {"broker_rss_peak_kb", r.broker_rss_peak_kb},
                               {"drain_seconds", r.drain_seconds}});
    }
    std::ofstream out(o_.json_path);
    out << j.dump(2) << "\n";
    if (!out) return Status::IOError("cannot write " + o_.json_path);
    std::printf("wrote %s\n", o_.json_path.c_str());
    return Status::OK();
  }

  const Options o_;
  std::string dir_, model_;
  testing::MosquittoBroker broker_;
  pid_t broker_pid_ = -1;
  std::vector<std::string> bodies_;
  LatencyCollector scores_, peer_;
  std::unique_ptr<AckedPublisher> publisher_;
  std::unique_ptr<MqttLink> score_sub_, peer_sub_;
  std::unique_ptr<VigilProcess> vigil_;
  std::vector<StepResult> steps_;
  std::vector<OverloadResult> overloads_;
  double highest_ok_ = 0, first_over_ = 0;
  int sweep_exit_ = 0;
};

}  // namespace
}  // namespace vigil::bench

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  // The generator sleeps between sends at tens of microseconds: ask for a 1 us timer slack.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  auto options = vigil::bench::ParseArgs(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "serve_load_bench: %s\n", options.status().message().c_str());
    vigil::bench::Usage();
    return 2;
  }
  vigil::bench::LoadBench bench(std::move(options).value());
  const vigil::Status s = bench.Run();
  if (!s.ok()) {
    std::fprintf(stderr, "serve_load_bench: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

// Processes of serve_load_bench: the CLI as a child (`vigil serve` and one-shot commands), what
// /proc says about a process (RSS, CPU time), and what vigil says about itself on /metrics.
#pragma once

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "vigil/status.h"

namespace vigil::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline int64_t EpochMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A "Key:   123 kB" field of /proc/<pid>/status in kB; -1 when the process or key is gone.
inline int64_t ProcStatusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, key.size() + 1, key + ":") == 0) return std::atoll(line.c_str() + key.size() + 1);
  }
  return -1;
}

// User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15).
inline double ProcCpuSeconds(pid_t pid) {
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
inline pid_t FindChildNamed(const std::string& name) {
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

inline std::string LoadAverage() {
  std::string text = ReadText("/proc/loadavg");
  std::istringstream in(text);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Runs the CLI to completion with its output in `log`; the exit code (-1 when killed).
inline int RunCli(const std::vector<std::string>& args, const std::string& log) {
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
inline double MetricValue(const std::string& body, const std::string& name) {
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

inline std::string LineName(int i) { return "line-" + std::to_string(i + 1); }

}  // namespace vigil::bench

// End-to-end load on `vigil serve`: a generator publishes JSON readings (QoS 1) round-robin over
// several lines at a paced total rate and vigil scores each. Latency is timed from a reading's
// publish (its `ts`) to the arrival at a subscriber of what vigil published for it:
//   --probe alarm (default): among normal readings, each line gets a burst of anomalous ones every
//     100 readings; the alarm each burst raises carries the `ts` of the reading that raised it as
//     its start_ts. Scores are not published: the line runs as it would on the shop floor.
//   --probe score: every reading's score is published on vigil/scores/<line> and timed (twice
//     the broker traffic of the alarm probe).
// The peer, measured in the same run at the same rates, is the broker alone: the same readings
// published on topics vigil does not read, received by a subscriber directly, so the ratio says
// what vigil adds to one broker round trip. Then an overload at --overload-factor x the best rate
// that kept p99 <= 2 ms, once with overload = "block" and once with overload = "drop" and a small
// queue, with vigil's resident memory sampled every 100 ms.
//
//   build/bench/serve_load_bench --lines 4 --seconds 3 --rates 1000,5000,20000 --json out.json
//
// Starts its own mosquitto on a free loopback port (the test fixture) and the real CLI as a
// child process; everything lives in a temp directory removed at the end. Never asserts: it
// prints numbers and ratios, and exits non-zero only when the setup itself fails.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "serve/mosquitto_broker.h"
#include "serve_load/processes.h"
#include "serve_load/traffic.h"
#include "vigil/status.h"

namespace vigil::bench {
namespace {

constexpr double kTargetP99Ms = 2.0;  // the product's latency target

struct Options {
  int lines = 4;
  double seconds = 3;
  std::vector<double> rates = {1000, 2000, 5000, 10000, 20000, 40000};
  double overload_factor = 10;
  std::string json_path;
  std::string detector = "pca";
  // "alarm": latency from the publish of the reading that raises an alarm to the alarm's arrival
  // (bursts of anomalous readings among normal ones; scores are not published). "score": every
  // reading's score is published and timed.
  std::string probe = "alarm";
  bool alarm_probe() const { return probe == "alarm"; }
};

void Usage() {
  std::fprintf(stderr,
               "usage: serve_load_bench [--lines L] [--seconds S] [--rates R1,R2,...] [--overload-factor F]\n"
               "                        [--detector NAME] [--probe alarm|score] [--json out.json]\n");
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
    } else if (flag == "--probe") {
      if (value != "alarm" && value != "score") return Status::InvalidArgument("--probe: '" + value + "' is not alarm or score");
      o.probe = value;
    } else {
      return Status::InvalidArgument("unknown flag '" + flag + "'");
    }
  }
  return o;
}

std::vector<std::string> Topics(const std::string& prefix, int lines) {
  std::vector<std::string> t;
  for (int i = 0; i < lines; ++i) t.push_back(prefix + "/" + LineName(i) + "/readings");
  return t;
}

std::string WriteConfig(const std::string& dir, const std::string& tag, int broker_port, int lines,
                        const std::string& model, const std::string& overload, size_t queue_capacity,
                        bool publish_scores) {
  std::ostringstream c;
  c << "[broker]\nport = " << broker_port << "\nclient_id = \"vigil-bench-" << tag << "\"\n"
    << "connect_timeout_ms = 5000\nsession_expiry_s = 0\n"
    << "[store]\npath = \"" << tag << ".db\"\n"
    << "[http]\nlisten = \"127.0.0.1:0\"\n"
    << "[service]\nstate_dir = \"" << tag << "-state\"\nqueue_capacity = " << queue_capacity
    << "\noverload = \"" << overload << "\"\n";
  for (int i = 0; i < lines; ++i) {
    c << "[[line]]\nname = \"" << LineName(i) << "\"\ntopic = \"plant/" << LineName(i)
      << "/readings\"\nmodel = \"" << model << "\"\nalarm_topic = \"vigil/alarms/" << LineName(i) << "\"\n";
    if (publish_scores) c << "score_topic = \"vigil/scores/" << LineName(i) << "\"\n";
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
    VIGIL_ASSIGN_OR_RETURN(anomalous_, ReadingBodies(data + "/normal.csv", /*anomalous=*/true));
    VIGIL_ASSIGN_OR_RETURN(publisher_, AckedPublisher::Connect(broker_.port(), "bench-publisher"));
    VIGIL_ASSIGN_OR_RETURN(out_sub_, Subscribe(broker_.port(), "bench-vigil-out",
                                               o_.alarm_probe() ? "vigil/alarms/#" : "vigil/scores/#", &out_));
    VIGIL_ASSIGN_OR_RETURN(peer_sub_, Subscribe(broker_.port(), "bench-peer", "peer/+/readings", &peer_));

    VIGIL_RETURN_IF_ERROR(StartVigil("sweep", "block", 10000));
    Generator vigil_gen = VigilGenerator();
    Generator peer_gen(publisher_.get(), Topics("peer", o_.lines), &bodies_);
    // Warm both paths (first SQLite commit, first score of each line, TCP buffers); not reported.
    Step(peer_gen, peer_, o_.rates.front(), 1.0);
    Step(vigil_gen, out_, o_.rates.front(), 1.0);

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
      r.vigil_send = Step(vigil_gen, out_, rate, o_.seconds);
      const double wall = Seconds(Clock::now() - wall_before);
      r.vigil_cpu = (ProcCpuSeconds(vigil_->pid()) - cpu_before) / wall;
      r.broker_cpu = (ProcCpuSeconds(broker_pid_) - broker_cpu_before) / wall;
      const VigilCounters after = VigilCounters::Scrape(vigil_->http_port());
      r.in_vigil_ms = after.IngestMeanMsSince(before);
      r.commits = after.commit_count - before.commit_count;
      r.commit_ms = after.CommitMeanMsSince(before);
      r.vigil = Summarize(out_);
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
    out_sub_->Stop();
    peer_sub_->Stop();
    broker_.Stop();
    return Status::OK();
  }

 private:
  Status StartVigil(const std::string& tag, const std::string& overload, size_t capacity) {
    const std::string config =
        WriteConfig(dir_, tag, broker_.port(), o_.lines, model_, overload, capacity, !o_.alarm_probe());
    vigil_ = std::make_unique<VigilProcess>(config, dir_, tag);
    return vigil_->Start();
  }

  Generator VigilGenerator() {
    return Generator(publisher_.get(), Topics("plant", o_.lines), &bodies_, o_.alarm_probe() ? &anomalous_ : nullptr);
  }

  // What vigil's output must bring for a step to have lost nothing: an alarm per whole burst, or
  // a score per reading (and, from the broker alone, every reading).
  uint64_t Expected(const LatencyCollector& c, const SendStats& s) const {
    return &c == &out_ && o_.alarm_probe() ? s.bursts : s.sent;
  }

  SendStats Step(Generator& gen, LatencyCollector& collector, double rate, double seconds) {
    collector.Reset(EpochMicros());
    const SendStats s = gen.Run(rate, seconds);
    Drain(collector, Expected(collector, s));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the machine settle
    return s;
  }

  Result<OverloadResult> Overload(const std::string& policy, size_t capacity, double rate) {
    OverloadResult r;
    r.policy = policy;
    r.queue_capacity = capacity;
    r.target_rate = rate;
    VIGIL_RETURN_IF_ERROR(StartVigil("overload-" + policy, policy, capacity));
    Generator gen = VigilGenerator();
    Step(gen, out_, o_.rates.front(), 0.5);  // warm-up, not reported
    const pid_t pid = vigil_->pid();
    r.rss_before_kb = ProcStatusKb(pid, "VmRSS");
    r.broker_rss_before_kb = broker_pid_ > 0 ? ProcStatusKb(broker_pid_, "VmRSS") : -1;
    const VigilCounters before = VigilCounters::Scrape(vigil_->http_port());
    out_.Reset(EpochMicros());
    {
      RssSampler sampler(pid, broker_pid_);
      r.send = gen.Run(rate, o_.seconds);
      r.drain_seconds = Drain(out_, Expected(out_, r.send));
      sampler.Stop();
      r.rss_peak_sampled_kb = sampler.vigil_peak_kb();
      r.broker_rss_peak_kb = sampler.broker_peak_kb();
      r.samples = sampler.samples();
    }
    r.generator_limited = r.send.achieved() < 0.95 * rate;
    r.latency = Summarize(out_);
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
    std::printf("\nlatency publish -> %s (vigil) and publish -> reading received (broker alone), ms\n",
                o_.alarm_probe() ? "alarm received, of the reading that raised it" : "score received");
    std::printf(
        "%8s %9s %15s %7s %7s %7s %7s %6s %5s %5s %8s %7s %7s | %9s %7s %7s | %6s %6s\n",
        "rate/s", "achieved", "recv/sent", "p50", "p99", "p99.9", "max", "RSS", "cpu", "brk", "in-vigil",
        "commits", "commit", "broker/s", "p50", "p99", "x p50", "x p99");
  }

  void PrintStep(const StepResult& r) const {
    const std::string recv = std::to_string(r.vigil.received) + "/" + std::to_string(Expected(out_, r.vigil_send));
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
      const bool ok = s.vigil.p99 <= kTargetP99Ms && s.vigil.received >= Expected(out_, s.vigil_send);
      if (ok) highest_ok_ = s.target_rate;
      if (!ok && first_over_ == 0) first_over_ = s.target_rate;
    }
    std::printf(
        "(recv/sent: %s; RSS: VmRSS after the step;\n"
        " cpu, brk: CPU time / wall of vigil and of the broker during the vigil step;\n"
        " in-vigil: mean ms from arrival on vigil's network thread to scored and published, and the store\n"
        " commits with their mean ms, both from vigil's /metrics;\n"
        " x: vigil latency / broker-alone latency at the same rate)\n",
        o_.alarm_probe() ? "alarms raised / anomalous bursts sent whole" : "score messages received / readings sent");
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
      const std::string recv = std::to_string(r.latency.received) + "/" + std::to_string(Expected(out_, r.send));
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
                   {"probe", o_.probe},
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
  std::vector<std::string> bodies_, anomalous_;
  // Scores carry their reading's "ts"; a raised alarm, the "start_ts" of the reading raising it.
  LatencyCollector out_{o_.alarm_probe() ? "start_ts" : "ts", o_.alarm_probe() ? "\"event\":\"raised\"" : ""};
  LatencyCollector peer_;
  std::unique_ptr<AckedPublisher> publisher_;
  std::unique_ptr<MqttLink> out_sub_, peer_sub_;
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

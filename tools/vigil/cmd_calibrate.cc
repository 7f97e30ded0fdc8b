// vigil calibrate: measure this machine (compute peaks, cache and memory bandwidth, per-op
// overhead) and write it as the `host` device profile for vigil plan.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plan/host_calibration.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct CalibrateArgs {
  std::string output;
  double trial_seconds = 0.05;
  double watts_per_core = 3.75;
};

int RunCalibrate(const CalibrateArgs& a) {
  plan::HostCalibrationOptions o;
  if (!(a.trial_seconds > 0 && a.trial_seconds <= 10)) {
    return Fail(Status::InvalidArgument("--trial-seconds must be in (0, 10]"));
  }
  if (!(a.watts_per_core > 0 && a.watts_per_core < 1000)) {
    return Fail(Status::InvalidArgument("--watts-per-core must be in (0, 1000)"));
  }
  o.trial_seconds = a.trial_seconds;
  o.watts_per_core = a.watts_per_core;
  const std::string out = a.output.empty() ? plan::UserProfileDir() + "/host.toml" : a.output;
  auto m = plan::MeasureHost(o);
  if (!m.ok()) return Fail(m.status());
  std::printf("cpu: %s, %d cores, %.1f GiB\n", m->cpu_model.c_str(), m->cores, m->memory_bytes / (1u << 30));
  std::printf("fp32 peak (one core): %.1f GFLOP/s (%s)\n", m->fp32_gops, m->fp32_target.c_str());
  std::printf("int8 peak (one core): %.1f G ops/s (%s)\n", m->int8_gops, m->int8_target.c_str());
  for (const plan::MeasuredCache& c : m->caches) {
    std::printf("L%d %.0f KiB%s: %.1f GB/s (one core reading)\n", c.level, c.size_bytes / 1024,
                c.shared ? " shared" : "", c.read_gbs);
  }
  std::printf("memory read: %.1f GB/s one core, %.1f GB/s all cores\n", m->memory_read_gbs, m->memory_read_all_gbs);
  std::printf("stream copy %.1f GB/s, triad %.1f GB/s (one core)\n", m->copy_gbs, m->triad_gbs);
  std::printf("per-op overhead: %.3f us\n", m->op_overhead_us);
  for (const std::string& n : m->notes) std::printf("note: %s\n", n.c_str());
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Fail(Status::IOError(parent.string() + ": cannot create: " + ec.message()));
  std::ofstream f(out);
  f << plan::FormatDeviceProfile(plan::HostProfile(*m, o), plan::HostProfileHeader(*m, o));
  f.close();
  if (!f) return Fail(Status::IOError(out + ": cannot write"));
  std::printf("wrote %s (use it with: vigil plan MODEL --device host)\n", out.c_str());
  return kExitOk;
}

}  // namespace

void RegisterCalibrate(CLI::App& app, Action* run) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand("calibrate", "Measure this machine and write the `host` device profile");
  cmd->add_option("-o,--output", args->output, "Profile file to write (default: the user profile dir's host.toml)");
  cmd->add_option("--trial-seconds", args->trial_seconds, "Length of each timed trial")->capture_default_str();
  cmd->add_option("--watts-per-core", args->watts_per_core, "Modelled active power per core (no meter read)")
      ->capture_default_str();
  cmd->callback([args, run] { *run = [args] { return RunCalibrate(*args); }; });
}

}  // namespace vigil::cli

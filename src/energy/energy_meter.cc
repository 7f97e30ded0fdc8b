#include "energy/energy_meter.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "energy/hwmon_meter.h"
#include "energy/rapl_meter.h"

namespace vigil::energy {

Result<EnergyReading> MeasureEnergy(EnergyMeter& meter, const std::function<void()>& work, int sample_ms) {
  using Clock = std::chrono::steady_clock;
  EnergyReading r;
  if (meter.cumulative()) {
    VIGIL_ASSIGN_OR_RETURN(double before, meter.Joules());
    const auto start = Clock::now();
    work();
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    VIGIL_ASSIGN_OR_RETURN(double after, meter.Joules());
    r.joules = after - before;
    return r;
  }
  // Power sensor: sample on a thread while the work runs, integrate by trapezoids.
  VIGIL_ASSIGN_OR_RETURN(double first, meter.Watts());
  std::atomic<bool> done{false};
  Status error = Status::OK();
  double joules = 0;
  int samples = 1;
  const auto start = Clock::now();
  std::thread sampler([&] {
    double last_w = first;
    auto last_t = start;
    const auto step = [&] {
      auto w = meter.Watts();
      const auto now = Clock::now();
      if (!w.ok()) {
        error = w.status();
        return false;
      }
      joules += 0.5 * (last_w + *w) * std::chrono::duration<double>(now - last_t).count();
      last_w = *w;
      last_t = now;
      ++samples;
      return true;
    };
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(sample_ms));
      if (!step()) return;
    }
    step();
  });
  work();
  done = true;
  sampler.join();
  VIGIL_RETURN_IF_ERROR(error);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.joules = joules;
  r.samples = samples;
  return r;
}

Result<std::unique_ptr<EnergyMeter>> FindEnergyMeter(const MeterSearch& where) {
  std::vector<std::string> why;
  auto rapl = OpenRaplMeter(where.powercap_root);
  if (rapl.ok()) return std::unique_ptr<EnergyMeter>(std::move(*rapl));
  if (rapl.status().code() != StatusCode::kNotFound) return rapl.status();  // there, but unreadable
  why.push_back("rapl: " + rapl.status().message());
  for (bool energy : {true, false}) {
    auto hw = OpenHwmonMeter(where.hwmon_root, energy ? HwmonKind::kEnergy : HwmonKind::kPower);
    if (hw.ok()) return std::unique_ptr<EnergyMeter>(std::move(*hw));
    if (hw.status().code() != StatusCode::kNotFound) return hw.status();
    why.push_back(std::string("hwmon ") + (energy ? "energy" : "power") + ": " + hw.status().message());
  }
  std::string msg = "no energy meter on this machine";
  for (const std::string& w : why) msg += "; " + w;
  return Status::NotFound(msg);
}

}  // namespace vigil::energy

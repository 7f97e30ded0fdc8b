#include "plan/host_calibration.h"

#include <hwy/aligned_allocator.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "io/sysfs_file.h"
#include "kernels/fma_peak.h"
#include "kernels/int8_peak.h"
#include "kernels/stream_read.h"
#include "kernels/stream_triad.h"
#include "nn/graph_latency.h"
#include "nn/int8_calibration.h"
#include "nn/packed_net.h"
#include "nn/train/net.h"
#include "plan/op_cost.h"
#include "plan/roofline.h"

namespace vigil::plan {
namespace {

using Clock = std::chrono::steady_clock;

// Best rate (units per second) over the trials of repeated calls to `work`, which returns the
// units it did; each trial lasts at least options.trial_seconds.
template <typename Work>
double BestRate(const HostCalibrationOptions& o, Work&& work) {
  double best = 0;
  for (int t = 0; t < o.trials; ++t) {
    double units = 0, elapsed = 0;
    const auto start = Clock::now();
    do {
      units += work();
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < o.trial_seconds);
    best = std::max(best, units / elapsed);
  }
  return best;
}


// "32K", "1024K", "32M" → bytes; 0 when unreadable.
double ParseCacheSize(const std::string& s) {
  if (s.empty()) return 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return 0;
  switch (*end) {
    case 'K': return v * 1024;
    case 'M': return v * 1024 * 1024;
    case 'G': return v * 1024 * 1024 * 1024;
    default: return v;
  }
}

hwy::AlignedFreeUniquePtr<float[]> Buffer(size_t n, float value) {
  auto p = hwy::AllocateAligned<float>(n);
  std::fill(p.get(), p.get() + n, value);  // touch every page before timing
  return p;
}

double ReadGbs(const HostCalibrationOptions& o, size_t bytes) {
  const size_t n = std::max<size_t>(bytes / sizeof(float), 64);
  auto buf = Buffer(n, 1.0f);
  float sink = 0;
  return BestRate(o, [&] { return kernels::StreamRead(buf.get(), n, &sink); }) / 1e9;
}

double AllCoresReadGbs(const HostCalibrationOptions& o, size_t bytes_each, int cores) {
  const size_t n = bytes_each / sizeof(float);
  std::vector<hwy::AlignedFreeUniquePtr<float[]>> bufs;
  for (int c = 0; c < cores; ++c) bufs.push_back(Buffer(n, 1.0f));
  double best = 0;
  for (int t = 0; t < o.trials; ++t) {
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int c = 0; c < cores; ++c) {
      threads.emplace_back([&, c] {
        float sink = 0;
        kernels::StreamRead(bufs[static_cast<size_t>(c)].get(), n, &sink);
        kernels::StreamRead(bufs[static_cast<size_t>(c)].get(), n, &sink);
      });
    }
    for (auto& th : threads) th.join();
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, 2.0 * static_cast<double>(cores) * static_cast<double>(n) * sizeof(float) / s);
  }
  return best / 1e9;
}

// A net of `layers` Dense 8→8 layers: per-op cost dominates their run time.
Result<nn::PackedNet> TinyNet(size_t layers) {
  nn::train::NetSpec spec;
  spec.input_shape = {8};
  for (size_t i = 0; i < layers; ++i) spec.layers.push_back({.kind = nn::train::LayerKind::kDense, .out = 8});
  VIGIL_ASSIGN_OR_RETURN(nn::train::NetParams params, nn::train::InitNet(spec, 1));
  return nn::PackedNet::FromParams(params);
}

Result<double> OpOverheadUs() {
  constexpr size_t kLayers = 9;
  VIGIL_ASSIGN_OR_RETURN(nn::PackedNet net, TinyNet(kLayers));
  nn::LatencyOptions opt;
  opt.iterations = 20000;
  opt.warmup = 2000;
  double best = 1e300;
  for (int t = 0; t < 3; ++t) {  // the smallest of three differences: least disturbed
    opt.layer_count = 1;
    VIGIL_ASSIGN_OR_RETURN(nn::LatencyReport one, nn::MeasureGraphLatency(net, opt));
    opt.layer_count = kLayers;
    VIGIL_ASSIGN_OR_RETURN(nn::LatencyReport all, nn::MeasureGraphLatency(net, opt));
    best = std::min(best, (all.p50_us - one.p50_us) / (kLayers - 1));
  }
  return std::max(best, 0.0);
}

// A one-layer net (Dense in → out, or Conv1D over [length, in] with kernel 7 and out channels)
// in `type` (INT8 calibrated on a spread of values).
Result<nn::PackedNet> OneLayerNet(bool conv, int64_t in, int64_t out, nn::WeightType type) {
  constexpr int64_t kLength = 32;
  nn::train::NetSpec spec;
  if (conv) {
    spec.input_shape = {kLength, in};
    spec.layers.push_back({.kind = nn::train::LayerKind::kConv1D, .out = out, .kernel = 7, .padding = 3});
  } else {
    spec.input_shape = {in};
    spec.layers.push_back({.kind = nn::train::LayerKind::kDense, .out = out});
  }
  VIGIL_ASSIGN_OR_RETURN(nn::train::NetParams params, nn::train::InitNet(spec, 2));
  VIGIL_ASSIGN_OR_RETURN(nn::PackedNet f32, nn::PackedNet::FromParams(params));
  std::vector<float> rows(static_cast<size_t>(64 * in * (conv ? kLength : 1)));
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (float& v : rows) {  // a cheap spread of values in [-2, 2)
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    v = static_cast<float>(static_cast<double>(state >> 40) / static_cast<double>(1ull << 24) * 4.0 - 2.0);
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<kernels::QuantParams> q, nn::CalibrateLayerInputs(f32, rows.data(), 64));
  return f32.ConvertWeights(type, q);
}

Result<double> LayerUs(const nn::PackedNet& net, int64_t batch, int64_t iterations) {
  nn::LatencyOptions opt;
  opt.batch = batch;
  opt.iterations = iterations;
  opt.warmup = iterations / 10;
  double best = 1e300;
  for (int t = 0; t < 3; ++t) {
    VIGIL_ASSIGN_OR_RETURN(nn::LatencyReport r, nn::MeasureGraphLatency(net, opt));
    best = std::min(best, r.p50_us);
  }
  return best;
}

// The roofline's time over the measured one: for the memory side, a batch-1 Dense 512→256
// (weights in L2); for the compute side, layers of each output width.
Result<std::vector<KernelEfficiency>> MeasureKernels(const DeviceProfile& host) {
  std::vector<KernelEfficiency> out;
  const ComputeUnit& cpu = host.units.front();
  const auto compute_fraction = [&](const nn::PackedNet& net, int64_t batch, nn::WeightType type,
                                    int64_t iterations) -> Result<double> {
    VIGIL_ASSIGN_OR_RETURN(std::vector<OpCost> ops, NetOpCosts(net, batch));
    const double ideal_us = 2.0 * ops.front().macs / cpu.peak_ops[DTypeIndex(type)] * 1e6;
    VIGIL_ASSIGN_OR_RETURN(double us, LayerUs(net, batch, iterations));
    return std::clamp(ideal_us / std::max(us - cpu.overhead_us, 1e-3), 0.001, 1.0);
  };
  // One compute fraction per output width, each measured on the net make(width) at e's batch.
  const auto fill = [&](KernelEfficiency* e, std::initializer_list<int64_t> widths, int64_t iterations,
                        const auto& make) -> Status {
    for (int64_t width : widths) {
      VIGIL_ASSIGN_OR_RETURN(nn::PackedNet net, make(width));
      VIGIL_ASSIGN_OR_RETURN(double f, compute_fraction(net, e->batch == 0 ? 64 : e->batch, e->dtype, iterations));
      e->out_widths.push_back(static_cast<double>(width));
      e->compute_fractions.push_back(f);
    }
    return Status::OK();
  };
  for (size_t t = 0; t < kDTypes; ++t) {
    const auto type = static_cast<nn::WeightType>(t);
    KernelEfficiency dense;
    dense.dtype = type;
    {
      VIGIL_ASSIGN_OR_RETURN(nn::PackedNet net, OneLayerNet(false, 512, 256, type));
      VIGIL_ASSIGN_OR_RETURN(std::vector<OpCost> ops, NetOpCosts(net, 1));
      const OpEstimate ideal = EstimateOp(ops.front(), type, host, cpu, ops.front().Bytes(type), 1);
      VIGIL_ASSIGN_OR_RETURN(double us, LayerUs(net, 1, 4000));
      dense.bandwidth_fraction = std::clamp(ideal.memory_us / std::max(us - cpu.overhead_us, 1e-3), 0.001, 1.0);
    }
    VIGIL_RETURN_IF_ERROR(fill(&dense, {8, 16, 32, 64, 128, 256}, 600,
                               [&](int64_t w) { return OneLayerNet(false, 256, w, type); }));
    out.push_back(dense);
    for (int64_t batch : {1, 64}) {
      KernelEfficiency conv;
      conv.op = "conv1d";
      conv.dtype = type;
      conv.batch = batch;
      conv.bandwidth_fraction = dense.bandwidth_fraction;
      VIGIL_RETURN_IF_ERROR(fill(&conv, {8, 16, 32, 64, 128}, batch == 1 ? 3000 : 300,
                                 [&](int64_t w) { return OneLayerNet(true, 32, w, type); }));
      out.push_back(conv);
    }
  }
  // Transformer encoder blocks (FP32 only): 32 positions, 4 heads, an MLP twice the width.
  for (int64_t batch : {1, 64}) {
    KernelEfficiency block;
    block.op = "block";
    block.batch = batch;
    block.bandwidth_fraction = out.front().bandwidth_fraction;
    VIGIL_RETURN_IF_ERROR(fill(&block, {16, 32, 64}, batch == 1 ? 2000 : 100, [](int64_t w) -> Result<nn::PackedNet> {
      nn::train::NetSpec spec;
      spec.input_shape = {32, w};
      spec.layers.push_back({.kind = nn::train::LayerKind::kTransformerBlock, .out = 2 * w, .kernel = 4});
      VIGIL_ASSIGN_OR_RETURN(nn::train::NetParams params, nn::train::InitNet(spec, 3));
      return nn::PackedNet::FromParams(params);
    }));
    out.push_back(block);
  }
  return out;
}

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown CPU";
}

std::string Fixed(double v, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::vector<MeasuredCache> SysconfCaches() {
  std::vector<MeasuredCache> levels;
  const int names[] = {_SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL2_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL4_CACHE_SIZE};
  for (int i = 0; i < 4; ++i) {
    const long size = ::sysconf(names[i]);
    if (size > 0) levels.push_back({i + 1, static_cast<double>(size), i >= 2, 0});
  }
  return levels;
}

}  // namespace

Result<std::vector<MeasuredCache>> ReadCacheTopology(const std::string& dir) {
  std::error_code ec;
  std::vector<MeasuredCache> levels;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("index", 0) != 0) continue;
    const std::string type = io::ReadFirstLine(e.path() / "type");
    if (type != "Data" && type != "Unified") continue;
    MeasuredCache c;
    c.level = std::atoi(io::ReadFirstLine(e.path() / "level").c_str());
    c.size_bytes = ParseCacheSize(io::ReadFirstLine(e.path() / "size"));
    const std::string shared = io::ReadFirstLine(e.path() / "shared_cpu_list");
    c.shared = shared.find_first_of(",-") != std::string::npos;
    if (c.level < 1 || c.level > 4 || c.size_bytes <= 0) continue;
    levels.push_back(c);
  }
  if (ec) return Status::IOError("cannot read cache topology from '" + dir + "': " + ec.message());
  std::sort(levels.begin(), levels.end(), [](const MeasuredCache& a, const MeasuredCache& b) { return a.level < b.level; });
  return levels;
}

Result<HostMeasurements> MeasureHost(const HostCalibrationOptions& o) {
  if (o.trials < 1 || !(o.trial_seconds > 0)) return Status::InvalidArgument("trials and trial time must be positive");
  HostMeasurements m;
  m.date = UtcNow();
  m.cpu_model = CpuModel();
  m.cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  m.memory_bytes = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));

  float fsink = 0;
  m.fp32_gops = BestRate(o, [&] { return kernels::RunFmaChains(1 << 14, &fsink); }) / 1e9;
  m.fp32_target = kernels::FmaChainsTargetName();
  int32_t isink = 0;
  m.int8_gops = 2.0 * BestRate(o, [&] { return kernels::RunInt8DotChains(1 << 14, &isink); }) / 1e9;
  m.int8_target = kernels::Int8DotChainsTargetName();

  auto caches = ReadCacheTopology(o.sysfs_cpu);
  if (caches.ok() && !caches->empty()) {
    m.caches = *caches;
  } else {
    m.caches = SysconfCaches();
    m.notes.push_back((caches.ok() ? o.sysfs_cpu + " lists no caches" : caches.status().message()) +
                      "; cache sizes from sysconf (CPUID)");
  }
  m.memory_read_gbs = ReadGbs(o, size_t{512} << 20);
  // A level must read clearly faster than memory to count. Virtual machines may report a last
  // level that is not what one core sees (the whole package's, or none): halve it until the
  // reads are cache-fast, and say so.
  std::vector<MeasuredCache> kept;
  for (MeasuredCache c : m.caches) {
    const double reported = c.size_bytes;
    const double floor = kept.empty() ? 4096.0 : kept.back().size_bytes;
    for (;;) {
      c.read_gbs = ReadGbs(o, static_cast<size_t>(c.size_bytes / 2));
      if (c.read_gbs >= 2.5 * m.memory_read_gbs || c.size_bytes / 2 <= floor) break;
      c.size_bytes /= 2;
    }
    if (c.read_gbs < 2.5 * m.memory_read_gbs) {
      m.notes.push_back("L" + std::to_string(c.level) + " (" + Fixed(reported / 1024, 0) +
                        " KiB reported) reads no faster than memory: left out");
      continue;
    }
    if (c.size_bytes != reported) {
      m.notes.push_back("L" + std::to_string(c.level) + " reported " + Fixed(reported / 1024, 0) + " KiB; one core sees " +
                        Fixed(c.size_bytes / 1024, 0) + " KiB at cache speed (measured)");
    }
    kept.push_back(c);
  }
  m.caches = kept;
  const double last_level = m.caches.empty() ? 8.0 * 1024 * 1024 : m.caches.back().size_bytes;
  const size_t dram = std::max<size_t>(static_cast<size_t>(8 * last_level), size_t{256} << 20);
  m.memory_read_all_gbs = m.cores > 1 ? AllCoresReadGbs(o, dram, m.cores) : m.memory_read_gbs;
  {
    const size_t n = std::max<size_t>(static_cast<size_t>(4 * last_level), size_t{64} << 20) / sizeof(float);
    auto a = Buffer(n, 0.0f), b = Buffer(n, 1.0f), c = Buffer(n, 2.0f);
    m.triad_gbs = BestRate(o, [&] { return kernels::StreamTriad(a.get(), b.get(), c.get(), 3.0f, n); }) / 1e9;
    m.copy_gbs = BestRate(o, [&] {
                   std::memcpy(a.get(), b.get(), n * sizeof(float));
                   return 2.0 * static_cast<double>(n) * sizeof(float);
                 }) / 1e9;
  }
  VIGIL_ASSIGN_OR_RETURN(m.op_overhead_us, OpOverheadUs());
  VIGIL_ASSIGN_OR_RETURN(m.kernels, MeasureKernels(HostProfile(m, o)));
  return m;
}

DeviceProfile HostProfile(const HostMeasurements& m, const HostCalibrationOptions& o) {
  DeviceProfile d;
  d.name = "host";
  d.description = m.cpu_model + ", " + std::to_string(m.cores) + " cores (measured by vigil calibrate)";
  d.memory_bytes = m.memory_bytes;
  d.memory_bandwidth_gbs = m.memory_read_all_gbs;
  ComputeUnit cpu;
  cpu.name = "cpu";
  cpu.kind = UnitKind::kCpu;
  cpu.cores = m.cores;
  cpu.peak_ops = {m.fp32_gops * 1e9, m.fp32_gops * 1e9, m.int8_gops * 1e9};
  cpu.core_bandwidth_gbs = m.memory_read_gbs;
  cpu.active_watts = o.watts_per_core * m.cores;
  cpu.overhead_us = m.op_overhead_us;
  for (const MeasuredCache& c : m.caches) cpu.caches.push_back({c.level, c.size_bytes, c.read_gbs});
  cpu.kernels = m.kernels;  // empty while MeasureHost is measuring them
  d.units.push_back(std::move(cpu));
  return d;
}

std::vector<std::string> HostProfileHeader(const HostMeasurements& m, const HostCalibrationOptions& o) {
  std::vector<std::string> h = {
      "Measured by vigil calibrate on " + m.date + " on " + m.cpu_model + ".",
      "fp32_gops: one core's FMA peak (" + m.fp32_target + "); fp16_gops: the same (FP16 weights are widened",
      "  to FP32 with F16C and computed in FP32); int8_gops: one core's dot-product peak (" + m.int8_target + ").",
      "Cache bandwidth_gbs: one core reading a buffer half the level's size; unit bandwidth_gbs: one core",
      "  reading from memory; memory.bandwidth_gbs: every core reading at once.",
      "STREAM-style, one core: copy " + Fixed(m.copy_gbs, 1) + " GB/s, triad " + Fixed(m.triad_gbs, 1) + " GB/s.",
      "overhead_us: one more op in a graph (difference of 9- and 1-layer graphs of Dense 8->8).",
      "[[unit.kernel]]: vigil's kernels measured against the figures above: bandwidth_fraction from a",
      "  batch-1 Dense 512->256; compute_fraction from batch-64 Dense 256->out layers and from Conv1D",
      "  layers over [32, 32] inputs (kernel 7) and transformer blocks over 32 positions (width 16/32/64)",
      "  at batch 1 and 64.",
      "active_watts: MODELLED, not metered: " + Fixed(o.watts_per_core, 2) +
          " W per core (AMD EPYC 9654: 360 W TDP / 96 cores, AMD product page).",
  };
  for (const std::string& n : m.notes) h.push_back("Note: " + n);
  return h;
}

}  // namespace vigil::plan

#include "plan/llm_sizing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "plan/roofline.h"

namespace vigil::plan {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string Fixed(double v, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

Result<double> ParseParamCount(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  double scale = 1;
  const std::string rest(end == nullptr ? "" : end);
  if (rest == "B" || rest == "b") {
    scale = 1e9;
  } else if (rest == "M" || rest == "m") {
    scale = 1e6;
  } else if (rest == "T" || rest == "t") {
    scale = 1e12;
  } else if (!rest.empty()) {
    end = nullptr;
  }
  if (end == nullptr || end == s.c_str() || !(v > 0) || !std::isfinite(v)) {
    return Status::InvalidArgument("--params: '" + s + "' is not a parameter count (e.g. 3B, 7.6B, 500M, 8e9)");
  }
  return v * scale;
}

const std::vector<LlmArchitecture>& ReferenceArchitectures() {
  // Shapes from each model's published config.json (Hugging Face model cards).
  static const std::vector<LlmArchitecture> kArchs = {
      {"Llama-3.2-1B", 1.24e9, 16, 2048, 32, 8},  {"Llama-3.2-3B", 3.21e9, 28, 3072, 24, 8},
      {"Llama-2-7B", 6.74e9, 32, 4096, 32, 32},   {"Llama-3.1-8B", 8.03e9, 32, 4096, 32, 8},
      {"Llama-2-13B", 13.0e9, 40, 5120, 40, 40},  {"Qwen2.5-14B", 14.8e9, 48, 5120, 40, 8},
      {"Qwen2.5-32B", 32.8e9, 64, 5120, 40, 8},   {"Llama-3.1-70B", 70.6e9, 80, 8192, 64, 8},
  };
  return kArchs;
}

double LlmSpec::KvBytesAt(int64_t tokens) const {
  const double head_dim = static_cast<double>(hidden) / static_cast<double>(heads);
  return 2.0 * static_cast<double>(layers) * static_cast<double>(tokens) * static_cast<double>(kv_heads) * head_dim *
         request.kv_bits / 8.0;
}

Result<LlmSpec> MakeLlmSpec(const LlmRequest& r) {
  if (!(r.params > 0)) return Status::InvalidArgument("--params must be positive");
  if (!(r.bits >= 1 && r.bits <= 32)) return Status::InvalidArgument("--bits must be in 1..32");
  if (!(r.kv_bits >= 1 && r.kv_bits <= 32)) return Status::InvalidArgument("--kv-bits must be in 1..32");
  if (r.context < 1) return Status::InvalidArgument("--context must be >= 1");
  if (r.group < 0) return Status::InvalidArgument("--group must be >= 0");
  LlmSpec s;
  s.request = r;
  const LlmArchitecture* nearest = nullptr;
  for (const LlmArchitecture& a : ReferenceArchitectures()) {
    if (nearest == nullptr || std::fabs(std::log(a.params / r.params)) < std::fabs(std::log(nearest->params / r.params))) {
      nearest = &a;
    }
  }
  const bool given = r.layers > 0 && r.hidden > 0 && r.heads > 0 && r.kv_heads > 0;
  s.layers = r.layers > 0 ? r.layers : nearest->layers;
  s.hidden = r.hidden > 0 ? r.hidden : nearest->hidden;
  s.heads = r.heads > 0 ? r.heads : nearest->heads;
  s.kv_heads = r.kv_heads > 0 ? r.kv_heads : nearest->kv_heads;
  s.architecture = given ? "given" : std::string("shaped like ") + nearest->name;
  if (s.hidden % s.heads != 0) return Status::InvalidArgument("--heads must divide --hidden");
  if (s.heads % s.kv_heads != 0) return Status::InvalidArgument("--kv-heads must divide --heads");
  const double bits = r.bits + (r.group > 0 ? 16.0 / static_cast<double>(r.group) : 0.0);
  s.weight_bytes = r.params * bits / 8.0;
  s.kv_bytes = s.KvBytesAt(r.context);
  return s;
}

LlmUnitSizing SizeOnUnit(const LlmSpec& spec, const DeviceProfile& device, const ComputeUnit& unit, int64_t tokens) {
  LlmUnitSizing u;
  u.unit = unit.name;
  const int cores = CoresUsed(unit, unit.cores);
  std::string level;
  u.bandwidth_gbs = LevelBandwidth(device, unit, 1e30, cores, &level);
  const bool own = unit.memory_bytes > 0;
  u.memory_bytes = own ? unit.memory_bytes : device.memory_bytes;
  u.usable_bytes = u.memory_bytes * (own ? 0.95 : 0.75);
  u.fits = spec.weight_bytes + spec.kv_bytes <= u.usable_bytes;
  const double fp16 = unit.peak_ops[DTypeIndex(nn::WeightType::kF16)];
  u.peak_ops = (fp16 > 0 ? fp16 : unit.peak_ops[DTypeIndex(nn::WeightType::kF32)]) * cores;
  const double bytes = spec.weight_bytes + spec.KvBytesAt(tokens);
  const double memory_s = bytes / (kSustainedBandwidth * u.bandwidth_gbs * 1e9);
  const double compute_s = u.peak_ops > 0 ? 2.0 * spec.request.params / u.peak_ops : INFINITY;
  const double ops = static_cast<double>(spec.layers * kOpsPerLayer + kOpsPerToken);
  u.decode_memory_bound = memory_s >= compute_s;
  u.decode_ms = (std::max(memory_s, compute_s) + ops * unit.overhead_us * 1e-6) * 1e3;
  u.decode_tokens_per_s = 1e3 / u.decode_ms;
  const double ctx = static_cast<double>(spec.request.context);
  const double flops = 2.0 * spec.request.params * ctx + 2.0 * static_cast<double>(spec.layers) * ctx * ctx *
                                                              static_cast<double>(spec.hidden);
  u.prefill_s = flops / u.peak_ops + spec.weight_bytes / (u.bandwidth_gbs * 1e9);
  return u;
}

Result<LlmSizing> SizeLlm(const LlmSpec& spec, const DeviceProfile& device) {
  LlmSizing s;
  for (const ComputeUnit& unit : device.units) {
    s.units.push_back(SizeOnUnit(spec, device, unit, spec.request.context));
    const LlmUnitSizing& u = s.units.back();
    if (u.fits && (s.best < 0 || u.decode_tokens_per_s > s.units[static_cast<size_t>(s.best)].decode_tokens_per_s)) {
      s.best = static_cast<int>(s.units.size() - 1);
    }
  }
  const double need = spec.weight_bytes + spec.kv_bytes;
  if (s.best < 0) {
    double most = 0;
    for (const LlmUnitSizing& u : s.units) most = std::max(most, u.usable_bytes);
    s.verdict = "does not fit: needs " + Fixed(need / kGiB, 1) + " GiB (weights + KV cache), at most " +
                Fixed(most / kGiB, 1) + " GiB usable";
  } else {
    const LlmUnitSizing& b = s.units[static_cast<size_t>(s.best)];
    s.verdict = "fits on " + b.unit + " (" + Fixed(need / kGiB, 1) + " of " + Fixed(b.usable_bytes / kGiB, 1) +
                " GiB usable): decode up to " + Fixed(b.decode_tokens_per_s, 1) + " tokens/s (" +
                (b.decode_memory_bound ? "memory-bound" : "compute-bound") + "), prefill of " +
                std::to_string(spec.request.context) + " tokens >= " + Fixed(b.prefill_s, 2) + " s";
  }
  return s;
}

std::string FormatLlmSizing(const LlmSpec& spec, const LlmSizing& sizing, const std::string& device) {
  std::ostringstream o;
  const LlmRequest& r = spec.request;
  o << "transformer: " << Fixed(r.params / 1e9, 2) << " B parameters, " << Fixed(r.bits, 1) << "-bit weights"
    << (r.group > 0 ? " (FP16 scale per " + std::to_string(r.group) + ")" : std::string()) << ", context "
    << r.context << ", " << spec.architecture << ": " << spec.layers << " layers, hidden " << spec.hidden << ", "
    << spec.heads << " heads, " << spec.kv_heads << " KV heads\n";
  o << "weights " << Fixed(spec.weight_bytes / kGiB, 2) << " GiB, KV cache " << Fixed(spec.kv_bytes / kGiB, 2)
    << " GiB (" << Fixed(r.kv_bits, 0) << "-bit) on " << device << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %10s %10s %6s %12s %10s %12s\n", "unit", "usable GiB", "GB/s", "fits",
                "decode tok/s", "ms/token", "prefill s");
  o << line;
  for (const LlmUnitSizing& u : sizing.units) {
    std::snprintf(line, sizeof line, "%-8s %10.1f %10.1f %6s %12.1f %10.2f %12.2f\n", u.unit.c_str(),
                  u.usable_bytes / kGiB, u.bandwidth_gbs, u.fits ? "yes" : "no", u.decode_tokens_per_s, u.decode_ms,
                  u.prefill_s);
    o << line;
  }
  o << "verdict: " << sizing.verdict << "\n";
  o << "(upper bounds from the roofline: " << Fixed(kSustainedBandwidth * 100, 0)
    << " % of peak bandwidth sustained, the unit's per-op overhead; see docs/plan.md)\n";
  return o.str();
}

}  // namespace vigil::plan

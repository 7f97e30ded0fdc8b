// Memory-bound sizing of a decoder-only transformer (an LLM of 3–30 B parameters) on a device:
// does it fit, how fast can it decode, how long does a prompt take.
//
//   VIGIL_ASSIGN_OR_RETURN(plan::LlmSpec spec, plan::MakeLlmSpec({.params = 8e9, .bits = 4}));
//   VIGIL_ASSIGN_OR_RETURN(plan::LlmSizing s, plan::SizeLlm(spec, device));
//
// The model (docs/plan.md has the derivation and the comparison with published measurements):
//   weights   = params · (bits + 16 / group) / 8 bytes (an FP16 scale per group of weights)
//   KV cache  = 2 · layers · context · kv_heads · head_dim · kv_bits / 8 bytes
//   decode    = (weights + KV) / (η · bandwidth) + ops per token · the unit's per-op overhead,
//               or the compute time 2 · params / peak if larger; tokens/s = 1 / that
//   prefill   = (2 · params · context + 2 · layers · context² · hidden) / peak + weights / bandwidth
// with η = 0.85 (sustained share of peak memory bandwidth) and 20 ops per layer (norms,
// projections, rope, attention, MLP, residuals) + 10. Fits when weights + KV ≤ 75 % of the unit's
// memory (the rest for the OS and other software; 95 % of a discrete GPU's own memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plan/device_profile.h"
#include "vigil/status.h"

namespace vigil::plan {

inline constexpr double kSustainedBandwidth = 0.85;
inline constexpr int kOpsPerLayer = 20;
inline constexpr int kOpsPerToken = 10;

// "3B", "7.6B", "500M", "8e9", "13000000000" → parameters. InvalidArgument otherwise.
Result<double> ParseParamCount(std::string_view text);

// Published architectures the shape of a model is taken from when not given: the one whose
// parameter count is nearest on a log scale.
struct LlmArchitecture {
  const char* name;
  double params;
  int64_t layers, hidden, heads, kv_heads;
};
const std::vector<LlmArchitecture>& ReferenceArchitectures();

struct LlmRequest {
  double params = 0;
  double bits = 4;          // weight bits (4, 8, 16 ...)
  int64_t group = 32;       // weights per FP16 scale; 0: no scales (e.g. plain FP16)
  int64_t context = 4096;
  double kv_bits = 16;
  // 0: from the nearest reference architecture.
  int64_t layers = 0, hidden = 0, heads = 0, kv_heads = 0;
};

struct LlmSpec {
  LlmRequest request;
  int64_t layers = 0, hidden = 0, heads = 0, kv_heads = 0;
  std::string architecture;  // "like Llama-3.1-8B" or "given"
  double weight_bytes = 0;
  double kv_bytes = 0;       // at the full context
  double KvBytesAt(int64_t tokens) const;
};

// InvalidArgument for parameters ≤ 0, bits outside 1..32, context < 1, heads not dividing hidden,
// kv_heads not dividing heads.
Result<LlmSpec> MakeLlmSpec(const LlmRequest& request);

struct LlmUnitSizing {
  std::string unit;
  double memory_bytes = 0;      // the memory the unit reads weights from
  double usable_bytes = 0;
  double bandwidth_gbs = 0;
  double peak_ops = 0;          // the dtype used for compute (FP16 where the unit has it)
  bool fits = false;
  double decode_ms = 0;         // per token at the full context
  double decode_tokens_per_s = 0;
  bool decode_memory_bound = true;
  double prefill_s = 0;         // the whole context
};

struct LlmSizing {
  std::vector<LlmUnitSizing> units;  // every unit of the device
  int best = -1;                     // fastest decode among units it fits; -1: fits nowhere
  std::string verdict;
};

Result<LlmSizing> SizeLlm(const LlmSpec& spec, const DeviceProfile& device);
// Decode time per token on one unit at `tokens` of context (the comparison table uses 128).
LlmUnitSizing SizeOnUnit(const LlmSpec& spec, const DeviceProfile& device, const ComputeUnit& unit, int64_t tokens);

std::string FormatLlmSizing(const LlmSpec& spec, const LlmSizing& sizing, const std::string& device);

}  // namespace vigil::plan

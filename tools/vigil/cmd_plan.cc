// vigil plan: where and in which dtype each op of a model should run on a device, and why
// (roofline over a device profile); with --transformer, whether an LLM fits a device and how
// fast it can decode.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "detect/autoencoder_detector.h"
#include "plan/llm_sizing.h"
#include "plan/planner.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct PlanArgs {
  std::string model;
  std::string device;
  std::string objective = "latency";
  int64_t batch = 1;
  int threads = 1;
  std::string dtypes = "fp32,fp16,int8";
  std::string units;
  std::string json;
  bool candidates = false;
  // --transformer
  bool transformer = false;
  std::string params;
  plan::LlmRequest llm;
};

std::string ShippedProfiles() {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& dir : {std::string(VIGIL_PROFILES_DIR), std::string("/usr/local/share/vigil/profiles"),
                                 std::string("/usr/share/vigil/profiles")}) {
    if (fs::is_directory(dir, ec)) return dir;
  }
  return VIGIL_PROFILES_DIR;
}

nlohmann::json EstimateJson(const plan::Candidate& c) {
  const plan::OpEstimate& e = c.estimate;
  return {{"unit", c.unit},         {"dtype", nn::WeightTypeName(c.type)},
          {"time_us", e.total_us},  {"compute_us", e.compute_us},
          {"memory_us", e.memory_us}, {"overhead_us", e.overhead_us},
          {"joules", e.joules},     {"bytes", e.bytes},
          {"intensity", e.intensity}, {"bound", e.memory_bound ? "memory" : "compute"},
          {"memory_level", e.level}, {"bandwidth_gbs", e.bandwidth_gbs}};
}

nlohmann::json PlanJson(const plan::Plan& p, const std::string& model) {
  nlohmann::json ops = nlohmann::json::array();
  for (const plan::OpPlan& op : p.ops) {
    nlohmann::json cands = nlohmann::json::array();
    for (const plan::Candidate& c : op.candidates) cands.push_back(EstimateJson(c));
    ops.push_back({{"op", op.op.name},
                   {"macs", op.op.macs},
                   {"chosen", EstimateJson(op.candidates[op.chosen])},
                   {"move_in_us", op.move_in_us},
                   {"reason", op.reason},
                   {"candidates", cands}});
  }
  return {{"model", model},
          {"device", p.device},
          {"objective", p.options.objective == plan::Objective::kLatency ? "latency" : "energy"},
          {"batch", p.options.batch},
          {"threads", p.options.threads},
          {"ops", ops},
          {"move_out_us", p.move_out_us},
          {"latency_us", p.latency_us},
          {"per_inference_us", p.per_inference_us()},
          {"joules_per_inference", p.joules_per_inference()},
          {"inferences_per_joule", p.joules > 0 ? 1.0 / p.joules_per_inference() : 0.0},
          {"energy_note", "modelled: roofline time x the profile's active power"}};
}

Status WriteJson(const std::string& path, const nlohmann::json& j) {
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) return Status::IOError(path + ": cannot write");
  return Status::OK();
}

std::string Candidates(const plan::Plan& p) {
  std::string s = "candidates (unit/dtype: time us, bound, level):\n";
  for (size_t i = 0; i < p.ops.size(); ++i) {
    s += "  " + std::to_string(i) + " " + p.ops[i].op.name + ":";
    for (const plan::Candidate& c : p.ops[i].candidates) {
      char b[160];
      std::snprintf(b, sizeof b, "  %s/%s %.3f %s %s", c.unit.c_str(), nn::WeightTypeName(c.type), c.estimate.total_us,
                    c.estimate.memory_bound ? "mem" : "cmp", c.estimate.level.c_str());
      s += b;
    }
    s += "\n";
  }
  return s;
}

int RunModelPlan(const PlanArgs& a, const plan::DeviceProfile& device) {
  if (a.model.empty()) return Fail(Status::InvalidArgument("give a model file, or --transformer for LLM sizing"));
  auto model = Model::Load(a.model);
  if (!model.ok()) return Fail(model.status());
  const nn::PackedNet* net = detect::AutoencoderNetwork(model->detector());
  if (net == nullptr) {
    return Fail(Status::InvalidArgument(a.model + ": detector '" + std::string(model->detector().name()) +
                                        "' has no layer graph to place (plan covers ae, conv-ae and tf-ae); time it on this "
                                        "machine with `vigil bench`"));
  }
  auto objective = plan::ParseObjective(a.objective);
  if (!objective.ok()) return Fail(objective.status());
  plan::PlanOptions o;
  o.objective = *objective;
  o.batch = a.batch;
  o.threads = a.threads;
  o.units = SplitList(a.units);
  o.dtypes.clear();
  for (const std::string& t : SplitList(a.dtypes)) {
    auto type = nn::ParseWeightType(t);
    if (!type.ok()) return Fail(Status::InvalidArgument("--dtypes: " + type.status().message()));
    o.dtypes.push_back(*type);
  }
  if (o.dtypes.empty()) return Fail(Status::InvalidArgument("--dtypes: give at least one of fp32, fp16, int8"));
  auto ops = plan::NetOpCosts(*net, a.batch);
  if (!ops.ok()) return Fail(ops.status());
  int64_t values = 1;
  for (int64_t d : net->input_shape()) values *= d;
  ops->push_back(plan::ReconstructionScoreCost(values, a.batch));
  auto p = plan::MakePlan(*ops, device, o);
  if (!p.ok()) return Fail(p.status());
  std::printf("model: %s (%s, %s)\n", a.model.c_str(), std::string(model->detector().name()).c_str(),
              net->Summary().c_str());
  std::printf("device: %s — %s\n", device.name.c_str(), device.description.c_str());
  std::fputs(plan::FormatPlan(*p).c_str(), stdout);
  if (a.candidates) std::fputs(Candidates(*p).c_str(), stdout);
  std::printf("energy is modelled (roofline time x the profile's active power), not measured\n");
  if (!a.json.empty()) {
    if (Status s = WriteJson(a.json, PlanJson(*p, a.model)); !s.ok()) return Fail(s);
  }
  return kExitOk;
}

int RunLlmPlan(const PlanArgs& a, const plan::DeviceProfile& device) {
  if (!a.model.empty()) return Fail(Status::InvalidArgument("--transformer sizes an LLM: give --params, not a model file"));
  if (a.params.empty()) return Fail(Status::InvalidArgument("--transformer needs --params (e.g. 3B)"));
  plan::LlmRequest request = a.llm;
  auto params = plan::ParseParamCount(a.params);
  if (!params.ok()) return Fail(params.status());
  request.params = *params;
  auto spec = plan::MakeLlmSpec(request);
  if (!spec.ok()) return Fail(spec.status());
  auto sizing = plan::SizeLlm(*spec, device);
  if (!sizing.ok()) return Fail(sizing.status());
  std::fputs(plan::FormatLlmSizing(*spec, *sizing, device.name).c_str(), stdout);
  if (!a.json.empty()) {
    nlohmann::json units = nlohmann::json::array();
    for (const plan::LlmUnitSizing& u : sizing->units) {
      units.push_back({{"unit", u.unit},
                       {"memory_bytes", u.memory_bytes},
                       {"usable_bytes", u.usable_bytes},
                       {"bandwidth_gbs", u.bandwidth_gbs},
                       {"fits", u.fits},
                       {"decode_tokens_per_s", u.decode_tokens_per_s},
                       {"decode_ms_per_token", u.decode_ms},
                       {"decode_bound", u.decode_memory_bound ? "memory" : "compute"},
                       {"prefill_s", u.prefill_s}});
    }
    const nlohmann::json j = {{"device", device.name},
                              {"params", request.params},
                              {"bits", request.bits},
                              {"group", request.group},
                              {"context", request.context},
                              {"architecture", spec->architecture},
                              {"layers", spec->layers},
                              {"hidden", spec->hidden},
                              {"heads", spec->heads},
                              {"kv_heads", spec->kv_heads},
                              {"weight_bytes", spec->weight_bytes},
                              {"kv_cache_bytes", spec->kv_bytes},
                              {"units", units},
                              {"best_unit", sizing->best >= 0 ? sizing->units[static_cast<size_t>(sizing->best)].unit : ""},
                              {"verdict", sizing->verdict}};
    if (Status s = WriteJson(a.json, j); !s.ok()) return Fail(s);
  }
  return kExitOk;
}

int RunPlan(const PlanArgs& a) {
  if (a.device.empty()) return Fail(Status::InvalidArgument("--device is required (a profile name or a .toml path)"));
  auto device = plan::FindDeviceProfile(a.device, plan::ProfileSearchPath(ShippedProfiles()));
  if (!device.ok()) return Fail(device.status());
  return a.transformer ? RunLlmPlan(a, *device) : RunModelPlan(a, *device);
}

}  // namespace

void RegisterPlan(CLI::App& app, Action* run) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Place each op of a model on a device's units and dtypes (roofline), or size an LLM for a device");
  cmd->add_option("model", args->model, "Model file (.vgm); omit with --transformer");
  cmd->add_option("--device", args->device, "Profile name (see docs/plan.md; `host` after vigil calibrate) or .toml path");
  cmd->add_option("--objective", args->objective, "latency | energy")->capture_default_str();
  cmd->add_option("--batch", args->batch, "Samples per run")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU cores an op may use")->capture_default_str();
  cmd->add_option("--dtypes", args->dtypes, "Weight dtypes allowed")->capture_default_str();
  cmd->add_option("--units", args->units, "Units allowed, comma-separated (default: all of the profile)");
  cmd->add_flag("--candidates", args->candidates, "Also list every (unit, dtype) estimate per op");
  cmd->add_option("--json", args->json, "Also write the plan as JSON to this file");
  cmd->add_flag("--transformer", args->transformer, "Size a decoder-only transformer (LLM) instead of a model file");
  cmd->add_option("--params", args->params, "LLM parameters (3B, 7.6B, 500M)");
  cmd->add_option("--bits", args->llm.bits, "LLM weight bits")->capture_default_str();
  cmd->add_option("--group", args->llm.group, "Weights per FP16 scale (0: none)")->capture_default_str();
  cmd->add_option("--context", args->llm.context, "Tokens of context (KV cache)")->capture_default_str();
  cmd->add_option("--kv-bits", args->llm.kv_bits, "KV cache bits")->capture_default_str();
  cmd->add_option("--layers", args->llm.layers, "Transformer layers (default: nearest published architecture)");
  cmd->add_option("--hidden", args->llm.hidden, "Hidden size");
  cmd->add_option("--heads", args->llm.heads, "Attention heads");
  cmd->add_option("--kv-heads", args->llm.kv_heads, "Key/value heads (grouped-query attention)");
  cmd->callback([args, run] { *run = [args] { return RunPlan(*args); }; });
}

}  // namespace vigil::cli

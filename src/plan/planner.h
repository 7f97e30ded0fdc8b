// Places each op of a model on a compute unit in a dtype, from the roofline estimates of every
// (unit, dtype) the profile and the op allow, and says why.
//
//   plan::PlanOptions opt;                       // latency, batch 1, one thread
//   VIGIL_ASSIGN_OR_RETURN(plan::Plan p, plan::MakePlan(ops, device, opt));
//   std::fputs(plan::FormatPlan(p).c_str(), stdout);
//
// The choice minimizes the objective over the whole chain of ops, moves included: the input
// starts on the first CPU unit and the output returns there; moving a tensor between two units
// costs nothing on unified memory (the link's latency, if any, for synchronization) and latency
// + bytes / bandwidth over a copy link; units without a link never exchange tensors. Exact for a
// chain (dynamic programming over (unit, dtype) states). Energy of a move = its time × the
// receiving unit's active power.
//
// The working set used to pick the memory level of every estimate is all ops' weights in the
// dtype being estimated plus all activations (uniform precision assumed for that purpose).
#pragma once

#include <string>
#include <vector>

#include "plan/device_profile.h"
#include "plan/op_cost.h"
#include "plan/roofline.h"
#include "vigil/status.h"

namespace vigil::plan {

enum class Objective { kLatency, kEnergy };
// "latency" | "energy"; InvalidArgument naming the valid values otherwise.
Result<Objective> ParseObjective(std::string_view text);

struct PlanOptions {
  Objective objective = Objective::kLatency;
  int64_t batch = 1;        // samples per run (the ops must have been costed at this batch)
  int threads = 1;          // CPU cores an op may use
  std::vector<nn::WeightType> dtypes = {nn::WeightType::kF32, nn::WeightType::kF16, nn::WeightType::kInt8};
  std::vector<std::string> units;  // empty: every unit of the profile
};

struct Candidate {
  std::string unit;
  nn::WeightType type = nn::WeightType::kF32;
  OpEstimate estimate;
};

struct OpPlan {
  OpCost op;
  std::vector<Candidate> candidates;  // runnable (unit, dtype) pairs, in profile order
  size_t chosen = 0;                  // index into candidates
  double move_in_us = 0;              // moving the op's input to the chosen unit
  double move_in_joules = 0;
  std::string reason;
};

struct Plan {
  std::string device;
  PlanOptions options;
  std::vector<OpPlan> ops;
  double move_out_us = 0;     // returning the output to the CPU
  double move_out_joules = 0;
  double latency_us = 0;      // per run of the batch
  double joules = 0;          // per run of the batch
  double per_inference_us() const { return latency_us / static_cast<double>(options.batch); }
  double joules_per_inference() const { return joules / static_cast<double>(options.batch); }
};

// InvalidArgument when an op has no runnable (unit, dtype) among the allowed ones, or when no
// placement can reach a unit (missing links), or for batch/threads < 1, naming the op.
Result<Plan> MakePlan(const std::vector<OpCost>& ops, const DeviceProfile& device, const PlanOptions& options);

// The plan as a table: per op its MACs, bytes, intensity, the chosen unit/dtype with its time,
// bound and memory level, and the reason; then the totals.
std::string FormatPlan(const Plan& plan);

// The sum over ops of their estimate on one (unit, dtype) each, as `types` says (the host's
// prediction of a per-layer route): per-op microseconds. `types` has one entry per op; an op that
// cannot run the given type is estimated in FP32.
std::vector<double> PredictOpTimes(const std::vector<OpCost>& ops, const DeviceProfile& device,
                                   const ComputeUnit& unit, const std::vector<nn::WeightType>& types, int threads);

}  // namespace vigil::plan

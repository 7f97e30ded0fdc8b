#include "plan/planner.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>

namespace vigil::plan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double WorkingSet(const std::vector<OpCost>& ops, const std::vector<nn::WeightType>& types) {
  double bytes = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const size_t t = ops[i].can_run[DTypeIndex(types[i])] ? DTypeIndex(types[i]) : 0;
    bytes += ops[i].weight_bytes[t] + ops[i].output_bytes;
  }
  if (!ops.empty()) bytes += ops.front().input_bytes;
  return bytes;
}

double UniformWorkingSet(const std::vector<OpCost>& ops, nn::WeightType type) {
  return WorkingSet(ops, std::vector<nn::WeightType>(ops.size(), type));
}

struct Move {
  bool possible = false;
  double us = 0, joules = 0;
};

Move MoveCost(const DeviceProfile& d, const std::string& from, const std::string& to, double bytes) {
  Move m;
  if (from == to) {
    m.possible = true;
    return m;
  }
  const Link* link = d.FindLink(from, to);
  if (link == nullptr) return m;
  m.possible = true;
  m.us = link->latency_us + (link->unified ? 0.0 : bytes / (link->bandwidth_gbs * 1e3));
  m.joules = d.FindUnit(to)->active_watts * m.us * 1e-6;
  return m;
}

double Cost(const PlanOptions& o, double us, double joules) {
  return o.objective == Objective::kLatency ? us : joules;
}

std::string Fixed(double v, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string Label(const Candidate& c) { return c.unit + "/" + nn::WeightTypeName(c.type); }

std::string Reason(const OpPlan& p, const PlanOptions& o) {
  const Candidate& c = p.candidates[p.chosen];
  std::string r = std::string(c.estimate.memory_bound ? "memory-bound" : "compute-bound") + " (" + c.estimate.level +
                  ")";
  // The best alternative on the objective alone, to say what the choice beat.
  const Candidate* alt = nullptr;
  for (const Candidate& x : p.candidates) {
    if (&x == &c) continue;
    if (alt == nullptr || Cost(o, x.estimate.total_us, x.estimate.joules) <
                              Cost(o, alt->estimate.total_us, alt->estimate.joules)) {
      alt = &x;
    }
  }
  if (alt != nullptr) {
    const bool lat = o.objective == Objective::kLatency;
    const double mine = lat ? c.estimate.total_us : c.estimate.joules * 1e6;
    const double theirs = lat ? alt->estimate.total_us : alt->estimate.joules * 1e6;
    r += "; next " + Label(*alt) + " " + Fixed(theirs, 2) + (lat ? " us" : " uJ");
    if (theirs < mine) r += " alone, but moving tensors there costs more";
  } else {
    r += "; only option";
  }
  if (p.move_in_us > 0) r += "; input moved in " + Fixed(p.move_in_us, 2) + " us";
  return r;
}

}  // namespace

Result<Objective> ParseObjective(std::string_view text) {
  if (text == "latency") return Objective::kLatency;
  if (text == "energy") return Objective::kEnergy;
  return Status::InvalidArgument("objective '" + std::string(text) + "' is not one of latency, energy");
}

Result<Plan> MakePlan(const std::vector<OpCost>& ops, const DeviceProfile& device, const PlanOptions& options) {
  if (options.batch < 1 || options.threads < 1) return Status::InvalidArgument("batch and threads must be >= 1");
  const ComputeUnit* home = nullptr;
  for (const ComputeUnit& u : device.units) {
    if (u.kind == UnitKind::kCpu) {
      home = &u;
      break;
    }
  }
  if (home == nullptr) home = &device.units.front();
  std::vector<const ComputeUnit*> units;
  for (const ComputeUnit& u : device.units) {
    if (options.units.empty() || std::find(options.units.begin(), options.units.end(), u.name) != options.units.end()) {
      units.push_back(&u);
    }
  }
  for (const std::string& name : options.units) {
    if (device.FindUnit(name) == nullptr) {
      return Status::InvalidArgument("device '" + device.name + "' has no unit '" + name + "'");
    }
  }
  Plan plan;
  plan.device = device.name;
  plan.options = options;
  std::array<double, kDTypes> working_set = {};
  for (size_t t = 0; t < kDTypes; ++t) working_set[t] = UniformWorkingSet(ops, static_cast<nn::WeightType>(t));
  for (const OpCost& op : ops) {
    OpPlan p;
    p.op = op;
    for (const ComputeUnit* u : units) {
      for (nn::WeightType t : options.dtypes) {
        // An op without weights runs in the unit's widest arithmetic the allowed dtypes offer.
        if (!op.weighted) {
          const auto first = std::find_if(options.dtypes.begin(), options.dtypes.end(), [&](nn::WeightType x) {
            return u->peak_ops[DTypeIndex(x)] > 0 && x != nn::WeightType::kInt8;
          });
          if (first == options.dtypes.end() || *first != t) continue;
          OpCost as = op;
          as.can_run[DTypeIndex(t)] = true;
          p.candidates.push_back({u->name, t, EstimateOp(as, t, device, *u, working_set[DTypeIndex(t)], options.threads)});
          continue;
        }
        OpEstimate e = EstimateOp(op, t, device, *u, working_set[DTypeIndex(t)], options.threads);
        if (e.runnable) p.candidates.push_back({u->name, t, e});
      }
    }
    if (p.candidates.empty()) {
      return Status::InvalidArgument("op '" + op.name + "' cannot run on any allowed unit and dtype of '" + device.name +
                                     "'");
    }
    plan.ops.push_back(std::move(p));
  }
  // Dynamic programming over the chain: best[i][k] = least objective for ops 0..i ending with
  // op i on candidate k; from[i][k] the predecessor.
  const size_t n = plan.ops.size();
  std::vector<std::vector<double>> best(n);
  std::vector<std::vector<size_t>> from(n);
  for (size_t i = 0; i < n; ++i) {
    const OpPlan& p = plan.ops[i];
    best[i].assign(p.candidates.size(), kInf);
    from[i].assign(p.candidates.size(), 0);
    for (size_t k = 0; k < p.candidates.size(); ++k) {
      const Candidate& c = p.candidates[k];
      const double own = Cost(options, c.estimate.total_us, c.estimate.joules);
      if (i == 0) {
        const Move m = MoveCost(device, home->name, c.unit, p.op.input_bytes);
        if (m.possible) best[i][k] = own + Cost(options, m.us, m.joules);
        continue;
      }
      const OpPlan& prev = plan.ops[i - 1];
      for (size_t j = 0; j < prev.candidates.size(); ++j) {
        if (best[i - 1][j] == kInf) continue;
        const Move m = MoveCost(device, prev.candidates[j].unit, c.unit, p.op.input_bytes);
        if (!m.possible) continue;
        const double total = best[i - 1][j] + Cost(options, m.us, m.joules) + own;
        if (total < best[i][k]) {
          best[i][k] = total;
          from[i][k] = j;
        }
      }
    }
  }
  if (n > 0) {
    size_t k = 0;
    double least = kInf;
    for (size_t j = 0; j < best[n - 1].size(); ++j) {
      const Move m = MoveCost(device, plan.ops[n - 1].candidates[j].unit, home->name, plan.ops[n - 1].op.output_bytes);
      if (!m.possible || best[n - 1][j] == kInf) continue;
      const double total = best[n - 1][j] + Cost(options, m.us, m.joules);
      if (total < least) {
        least = total;
        k = j;
      }
    }
    if (least == kInf) return Status::InvalidArgument("no placement on '" + device.name + "' links its units (add [[link]]s)");
    for (size_t i = n; i-- > 0;) {
      plan.ops[i].chosen = k;
      if (i > 0) k = from[i][k];
    }
    const std::string* at = &home->name;
    for (OpPlan& p : plan.ops) {
      const Candidate& c = p.candidates[p.chosen];
      const Move m = MoveCost(device, *at, c.unit, p.op.input_bytes);
      p.move_in_us = m.us;
      p.move_in_joules = m.joules;
      plan.latency_us += m.us + c.estimate.total_us;
      plan.joules += m.joules + c.estimate.joules;
      at = &c.unit;
    }
    const Move back = MoveCost(device, *at, home->name, plan.ops.back().op.output_bytes);
    plan.move_out_us = back.us;
    plan.move_out_joules = back.joules;
    plan.latency_us += back.us;
    plan.joules += back.joules;
    for (OpPlan& p : plan.ops) p.reason = Reason(p, options);
  }
  return plan;
}

std::vector<double> PredictOpTimes(const std::vector<OpCost>& ops, const DeviceProfile& device,
                                   const ComputeUnit& unit, const std::vector<nn::WeightType>& types, int threads) {
  const double ws = WorkingSet(ops, types);
  std::vector<double> us;
  for (size_t i = 0; i < ops.size(); ++i) {
    OpCost op = ops[i];
    nn::WeightType t = op.can_run[DTypeIndex(types[i])] ? types[i] : nn::WeightType::kF32;
    if (!op.weighted) op.can_run[DTypeIndex(t)] = true;
    const OpEstimate e = EstimateOp(op, t, device, unit, ws, threads);
    us.push_back(e.runnable ? e.total_us : kInf);
  }
  return us;
}

std::string FormatPlan(const Plan& plan) {
  std::ostringstream o;
  char line[512];
  std::snprintf(line, sizeof line, "device %s, objective %s, batch %lld, threads %d\n", plan.device.c_str(),
                plan.options.objective == Objective::kLatency ? "latency" : "energy",
                static_cast<long long>(plan.options.batch), plan.options.threads);
  o << line;
  std::snprintf(line, sizeof line, "%-3s %-30s %12s %12s %8s %-10s %10s %10s  %s\n", "#", "op", "MACs", "bytes",
                "ops/B", "unit/dtype", "time us", "energy uJ", "why");
  o << line;
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const OpPlan& p = plan.ops[i];
    const Candidate& c = p.candidates[p.chosen];
    std::snprintf(line, sizeof line, "%-3zu %-30s %12.0f %12.0f %8.2f %-10s %10.3f %10.3f  %s\n", i, p.op.name.c_str(),
                  p.op.macs, c.estimate.bytes, c.estimate.intensity, Label(c).c_str(), c.estimate.total_us,
                  c.estimate.joules * 1e6, p.reason.c_str());
    o << line;
  }
  std::snprintf(line, sizeof line,
                "total: %.3f us per run, %.3f us per inference; %.3f uJ per inference; %.0f inferences per joule\n",
                plan.latency_us, plan.per_inference_us(), plan.joules_per_inference() * 1e6,
                plan.joules > 0 ? 1.0 / plan.joules_per_inference() : 0.0);
  o << line;
  return o.str();
}

}  // namespace vigil::plan

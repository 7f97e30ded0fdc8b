#include "nn/layer_route.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "nn/graph_latency.h"
#include "nn/int8_calibration.h"
#include "nn/quantization_error.h"

namespace vigil::nn {
namespace {

constexpr WeightType kTypes[kRouteTypes] = {WeightType::kF32, WeightType::kF16, WeightType::kInt8};

// Time and bytes of every prefix of `net` (prefix k = its first k layers), then per layer the
// difference of consecutive prefixes.
Status MeasureLayers(const PackedNet& net, size_t type_index, const RouteOptions& o, std::vector<LayerRoute>* out) {
  double previous_us = 0, previous_bytes = 0;
  for (size_t k = 1; k <= net.layers().size(); ++k) {
    LatencyOptions lo;
    lo.batch = o.batch;
    lo.iterations = o.iterations;
    lo.warmup = std::max<int64_t>(10, o.iterations / 10);
    lo.layer_count = k;
    VIGIL_ASSIGN_OR_RETURN(LatencyReport r, MeasureGraphLatency(net, lo));
    LayerRoute& layer = (*out)[k - 1];
    // Prefix times are measured separately, so a tiny layer's difference can dip below zero.
    layer.us[type_index] = std::max(0.0, r.p50_us - previous_us);
    layer.bytes[type_index] = std::max(0.0, static_cast<double>(r.bytes_moved_per_run) - previous_bytes);
    layer.available[type_index] = net.layer_weight_type(k - 1) == kTypes[type_index];
    previous_us = r.p50_us;
    previous_bytes = static_cast<double>(r.bytes_moved_per_run);
  }
  return Status::OK();
}

std::string Num(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

size_t TypeIndex(WeightType type) { return type == WeightType::kF32 ? 0 : type == WeightType::kF16 ? 1 : 2; }

}  // namespace

Result<RouteObjective> ParseRouteObjective(std::string_view text) {
  if (text == "latency") return RouteObjective::kLatency;
  if (text == "energy") return RouteObjective::kEnergy;
  return Status::InvalidArgument("unknown objective '" + std::string(text) + "' (valid: latency, energy)");
}

WeightType RouteType(size_t index) { return kTypes[index]; }

double LayerCost(const LayerRoute& layer, size_t t, const RouteOptions& o) {
  if (o.objective == RouteObjective::kLatency) return layer.us[t];
  return layer.us[t] * 1e-6 * o.active_watts + layer.bytes[t] * o.joules_per_byte;
}

Result<Route> ChooseRoute(const PackedNet& f32, const float* x, size_t rows, const RouteOptions& o) {
  VIGIL_ASSIGN_OR_RETURN(Route route, MeasureRoute(f32, x, rows, o));
  VIGIL_RETURN_IF_ERROR(ChooseTypes(f32, x, rows, o, &route));
  return route;
}

Result<Route> MeasureRoute(const PackedNet& f32, const float* x, size_t rows, const RouteOptions& o) {
  if (rows == 0) return Status::InvalidArgument("routing needs calibration rows (normal data)");
  if (o.batch < 1 || o.iterations < 1) return Status::InvalidArgument("batch and iterations must be >= 1");
  for (size_t k = 0; k < f32.layers().size(); ++k) {
    if (f32.layer_weight_type(k) != WeightType::kF32) {
      return Status::InvalidArgument("routing starts from FP32 weights; layer " + std::to_string(k) + " holds " +
                                     WeightTypeName(f32.layer_weight_type(k)));
    }
  }
  Route route;
  const size_t n = f32.layers().size();
  route.layers.resize(n);
  VIGIL_ASSIGN_OR_RETURN(route.int8_inputs, CalibrateLayerInputs(f32, x, rows));
  for (size_t t = 0; t < kRouteTypes; ++t) {
    VIGIL_ASSIGN_OR_RETURN(PackedNet net, f32.ConvertWeights(kTypes[t], route.int8_inputs));
    VIGIL_RETURN_IF_ERROR(MeasureLayers(net, t, o, &route.layers));
  }
  for (size_t k = 0; k < n; ++k) {
    route.layers[k].layer = k;
    route.layers[k].weighted = f32.layers()[k].kind != train::LayerKind::kUpsample1D;
  }
  return route;
}

Status ChooseTypes(const PackedNet& f32, const float* x, size_t rows, const RouteOptions& o, Route* route_out) {
  Route& route = *route_out;
  const size_t n = f32.layers().size();
  if (route.layers.size() != n || route.int8_inputs.size() != n) {
    return Status::InvalidArgument("route has " + std::to_string(route.layers.size()) + " layers, the net " +
                                   std::to_string(n));
  }
  if (rows == 0) return Status::InvalidArgument("routing needs calibration rows (normal data)");
  if (!(o.accuracy_budget >= 0)) {
    return Status::InvalidArgument("accuracy budget must be >= 0, got " + std::to_string(o.accuracy_budget));
  }
  route.types.assign(n, WeightType::kF32);
  route.output_change = 0;
  route.predicted_us = route.fp32_us = 0;
  // Candidate changes, the largest saving first.
  std::vector<std::tuple<double, size_t, size_t>> candidates;  // saving, layer, type
  for (size_t k = 0; k < n; ++k) {
    LayerRoute& layer = route.layers[k];
    layer.chosen = WeightType::kF32;
    if (!layer.weighted) {
      layer.reason = "no weights";
      continue;
    }
    layer.reason = "fp32: no lower type saves anything here";
    for (size_t t = 1; t < kRouteTypes; ++t) {
      const double saving = LayerCost(layer, 0, o) - LayerCost(layer, t, o);
      if (layer.available[t] && saving > 0) candidates.emplace_back(saving, k, t);
      if (!layer.available[t] && kTypes[t] == WeightType::kInt8) layer.reason = "fp32: int8 cannot run its activation exactly";
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<std::string> rejected(n);  // why a cheaper type than the chosen one was not taken
  for (const auto& [saving, k, t] : candidates) {
    LayerRoute& layer = route.layers[k];
    if (LayerCost(layer, t, o) >= LayerCost(layer, TypeIndex(layer.chosen), o)) continue;  // already cheaper
    std::vector<WeightType> trial = route.types;
    trial[k] = kTypes[t];
    VIGIL_ASSIGN_OR_RETURN(PackedNet mixed, f32.ConvertLayers(trial, route.int8_inputs));
    VIGIL_ASSIGN_OR_RETURN(std::vector<double> change, LayerOutputChange(f32, mixed, x, rows));
    const double end = change.empty() ? 0 : change.back();
    const std::string type = WeightTypeName(kTypes[t]);
    if (end <= o.accuracy_budget) {
      route.types = std::move(trial);
      route.output_change = end;
      layer.chosen = kTypes[t];
      const bool latency = o.objective == RouteObjective::kLatency;
      layer.reason = type + ": saves " + Num("%.3g", latency ? saving : saving * 1e6) + (latency ? " us" : " uJ") +
                     "; output change " + Num("%.4f", end) + " within the budget";
    } else {
      rejected[k] += "; " + type + " would change the output by " + Num("%.4f", end) + " > budget";
      if (layer.chosen == WeightType::kF32) {
        layer.reason = "fp32: " + type + " would change the output by " + Num("%.4f", end) + " > budget " +
                       Num("%.4f", o.accuracy_budget);
      }
    }
  }
  for (LayerRoute& layer : route.layers) {
    route.predicted_us += layer.us[TypeIndex(layer.chosen)];
    route.fp32_us += layer.us[0];
    if (!rejected[layer.layer].empty() && layer.chosen != WeightType::kF32) layer.reason += rejected[layer.layer];
  }
  return Status::OK();
}

std::string FormatRoute(const PackedNet& net, const Route& route, const RouteOptions& o) {
  std::string out = "route: objective " + std::string(o.objective == RouteObjective::kLatency ? "latency" : "energy") +
                    ", accuracy budget " + Num("%.4f", o.accuracy_budget) + ", batch " + std::to_string(o.batch) +
                    "; output change " + Num("%.4f", route.output_change) + "; layers " + Num("%.2f", route.fp32_us) +
                    " us in fp32 -> " + Num("%.2f", route.predicted_us) + " us routed (measured per layer)\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-5s %-26s %9s %9s %9s  %-6s %s\n", "layer", "op", "fp32 us", "fp16 us", "int8 us",
                "type", "why");
  out += line;
  for (const LayerRoute& l : route.layers) {
    auto cell = [&](size_t t) { return l.weighted && l.available[t] ? Num("%.3f", l.us[t]) : std::string("-"); };
    std::snprintf(line, sizeof line, "  %-5zu %-26s %9s %9s %9s  %-6s %s\n", l.layer, net.LayerSummary(l.layer).c_str(),
                  cell(0).c_str(), cell(1).c_str(), cell(2).c_str(), WeightTypeName(l.chosen), l.reason.c_str());
    out += line;
  }
  return out;
}

}  // namespace vigil::nn

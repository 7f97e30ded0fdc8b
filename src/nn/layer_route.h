// Chooses the weight type of each layer of a network — FP32, FP16 or INT8 — for the machine it
// runs on, under an accuracy budget: a route.
//
//   nn::RouteOptions opt;                       // budget 0.01, objective latency, batch 1
//   VIGIL_ASSIGN_OR_RETURN(nn::Route r, nn::ChooseRoute(f32_net, rows_data, rows, opt));
//   VIGIL_ASSIGN_OR_RETURN(nn::PackedNet mixed, f32_net.ConvertLayers(r.types, r.int8_inputs));
//
// Cost: each weighted layer's run time in each type is measured here, where it runs in the
// network (differences of prefix graphs, nn/graph_latency.h, at options.batch), with the bytes
// its op moves from the graph's plan. Objective latency ranks by time; objective energy by
// modelled joules = time × active_watts + bytes × joules_per_byte (a model, not a meter: the
// defaults are documented below and in docs/routing.md).
//
// Accuracy: the relative RMS change of the network's output against FP32 on the calibration
// rows (nn/quantization_error.h), with the errors of every lowered layer included.
//
// Choice: start from FP32 everywhere; take the candidate (layer, lower type) changes by saving,
// largest first, and keep each one that leaves the output change within the budget. A layer
// INT8 cannot run (an activation other than none/relu) is never offered INT8.
//
// InvalidArgument for an empty calibration set, a negative budget, or a net that is not all
// FP32; errors from planning or timing. Allocates its own graphs; timing takes a few hundred
// milliseconds for the MLPerf Tiny autoencoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dense_int8.h"
#include "nn/packed_net.h"
#include "vigil/status.h"

namespace vigil::nn {

enum class RouteObjective : uint32_t { kLatency = 0, kEnergy = 1 };

// "latency" / "energy"; InvalidArgument naming the valid values otherwise.
Result<RouteObjective> ParseRouteObjective(std::string_view text);

struct RouteOptions {
  double accuracy_budget = 0.01;  // largest relative RMS change of the output vs FP32
  RouteObjective objective = RouteObjective::kLatency;
  int64_t batch = 1;
  int64_t iterations = 400;  // timed runs per prefix graph and type
  // Energy model. Per-core share of a server package's power: AMD EPYC 9654, 360 W TDP over 96
  // cores (AMD product page). Bytes from an on-chip cache of ~1 MB: 100 pJ per 64-bit read at
  // 45 nm (M. Horowitz, "Computing's energy problem", ISSCC 2014), 12.5 pJ per byte.
  double active_watts = 3.75;
  double joules_per_byte = 12.5e-12;
};

constexpr size_t kRouteTypes = 3;  // FP32, FP16, INT8 (index order of LayerRoute's arrays)
WeightType RouteType(size_t index);

struct LayerRoute {
  size_t layer = 0;
  bool weighted = false;
  double us[kRouteTypes] = {};          // measured time of the layer in each type (µs per batch)
  double bytes[kRouteTypes] = {};       // bytes its op reads and writes per batch, from the plan
  bool available[kRouteTypes] = {};     // the type can run this layer
  WeightType chosen = WeightType::kF32;
  std::string reason;
};

struct Route {
  std::vector<WeightType> types;                 // per layer, for PackedNet::ConvertLayers
  std::vector<kernels::QuantParams> int8_inputs; // per layer (calibrated on the FP32 net)
  std::vector<LayerRoute> layers;
  double output_change = 0;   // of the chosen route, on the calibration rows
  double predicted_us = 0;    // sum of the chosen types' measured layer times
  double fp32_us = 0;         // the same, all FP32
};

double LayerCost(const LayerRoute& layer, size_t type_index, const RouteOptions& options);

Result<Route> ChooseRoute(const PackedNet& f32, const float* x, size_t rows, const RouteOptions& options);

// The two halves of ChooseRoute. MeasureRoute times every layer in every type and calibrates the
// INT8 inputs (route.types left empty). ChooseTypes makes the choice from the costs in `route`
// (deterministic for given costs, which tests set by hand) and fills types, reasons and totals.
Result<Route> MeasureRoute(const PackedNet& f32, const float* x, size_t rows, const RouteOptions& options);
Status ChooseTypes(const PackedNet& f32, const float* x, size_t rows, const RouteOptions& options, Route* route);

// The route as a table: a header line, then per layer its op, measured time in each type, the
// choice and why.
std::string FormatRoute(const PackedNet& net, const Route& route, const RouteOptions& options);

}  // namespace vigil::nn

#include "nn/layer_route.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "nn/quantization_error.h"
#include "nn/train/net.h"
#include "nn/train/prng.h"

namespace vigil::nn {
namespace {

// 16 → 12 (relu) → 6 (tanh: INT8 cannot run it) → 16, random weights, and calibration rows.
struct Fixture {
  PackedNet net;
  std::vector<float> x;
  size_t rows = 300;
};

Fixture MakeFixture() {
  train::NetSpec spec{{16},
                      {{.kind = train::LayerKind::kDense, .out = 12, .activation = kernels::Activation::kRelu},
                       {.kind = train::LayerKind::kDense, .out = 6, .activation = kernels::Activation::kTanh},
                       {.kind = train::LayerKind::kDense, .out = 16}}};
  auto params = train::InitNet(spec, 11);
  EXPECT_TRUE(params.ok());
  auto net = PackedNet::FromParams(*params);
  EXPECT_TRUE(net.ok());
  Fixture f{std::move(*net), {}, 300};
  f.x.resize(f.rows * 16);
  train::Prng rng(5);
  for (float& v : f.x) v = 4.0f * rng.NextFloat() - 2.0f;
  return f;
}

// A measured route of the fixture with hand-set costs, so the choice is deterministic.
Route RouteWithCosts(const Fixture& f, const std::vector<std::array<double, kRouteTypes>>& us) {
  auto measured = MeasureRoute(f.net, f.x.data(), f.rows, RouteOptions{.iterations = 5});
  EXPECT_TRUE(measured.ok()) << measured.status().message();
  Route r = std::move(*measured);
  for (size_t k = 0; k < us.size(); ++k) {
    for (size_t t = 0; t < kRouteTypes; ++t) r.layers[k].us[t] = us[k][t];
  }
  return r;
}

TEST(LayerRouteTest, MeasuresEveryLayerInEveryTypeItCanRun) {
  const Fixture f = MakeFixture();
  auto r = MeasureRoute(f.net, f.x.data(), f.rows, RouteOptions{.iterations = 20});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->layers.size(), 3u);
  ASSERT_EQ(r->int8_inputs.size(), 3u);
  for (const LayerRoute& l : r->layers) {
    EXPECT_TRUE(l.weighted);
    EXPECT_TRUE(l.available[0]);
    EXPECT_TRUE(l.available[1]);
    for (size_t t = 0; t < kRouteTypes; ++t) EXPECT_GE(l.us[t], 0.0);
    // FP16 weights move fewer bytes than FP32 in the same op.
    EXPECT_LT(l.bytes[1], l.bytes[0]);
  }
  EXPECT_TRUE(r->layers[0].available[2]);
  EXPECT_FALSE(r->layers[1].available[2]);  // tanh
  EXPECT_TRUE(r->layers[2].available[2]);
}

TEST(LayerRouteTest, ChoosesTheCheapestTypeTheBudgetAllows) {
  const Fixture f = MakeFixture();
  // INT8 cheapest everywhere, FP16 in between.
  const std::vector<std::array<double, kRouteTypes>> us = {{3, 2, 1}, {3, 2, 1}, {3, 2, 1}};
  RouteOptions o;
  o.accuracy_budget = 1e9;  // anything goes
  Route r = RouteWithCosts(f, us);
  ASSERT_TRUE(ChooseTypes(f.net, f.x.data(), f.rows, o, &r).ok());
  EXPECT_EQ(r.types[0], WeightType::kInt8);
  EXPECT_EQ(r.types[1], WeightType::kF16);  // INT8 cannot run tanh
  EXPECT_EQ(r.types[2], WeightType::kInt8);
  EXPECT_DOUBLE_EQ(r.fp32_us, 9);
  EXPECT_DOUBLE_EQ(r.predicted_us, 1 + 2 + 1);

  o.accuracy_budget = 0;  // nothing may change the output
  ASSERT_TRUE(ChooseTypes(f.net, f.x.data(), f.rows, o, &r).ok());
  for (WeightType t : r.types) EXPECT_EQ(t, WeightType::kF32);
  EXPECT_EQ(r.output_change, 0);
  EXPECT_NE(r.layers[0].reason.find("> budget"), std::string::npos) << r.layers[0].reason;
}

TEST(LayerRouteTest, TheChosenRouteStaysWithinTheBudgetItReports) {
  const Fixture f = MakeFixture();
  const std::vector<std::array<double, kRouteTypes>> us = {{3, 2, 1}, {3, 2, 1}, {3, 2, 1}};
  for (double budget : {1e-4, 1e-3, 1e-2, 5e-2}) {
    RouteOptions o;
    o.accuracy_budget = budget;
    Route r = RouteWithCosts(f, us);
    ASSERT_TRUE(ChooseTypes(f.net, f.x.data(), f.rows, o, &r).ok());
    auto mixed = f.net.ConvertLayers(r.types, r.int8_inputs);
    ASSERT_TRUE(mixed.ok());
    auto change = LayerOutputChange(f.net, *mixed, f.x.data(), f.rows);
    ASSERT_TRUE(change.ok());
    EXPECT_LE(change->back(), budget);
    EXPECT_DOUBLE_EQ(change->back(), r.output_change);
  }
}

TEST(LayerRouteTest, NoSavingNoChangeAndEnergyCountsBytes) {
  const Fixture f = MakeFixture();
  // Lower types slower in time: latency keeps FP32 ...
  const std::vector<std::array<double, kRouteTypes>> us = {{1, 1.01, 1.02}, {1, 1.01, 1.02}, {1, 1.01, 1.02}};
  RouteOptions o;
  o.accuracy_budget = 1e9;
  Route r = RouteWithCosts(f, us);
  ASSERT_TRUE(ChooseTypes(f.net, f.x.data(), f.rows, o, &r).ok());
  for (WeightType t : r.types) EXPECT_EQ(t, WeightType::kF32);
  // ... energy, with bytes expensive, lowers the layers whose bytes shrink.
  o.objective = RouteObjective::kEnergy;
  o.joules_per_byte = 1e-6;
  ASSERT_TRUE(ChooseTypes(f.net, f.x.data(), f.rows, o, &r).ok());
  for (size_t k = 0; k < 3; ++k) {
    // The type with the fewest modelled joules among those the layer can run.
    size_t best = 0;
    for (size_t t = 1; t < kRouteTypes; ++t) {
      if (r.layers[k].available[t] && LayerCost(r.layers[k], t, o) < LayerCost(r.layers[k], best, o)) best = t;
    }
    EXPECT_NE(best, 0u) << "layer " << k;
    EXPECT_EQ(r.types[k], RouteType(best)) << "layer " << k;
  }
  EXPECT_EQ(r.types[1], WeightType::kF16);  // tanh: not int8
}

TEST(LayerRouteTest, RefusesWhatItCannotRoute) {
  const Fixture f = MakeFixture();
  EXPECT_FALSE(MeasureRoute(f.net, f.x.data(), 0, RouteOptions{}).ok());
  auto half = f.net.ConvertWeights(WeightType::kF16);
  ASSERT_TRUE(half.ok());
  auto r = MeasureRoute(*half, f.x.data(), f.rows, RouteOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("layer 0 holds f16"), std::string::npos) << r.status().message();
  Route empty;
  EXPECT_FALSE(ChooseTypes(f.net, f.x.data(), f.rows, RouteOptions{}, &empty).ok());
  EXPECT_FALSE(ParseRouteObjective("speed").ok());
  auto energy = ParseRouteObjective("energy");
  ASSERT_TRUE(energy.ok());
  EXPECT_EQ(*energy, RouteObjective::kEnergy);
}

TEST(LayerRouteTest, TableNamesEveryLayerAndItsChoice) {
  const Fixture f = MakeFixture();
  Route r = RouteWithCosts(f, {{3, 2, 1}, {3, 2, 1}, {3, 2, 1}});
  RouteOptions o;
  o.accuracy_budget = 1e9;
  ASSERT_TRUE(ChooseTypes(f.net, f.x.data(), f.rows, o, &r).ok());
  const std::string table = FormatRoute(f.net, r, o);
  EXPECT_NE(table.find("dense(12,relu)"), std::string::npos) << table;
  EXPECT_NE(table.find("dense(6,tanh)"), std::string::npos) << table;
  EXPECT_NE(table.find("int8: saves 2 us"), std::string::npos) << table;
}

}  // namespace
}  // namespace vigil::nn

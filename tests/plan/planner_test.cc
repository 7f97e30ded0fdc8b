#include "plan/planner.h"

#include <gtest/gtest.h>

#include "plan/test_profile.h"

namespace vigil::plan {
namespace {

OpCost Dense(double in, double out, double batch) {
  OpCost op;
  op.name = "dense";
  op.weighted = true;
  op.macs = batch * in * out;
  op.weight_bytes = {4 * in * out, 2 * in * out, in * out};
  op.input_bytes = 4 * batch * in;
  op.output_bytes = 4 * batch * out;
  op.can_run = {true, true, true};
  return op;
}

TEST(PlannerTest, SmallLayersStayOnTheCpuInItsFastestDtype) {
  const DeviceProfile d = testing::TestProfile();
  auto p = MakePlan({Dense(64, 32, 1), Dense(32, 64, 1)}, d, PlanOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  for (const OpPlan& op : p->ops) {
    const Candidate& c = op.candidates[op.chosen];
    EXPECT_EQ(c.unit, "cpu");  // the GPU's 20 µs launch dwarfs these
    EXPECT_EQ(c.type, nn::WeightType::kInt8);
    EXPECT_NE(op.reason.find("-bound (L1)"), std::string::npos) << op.reason;
  }
  double sum = 0;
  for (const OpPlan& op : p->ops) sum += op.candidates[op.chosen].estimate.total_us;
  EXPECT_DOUBLE_EQ(p->latency_us, sum);
  EXPECT_DOUBLE_EQ(p->move_out_us, 0);
}

TEST(PlannerTest, ABigBatchGoesToTheGpuAndPaysTheCopyBothWays) {
  const DeviceProfile d = testing::TestProfile(/*copy_link=*/true);
  PlanOptions o;
  o.batch = 4096;
  o.dtypes = {nn::WeightType::kF32, nn::WeightType::kF16};
  const OpCost op = Dense(1024, 1024, 4096);
  auto p = MakePlan({op}, d, o);
  ASSERT_TRUE(p.ok()) << p.status().message();
  const Candidate& c = p->ops[0].candidates[p->ops[0].chosen];
  EXPECT_EQ(c.unit, "gpu");
  EXPECT_EQ(c.type, nn::WeightType::kF16);
  EXPECT_DOUBLE_EQ(p->ops[0].move_in_us, 5 + op.input_bytes / 10e3);
  EXPECT_DOUBLE_EQ(p->move_out_us, 5 + op.output_bytes / 10e3);
  EXPECT_DOUBLE_EQ(p->latency_us, p->ops[0].move_in_us + c.estimate.total_us + p->move_out_us);
  EXPECT_DOUBLE_EQ(p->joules, c.estimate.joules + 20.0 * (p->ops[0].move_in_us + 0) * 1e-6 +
                                  10.0 * p->move_out_us * 1e-6);
  EXPECT_NEAR(p->per_inference_us(), p->latency_us / 4096, 1e-12);
}

TEST(PlannerTest, CopiesCanOutweighAFasterUnit) {
  // Three mid-size layers: each alone is faster on the GPU, but a 20 µs launch per layer and
  // the copies make the CPU the better place for a chain measured end to end.
  DeviceProfile d = testing::TestProfile(/*copy_link=*/true);
  d.units[1].overhead_us = 1;
  d.links[0].latency_us = 400;
  PlanOptions o;
  o.dtypes = {nn::WeightType::kF32};
  auto p = MakePlan({Dense(512, 512, 8), Dense(512, 512, 8), Dense(512, 512, 8)}, d, o);
  ASSERT_TRUE(p.ok());
  for (const OpPlan& op : p->ops) EXPECT_EQ(op.candidates[op.chosen].unit, "cpu");
  EXPECT_NE(p->ops[0].reason.find("moving tensors there costs more"), std::string::npos) << p->ops[0].reason;
}

TEST(PlannerTest, EnergyObjectiveCanDifferFromLatency) {
  DeviceProfile d = testing::TestProfile();
  d.units[1].overhead_us = 0;
  d.units[1].active_watts = 400;  // fast but power-hungry
  PlanOptions o;
  o.dtypes = {nn::WeightType::kF32};
  o.batch = 64;
  const std::vector<OpCost> ops = {Dense(256, 256, 64)};
  auto fast = MakePlan(ops, d, o);
  o.objective = Objective::kEnergy;
  auto frugal = MakePlan(ops, d, o);
  ASSERT_TRUE(fast.ok() && frugal.ok());
  EXPECT_EQ(fast->ops[0].candidates[fast->ops[0].chosen].unit, "gpu");
  EXPECT_EQ(frugal->ops[0].candidates[frugal->ops[0].chosen].unit, "cpu");
  EXPECT_LT(frugal->joules, fast->joules);
  EXPECT_GT(frugal->latency_us, fast->latency_us);
}

TEST(PlannerTest, ErrorsNameTheOpAndTheUnit) {
  const DeviceProfile d = testing::TestProfile();
  PlanOptions o;
  o.units = {"gpu"};
  o.dtypes = {nn::WeightType::kInt8};
  OpCost op = Dense(4, 4, 1);
  op.name = "dense(4)";
  auto p = MakePlan({op}, d, o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("op 'dense(4)' cannot run"), std::string::npos);
  o.units = {"npu"};
  EXPECT_NE(MakePlan({op}, d, o).status().message().find("has no unit 'npu'"), std::string::npos);
  DeviceProfile unlinked = d;
  unlinked.links.clear();
  PlanOptions gpu_only;
  gpu_only.units = {"gpu"};
  EXPECT_NE(MakePlan({op}, unlinked, gpu_only).status().message().find("no placement"), std::string::npos);
  EXPECT_FALSE(ParseObjective("speed").ok());
}

TEST(PlannerTest, PredictOpTimesUsesTheGivenTypes) {
  const DeviceProfile d = testing::TestProfile();
  const std::vector<OpCost> ops = {Dense(64, 32, 1), Dense(32, 64, 1)};
  const auto t = PredictOpTimes(ops, d, d.units[0], {nn::WeightType::kF32, nn::WeightType::kInt8}, 1);
  ASSERT_EQ(t.size(), 2u);
  const double ws = 4.0 * 64 * 32 + 32.0 * 64 + 4 * 32 + 4 * 64 + 4 * 64;  // weights + activations
  EXPECT_DOUBLE_EQ(t[0], EstimateOp(ops[0], nn::WeightType::kF32, d, d.units[0], ws, 1).total_us);
  EXPECT_DOUBLE_EQ(t[1], EstimateOp(ops[1], nn::WeightType::kInt8, d, d.units[0], ws, 1).total_us);
  auto plan = MakePlan(ops, d, PlanOptions{});
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(FormatPlan(*plan).find("total:"), std::string::npos);
}

}  // namespace
}  // namespace vigil::plan

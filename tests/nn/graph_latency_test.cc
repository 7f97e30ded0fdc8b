#include "nn/graph_latency.h"

#include <gtest/gtest.h>

#include "nn/train/net.h"

namespace vigil::nn {
namespace {

PackedNet SmallNet() {
  train::NetSpec spec{{8, 2},
                      {{.kind = train::LayerKind::kConv1D, .out = 4, .kernel = 3, .stride = 2, .padding = 1,
                        .activation = kernels::Activation::kRelu},
                       {.kind = train::LayerKind::kUpsample1D, .factor = 2},
                       {.kind = train::LayerKind::kConv1D, .out = 2, .kernel = 3, .padding = 1}}};
  auto p = train::InitNet(spec, 1);
  EXPECT_TRUE(p.ok());
  auto net = PackedNet::FromParams(*p);
  EXPECT_TRUE(net.ok());
  return std::move(*net);
}

TEST(GraphLatencyTest, ReportsConsistentFigures) {
  const PackedNet net = SmallNet();
  for (int threads : {1, 2}) {
    auto r = MeasureGraphLatency(net, {.batch = 4, .iterations = 50, .warmup = 3, .threads = threads});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->batch, 4);
    EXPECT_EQ(r->threads, threads);
    EXPECT_GT(r->p50_us, 0);
    EXPECT_LE(r->min_us, r->p50_us);
    EXPECT_LE(r->p50_us, r->p99_us);
    EXPECT_NEAR(r->per_inference_us, r->p50_us / 4, 1e-9);
    EXPECT_GT(r->inferences_per_s, 0);
    EXPECT_EQ(r->weight_bytes, net.WeightBytes());
    EXPECT_GT(r->arena_bytes, 0u);
    EXPECT_GT(r->bytes_moved_per_run, r->weight_bytes);
    EXPECT_EQ(r->copies_per_run, 0);
  }
}

TEST(GraphLatencyTest, RejectsBadOptions) {
  const PackedNet net = SmallNet();
  EXPECT_FALSE(MeasureGraphLatency(net, {.batch = 0}).ok());
  EXPECT_FALSE(MeasureGraphLatency(net, {.iterations = 0}).ok());
  EXPECT_FALSE(MeasureGraphLatency(net, {.warmup = -1}).ok());
  EXPECT_EQ(MeasureGraphLatency(net, {.batch = 2, .threads = 3}).status().message(),
            "threads must be in 1..min(64, batch), got 3");
}

}  // namespace
}  // namespace vigil::nn

#include "serve/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace vigil::serve {
namespace {

TEST(MetricsTest, RendersSmallRegistryExactly) {
  MetricsRegistry registry;
  Counter& scored_a = registry.GetCounter("vigil_scored_total", "Readings scored.", {{"line", "a"}});
  Gauge& depth = registry.GetGauge("vigil_queue_depth", "Readings waiting.");
  Counter& scored_b = registry.GetCounter("vigil_scored_total", "Readings scored.", {{"line", "b"}});
  Histogram& latency =
      registry.GetHistogram("vigil_score_seconds", "Time to score.", {0.25, 1}, {{"line", "a"}});
  scored_a.Add();
  scored_a.Add(41);
  scored_b.Add(7);
  depth.Set(3);
  depth.Add(-0.5);
  latency.Observe(0.125);
  latency.Observe(0.5);
  latency.Observe(4);

  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP vigil_scored_total Readings scored.\n"
            "# TYPE vigil_scored_total counter\n"
            "vigil_scored_total{line=\"a\"} 42\n"
            "vigil_scored_total{line=\"b\"} 7\n"
            "# HELP vigil_queue_depth Readings waiting.\n"
            "# TYPE vigil_queue_depth gauge\n"
            "vigil_queue_depth 2.5\n"
            "# HELP vigil_score_seconds Time to score.\n"
            "# TYPE vigil_score_seconds histogram\n"
            "vigil_score_seconds_bucket{line=\"a\",le=\"0.25\"} 1\n"
            "vigil_score_seconds_bucket{line=\"a\",le=\"1\"} 2\n"
            "vigil_score_seconds_bucket{line=\"a\",le=\"+Inf\"} 3\n"
            "vigil_score_seconds_sum{line=\"a\"} 4.625\n"
            "vigil_score_seconds_count{line=\"a\"} 3\n");
}

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.RenderPrometheus(), "");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.GetCounter("c_total", "Help with \\ and\nnewline \"quoted\".", {{"path", "a\\b\"c\nd"}}).Add();
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP c_total Help with \\\\ and\\nnewline \"quoted\".\n"
            "# TYPE c_total counter\n"
            "c_total{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsTest, LabelsAreSortedAndOrderDoesNotMakeANewSeries) {
  MetricsRegistry registry;
  Counter& first = registry.GetCounter("x_total", "X.", {{"zone", "z"}, {"line", "l"}});
  Counter& second = registry.GetCounter("x_total", "X.", {{"line", "l"}, {"zone", "z"}});
  EXPECT_EQ(&first, &second);
  Counter& other = registry.GetCounter("x_total", "X.", {{"line", "m"}, {"zone", "z"}});
  EXPECT_NE(&first, &other);
  first.Add(2);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP x_total X.\n"
            "# TYPE x_total counter\n"
            "x_total{line=\"l\",zone=\"z\"} 2\n"
            "x_total{line=\"m\",zone=\"z\"} 0\n");
}

TEST(MetricsTest, SameNameAndLabelsReturnSameObjectOfEachKind) {
  MetricsRegistry registry;
  EXPECT_EQ(&registry.GetGauge("g", "G."), &registry.GetGauge("g", "G."));
  EXPECT_EQ(&registry.GetHistogram("h", "H.", {1, 2}), &registry.GetHistogram("h", "H.", {1, 2}));
  EXPECT_NE(&registry.GetCounter("c", "C."), &registry.GetCounter("c", "C.", {{"k", "v"}}));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInclusiveUpperBounds) {
  MetricsRegistry registry;
  Histogram& h = registry.GetHistogram("h", "H.", {1, 2, 4});
  for (double v : {0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 4.5, 100.0}) h.Observe(v);
  EXPECT_EQ(h.BucketCount(0), 2u);  // 0.5, 1 (le is inclusive)
  EXPECT_EQ(h.BucketCount(1), 2u);  // 1.5, 2
  EXPECT_EQ(h.BucketCount(2), 2u);  // 3, 4
  EXPECT_EQ(h.BucketCount(3), 2u);  // 4.5, 100
  EXPECT_EQ(h.count(), 8u);
  EXPECT_DOUBLE_EQ(h.sum(), 116.5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 2\n"
            "h_bucket{le=\"2\"} 4\n"
            "h_bucket{le=\"4\"} 6\n"
            "h_bucket{le=\"+Inf\"} 8\n"
            "h_sum 116.5\n"
            "h_count 8\n");
}

TEST(MetricsTest, HistogramPutsNanInTheInfBucketAndBelowFirstBoundInTheFirst) {
  Histogram h({1, 2});
  h.Observe(-5);
  h.Observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(h.BucketCount(0), 1u);
  EXPECT_EQ(h.BucketCount(1), 0u);
  EXPECT_EQ(h.BucketCount(2), 1u);
  EXPECT_TRUE(std::isnan(h.sum()));
}

TEST(MetricsTest, HistogramWithoutBoundsHasOnlyTheInfBucket) {
  MetricsRegistry registry;
  registry.GetHistogram("h", "H.", {}, {{"k", "v"}}).Observe(3);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{k=\"v\",le=\"+Inf\"} 1\n"
            "h_sum{k=\"v\"} 3\n"
            "h_count{k=\"v\"} 1\n");
}

TEST(MetricsTest, GaugeRendersSpecialValuesAsPrometheusSpellsThem) {
  MetricsRegistry registry;
  registry.GetGauge("g", "G.", {{"v", "inf"}}).Set(std::numeric_limits<double>::infinity());
  registry.GetGauge("g", "G.", {{"v", "ninf"}}).Set(-std::numeric_limits<double>::infinity());
  registry.GetGauge("g", "G.", {{"v", "nan"}}).Set(std::numeric_limits<double>::quiet_NaN());
  registry.GetGauge("g", "G.", {{"v", "small"}}).Set(1e-7);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP g G.\n"
            "# TYPE g gauge\n"
            "g{v=\"inf\"} +Inf\n"
            "g{v=\"ninf\"} -Inf\n"
            "g{v=\"nan\"} NaN\n"
            "g{v=\"small\"} 1e-07\n");
}

TEST(MetricsTest, LatencyBucketsRunFromTenMicrosecondsToOneSecond) {
  const std::vector<double> b = LatencyBucketsSeconds();
  ASSERT_EQ(b.size(), 16u);
  EXPECT_EQ(b.front(), 1e-5);
  EXPECT_EQ(b.back(), 1.0);
  for (size_t i = 1; i < b.size(); ++i) {
    EXPECT_GT(b[i] / b[i - 1], 1.9) << i;
    EXPECT_LT(b[i] / b[i - 1], 2.6) << i;
  }
  MetricsRegistry registry;
  registry.GetHistogram("lat", "L.", b);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("lat_bucket{le=\"1e-05\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"2.5e-05\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"0.025\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"1\"} 0\n"), std::string::npos) << text;
}

TEST(MetricsTest, CounterIsExactUnderConcurrentAdds) {
  MetricsRegistry registry;
  constexpr int kThreads = 8;
  constexpr int kAddsPerThread = 200000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      // Registration from every thread too: all must get the same counter.
      Counter& c = registry.GetCounter("hits_total", "Hits.");
      Histogram& h = registry.GetHistogram("obs", "Obs.", {0.5});
      Gauge& g = registry.GetGauge("level", "Level.");
      for (int i = 0; i < kAddsPerThread; ++i) {
        c.Add();
        h.Observe((i + t) % 2 == 0 ? 0.25 : 1.0);
        g.Add(1);
      }
    });
  }
  // Rendering while the adds run must be safe (checked under the sanitizers) and show sane values.
  for (int i = 0; i < 20; ++i) {
    const std::string text = registry.RenderPrometheus();
    EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
  }
  for (auto& thread : threads) thread.join();
  constexpr uint64_t kTotal = uint64_t{kThreads} * kAddsPerThread;
  EXPECT_EQ(registry.GetCounter("hits_total", "Hits.").value(), kTotal);
  Histogram& h = registry.GetHistogram("obs", "Obs.", {0.5});
  EXPECT_EQ(h.count(), kTotal);
  EXPECT_EQ(h.BucketCount(0), kTotal / 2);
  EXPECT_EQ(registry.GetGauge("level", "Level.").value(), static_cast<double>(kTotal));
  EXPECT_NE(registry.RenderPrometheus().find("hits_total 1600000\n"), std::string::npos);
}

using MetricsDeathTest = ::testing::Test;

TEST_F(MetricsDeathTest, ProgrammerErrorsAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MetricsRegistry registry;
  EXPECT_DEATH(registry.GetCounter("1bad", "B."), "invalid Prometheus metric name '1bad'");
  EXPECT_DEATH(registry.GetCounter("has-dash", "B."), "has-dash");
  EXPECT_DEATH(registry.GetCounter("ok", "B.", {{"__reserved", "v"}}), "label name '__reserved'");
  EXPECT_DEATH(registry.GetCounter("ok", "B.", {{"a b", "v"}}), "label name 'a b'");
  EXPECT_DEATH(registry.GetCounter("ok", "B.", {{"a", "1"}, {"a", "2"}}), "label given twice");
  EXPECT_DEATH(registry.GetHistogram("h", "H.", {1}, {{"le", "1"}}), "histogram label 'le'");
  EXPECT_DEATH(registry.GetHistogram("h", "H.", {2, 1}), "VIGIL_CHECK failed");
  registry.GetCounter("c", "C.");
  EXPECT_DEATH(registry.GetGauge("c", "C."), "another type");
  EXPECT_DEATH(registry.GetCounter("c", "Other."), "another help text");
  registry.GetHistogram("h2", "H.", {1});
  EXPECT_DEATH(registry.GetHistogram("h2", "H.", {2}), "other bounds");
}

}  // namespace
}  // namespace vigil::serve

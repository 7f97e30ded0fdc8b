// RunFmaChains: counts its work correctly and produces a finite result.
#include "kernels/fma_peak.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace vigil::kernels {
namespace {

TEST(FmaPeakTest, CountsTwoFlopsPerLanePerFma) {
  float sink = NAN;
  const double flops_small = RunFmaChains(10, &sink);
  EXPECT_TRUE(std::isfinite(sink));
  const double flops_large = RunFmaChains(1000, &sink);
  EXPECT_TRUE(std::isfinite(sink));
  EXPECT_GT(flops_small, 0.0);
  EXPECT_DOUBLE_EQ(flops_large, 100.0 * flops_small);
  // 12 chains × 2 flops × a power-of-two lane count between 1 and 16.
  const double per_iteration = flops_small / 10.0 / 24.0;
  EXPECT_EQ(per_iteration, std::exp2(std::round(std::log2(per_iteration))));
  EXPECT_GE(per_iteration, 1.0);
  EXPECT_LE(per_iteration, 16.0);
}

TEST(FmaPeakTest, ReportsTarget) { EXPECT_FALSE(std::string(FmaChainsTargetName()).empty()); }

}  // namespace
}  // namespace vigil::kernels

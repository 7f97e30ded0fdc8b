// RunInt8DotChains: counts its work and dispatches where it says.
#define HWY_WANT_AVX3_DL
#include "kernels/int8_peak.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

class Int8PeakTest : public PerTargetTest {};

TEST_P(Int8PeakTest, CountsOneMultiplyAddPerProduct) {
  const std::string name = Int8DotChainsTargetName();
  ASSERT_EQ(name.rfind(target_name(), 0), 0u) << name;
  int32_t sink = 0;
  const double small = RunInt8DotChains(10, &sink);
  const double large = RunInt8DotChains(1000, &sink);
  EXPECT_DOUBLE_EQ(large, 100.0 * small);
  // 10 chains × products per instruction: 64 (vpdpbusd, 512-bit), one per int16 lane otherwise,
  // 1 for scalar.
  double expected = 1.0;
#if HWY_ARCH_X86
  if (target() == HWY_AVX3_DL) expected = 64.0;
  if (target() == HWY_AVX3) expected = 32.0;
  if (target() == HWY_AVX2) expected = 16.0;
  if (target() == HWY_SSE4 || target() == HWY_SSSE3) expected = 8.0;
#else
  if (target() != HWY_SCALAR && target() != HWY_EMU128) expected = 8.0;  // 128-bit NEON: 8 int16 lanes
#endif
  if (target() != HWY_SCALAR) {
    EXPECT_DOUBLE_EQ(small, 10.0 * 10.0 * expected) << name;
  }
  EXPECT_EQ(name.find("vpdpbusd") != std::string::npos, name.rfind("AVX3_DL", 0) == 0) << name;
}

INSTANTIATE_TEST_SUITE_P(AllTargets, Int8PeakTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels

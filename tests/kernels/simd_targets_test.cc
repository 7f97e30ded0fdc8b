// Names, in the test output, every SIMD target Highway has for this architecture and what this
// build does with it: runs it (a dispatched kernel reports that target), skips it because the CPU
// (or emulator) lacks it, or skips it because the kernels were not compiled for it, with the
// reason. The kernel tests themselves only instantiate compiled targets (CompiledTargets()), so
// without this a target that is missing from the build would pass unnoticed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "hwy/highway.h"
#include "hwy/targets.h"
#include "kernels/stream_read.h"
#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

std::vector<int64_t> ArchitectureTargets() {
#if HWY_ARCH_X86
  return {HWY_SSSE3, HWY_SSE4, HWY_AVX2, HWY_AVX3, HWY_AVX3_DL};
#elif HWY_ARCH_ARM_A64
  return {HWY_NEON, HWY_SVE, HWY_SVE2, HWY_SVE_256, HWY_SVE2_128};
#else
  return {HWY_STATIC_TARGET};
#endif
}

const char* WhyNotCompiled(int64_t target) {
#if HWY_ARCH_ARM_A64
  if ((target & (HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)) != 0) {
    return "left out by CMakeLists.txt: SVE vectors are sizeless types, which cannot be array "
           "elements, and the kernels keep their register tiles in arrays of vectors";
  }
#endif
  (void)target;
  return "not in this build's HWY_TARGETS";
}

class SimdTargetsTest : public testing::TestWithParam<int64_t> {
 protected:
  void TearDown() override { hwy::SetSupportedTargetsForTest(0); }
};

TEST_P(SimdTargetsTest, RunsOrSaysWhyNot) {
  const int64_t target = GetParam();
  const char* name = hwy::TargetName(target);
  hwy::SetSupportedTargetsForTest(0);
  const bool cpu_has_it = (hwy::SupportedTargets() & target) != 0;
  if ((HWY_TARGETS & target) == 0) {
    GTEST_SKIP() << name << " not compiled (this CPU " << (cpu_has_it ? "supports" : "lacks")
                 << " it): " << WhyNotCompiled(target);
  }
  if (!cpu_has_it) GTEST_SKIP() << name << " compiled but not supported by this CPU";
  hwy::SetSupportedTargetsForTest(target);
  EXPECT_STREQ(StreamReadTargetName(), name);
  std::printf("SIMD target %s: compiled and run\n", name);
}

INSTANTIATE_TEST_SUITE_P(Targets, SimdTargetsTest, testing::ValuesIn(ArchitectureTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels

// Runs a parameterized test once per Highway target compiled into this binary. Targets this CPU
// cannot execute are skipped with their name (never reported as passed); the others are forced
// through hwy::SetSupportedTargetsForTest so dynamic dispatch picks exactly that target.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hwy/highway.h"
#include "hwy/targets.h"

namespace vigil::kernels {

inline std::vector<int64_t> CompiledTargets() {
  std::vector<int64_t> targets;
  for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) targets.push_back(rest & -rest);
  return targets;
}

inline std::string TargetParamName(const testing::TestParamInfo<int64_t>& info) {
  return hwy::TargetName(info.param);
}

// Float lanes of the kernels' vectors on `target` (capped at one 16-float panel). Targets not
// named are 128 bits wide: SSSE3, SSE4, EMU128, NEON, SVE2_128.
inline size_t KernelLanes(int64_t target) {
  if (target == HWY_SCALAR) return 1;
#if HWY_ARCH_X86
  if (target == HWY_AVX2) return 8;
  if (target == HWY_AVX3 || target == HWY_AVX3_DL) return 16;
#elif HWY_ARCH_ARM_A64
  if (target == HWY_SVE_256) return 8;
  // HWY_SVE and HWY_SVE2 have the CPU's vector length, unknown here; 4 still yields awkward
  // sizes (lanes ± 1). The build leaves them out for now (see CMakeLists.txt).
#endif
  return 4;
}

class PerTargetTest : public testing::TestWithParam<int64_t> {
 protected:
  void SetUp() override {
    hwy::SetSupportedTargetsForTest(0);
    if ((hwy::SupportedTargets() & GetParam()) == 0) {
      GTEST_SKIP() << "target " << hwy::TargetName(GetParam())
                   << " is compiled in but not supported by this CPU";
    }
    hwy::SetSupportedTargetsForTest(GetParam());
  }
  void TearDown() override { hwy::SetSupportedTargetsForTest(0); }

  int64_t target() const { return GetParam(); }
  const char* target_name() const { return hwy::TargetName(GetParam()); }
  size_t lanes() const { return KernelLanes(GetParam()); }
};

}  // namespace vigil::kernels

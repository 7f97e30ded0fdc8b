// StreamTriad on every compiled Highway target against the scalar reference: exactly a[0, n)
// written (guards after it untouched), b and c unchanged, results within rounding of one product.
#include "kernels/stream_triad.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

class StreamTriadTest : public PerTargetTest {};

TEST_P(StreamTriadTest, DispatchesToTheRequestedTarget) { EXPECT_STREQ(StreamTriadTargetName(), target_name()); }

TEST_P(StreamTriadTest, MatchesTheReferenceAndWritesExactlyN) {
  const size_t n = lanes();
  constexpr size_t kGuard = 16;
  for (size_t count : {size_t{0}, size_t{1}, n > 1 ? n - 1 : 2, n, n + 1, 2 * n - 1, 2 * n + 1, size_t{4099}}) {
    SCOPED_TRACE(testing::Message() << "count=" << count);
    std::vector<float> b(count + kGuard, NAN), c(count + kGuard, NAN);
    for (size_t i = 0; i < count; ++i) {
      b[i] = 0.37f * static_cast<float>(i % 11) - 1.5f;
      c[i] = 1.0f / static_cast<float>(i + 3);
    }
    const std::vector<float> b0 = b, c0 = c;
    std::vector<float> got(count + kGuard, NAN), want(count + kGuard, NAN);
    for (size_t g = count; g < count + kGuard; ++g) got[g] = want[g] = 1234.5f;
    EXPECT_EQ(StreamTriad(got.data(), b.data(), c.data(), 3.25f, count), 3.0 * count * sizeof(float));
    StreamTriadReference(want.data(), b.data(), c.data(), 3.25f, count);
    // Targets without an FMA instruction (SSE4, scalar emulation) round the product first.
    for (size_t i = 0; i < count; ++i) {
      ASSERT_NEAR(got[i], want[i], 1e-6f * std::max(1.0f, std::fabs(want[i]))) << i;
    }
    for (size_t g = count; g < count + kGuard; ++g) EXPECT_EQ(got[g], 1234.5f) << "guard " << g - count;
    EXPECT_EQ(std::memcmp(b.data(), b0.data(), b.size() * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(c.data(), c0.data(), c.size() * sizeof(float)), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, StreamTriadTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels

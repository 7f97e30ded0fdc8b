// StreamRead on every compiled Highway target: reads exactly [0, n), sums it, counts bytes.
#include "kernels/stream_read.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

class StreamReadTest : public PerTargetTest {};

TEST_P(StreamReadTest, DispatchesToTheRequestedTarget) { EXPECT_STREQ(StreamReadTargetName(), target_name()); }

TEST_P(StreamReadTest, SumsExactlyTheRequestedFloats) {
  const size_t n = lanes();
  for (size_t count : {size_t{0}, size_t{1}, n > 1 ? n - 1 : 2, n, n + 1, 8 * n - 1, 8 * n + 3, size_t{4099}}) {
    SCOPED_TRACE(testing::Message() << "count=" << count);
    // Small integers: every partial sum is exact, so the order of summation does not matter.
    // NaN after the end would poison the sum if read.
    std::vector<float> data(count + 16, NAN);
    double expected = 0.0;
    for (size_t i = 0; i < count; ++i) {
      data[i] = static_cast<float>(static_cast<int>(i % 7) - 3);
      expected += data[i];
    }
    float sink = NAN;
    EXPECT_EQ(StreamRead(data.data(), count, &sink), static_cast<double>(count * sizeof(float)));
    EXPECT_EQ(sink, expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, StreamReadTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels

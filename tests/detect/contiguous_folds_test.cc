#include "detect/contiguous_folds.h"

#include <gtest/gtest.h>

namespace vigil::detect {
namespace {

TEST(ContiguousFoldsTest, FoldsCoverRowsInOrderAndRestExcludesTheFold) {
  // 7 rows × 1 column holding their own index; 3 folds of sizes 3, 2, 2.
  std::vector<float> x = {0, 1, 2, 3, 4, 5, 6};
  std::vector<std::pair<size_t, size_t>> folds;
  Status s = ForEachContiguousFold(x.data(), 7, 1, 3,
                                   [&](size_t f, size_t begin, size_t size, const float* rest, size_t n) -> Status {
                                     EXPECT_EQ(f, folds.size());
                                     folds.emplace_back(begin, size);
                                     EXPECT_EQ(n, 7 - size);
                                     std::vector<float> expected;
                                     for (size_t r = 0; r < 7; ++r)
                                       if (r < begin || r >= begin + size) expected.push_back(static_cast<float>(r));
                                     EXPECT_EQ(std::vector<float>(rest, rest + n), expected);
                                     return Status::OK();
                                   });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(folds, (std::vector<std::pair<size_t, size_t>>{{0, 3}, {3, 2}, {5, 2}}));
}

TEST(ContiguousFoldsTest, StopsAtTheFirstError) {
  std::vector<float> x(10, 0.0f);
  int calls = 0;
  Status s = ForEachContiguousFold(x.data(), 10, 1, 5, [&](size_t f, size_t, size_t, const float*, size_t) {
    ++calls;
    return f == 1 ? Status::InvalidArgument("fold 2 failed") : Status::OK();
  });
  EXPECT_EQ(s.message(), "fold 2 failed");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace vigil::detect

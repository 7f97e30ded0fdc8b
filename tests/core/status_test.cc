#include "vigil/status.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd value " + std::to_string(v));
  return v / 2;
}

Status UseHalf(int v, int* out) {
  VIGIL_ASSIGN_OR_RETURN(*out, Half(v));
  return Status::OK();
}

TEST(StatusTest, OkIsCheapAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::Corruption("m.vgm: offset 12: bad magic");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "m.vgm: offset 12: bad magic");
  EXPECT_EQ(s.ToString(), "corruption: m.vgm: offset 12: bad magic");
  Status copy = s;
  EXPECT_EQ(copy.ToString(), s.ToString());
}

TEST(StatusTest, ResultPropagates) {
  int out = 0;
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
  Status s = UseHalf(7, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "odd value 7");
}

TEST(StatusDeathTest, ValueOnErrorAborts) {
  Result<int> r = Status::NotFound("x");
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) on error");
}

}  // namespace
}  // namespace vigil

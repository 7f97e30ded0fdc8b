#include <gtest/gtest.h>

#include "vigil/detector.h"

namespace vigil {
namespace {

TEST(DetectorFactoryTest, EveryNameMakesItsKind) {
  for (const std::string& name : DetectorNames()) {
    auto det = MakeDetector(name, {});
    ASSERT_TRUE(det.ok()) << name;
    EXPECT_EQ((*det)->name(), name);
    auto again = MakeDetector((*det)->kind(), {});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->name(), name);
  }
}

TEST(DetectorFactoryTest, UnknownNameListsValidOnes) {
  auto det = MakeDetector("lstm", {});
  ASSERT_FALSE(det.ok());
  EXPECT_EQ(det.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(det.status().message(), "unknown detector 'lstm' (valid: zscore, pca, iforest, ae, conv-ae, tf-ae)");
  EXPECT_FALSE(MakeDetector(static_cast<DetectorKind>(99), {}).ok());
}

}  // namespace
}  // namespace vigil

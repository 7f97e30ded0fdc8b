#include <gtest/gtest.h>

#include "vigil/evaluate.h"

namespace vigil {
namespace {

TEST(DefaultFitOptionsTest, EveryDetectorHasAValidRecipe) {
  for (const std::string& name : DetectorNames()) {
    auto o = DefaultFitOptions(name);
    ASSERT_TRUE(o.ok()) << name;
    EXPECT_EQ(o->detector, name);
    EXPECT_TRUE(MakeDetector(name, o->detector_options).ok()) << name;
    EXPECT_TRUE(MakeThreshold(o->threshold).ok()) << name;
  }
  auto pca = DefaultFitOptions("pca");
  EXPECT_EQ(pca->window, 20u);
  EXPECT_EQ(pca->calibration_folds, 4u);
  EXPECT_EQ(DefaultFitOptions("nope").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil

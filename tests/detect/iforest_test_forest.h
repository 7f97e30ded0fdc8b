// A hand-built forest shared by the isolation forest tests.
#pragma once

#include "detect/iforest_forest.h"

namespace vigil::detect::testing {

// One tree (ψ = 4, H = 2): root "f0 < 5" with a left leaf of 1 row and a right split "f1 < 2"
// whose leaves hold 2 rows (left) and 1 row (right).
inline IForest TinyForest() {
  IForest f;
  f.dim = 2;
  f.subsample = 4;
  f.height_limit = 2;
  f.nodes = {{0, 5.0f, 1, 0}, {0, 0, 0, 1}, {1, 2.0f, 3, 0}, {0, 0, 0, 2}, {0, 0, 0, 1}};
  f.tree_begin = {0, 5};
  FinishIForest(&f);
  return f;
}

}  // namespace vigil::detect::testing

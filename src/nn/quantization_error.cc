#include "nn/quantization_error.h"

#include <cmath>
#include <string>

namespace vigil::nn {

Result<std::vector<double>> LayerOutputChange(const PackedNet& reference, const PackedNet& changed, const float* x,
                                              size_t rows) {
  if (reference.input_shape() != changed.input_shape() || reference.layers().size() != changed.layers().size()) {
    return Status::InvalidArgument("the two networks differ in input shape or layer count");
  }
  const size_t layers = reference.layers().size();
  std::vector<double> change(layers, 0.0);
  for (size_t k = 1; k <= layers; ++k) {
    if (reference.OutputShape(k) != changed.OutputShape(k)) {
      return Status::InvalidArgument("layer " + std::to_string(k - 1) + " has different output shapes");
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<float> a, reference.RunLayers(k, x, rows));
    VIGIL_ASSIGN_OR_RETURN(std::vector<float> b, changed.RunLayers(k, x, rows));
    double diff = 0.0, norm = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
      const double d = static_cast<double>(b[i]) - a[i];
      diff += d * d;
      norm += static_cast<double>(a[i]) * a[i];
    }
    change[k - 1] = norm > 0 ? std::sqrt(diff / norm) : (diff > 0 ? INFINITY : 0.0);
  }
  return change;
}

}  // namespace vigil::nn

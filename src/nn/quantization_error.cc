#include "nn/quantization_error.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

namespace vigil::nn {
namespace {

constexpr size_t kBatch = 64;

}  // namespace

Result<std::vector<double>> LayerOutputChange(const PackedNet& reference, const PackedNet& changed, const float* x,
                                              size_t rows) {
  if (reference.input_shape() != changed.input_shape() || reference.layers().size() != changed.layers().size()) {
    return Status::InvalidArgument("the two networks differ in input shape or layer count");
  }
  const size_t layers = reference.layers().size();
  const auto& in_shape = reference.input_shape();
  const size_t in_size =
      static_cast<size_t>(std::accumulate(in_shape.begin(), in_shape.end(), int64_t{1}, std::multiplies<>()));
  std::vector<double> change(layers, 0.0);
  for (size_t k = 1; k <= layers; ++k) {
    if (reference.OutputShape(k) != changed.OutputShape(k)) {
      return Status::InvalidArgument("layer " + std::to_string(k - 1) + " has different output shapes");
    }
    const auto out_shape = reference.OutputShape(k);
    const size_t out_size =
        static_cast<size_t>(std::accumulate(out_shape.begin(), out_shape.end(), int64_t{1}, std::multiplies<>()));
    VIGIL_ASSIGN_OR_RETURN(Graph a, reference.BuildGraph(k));
    VIGIL_ASSIGN_OR_RETURN(Graph b, changed.BuildGraph(k));
    VIGIL_RETURN_IF_ERROR(a.Plan(kBatch, {.external_inputs = true, .external_outputs = true}));
    VIGIL_RETURN_IF_ERROR(b.Plan(kBatch, {.external_inputs = true, .external_outputs = true}));
    std::vector<float> batch_in(kBatch * in_size, 0.0f), ya(kBatch * out_size), yb(kBatch * out_size);
    VIGIL_RETURN_IF_ERROR(a.BindInput(0, batch_in.data()));
    VIGIL_RETURN_IF_ERROR(b.BindInput(0, batch_in.data()));
    VIGIL_RETURN_IF_ERROR(a.BindOutput(0, ya.data()));
    VIGIL_RETURN_IF_ERROR(b.BindOutput(0, yb.data()));
    double diff = 0.0, norm = 0.0;
    for (size_t r = 0; r < rows; r += kBatch) {
      const size_t n = std::min(kBatch, rows - r);
      std::copy(x + r * in_size, x + (r + n) * in_size, batch_in.begin());
      a.Run();
      b.Run();
      for (size_t i = 0; i < n * out_size; ++i) {
        const double d = static_cast<double>(yb[i]) - ya[i];
        diff += d * d;
        norm += static_cast<double>(ya[i]) * ya[i];
      }
    }
    change[k - 1] = norm > 0 ? std::sqrt(diff / norm) : (diff > 0 ? INFINITY : 0.0);
  }
  return change;
}

}  // namespace vigil::nn

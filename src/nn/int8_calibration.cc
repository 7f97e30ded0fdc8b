#include "nn/int8_calibration.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace vigil::nn {
namespace {

// Squared error of the kernels' own quantize → dequantize round trip.
double RoundTripError(const std::vector<float>& values, kernels::QuantParams q) {
  std::vector<uint8_t> codes(values.size());
  std::vector<float> back(values.size());
  kernels::QuantizeU8(values.data(), values.size(), q, codes.data());
  kernels::DequantizeU8(codes.data(), codes.size(), q, back.data());
  double err = 0.0;
  for (size_t i = 0; i < values.size(); ++i) err += (static_cast<double>(back[i]) - values[i]) * (back[i] - values[i]);
  return err;
}

float Quantile(std::vector<float>& values, double p) {
  const auto k = static_cast<size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace

kernels::QuantParams ChooseClippedQuantParams(std::vector<float>& values) {
  if (values.empty()) return kernels::ChooseQuantParams(0.0f, 0.0f);
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  kernels::QuantParams best = kernels::ChooseQuantParams(*lo, *hi);
  double best_error = RoundTripError(values, best);
  for (double tail : {1e-4, 1e-3}) {
    const float a = Quantile(values, tail);
    const float b = Quantile(values, 1.0 - tail);
    const kernels::QuantParams q = kernels::ChooseQuantParams(a, b);
    const double e = RoundTripError(values, q);
    if (e < best_error) {
      best = q;
      best_error = e;
    }
  }
  return best;
}

Result<std::vector<kernels::QuantParams>> CalibrateLayerInputs(const PackedNet& net, const float* x, size_t rows) {
  if (rows == 0) return Status::InvalidArgument("int8 calibration needs at least one row of normal data");
  const auto& shape = net.input_shape();
  const auto in_size =
      static_cast<size_t>(std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>()));
  std::vector<kernels::QuantParams> params(net.layers().size());
  std::vector<float> values(x, x + rows * in_size);
  params[0] = ChooseClippedQuantParams(values);
  for (size_t k = 1; k < net.layers().size(); ++k) {
    // Layer k's input is the output of the first k layers.
    VIGIL_ASSIGN_OR_RETURN(values, net.RunLayers(k, x, rows));
    params[k] = ChooseClippedQuantParams(values);
  }
  return params;
}

}  // namespace vigil::nn

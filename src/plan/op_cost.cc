#include "plan/op_cost.h"

#include <functional>
#include <numeric>

namespace vigil::plan {
namespace {

double Elements(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0, std::multiplies<double>());
}

}  // namespace

Result<std::vector<OpCost>> NetOpCosts(const nn::PackedNet& net, int64_t batch) {
  if (batch < 1) return Status::InvalidArgument("batch must be >= 1, got " + std::to_string(batch));
  const double b = static_cast<double>(batch);
  std::vector<OpCost> ops;
  const auto& layers = net.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const nn::train::LayerSpec& spec = layers[i];
    const std::vector<int64_t> in_shape = net.OutputShape(i);
    const std::vector<int64_t> out_shape = net.OutputShape(i + 1);
    OpCost op;
    op.name = net.LayerSummary(i);
    op.batch = batch;
    op.input_bytes = 4.0 * b * Elements(in_shape);
    op.output_bytes = 4.0 * b * Elements(out_shape);
    op.stored = net.layer_weight_type(i);
    int64_t in_features = 0, positions = 1;
    if (spec.kind == nn::train::LayerKind::kDense) {
      op.kind = "dense";
      in_features = static_cast<int64_t>(Elements(in_shape));
    } else if (spec.kind == nn::train::LayerKind::kConv1D) {
      op.kind = "conv1d";
      in_features = spec.kernel * in_shape.back();
      positions = out_shape.front();
    }
    if (in_features > 0) {
      op.weighted = true;
      op.out_width = static_cast<double>(spec.out);
      op.macs = b * static_cast<double>(positions) * static_cast<double>(spec.out) * static_cast<double>(in_features);
      for (size_t t = 0; t < kDTypes; ++t) {
        op.weight_bytes[t] = static_cast<double>(nn::PackedWeightBytes(
            static_cast<nn::WeightType>(t), static_cast<size_t>(in_features), static_cast<size_t>(spec.out)));
      }
      op.can_run = {true, true,
                    spec.activation == kernels::Activation::kNone || spec.activation == kernels::Activation::kRelu};
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

OpCost ReconstructionScoreCost(int64_t values, int64_t batch) {
  OpCost op;
  op.name = "score: squared error, per-channel sums";
  op.batch = batch;
  const double n = static_cast<double>(values) * static_cast<double>(batch);
  op.macs = n;
  op.input_bytes = 8.0 * n;  // reconstruction and input
  op.output_bytes = 4.0 * static_cast<double>(batch);
  return op;
}

OpCost FloatGemvCost(std::string name, int64_t in, int64_t out, int64_t batch) {
  OpCost op;
  op.name = std::move(name);
  op.kind = "dense";
  op.batch = batch;
  op.weighted = true;
  op.out_width = static_cast<double>(out);
  op.macs = static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  op.weight_bytes[0] = 4.0 * static_cast<double>(in) * static_cast<double>(out);
  op.input_bytes = 4.0 * static_cast<double>(batch) * static_cast<double>(in);
  op.output_bytes = 4.0 * static_cast<double>(batch) * static_cast<double>(out);
  return op;
}

}  // namespace vigil::plan

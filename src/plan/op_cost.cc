#include "plan/op_cost.h"

#include <functional>
#include <string>
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
    if (spec.kind == nn::train::LayerKind::kTransformerBlock) {
      const nn::train::BlockSpec bs = nn::train::BlockSpecOf(spec, in_shape);
      const OpCost attention = SelfAttentionCost(in_shape[0], bs.dim, bs.heads, batch);
      op.kind = "block";
      op.weighted = true;
      op.out_width = static_cast<double>(bs.dim);
      const double t = static_cast<double>(in_shape[0]);
      op.macs = attention.macs + 2.0 * b * t * static_cast<double>(bs.dim) * static_cast<double>(bs.hidden);
      const double bytes = 4.0 * static_cast<double>(nn::train::BlockLayout(bs).size);
      op.weight_bytes = {bytes, bytes, bytes};  // kept in FP32
      op.input_bytes = attention.input_bytes + 4.0 * b * t * static_cast<double>(bs.dim + bs.hidden);
      op.output_bytes = attention.output_bytes + 4.0 * b * t * static_cast<double>(bs.dim + bs.hidden);
      op.can_run = {true, false, false};
      ops.push_back(std::move(op));
      continue;
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

OpCost SelfAttentionCost(int64_t length, int64_t dim, int64_t heads, int64_t batch) {
  OpCost op;
  op.name = "attention(" + std::to_string(dim) + ",h" + std::to_string(heads) + ")";
  op.kind = "dense";  // the projections dominate and run on the Dense kernel
  op.batch = batch;
  op.weighted = true;
  op.out_width = static_cast<double>(dim);
  const double b = static_cast<double>(batch), t = static_cast<double>(length), d = static_cast<double>(dim);
  op.macs = b * (4.0 * t * d * d + 2.0 * t * t * d);
  for (size_t i = 0; i < kDTypes; ++i) {
    op.weight_bytes[i] = 4.0 * static_cast<double>(nn::PackedWeightBytes(static_cast<nn::WeightType>(i),
                                                                        static_cast<size_t>(dim), static_cast<size_t>(dim)));
  }
  // Input, Q/K/V/O written and read back, the scores (length² per head, per sample), output.
  op.input_bytes = 4.0 * b * (t * d + 4.0 * t * d + static_cast<double>(heads) * t * t);
  op.output_bytes = 4.0 * b * (4.0 * t * d + t * d);
  op.can_run = {true, true, false};
  return op;
}

namespace {

// An op over rows × width FP32 values, read once and written once, `macs_per_value` each.
OpCost RowwiseCost(std::string name, int64_t rows, int64_t width, int64_t batch, double macs_per_value) {
  OpCost op;
  op.name = std::move(name);
  op.batch = batch;
  const double n = static_cast<double>(batch) * static_cast<double>(rows) * static_cast<double>(width);
  op.macs = macs_per_value * n;
  op.input_bytes = 4.0 * n;
  op.output_bytes = 4.0 * n;
  return op;
}

}  // namespace

OpCost LayerNormCost(int64_t rows, int64_t dim, int64_t batch) {
  OpCost op = RowwiseCost("layernorm(" + std::to_string(dim) + ")", rows, dim, batch, 2.0);
  op.input_bytes += 8.0 * static_cast<double>(dim);  // gamma, beta
  return op;
}

// max, exp (a few multiply-adds), sum, scale
OpCost SoftmaxCost(int64_t rows, int64_t cols, int64_t batch) {
  return RowwiseCost("softmax(" + std::to_string(cols) + ")", rows, cols, batch, 4.0);
}

OpCost MatMulCost(int64_t m, int64_t k, int64_t n, int64_t count, int64_t batch) {
  OpCost op;
  op.name = "matmul(" + std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) + ")";
  op.batch = batch;
  const double c = static_cast<double>(count) * static_cast<double>(batch);
  const double dm = static_cast<double>(m), dk = static_cast<double>(k), dn = static_cast<double>(n);
  op.macs = c * dm * dk * dn;
  op.input_bytes = 4.0 * c * (dm * dk + dk * dn);
  op.output_bytes = 4.0 * c * dm * dn;
  return op;
}

}  // namespace vigil::plan

#include <string>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

// Autoencoder score: mean over a sample (or over its positions, per channel) of the squared
// reconstruction error. Accumulates in double so long windows do not lose small errors.
class ReduceMeanSquaredErrorOp final : public Op {
 public:
  explicit ReduceMeanSquaredErrorOp(ReduceAxes axes) : axes_(axes) {}

  const char* Kind() const override { return "ReduceMeanSquaredError"; }
  int NumInputs() const override { return 2; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    if (!(inputs[0] == inputs[1])) {
      return Status::InvalidArgument(OpError(
          *this, "input shapes " + inputs[0].ToString() + " and " + inputs[1].ToString() + " differ"));
    }
    if (axes_ == ReduceAxes::kPerChannel) {
      if (inputs[0].rank < 1)
        return Status::InvalidArgument(OpError(*this, "per-channel needs a channel dim"));
      return core::Shape::Of({inputs[0].dims[inputs[0].rank - 1]});
    }
    return core::Shape::Of({1});
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const float* a = inputs[0].F32();
    const float* b = inputs[1].F32();
    float* y = output.F32();
    const int64_t batch = inputs[0].shape.dims[0];
    const int64_t per_sample = core::NumElements(inputs[0]) / batch;
    const int64_t channels = output.shape.dims[1];
    const int64_t positions = per_sample / channels;
    for (int64_t s = 0; s < batch; ++s) {
      const float* as = a + s * per_sample;
      const float* bs = b + s * per_sample;
      for (int64_t c = 0; c < channels; ++c) {
        double sum = 0.0;
        // kPerRow has channels == 1 and positions == per_sample, so one loop serves both.
        for (int64_t p = 0; p < positions; ++p) {
          const double d = static_cast<double>(as[p * channels + c]) - bs[p * channels + c];
          sum += d * d;
        }
        y[s * channels + c] = static_cast<float>(sum / static_cast<double>(positions));
      }
    }
  }

 private:
  const ReduceAxes axes_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateReduceMeanSquaredErrorOp(ReduceAxes axes) {
  if (axes != ReduceAxes::kPerRow && axes != ReduceAxes::kPerChannel) {
    return Status::InvalidArgument("ReduceMeanSquaredError: unknown axes " +
                                   std::to_string(static_cast<uint32_t>(axes)));
  }
  return std::unique_ptr<Op>(new ReduceMeanSquaredErrorOp(axes));
}

}  // namespace vigil::nn

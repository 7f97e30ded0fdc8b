#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class AddOp final : public Op {
 public:
  const char* Kind() const override { return "Add"; }
  int NumInputs() const override { return 2; }
  bool AllowsInPlace() const override { return true; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    if (!(inputs[0] == inputs[1])) {
      return Status::InvalidArgument(OpError(
          *this, "input shapes " + inputs[0].ToString() + " and " + inputs[1].ToString() + " differ"));
    }
    return inputs[0];
  }

  // Element i is read before it is written, so the output may alias either input.
  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const float* a = inputs[0].F32();
    const float* b = inputs[1].F32();
    float* y = output.F32();
    const int64_t n = core::NumElements(output);
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
  }
};

}  // namespace

std::unique_ptr<Op> CreateAddOp() { return std::make_unique<AddOp>(); }

}  // namespace vigil::nn

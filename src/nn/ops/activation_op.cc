#include <cstring>
#include <string>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class ActivationOp final : public Op {
 public:
  explicit ActivationOp(kernels::Activation act) : act_(act) {}

  const char* Kind() const override { return "Activation"; }
  int NumInputs() const override { return 1; }
  bool AllowsInPlace() const override { return true; }
  bool CopiesUnlessInPlace() const override { return true; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override { return inputs[0]; }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const size_t n = static_cast<size_t>(core::NumElements(output));
    // Only when the planner could not run in place (the input is still needed, or the output
    // is bound to a caller buffer); counted as a copy in the plan statistics.
    if (inputs[0].data != output.data) std::memcpy(output.data, inputs[0].data, n * sizeof(float));
    kernels::ActivateF32(act_, output.F32(), n);
  }

 private:
  const kernels::Activation act_;
};

}  // namespace

Status CheckActivation(kernels::Activation act) {
  if (static_cast<uint32_t>(act) > static_cast<uint32_t>(kernels::Activation::kGelu)) {
    return Status::InvalidArgument("unknown activation " + std::to_string(static_cast<uint32_t>(act)));
  }
  return Status::OK();
}

Result<std::unique_ptr<Op>> CreateActivationOp(kernels::Activation act) {
  VIGIL_RETURN_IF_ERROR(CheckActivation(act));
  return std::unique_ptr<Op>(new ActivationOp(act));
}

}  // namespace vigil::nn

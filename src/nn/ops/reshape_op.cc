#include <string>
#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

class ReshapeOp final : public Op {
 public:
  explicit ReshapeOp(core::Shape shape) : shape_(shape) {}

  const char* Kind() const override { return "Reshape"; }
  int NumInputs() const override { return 1; }
  bool IsView() const override { return true; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const int64_t have = inputs[0].NumElements();
    core::Shape out = shape_;
    int64_t known = 1;
    int32_t infer = -1;
    for (int32_t i = 0; i < out.rank; ++i) {
      if (out.dims[i] == -1) {
        infer = i;
      } else {
        known *= out.dims[i];
      }
    }
    if (infer >= 0 && known > 0 && have % known == 0) out.dims[infer] = have / known;
    if (out.NumElements() != have) {
      return Status::InvalidArgument(OpError(*this, "cannot view input shape " + inputs[0].ToString() + " (" +
                                                        std::to_string(have) + " elements) as " +
                                                        shape_.ToString()));
    }
    return out;
  }

  void Run(std::span<const core::TensorView>, const core::TensorView&) const override {}

 private:
  const core::Shape shape_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateReshapeOp(std::span<const int64_t> sample_shape) {
  // The batch dim is prepended at plan time, so a sample has at most kMaxRank − 1 dims.
  if (sample_shape.size() + 1 > static_cast<size_t>(core::kMaxRank)) {
    return Status::InvalidArgument("Reshape: sample shape has " + std::to_string(sample_shape.size()) +
                                   " dims, at most " + std::to_string(core::kMaxRank - 1) + " allowed");
  }
  int inferred = 0;
  for (size_t i = 0; i < sample_shape.size(); ++i) {
    const int64_t d = sample_shape[i];
    if (d == -1) {
      ++inferred;
    } else if (d <= 0) {
      return Status::InvalidArgument("Reshape: dim " + std::to_string(i) + " is " + std::to_string(d) +
                                     "; dims must be positive or -1");
    }
  }
  if (inferred > 1) return Status::InvalidArgument("Reshape: at most one dim may be -1");
  return std::unique_ptr<Op>(new ReshapeOp(core::Shape::Of(sample_shape)));
}

}  // namespace vigil::nn

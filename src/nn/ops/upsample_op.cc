#include <cstring>
#include <string>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

// Nearest-neighbour upsampling along the length axis of a channels-last sample: every input
// row (all channels) is written `factor` times in a row.
class Upsample1DOp final : public Op {
 public:
  explicit Upsample1DOp(int64_t factor) : factor_(factor) {}

  const char* Kind() const override { return "Upsample1D"; }
  int NumInputs() const override { return 1; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& x = inputs[0];
    if (x.rank != 2) {
      return Status::InvalidArgument(
          OpError(*this, "input sample shape " + x.ToString() + " must be [length, channels]"));
    }
    return core::Shape::Of({x.dims[0] * factor_, x.dims[1]});
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const core::TensorView& x = inputs[0];
    const int64_t rows = x.shape.dims[0] * x.shape.dims[1];  // batch × length
    const int64_t channels = x.shape.dims[2];
    const size_t row_bytes = static_cast<size_t>(channels) * sizeof(float);
    const float* src = x.F32();
    float* dst = output.F32();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < factor_; ++j)
        std::memcpy(dst + (r * factor_ + j) * channels, src + r * channels, row_bytes);
    }
  }

 private:
  const int64_t factor_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateUpsample1DOp(int64_t factor) {
  if (factor < 1 || factor > 4096) {
    return Status::InvalidArgument("Upsample1D: factor=" + std::to_string(factor) + " must be in 1..4096");
  }
  return std::unique_ptr<Op>(new Upsample1DOp(factor));
}

}  // namespace vigil::nn

#include <string>
#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

// Direct (non-im2col) scalar convolution: correctness first; a packed SIMD path can replace
// Run later without changing the contract.
class Conv1DOp final : public Op {
 public:
  Conv1DOp(const Conv1DParams& p, std::vector<float> weights, std::vector<float> bias,
           kernels::Activation act)
      : p_(p), weights_(std::move(weights)), bias_(std::move(bias)), act_(act) {}

  const char* Kind() const override { return "Conv1D"; }
  int NumInputs() const override { return 1; }
  size_t WeightBytes() const override { return (weights_.size() + bias_.size()) * sizeof(float); }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& x = inputs[0];
    if (x.rank != 2) {
      return Status::InvalidArgument(
          OpError(*this, "input sample shape " + x.ToString() + " must be [length, channels]"));
    }
    if (x.dims[1] != p_.in_channels) {
      return Status::InvalidArgument(
          OpError(*this, "input sample shape " + x.ToString() + " has " + std::to_string(x.dims[1]) +
                             " channels, layer expects " + std::to_string(p_.in_channels)));
    }
    const int64_t span = p_.dilation * (p_.kernel - 1) + 1;
    const int64_t padded = x.dims[0] + 2 * p_.padding;
    if (padded < span) {
      return Status::InvalidArgument(OpError(
          *this, "input length " + std::to_string(x.dims[0]) + " + 2*padding " + std::to_string(p_.padding) +
                     " is shorter than the dilated kernel span " + std::to_string(span)));
    }
    return core::Shape::Of({(padded - span) / p_.stride + 1, p_.out_channels});
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const core::TensorView& x = inputs[0];
    const int64_t batch = x.shape.dims[0];
    const int64_t length = x.shape.dims[1];
    const int64_t cin = p_.in_channels;
    const int64_t cout = p_.out_channels;
    const int64_t out_length = output.shape.dims[1];
    const float* xd = x.F32();
    float* yd = output.F32();
    for (int64_t b = 0; b < batch; ++b) {
      const float* xb = xd + b * length * cin;
      for (int64_t t = 0; t < out_length; ++t) {
        float* y = yd + (b * out_length + t) * cout;
        for (int64_t o = 0; o < cout; ++o) {
          float sum = bias_.empty() ? 0.0f : bias_[o];
          const float* w = weights_.data() + o * p_.kernel * cin;
          for (int64_t k = 0; k < p_.kernel; ++k) {
            const int64_t src = t * p_.stride - p_.padding + k * p_.dilation;
            if (src < 0 || src >= length) continue;  // zero padding
            const float* xr = xb + src * cin;
            const float* wr = w + k * cin;
            for (int64_t c = 0; c < cin; ++c) sum += xr[c] * wr[c];
          }
          y[o] = sum;
        }
      }
    }
    if (act_ != kernels::Activation::kNone) {
      kernels::ActivateF32(act_, yd, static_cast<size_t>(core::NumElements(output)));
    }
  }

 private:
  const Conv1DParams p_;
  const std::vector<float> weights_;
  const std::vector<float> bias_;
  const kernels::Activation act_;
};

}  // namespace

Result<std::unique_ptr<Op>> CreateConv1DOp(const Conv1DParams& p, std::span<const float> weights,
                                           std::span<const float> bias, kernels::Activation act) {
  auto bad = [](const char* field, int64_t v, const char* rule) {
    return Status::InvalidArgument("Conv1D: " + std::string(field) + "=" + std::to_string(v) + " " + rule);
  };
  if (p.in_channels <= 0) return bad("in_channels", p.in_channels, "must be positive");
  if (p.out_channels <= 0) return bad("out_channels", p.out_channels, "must be positive");
  if (p.kernel <= 0) return bad("kernel", p.kernel, "must be positive");
  if (p.stride <= 0) return bad("stride", p.stride, "must be positive");
  if (p.dilation <= 0) return bad("dilation", p.dilation, "must be positive");
  if (p.padding < 0) return bad("padding", p.padding, "must not be negative");
  VIGIL_RETURN_IF_ERROR(CheckActivation(act));
  const size_t n_w = static_cast<size_t>(p.out_channels * p.kernel * p.in_channels);
  if (weights.size() != n_w) {
    return Status::InvalidArgument(
        "Conv1D: weights have " + std::to_string(weights.size()) +
        " values, expected out_channels*kernel*in_channels=" + std::to_string(n_w));
  }
  if (!bias.empty() && bias.size() != static_cast<size_t>(p.out_channels)) {
    return Status::InvalidArgument("Conv1D: bias has " + std::to_string(bias.size()) + " values, expected " +
                                   std::to_string(p.out_channels));
  }
  return std::unique_ptr<Op>(new Conv1DOp(p, std::vector<float>(weights.begin(), weights.end()),
                                          std::vector<float>(bias.begin(), bias.end()), act));
}

}  // namespace vigil::nn

#include <algorithm>
#include <string>
#include <vector>

#include "core/arena.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

// Runs on the packed Dense kernel: with channels-last input, the receptive field of output
// position t is `kernel` input rows; for dilation 1 and no padding in reach they are one
// contiguous run of kernel·in_channels floats, i.e. exactly the input row of a Dense layer
// whose weights are the [out, kernel·in] filter matrix. Those positions are read in place, all
// in one kernel call over overlapping rows; positions that reach the zero padding, and dilated
// kernels, first gather their receptive field into a scratch row. The scratch is sized at create time (Run never
// allocates); like every op, one instance serves one thread at a time (see graph.h).
class Conv1DOp final : public Op {
 public:
  Conv1DOp(const Conv1DParams& p, core::Arena owned, const PackedWeights& packed, kernels::Activation act)
      : p_(p), owned_(std::move(owned)), packed_(packed), act_(act),
        scratch_(static_cast<size_t>(p.kernel * p.in_channels)),
        quantized_(PackedDenseScratchBytes(packed.type, static_cast<size_t>(p.kernel * p.in_channels))) {}

  const char* Kind() const override { return "Conv1D"; }
  int NumInputs() const override { return 1; }
  size_t WeightBytes() const override { return packed_.bytes.size(); }

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
    const size_t fan_in = static_cast<size_t>(p_.kernel * cin);
    const float* xd = x.F32();
    float* yd = output.F32();
    const size_t cout_size = static_cast<size_t>(cout);
    // Positions whose receptive field lies inside the input (dilation 1) are one call over rows
    // stride·cin floats apart, so the kernel's multi-row tiles reuse each weight load.
    int64_t inner_begin = out_length, inner_end = out_length;
    if (p_.dilation == 1 && length >= p_.kernel) {
      inner_begin = std::min(out_length, (p_.padding + p_.stride - 1) / p_.stride);
      inner_end = std::min(out_length, (length - p_.kernel + p_.padding) / p_.stride + 1);
      if (inner_end < inner_begin) inner_end = inner_begin;
    }
    for (int64_t b = 0; b < batch; ++b) {
      const float* xb = xd + b * length * cin;
      float* yb = yd + b * out_length * cout;
      if (inner_end > inner_begin) {
        RunPackedDense(packed_, xb + (inner_begin * p_.stride - p_.padding) * cin,
                       static_cast<size_t>(p_.stride * cin), static_cast<size_t>(inner_end - inner_begin), fan_in,
                       cout_size, act_, yb + inner_begin * cout, quantized_.data());
      }
      for (int64_t t = 0; t < out_length; ++t) {
        if (t == inner_begin && inner_end > inner_begin) t = inner_end;
        if (t >= out_length) break;
        // The receptive field reaches the zero padding, or is dilated: gather it.
        const int64_t first = t * p_.stride - p_.padding;
        float* s = scratch_.data();
        for (int64_t k = 0; k < p_.kernel; ++k) {
          const int64_t src = first + k * p_.dilation;
          float* dst = s + k * cin;
          if (src < 0 || src >= length) {
            std::fill(dst, dst + cin, 0.0f);
          } else {
            std::copy(xb + src * cin, xb + (src + 1) * cin, dst);
          }
        }
        RunPackedDense(packed_, s, fan_in, 1, fan_in, cout_size, act_, yb + t * cout, quantized_.data());
      }
    }
  }

 private:
  const Conv1DParams p_;
  const core::Arena owned_;  // empty when the weights are borrowed
  const PackedWeights packed_;
  const kernels::Activation act_;
  mutable std::vector<float> scratch_;       // one receptive field
  mutable std::vector<uint8_t> quantized_;   // INT8 weights: quantized input rows
};

Status CheckConv1DParams(const Conv1DParams& p) {
  auto bad = [](const char* field, int64_t v, const char* rule) {
    return Status::InvalidArgument("Conv1D: " + std::string(field) + "=" + std::to_string(v) + " " + rule);
  };
  if (p.in_channels <= 0) return bad("in_channels", p.in_channels, "must be positive");
  if (p.out_channels <= 0) return bad("out_channels", p.out_channels, "must be positive");
  if (p.kernel <= 0) return bad("kernel", p.kernel, "must be positive");
  if (p.stride <= 0) return bad("stride", p.stride, "must be positive");
  if (p.dilation <= 0) return bad("dilation", p.dilation, "must be positive");
  if (p.padding < 0) return bad("padding", p.padding, "must not be negative");
  if (p.kernel * p.in_channels > (int64_t{1} << 24)) return bad("kernel*in_channels", p.kernel * p.in_channels, "is too large");
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Op>> CreateConv1DOp(const Conv1DParams& p, std::span<const float> weights,
                                           std::span<const float> bias, kernels::Activation act) {
  VIGIL_RETURN_IF_ERROR(CheckConv1DParams(p));
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
  // [out, kernel, in] row-major is the out × (kernel·in) matrix of a Dense layer.
  const size_t fan_in = static_cast<size_t>(p.kernel * p.in_channels);
  const size_t out = static_cast<size_t>(p.out_channels);
  std::vector<float> zeros;
  if (bias.empty()) zeros.assign(out, 0.0f);
  core::Arena packed;
  const size_t floats = kernels::PackedDenseFloats(fan_in, out);
  VIGIL_RETURN_IF_ERROR(packed.Allocate(floats * sizeof(float)));
  auto* dst = reinterpret_cast<float*>(packed.data());
  kernels::PackDense(weights.data(), bias.empty() ? zeros.data() : bias.data(), fan_in, out, dst);
  return std::unique_ptr<Op>(new Conv1DOp(p, std::move(packed), PackedWeights::F32({dst, floats}), act));
}

Result<std::unique_ptr<Op>> CreateConv1DOpFromPacked(const Conv1DParams& p, const PackedWeights& packed,
                                                     kernels::Activation act) {
  VIGIL_RETURN_IF_ERROR(CheckConv1DParams(p));
  VIGIL_RETURN_IF_ERROR(CheckActivation(act));
  VIGIL_RETURN_IF_ERROR(CheckPackedWeights("Conv1D", p.kernel * p.in_channels, p.out_channels, act, packed));
  return std::unique_ptr<Op>(new Conv1DOp(p, core::Arena(), packed, act));
}

}  // namespace vigil::nn

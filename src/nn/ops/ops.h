// Internal: factories for the ops a graph can hold. Each validates its parameters and weights
// and returns InvalidArgument naming the bad value.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "kernels/dense.h"
#include "nn/op.h"
#include "nn/ops/packed_weights.h"
#include "vigil/status.h"

namespace vigil::nn {

// How ReduceMeanSquaredError averages (a − b)² within one sample.
// Serialized in model files: values fixed forever, append only.
enum class ReduceAxes : uint32_t {
  kPerRow = 0,      // over every element of the sample → output sample shape [1]
  kPerChannel = 1,  // over all but the last dim → output sample shape [channels]
};

struct Conv1DParams {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;  // zeros added at both ends of the length axis
  int64_t dilation = 1;
};

// Dense over the last dim: [..., in] → [..., out]. weights row-major out × in; bias has `out`
// values or is empty (zeros). Packs the weights with kernels::PackDense.
Result<std::unique_ptr<Op>> CreateDenseOp(int64_t in, int64_t out, std::span<const float> weights,
                                          std::span<const float> bias, kernels::Activation act);

// 1-D convolution, channels-last: [length, in_channels] → [out_length, out_channels] per sample,
// out_length = (length + 2·padding − dilation·(kernel − 1) − 1) / stride + 1.
// weights are [out_channels, kernel, in_channels] row-major (so the innermost loop walks one
// input row contiguously); bias has out_channels values or is empty.
Result<std::unique_ptr<Op>> CreateConv1DOp(const Conv1DParams& params, std::span<const float> weights,
                                           std::span<const float> bias, kernels::Activation act);

// The same ops over weights already packed (packed_weights.h: FP32 or FP16, bias included; a
// Conv1D is packed as a Dense of kernel·in_channels inputs), BORROWED: nothing is copied and the
// caller keeps the bytes alive as long as the op (e.g. a memory-mapped model file).
// InvalidArgument from CheckPackedWeights.
Result<std::unique_ptr<Op>> CreateDenseOpFromPacked(int64_t in, int64_t out, const PackedWeights& packed,
                                                    kernels::Activation act);
Result<std::unique_ptr<Op>> CreateConv1DOpFromPacked(const Conv1DParams& params, const PackedWeights& packed,
                                                     kernels::Activation act);

// InvalidArgument for a value outside kernels::Activation (e.g. from a damaged model file).
Status CheckActivation(kernels::Activation act);

// Elementwise activation; may run in place.
Result<std::unique_ptr<Op>> CreateActivationOp(kernels::Activation act);
// Nearest-neighbour upsampling of a [length, channels] sample to [length·factor, channels]
// (each row repeated `factor` times). InvalidArgument for factor outside 1..4096.
Result<std::unique_ptr<Op>> CreateUpsample1DOp(int64_t factor);
// Elementwise a + b; both inputs have the same shape.
std::unique_ptr<Op> CreateAddOp();
// A view with a new sample shape of the same element count; one dim may be −1 (inferred).
Result<std::unique_ptr<Op>> CreateReshapeOp(std::span<const int64_t> sample_shape);
Result<std::unique_ptr<Op>> CreateReduceMeanSquaredErrorOp(ReduceAxes axes);

// Softmax over the last dim (numerically stable, kernels/softmax.h); may run in place.
std::unique_ptr<Op> CreateSoftmaxOp();
// Layer normalization over the last dim of size `dim` with gamma/beta (dim floats each, or empty
// for 1 / 0), kernels/layer_norm.h; may run in place. InvalidArgument for dim < 1, eps < 0 or
// wrong weight sizes.
Result<std::unique_ptr<Op>> CreateLayerNormOp(int64_t dim, std::span<const float> gamma, std::span<const float> beta,
                                              float eps);
// Batched matrix product of two inputs per sample: a [..., M, K] · b [..., K, N] → [..., M, N]
// (b [..., N, K] with transpose_b), the leading dims equal. InvalidArgument at shape inference
// when the inner dims or leading dims disagree.
std::unique_ptr<Op> CreateMatMulOp(bool transpose_b);
// Multi-head self-attention over a [length, dim] sample (nn/attention.h), length ≤ max_length
// (scratch is sized at create time), optionally causal. Errors from AttentionWeights::Create.
struct AttentionOpParams {
  int64_t dim = 0;
  int64_t heads = 1;
  int64_t max_length = 0;
  bool causal = false;
};
// A pre-norm transformer encoder block (nn/train/transformer_block.h) over [length, dim]
// samples, length ≤ max_length, from its flat FP32 parameters in BlockLayout order (copied and
// packed: nothing borrowed). InvalidArgument for a spec the block cannot have or a parameter
// count that does not match it.
struct TransformerBlockOpParams {
  int64_t dim = 0;
  int64_t heads = 1;
  int64_t hidden = 0;
  int64_t max_length = 0;
  float ln_eps = 1e-5f;
};
Result<std::unique_ptr<Op>> CreateTransformerBlockOp(const TransformerBlockOpParams& params,
                                                     std::span<const float> flat_params);
Result<std::unique_ptr<Op>> CreateSelfAttentionOp(const AttentionOpParams& params, std::span<const float> wq,
                                                  std::span<const float> wk, std::span<const float> wv,
                                                  std::span<const float> wo, std::span<const float> bq,
                                                  std::span<const float> bk, std::span<const float> bv,
                                                  std::span<const float> bo);

}  // namespace vigil::nn

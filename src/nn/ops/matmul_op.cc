#include <cstring>
#include <string>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

// Per sample and leading index: C[M, N] = A[M, K] · B[K, N] (or Bᵀ with B [N, K]). The k-outer,
// n-inner loop order keeps B and C rows contiguous (vectorized by the compiler); with Bᵀ each
// output is a dot product of two contiguous rows.
class MatMulOp final : public Op {
 public:
  explicit MatMulOp(bool transpose_b) : transpose_b_(transpose_b) {}

  const char* Kind() const override { return "MatMul"; }
  int NumInputs() const override { return 2; }

  Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const override {
    const core::Shape& a = inputs[0];
    const core::Shape& b = inputs[1];
    if (a.rank < 2 || a.rank != b.rank) {
      return Status::InvalidArgument(
          OpError(*this, "inputs " + a.ToString() + " and " + b.ToString() + " must both be [..., rows, cols]"));
    }
    for (int32_t i = 0; i + 2 < a.rank; ++i) {
      if (a.dims[i] != b.dims[i]) {
        return Status::InvalidArgument(
            OpError(*this, "leading dims of " + a.ToString() + " and " + b.ToString() + " differ"));
      }
    }
    const int64_t k_a = a.dims[a.rank - 1];
    const int64_t k_b = transpose_b_ ? b.dims[b.rank - 1] : b.dims[b.rank - 2];
    if (k_a != k_b) {
      return Status::InvalidArgument(OpError(*this, "inner dims differ: " + a.ToString() + " x " + b.ToString() +
                                                        (transpose_b_ ? "^T" : "")));
    }
    core::Shape c = a;
    c.dims[c.rank - 1] = transpose_b_ ? b.dims[b.rank - 2] : b.dims[b.rank - 1];
    return c;
  }

  void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const override {
    const core::Shape& as = inputs[0].shape;
    const int64_t m = as.dims[as.rank - 2], k = as.dims[as.rank - 1];
    const int64_t n = output.shape.dims[output.shape.rank - 1];
    const int64_t count = core::NumElements(output) / (m * n);
    const float* a = inputs[0].F32();
    const float* b = inputs[1].F32();
    float* c = output.F32();
    for (int64_t p = 0; p < count; ++p) {
      const float* ap = a + p * m * k;
      const float* bp = b + p * k * n;
      float* cp = c + p * m * n;
      for (int64_t i = 0; i < m; ++i) {
        float* ci = cp + i * n;
        if (transpose_b_) {
          for (int64_t j = 0; j < n; ++j) {
            float dot = 0;
            for (int64_t t = 0; t < k; ++t) dot += ap[i * k + t] * bp[j * k + t];
            ci[j] = dot;
          }
        } else {
          std::memset(ci, 0, static_cast<size_t>(n) * sizeof(float));
          for (int64_t t = 0; t < k; ++t) {
            const float av = ap[i * k + t];
            const float* bt = bp + t * n;
            for (int64_t j = 0; j < n; ++j) ci[j] += av * bt[j];
          }
        }
      }
    }
  }

 private:
  const bool transpose_b_;
};

}  // namespace

std::unique_ptr<Op> CreateMatMulOp(bool transpose_b) { return std::make_unique<MatMulOp>(transpose_b); }

}  // namespace vigil::nn

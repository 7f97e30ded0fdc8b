#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/arena.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

using kernels::Activation;

std::vector<float> RunConv(const Op& op, std::vector<float> x, const core::Shape& xs, const core::Shape& ys) {
  std::vector<float> y(static_cast<size_t>(ys.NumElements()), NAN);
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, xs);
  op.Run({&xv, 1}, core::ContiguousView(y.data(), core::DType::kF32, ys));
  return y;
}

TEST(Conv1DOpTest, MovingSumWithPaddingByHand) {
  // One channel, kernel [1, 1, 1], padding 1: y[t] = x[t-1] + x[t] + x[t+1] with zeros outside.
  Result<std::unique_ptr<Op>> op =
      CreateConv1DOp({1, 1, 3, 1, 1, 1}, std::vector<float>{1, 1, 1}, {}, Activation::kNone);
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  const core::Shape in[] = {core::Shape::Of({4, 1})};
  ASSERT_EQ((*op)->InferShape(in).value(), core::Shape::Of({4, 1}));
  EXPECT_EQ(RunConv(**op, {1, 2, 3, 4}, core::Shape::Of({1, 4, 1}), core::Shape::Of({1, 4, 1})),
            (std::vector<float>{3, 6, 9, 7}));
}

TEST(Conv1DOpTest, StrideDilationChannelsAndBiasByHand) {
  // 2 in channels → 1 out; kernel 2, dilation 2, stride 2: y[t] = Σ_c w[k][c]·x[2t + 2k][c] + b.
  // w[k=0] = [1, 0], w[k=1] = [0, 1] → y[t] = x[2t][0] + x[2t+2][1] + 0.5.
  Result<std::unique_ptr<Op>> op = CreateConv1DOp({2, 1, 2, 2, 0, 2}, std::vector<float>{1, 0, 0, 1},
                                                  std::vector<float>{0.5f}, Activation::kRelu);
  ASSERT_TRUE(op.ok());
  const core::Shape in[] = {core::Shape::Of({6, 2})};
  ASSERT_EQ((*op)->InferShape(in).value(), core::Shape::Of({2, 1}));  // (6 − 2 − 1) / 2 + 1
  // x rows (c0, c1): (1,10) (2,20) (3,30) (4,40) (5,50) (-9,-90)
  const std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, -9, -90};
  // t=0: x[0][0] + x[2][1] = 1 + 30 + .5; t=1: x[2][0] + x[4][1] = 3 + 50 + .5
  EXPECT_EQ(RunConv(**op, x, core::Shape::Of({1, 6, 2}), core::Shape::Of({1, 2, 1})),
            (std::vector<float>{31.5f, 53.5f}));
}

TEST(Conv1DOpTest, Errors) {
  EXPECT_EQ(
      CreateConv1DOp({1, 1, 3, 0, 0, 1}, std::vector<float>(3), {}, Activation::kNone).status().message(),
      "Conv1D: stride=0 must be positive");
  EXPECT_EQ(
      CreateConv1DOp({1, 1, 3, 1, -1, 1}, std::vector<float>(3), {}, Activation::kNone).status().message(),
      "Conv1D: padding=-1 must not be negative");
  EXPECT_EQ(
      CreateConv1DOp({2, 3, 3, 1, 0, 1}, std::vector<float>(17), {}, Activation::kNone).status().message(),
      "Conv1D: weights have 17 values, expected out_channels*kernel*in_channels=18");
  Result<std::unique_ptr<Op>> op =
      CreateConv1DOp({2, 3, 3, 1, 0, 1}, std::vector<float>(18), {}, Activation::kNone);
  ASSERT_TRUE(op.ok());
  const core::Shape flat[] = {core::Shape::Of({8})};
  EXPECT_EQ((*op)->InferShape(flat).status().message(),
            "Conv1D: input sample shape [8] must be [length, channels]");
}

}  // namespace
}  // namespace vigil::nn

namespace vigil::nn {
namespace {

// Direct definition in double for the sweep below.
std::vector<double> ReferenceConv(const Conv1DParams& p, const std::vector<float>& w, const std::vector<float>& b,
                                  const std::vector<float>& x, int64_t batch, int64_t length, int64_t out_length) {
  std::vector<double> y(static_cast<size_t>(batch * out_length * p.out_channels));
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t t = 0; t < out_length; ++t) {
      for (int64_t o = 0; o < p.out_channels; ++o) {
        double acc = b[o];
        for (int64_t k = 0; k < p.kernel; ++k) {
          const int64_t src = t * p.stride - p.padding + k * p.dilation;
          if (src < 0 || src >= length) continue;
          for (int64_t c = 0; c < p.in_channels; ++c) {
            acc += static_cast<double>(w[(o * p.kernel + k) * p.in_channels + c]) *
                   x[(n * length + src) * p.in_channels + c];
          }
        }
        y[(n * out_length + t) * p.out_channels + o] = std::max(acc, 0.0);  // ReLU
      }
    }
  }
  return y;
}

TEST(Conv1DOpTest, SweepMatchesTheDirectDefinitionAndPackedBorrowingMatchesOwned) {
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>(state >> 8) / 16777216.0f * 2.0f - 1.0f;
  };
  int cases = 0;
  for (int64_t kernel : {1, 3, 7}) {
    for (int64_t stride : {1, 2, 3}) {
      for (int64_t dilation : {1, 2}) {
        for (int64_t cin : {1, 5, 33}) {
          for (int64_t padding : {int64_t{0}, kernel / 2, kernel}) {
            const int64_t cout = (cin * 7 + kernel) % 19 + 1;
            const int64_t length = 23;
            const Conv1DParams p{cin, cout, kernel, stride, padding, dilation};
            std::vector<float> w(static_cast<size_t>(cout * kernel * cin)), b(static_cast<size_t>(cout));
            for (float& v : w) v = next();
            for (float& v : b) v = next();
            auto op = CreateConv1DOp(p, w, b, Activation::kRelu);
            ASSERT_TRUE(op.ok()) << op.status().message();
            const core::Shape in[] = {core::Shape::Of({length, cin})};
            auto ys = (*op)->InferShape(in);
            ASSERT_TRUE(ys.ok());
            const int64_t out_length = ys->dims[0];
            for (int64_t batch : {1, 3}) {
              std::vector<float> x(static_cast<size_t>(batch * length * cin));
              for (float& v : x) v = next();
              const std::vector<float> y = RunConv(**op, x, core::Shape::Of({batch, length, cin}),
                                                   core::Shape::Of({batch, out_length, cout}));
              const std::vector<double> ref = ReferenceConv(p, w, b, x, batch, length, out_length);
              for (size_t i = 0; i < ref.size(); ++i) {
                ASSERT_NEAR(y[i], ref[i], 1e-4) << "k" << kernel << " s" << stride << " d" << dilation << " c" << cin
                                                << " p" << padding << " b" << batch << " at " << i;
              }
            }
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 162);

  // Borrowed packed weights give the same outputs as the op that packed them itself.
  const Conv1DParams p{3, 5, 3, 2, 1, 1};
  std::vector<float> w(45), b(5);
  for (float& v : w) v = next();
  for (float& v : b) v = next();
  const size_t floats = kernels::PackedDenseFloats(9, 5);
  auto block = std::make_unique<core::Arena>();
  ASSERT_TRUE(block->Allocate(floats * sizeof(float) + 64).ok());
  auto* packed = reinterpret_cast<float*>(block->data());
  kernels::PackDense(w.data(), b.data(), 9, 5, packed);
  auto owned = CreateConv1DOp(p, w, b, Activation::kRelu);
  auto borrowed = CreateConv1DOpFromPacked(p, PackedWeights::F32({packed, floats}), Activation::kRelu);
  ASSERT_TRUE(owned.ok() && borrowed.ok()) << borrowed.status().message();
  EXPECT_EQ((*borrowed)->WeightBytes(), floats * sizeof(float));
  std::vector<float> x(2 * 10 * 3);
  for (float& v : x) v = next();
  EXPECT_EQ(RunConv(**owned, x, core::Shape::Of({2, 10, 3}), core::Shape::Of({2, 5, 5})),
            RunConv(**borrowed, x, core::Shape::Of({2, 10, 3}), core::Shape::Of({2, 5, 5})));
  EXPECT_EQ(CreateConv1DOpFromPacked(p, PackedWeights::F32({packed, floats - 1}), Activation::kRelu).status().message(),
            "Conv1D: packed f32 weights have " + std::to_string((floats - 1) * 4) + " bytes, expected " +
                std::to_string(floats * 4) + " for 9 inputs x 5 outputs");
  EXPECT_EQ(CreateConv1DOpFromPacked(p, PackedWeights::F32({packed + 1, floats}), Activation::kRelu).status().message(),
            "Conv1D: packed weights must be 64-byte aligned");
}

}  // namespace
}  // namespace vigil::nn

#include "nn/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "nn/train/backprop.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

// rows × 8 points on a fixed 2-D linear subspace of R^8.
std::vector<float> SubspaceData(int rows, uint64_t seed) {
  Prng rng(seed);
  float basis[8][2];
  for (auto& row : basis) {
    row[0] = rng.NextFloat() - 0.5f;
    row[1] = rng.NextFloat() - 0.5f;
  }
  std::vector<float> data(static_cast<size_t>(rows) * 8);
  for (int r = 0; r < rows; ++r) {
    const float a = 2.0f * rng.NextFloat() - 1.0f;
    const float b = 2.0f * rng.NextFloat() - 1.0f;
    for (int c = 0; c < 8; ++c) data[r * 8 + c] = basis[c][0] * a + basis[c][1] * b;
  }
  return data;
}

double MeanSquare(const std::vector<float>& v) {
  double s = 0.0;
  for (float x : v) s += static_cast<double>(x) * x;
  return s / static_cast<double>(v.size());
}

const MlpSpec kSpec{
    .input_dim = 8, .hidden = {16, 2, 16}, .output_dim = 8, .activation = Activation::kLeakyRelu};

TEST(TrainerTest, AutoencoderLearnsLinearSubspace) {
  const std::vector<float> data = SubspaceData(2000, 5);
  const double energy = MeanSquare(data);
  for (Activation act : {Activation::kRelu, Activation::kLeakyRelu}) {
    SCOPED_TRACE(static_cast<int>(act));
    MlpSpec spec = kSpec;
    spec.activation = act;
    TrainOptions opt{.epochs = 40, .batch_size = 32, .learning_rate = 3e-3f, .seed = 1, .patience = 0};
    Result<TrainResult> r = Train(spec, data, 2000, 8, opt);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->history.size(), 40u);
    const double first = r->history.front().train_loss;
    const double best_val = r->history[static_cast<size_t>(r->best_epoch - 1)].validation_loss;
    EXPECT_LT(r->history.back().train_loss, 0.01 * first);
    // The data has 2 degrees of freedom and the bottleneck 2 units: nearly all of it comes back.
    EXPECT_LT(best_val, 0.002 * energy) << "energy " << energy << " best val " << best_val;
    EXPECT_FALSE(r->stopped_early);
  }
}

TEST(TrainerTest, SameSeedBitIdenticalDifferentSeedDiffers) {
  const std::vector<float> data = SubspaceData(300, 6);
  TrainOptions opt{.epochs = 3, .batch_size = 16, .seed = 42};
  Result<TrainResult> a = Train(kSpec, data, 300, 8, opt);
  Result<TrainResult> b = Train(kSpec, data, 300, 8, opt);
  opt.seed = 43;
  Result<TrainResult> c = Train(kSpec, data, 300, 8, opt);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  for (size_t l = 0; l < a->params.layers.size(); ++l) {
    EXPECT_EQ(a->params.layers[l].weights, b->params.layers[l].weights) << l;
    EXPECT_EQ(a->params.layers[l].bias, b->params.layers[l].bias) << l;
  }
  EXPECT_EQ(a->history.back().train_loss, b->history.back().train_loss);
  EXPECT_NE(a->params.layers[0].weights, c->params.layers[0].weights);
}

// Validation loss as the trainer computes it: last rows, in chunks of the batch size.
double LastRowsLoss(const MlpParams& p, const std::vector<float>& data, int rows, int val_rows, int chunk) {
  MlpWorkspace ws;
  double weighted = 0.0;
  for (int r = rows - val_rows; r < rows; r += chunk) {
    const int n = std::min(chunk, rows - r);
    weighted += MseLoss(p, data.data() + r * 8, data.data() + r * 8, n, &ws) * n;
  }
  return weighted / val_rows;
}

TEST(TrainerTest, EarlyStoppingRestoresBestEpoch) {
  const std::vector<float> data = SubspaceData(400, 7);
  // A large step makes the validation loss bounce, so patience 2 ends the run early.
  TrainOptions opt{.epochs = 200,
                   .batch_size = 8,
                   .learning_rate = 0.05f,
                   .seed = 3,
                   .validation_fraction = 0.25,
                   .patience = 2};
  Result<TrainResult> r = Train(kSpec, data, 400, 8, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->stopped_early);
  EXPECT_EQ(r->history.size(), static_cast<size_t>(r->best_epoch + 2));
  double best = std::numeric_limits<double>::infinity();
  for (const EpochStats& e : r->history) best = std::min(best, e.validation_loss);
  EXPECT_EQ(r->history[static_cast<size_t>(r->best_epoch - 1)].validation_loss, best);
  // The returned weights are that epoch's, not the last epoch's (ForwardMlp runs the trainer's
  // passes, so the loss is bit-identical).
  EXPECT_EQ(LastRowsLoss(r->params, data, 400, 100, 8), best);
  EXPECT_LT(best, r->history.back().validation_loss);
}

TEST(TrainerTest, ValidationSliceIsTheLastRows) {
  // 160 rows near zero, then 40 rows of 5: trained only on the first, the net cannot
  // reconstruct the last, so their loss stays large while the training loss falls.
  std::vector<float> data(200 * 8);
  Prng rng(8);
  for (int r = 0; r < 200; ++r) {
    for (int c = 0; c < 8; ++c) data[r * 8 + c] = r < 160 ? 0.01f * (rng.NextFloat() - 0.5f) : 5.0f;
  }
  TrainOptions opt{.epochs = 10,
                   .batch_size = 16,
                   .learning_rate = 1e-3f,
                   .seed = 2,
                   .validation_fraction = 0.2,
                   .patience = 0};
  Result<TrainResult> r = Train(kSpec, data, 200, 8, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const EpochStats& e : r->history) {
    EXPECT_GT(e.validation_loss, 5.0) << e.epoch;
    EXPECT_LT(e.train_loss, 1.0) << e.epoch;
  }
  const double best = r->history[static_cast<size_t>(r->best_epoch - 1)].validation_loss;
  EXPECT_EQ(LastRowsLoss(r->params, data, 200, 40, 16), best);
}

TEST(TrainerTest, ProgressCallbackSeesEveryEpoch) {
  const std::vector<float> data = SubspaceData(100, 9);
  std::vector<EpochStats> seen;
  TrainOptions opt{.epochs = 4, .batch_size = 10, .validation_fraction = 0.0, .patience = 0};
  opt.progress = [&](int epoch, double train, double val, double seconds) {
    seen.push_back({epoch, train, val, seconds});
  };
  Result<TrainResult> r = Train(kSpec, data, 100, 8, opt);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(seen.size(), 4u);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(seen[k].epoch, static_cast<int>(k + 1));
    EXPECT_EQ(seen[k].train_loss, r->history[k].train_loss);
    EXPECT_TRUE(std::isnan(seen[k].validation_loss));  // nothing held out
    EXPECT_GE(seen[k].seconds, 0.0);
  }
}

void ExpectError(const Result<TrainResult>& r, StatusCode code, const std::string& text) {
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().message();
}

TEST(TrainerTest, InputErrorsAreClear) {
  std::vector<float> data = SubspaceData(50, 10);
  const TrainOptions ok{.epochs = 1};
  ExpectError(Train(kSpec, data, 50, 7, ok), StatusCode::kInvalidArgument, "must both equal the data dim 7");
  ExpectError(Train(kSpec, data, 49, 8, ok), StatusCode::kInvalidArgument,
              "data has 400 values, expected rows × dim = 49 × 8");
  ExpectError(Train(kSpec, data, 0, 8, ok), StatusCode::kInvalidArgument, "rows = 0");
  ExpectError(Train(kSpec, data, 50, 8, {.epochs = 0}), StatusCode::kInvalidArgument, "epochs = 0");
  ExpectError(Train(kSpec, data, 50, 8, {.batch_size = 0}), StatusCode::kInvalidArgument, "batch_size = 0");
  ExpectError(Train(kSpec, data, 50, 8, {.learning_rate = -1.0f}), StatusCode::kInvalidArgument,
              "learning_rate = -1");
  ExpectError(Train(kSpec, data, 50, 8, {.validation_fraction = 1.0}), StatusCode::kInvalidArgument,
              "validation_fraction = 1.0");
  ExpectError(Train(kSpec, data, 50, 8, {.validation_fraction = 0.01}), StatusCode::kInvalidArgument,
              "holds out no row");
  ExpectError(Train(kSpec, data, 50, 8, {.patience = -1}), StatusCode::kInvalidArgument, "patience = -1");
  MlpSpec bad = kSpec;
  bad.hidden[1] = 0;
  ExpectError(Train(bad, data, 50, 8, ok), StatusCode::kInvalidArgument, "MlpSpec.hidden[1] = 0");
  data[13 * 8 + 5] = std::numeric_limits<float>::quiet_NaN();
  ExpectError(Train(kSpec, data, 50, 8, ok), StatusCode::kDataError, "row 13 column 5 is nan");
}

TEST(TrainerTest, OverflowingLossIsReportedAsDivergence) {
  // Finite inputs whose reconstruction overflows float: the loss is not finite.
  std::vector<float> data(20 * 8, 3.0e38f);
  ExpectError(Train(kSpec, data, 20, 8, {.epochs = 2, .validation_fraction = 0.0}), StatusCode::kDataError,
              "training diverged");
}

}  // namespace
}  // namespace vigil::nn::train

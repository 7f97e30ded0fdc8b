#include "nn/train/net_trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/train/net_backprop.h"

namespace vigil::nn::train {
namespace {

using kernels::Activation;

// Windows of 16 frames × 2 channels of two phase-shifted sines.
std::vector<float> Windows(int rows) {
  std::vector<float> x(static_cast<size_t>(rows) * 32);
  for (int r = 0; r < rows; ++r) {
    for (int t = 0; t < 16; ++t) {
      x[r * 32 + t * 2] = std::sin(0.4f * static_cast<float>(r + t));
      x[r * 32 + t * 2 + 1] = std::cos(0.4f * static_cast<float>(r + t));
    }
  }
  return x;
}

const NetSpec kConvAe{{16, 2},
                      {{.kind = LayerKind::kConv1D,
                        .out = 6,
                        .kernel = 3,
                        .stride = 2,
                        .padding = 1,
                        .activation = Activation::kRelu},
                       {.kind = LayerKind::kUpsample1D, .factor = 2},
                       {.kind = LayerKind::kConv1D, .out = 2, .kernel = 3, .padding = 1}}};

TEST(NetTrainerTest, ConvAutoencoderLearnsAndIsDeterministic) {
  std::vector<float> data = Windows(120);
  TrainOptions opt{.epochs = 30,
                   .batch_size = 8,
                   .learning_rate = 1e-2f,
                   .seed = 4,
                   .validation_fraction = 0.2,
                   .patience = 0};
  auto a = TrainNet(kConvAe, data, 120, opt);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_LT(a->history.back().train_loss, 0.25 * a->history.front().train_loss);
  EXPECT_TRUE(std::isfinite(a->history.back().validation_loss));
  auto b = TrainNet(kConvAe, data, 120, opt);
  ASSERT_TRUE(b.ok());
  for (size_t l = 0; l < a->params.layers.size(); ++l)
    EXPECT_EQ(a->params.layers[l].weights, b->params.layers[l].weights);
  EXPECT_EQ(a->best_epoch, b->best_epoch);
}

TEST(NetTrainerTest, RejectsNetsThatDoNotReconstructTheirInput) {
  NetSpec squeeze{{16, 2}, {{.kind = LayerKind::kConv1D, .out = 2, .kernel = 3, .stride = 2, .padding = 1}}};
  std::vector<float> data = Windows(20);
  auto r = TrainNet(squeeze, data, 20, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "autoencoder output has 16 values per sample, the input 32");
  auto short_data = TrainNet(kConvAe, std::span<const float>(data).subspan(1), 20, {});
  EXPECT_FALSE(short_data.ok());
}

TEST(NetTrainerTest, NonFiniteDataNamesTheSampleAndValue) {
  std::vector<float> data = Windows(20);
  data[5 * 32 + 7] = NAN;
  auto r = TrainNet(kConvAe, data, 20, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataError);
  EXPECT_EQ(r.status().message(), "training data row 5 column 7 is nan; every value must be finite");
}

TEST(NetTrainerTest, EarlyStoppingReturnsTheBestEpochsWeights) {
  std::vector<float> data = Windows(60);
  TrainOptions opt{.epochs = 200,
                   .batch_size = 4,
                   .learning_rate = 0.05f,
                   .seed = 1,
                   .validation_fraction = 0.25,
                   .patience = 2};
  int calls = 0;
  opt.progress = [&](int epoch, double, double, double) { EXPECT_EQ(epoch, ++calls); };
  auto r = TrainNet(kConvAe, data, 60, opt);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->stopped_early);
  EXPECT_EQ(calls, static_cast<int>(r->history.size()));
  EXPECT_EQ(r->history.size(), static_cast<size_t>(r->best_epoch + 2));
  // The returned weights reproduce the best epoch's validation loss exactly (last 15 windows,
  // in chunks of the batch size as the trainer computes it).
  NetWorkspace ws;
  double weighted = 0.0;
  for (int first = 45; first < 60; first += 4) {
    const int n = std::min(4, 60 - first);
    const float* x = data.data() + first * 32;
    weighted += NetMseLoss(r->params, x, x, static_cast<size_t>(n), &ws) * n;
  }
  EXPECT_EQ(weighted / 15, r->history[static_cast<size_t>(r->best_epoch - 1)].validation_loss);
}

}  // namespace
}  // namespace vigil::nn::train

#include "nn/train/net_trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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
                      {{.kind = LayerKind::kConv1D, .out = 6, .kernel = 3, .stride = 2, .padding = 1, .activation = Activation::kRelu},
                       {.kind = LayerKind::kUpsample1D, .factor = 2},
                       {.kind = LayerKind::kConv1D, .out = 2, .kernel = 3, .padding = 1}}};

TEST(NetTrainerTest, ConvAutoencoderLearnsAndIsDeterministic) {
  std::vector<float> data = Windows(120);
  TrainOptions opt{.epochs = 30, .batch_size = 8, .learning_rate = 1e-2f, .seed = 4, .validation_fraction = 0.2, .patience = 0};
  auto a = TrainNet(kConvAe, data, 120, opt);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_LT(a->history.back().train_loss, 0.25 * a->history.front().train_loss);
  EXPECT_TRUE(std::isfinite(a->history.back().validation_loss));
  auto b = TrainNet(kConvAe, data, 120, opt);
  ASSERT_TRUE(b.ok());
  for (size_t l = 0; l < a->params.layers.size(); ++l) EXPECT_EQ(a->params.layers[l].weights, b->params.layers[l].weights);
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

}  // namespace
}  // namespace vigil::nn::train

#include "detect/autoencoder_arch.h"

#include <gtest/gtest.h>

namespace vigil::detect {
namespace {

using nn::train::LayerKind;

TEST(AutoencoderArchTest, AeMirrorsTheEncoderIntoTheMlperfNetwork) {
  DetectorOptions o;
  o.ae_hidden = {128, 128, 128, 128, 8};
  auto spec = AutoencoderSpec(DetectorKind::kAutoencoder, o, 80, 8);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->input_shape, (std::vector<int64_t>{640}));
  std::vector<int64_t> widths;
  for (const auto& l : spec->layers) {
    EXPECT_EQ(l.kind, LayerKind::kDense);
    widths.push_back(l.out);
  }
  EXPECT_EQ(widths, (std::vector<int64_t>{128, 128, 128, 128, 8, 128, 128, 128, 128, 640}));
  for (size_t i = 0; i + 1 < spec->layers.size(); ++i) EXPECT_EQ(spec->layers[i].activation, kernels::Activation::kRelu);
  EXPECT_EQ(spec->layers.back().activation, kernels::Activation::kNone);
}

TEST(AutoencoderArchTest, ConvAeHalvesThenUpsamplesBackToTheInput) {
  DetectorOptions o;
  o.conv_channels = {32, 16};
  o.conv_kernel = 7;
  auto spec = AutoencoderSpec(DetectorKind::kConvAutoencoder, o, 64, 8);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->input_shape, (std::vector<int64_t>{64, 8}));
  ASSERT_EQ(spec->layers.size(), 6u);
  const LayerKind kinds[] = {LayerKind::kConv1D,     LayerKind::kConv1D,     LayerKind::kUpsample1D,
                             LayerKind::kConv1D,     LayerKind::kUpsample1D, LayerKind::kConv1D};
  const int64_t outs[] = {32, 16, 0, 32, 0, 8};
  const int64_t strides[] = {2, 2, 1, 1, 1, 1};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(spec->layers[i].kind, kinds[i]) << i;
    if (kinds[i] == LayerKind::kConv1D) {
      EXPECT_EQ(spec->layers[i].out, outs[i]) << i;
      EXPECT_EQ(spec->layers[i].stride, strides[i]) << i;
      EXPECT_EQ(spec->layers[i].kernel, 7) << i;
      EXPECT_EQ(spec->layers[i].padding, 3) << i;
    } else {
      EXPECT_EQ(spec->layers[i].factor, 2) << i;
    }
  }
  EXPECT_EQ(spec->layers.back().activation, kernels::Activation::kNone);
}

TEST(AutoencoderArchTest, BadOptionsNameTheProblem) {
  DetectorOptions o;
  auto msg = [](const Result<nn::train::NetSpec>& r) { return r.ok() ? std::string("ok") : r.status().message(); };
  o.conv_kernel = 4;
  EXPECT_NE(msg(AutoencoderSpec(DetectorKind::kConvAutoencoder, o, 64, 8)).find("kernel must be odd"),
            std::string::npos);
  o.conv_kernel = 7;
  EXPECT_NE(msg(AutoencoderSpec(DetectorKind::kConvAutoencoder, o, 30, 8)).find("multiple of 4"), std::string::npos);
  o.ae_hidden = {};
  EXPECT_NE(msg(AutoencoderSpec(DetectorKind::kAutoencoder, o, 10, 8)).find("ae hidden"), std::string::npos);
  o.ae_hidden = {16, 0};
  EXPECT_NE(msg(AutoencoderSpec(DetectorKind::kAutoencoder, o, 10, 8)).find("widths must be in"), std::string::npos);
  EXPECT_FALSE(AutoencoderSpec(DetectorKind::kPca, o, 10, 8).ok());
}

}  // namespace
}  // namespace vigil::detect

// Forward and reverse-mode passes of a sequential network (net.h) on one mini-batch, with
// the mean squared error loss of backprop.h (Σ (y − target)² over batch · output elements).
//
//   train::NetWorkspace ws;
//   train::NetGradients grads;
//   double loss = train::NetMseLossAndGradients(params, x, target, batch, &ws, &grads);
//
// Conv1D runs as im2col (each output position's receptive field copied into one row, zeros
// for padding) followed by a matrix product, so Dense and Conv1D share gemm.h (SIMD, dispatched
// at run time); the backward pass scatters the im2col gradient back (col2im). Upsample1D
// repeats rows forward and sums them backward. Per output element every sum runs in a fixed
// order, so results are bit-identical across re-runs, and across machines that dispatch to
// targets with the same GemmF32Fuses() (every AVX2 or AVX-512 x86-64, say).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nn/train/net.h"
#include "nn/train/transformer_block.h"

namespace vigil::nn::train {

struct NetGradients {
  std::vector<std::vector<float>> weights{};  // per layer, shaped like the params (empty for Upsample1D)
  std::vector<std::vector<float>> bias{};
};

// Buffers reused across calls; everything grows only when a larger batch or model arrives.
// Product operands are zero-padded to GemmWidth columns (gemm.h).
struct NetWorkspace {
  std::vector<std::vector<float>> pre;   // per layer: batch × out elements, before the activation
  std::vector<std::vector<float>> post;  // after it
  // Per Dense/Conv1D layer: the layer's input as product rows, batch·out_length × GemmWidth(fan_in)
  // (im2col for Conv1D; unused for a Dense layer whose fan_in is already a valid width).
  std::vector<std::vector<float>> col;
  std::vector<std::vector<float>> wt;    // per layer: fan_in × GemmWidth(out) transposed weights
  std::vector<std::vector<float>> bias;  // per layer: GemmWidth(out) bias
  std::vector<float> w_padded;           // out × GemmWidth(fan_in) weights for the input gradient
  std::vector<float> scratch;            // product output when a width is padded
  std::vector<float> delta, delta_prev;  // dL/d(layer output), dL/d(layer input)
  // Per TransformerBlock layer and sample: what its backward pass needs.
  std::vector<std::vector<BlockCache<float>>> block;
};

// Runs the network on `batch` samples of x; returns the output (batch × output elements),
// valid until the workspace is used again. params must pass ValidateNetParams.
std::span<const float> ForwardNet(const NetParams& params, const float* x, size_t batch, NetWorkspace* ws);

double NetMseLoss(const NetParams& params, const float* x, const float* target, size_t batch,
                  NetWorkspace* ws);

// Forward, loss, and the gradient of the loss for every weight and bias (grads is resized and
// overwritten). Returns the loss.
double NetMseLossAndGradients(const NetParams& params, const float* x, const float* target, size_t batch,
                              NetWorkspace* ws, NetGradients* grads);

}  // namespace vigil::nn::train

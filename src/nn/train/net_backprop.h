// Forward and reverse-mode passes of a sequential network (net.h) on one mini-batch, with
// the mean squared error loss of backprop.h (Σ (y − target)² over batch · output elements).
//
//   train::NetWorkspace ws;
//   train::NetGradients grads;
//   double loss = train::NetMseLossAndGradients(params, x, target, batch, &ws, &grads);
//
// Conv1D runs as im2col (each output position's receptive field copied into one row, zeros
// for padding) followed by a matrix product, so Dense and Conv1D share gemm.h; the backward
// pass scatters the im2col gradient back (col2im). Upsample1D repeats rows forward and sums
// them backward. The workspace grows only when a larger batch or model arrives.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nn/train/net.h"

namespace vigil::nn::train {

struct NetGradients {
  std::vector<std::vector<float>> weights{};  // per layer, shaped like the params (empty for Upsample1D)
  std::vector<std::vector<float>> bias{};
};

struct NetWorkspace {
  std::vector<std::vector<float>> pre;         // per layer: batch × out elements, before the activation
  std::vector<std::vector<float>> post;        // after it
  std::vector<std::vector<float>> col;         // per Conv1D layer: im2col rows
  std::vector<std::vector<float>> transposed;  // per layer: fan_in × out weights
  std::vector<float> delta, delta_prev, dcol;
};

// Runs the network on `batch` samples of x; returns the output (batch × output elements),
// valid until the workspace is used again. params must pass ValidateNetParams.
std::span<const float> ForwardNet(const NetParams& params, const float* x, size_t batch, NetWorkspace* ws);

double NetMseLoss(const NetParams& params, const float* x, const float* target, size_t batch, NetWorkspace* ws);

// Forward, loss, and the gradient of the loss for every weight and bias (grads is resized and
// overwritten). Returns the loss.
double NetMseLossAndGradients(const NetParams& params, const float* x, const float* target, size_t batch,
                              NetWorkspace* ws, NetGradients* grads);

}  // namespace vigil::nn::train

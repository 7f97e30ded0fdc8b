// libtorch peer of bench/mlperf_ae_peers_bench: the network as at::linear + at::relu, the ops
// torch::nn::Linear and torch::nn::ReLU run (without the module call overhead), under
// c10::InferenceMode with one intra-op and one inter-op thread.
//
//   torch_peer WEIGHTS.vpw INPUT.bin [--iters-b1 N] [--iters-b64 N] [--reps R]
//
// Command line and output: bench/peers/peer_runner.h. ATen only (not torch/torch.h) keeps the
// compile to a fraction of a minute; the ops are the same.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cstdio>
#include <string>
#include <vector>

#include "peer_runner.h"
#include "peer_weights.h"

int main(int argc, char** argv) {
  vigil::bench::RunnerArgs args;
  if (!vigil::bench::ParseRunnerArgs(argc, argv, "torch_peer", &args)) return 2;
  vigil::bench::PeerNet net;
  std::string error;
  if (!vigil::bench::ReadPeerNet(args.model, &net, &error)) {
    std::fprintf(stderr, "torch_peer: %s\n", error.c_str());
    return 1;
  }
  std::vector<float> x = vigil::bench::ReadInputRows(args.input, net.sizes[0], vigil::bench::kPeerMaxBatch);
  if (x.empty()) {
    std::fprintf(stderr, "torch_peer: %s: fewer than 64 input rows\n", args.input.c_str());
    return 1;
  }
  at::set_num_threads(1);
  at::set_num_interop_threads(1);
  c10::InferenceMode inference;

  const int layers = net.num_layers();
  std::vector<at::Tensor> w(layers), b(layers);
  for (int l = 0; l < layers; ++l) {
    // clone(): the tensors own their weights, as a loaded model's parameters would.
    w[l] = at::from_blob(const_cast<float*>(net.weights(l)), {net.sizes[l + 1], net.sizes[l]}).clone();
    b[l] = at::from_blob(const_cast<float*>(net.bias(l)), {net.sizes[l + 1]}).clone();
  }
  const std::string version = std::to_string(TORCH_VERSION_MAJOR) + "." +
                              std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH);
  for (int batch : {1, vigil::bench::kPeerMaxBatch}) {
    const at::Tensor input = at::from_blob(x.data(), {batch, net.sizes[0]}).clone();
    at::Tensor y;
    const double us = vigil::bench::TimeCalls(args.Iters(batch), args.reps, [&] {
      at::Tensor h = input;
      for (int l = 0; l < layers; ++l) {
        h = at::linear(h, w[l], b[l]);
        if (l + 1 < layers) h = at::relu(h);
      }
      y = h;
    });
    const at::Tensor out = y.contiguous();
    vigil::bench::PrintTiming("libtorch", version, batch, us,
                              vigil::bench::Checksum(out.data_ptr<float>(), out.numel()));
  }
  return 0;
}

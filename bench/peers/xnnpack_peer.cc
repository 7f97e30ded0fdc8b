// XNNPACK peer of bench/mlperf_ae_peers_bench: the network as a chain of
// xnn_create_fully_connected_nc_f32 operators (ReLU fused as the [0, +inf) output clamp), run
// without a threadpool, i.e. on the calling thread only.
//
//   xnnpack_peer WEIGHTS.vpw INPUT.bin [--iters-b1 N] [--iters-b64 N] [--reps R]
//
// Command line and output: bench/peers/peer_runner.h. Operators are created once (XNNPACK
// packs the weights then) and set up once per batch size, so a timed call is only the
// xnn_run_operator chain. XNNPACK may read up to XNN_EXTRA_BYTES past the end of an operator's
// input, so every buffer carries that much slack.
#include <xnnpack.h>

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "peer_runner.h"
#include "peer_weights.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "xnnpack_peer: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  vigil::bench::RunnerArgs args;
  if (!vigil::bench::ParseRunnerArgs(argc, argv, "xnnpack_peer", &args)) return 2;
  vigil::bench::PeerNet net;
  std::string error;
  if (!vigil::bench::ReadPeerNet(args.model, &net, &error)) return Fail(error);
  const int max_batch = vigil::bench::kPeerMaxBatch;
  const size_t slack = XNN_EXTRA_BYTES / sizeof(float) + 1;
  std::vector<float> x = vigil::bench::ReadInputRows(args.input, net.sizes[0], max_batch);
  if (x.empty()) return Fail(args.input + ": fewer than 64 input rows");
  x.resize(x.size() + slack);
  if (xnn_initialize(nullptr) != xnn_status_success) return Fail("xnn_initialize failed");

  const int layers = net.num_layers();
  std::vector<xnn_operator_t> ops(layers, nullptr);
  std::vector<std::vector<float>> act(layers);
  const float inf = std::numeric_limits<float>::infinity();
  for (int l = 0; l < layers; ++l) {
    const size_t in = static_cast<size_t>(net.sizes[l]), out = static_cast<size_t>(net.sizes[l + 1]);
    // The default kernel layout is [output_channels, input_channels]: the file's W as it is.
    if (xnn_create_fully_connected_nc_f32(in, out, in, out, net.weights(l), net.bias(l),
                                          l + 1 < layers ? 0.0f : -inf, inf, /*flags=*/0,
                                          &ops[l]) != xnn_status_success) {
      return Fail("xnn_create_fully_connected_nc_f32 failed for layer " + std::to_string(l));
    }
    act[l].assign(max_batch * out + slack, 0.0f);
  }

  for (int batch : {1, max_batch}) {
    for (int l = 0; l < layers; ++l) {
      const float* input = l == 0 ? x.data() : act[l - 1].data();
      if (xnn_setup_fully_connected_nc_f32(ops[l], batch, input, act[l].data(), /*threadpool=*/nullptr) !=
          xnn_status_success) {
        return Fail("xnn_setup_fully_connected_nc_f32 failed for layer " + std::to_string(l));
      }
    }
    bool ok = true;
    const double us = vigil::bench::TimeCalls(args.Iters(batch), args.reps, [&] {
      for (xnn_operator_t op : ops) ok &= xnn_run_operator(op, nullptr) == xnn_status_success;
    });
    if (!ok) return Fail("xnn_run_operator failed");
    vigil::bench::PrintTiming("xnnpack", "", batch, us,
                              vigil::bench::Checksum(act.back().data(), batch * net.sizes.back()));
  }
  for (xnn_operator_t op : ops) xnn_delete_operator(op);
  xnn_deinitialize();
  return 0;
}

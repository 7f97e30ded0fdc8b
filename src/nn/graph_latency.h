// Times a network's inference graph the way `vigil bench` reports it (in the spirit of
// TFLite's benchmark_model): per-run latency percentiles, throughput, and the plan's memory
// figures.
//
//   nn::LatencyOptions opt{.batch = 1, .iterations = 2000};
//   VIGIL_ASSIGN_OR_RETURN(nn::LatencyReport r, nn::MeasureGraphLatency(net, opt));
//   printf("p50 %.2f us\n", r.p50_us);
//
// Inputs are standard-normal values from a fixed seed (the standardized units the detectors
// feed in), bound in place like the detectors do, so the plan's copies are what a detector
// pays. With threads > 1 the batch is split into `threads` contiguous slices, each run by its
// own graph on its own thread; one iteration is timed from release to the last slice done.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/packed_net.h"
#include "vigil/status.h"

namespace vigil::nn {

struct LatencyOptions {
  int64_t batch = 1;
  int64_t iterations = 1000;
  int64_t warmup = 100;
  int threads = 1;
  // 0: the whole network; k: only its first k layers (PackedNet::BuildGraph(k)), so that
  // differences of consecutive prefixes time single layers where they run in the network.
  size_t layer_count = 0;
};

struct LatencyReport {
  int64_t batch = 0;
  int threads = 0;
  int64_t iterations = 0;
  double p50_us = 0;  // per run of the whole batch
  double p99_us = 0;
  double mean_us = 0;
  double min_us = 0;
  double per_inference_us = 0;   // p50 / batch
  double inferences_per_s = 0;   // batch / mean
  size_t arena_bytes = 0;        // over all threads' graphs
  size_t weight_bytes = 0;       // shared by the threads
  size_t bytes_moved_per_run = 0;  // inputs + weights + outputs of every op, one run
  int copies_per_run = 0;
};

// InvalidArgument for batch < 1, iterations < 1, warmup < 0, threads outside 1..64 or more
// threads than batch rows; errors from building or planning the graph.
Result<LatencyReport> MeasureGraphLatency(const PackedNet& net, const LatencyOptions& options);

}  // namespace vigil::nn

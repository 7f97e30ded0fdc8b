// Single-core streaming read probe, the denominator of "how close to the memory floor".
//
//   float sink = 0;
//   const double bytes = StreamRead(weights, n, &sink);   // time this call; bytes / seconds
//
// A batch-1 dense layer uses every weight exactly once, so it cannot run faster than the cache
// or memory level holding the weights can deliver them; timing a plain read of the same buffers
// measures that bound on the machine at hand (bench/dense_ae_bench.cc prints it beside the FMA
// floor of fma_peak.h).
//
// Contract: reads data[0, n) exactly once with the widest vectors the CPU supports (Highway
// dynamic dispatch; no alignment or padding needed), never writes it, never allocates. `sink`
// receives the sum of the values (summed in an unspecified order) so the reads are not elided.
// Thread-safe.
#pragma once

#include <cstddef>

namespace vigil::kernels {

// Returns the bytes read (n · sizeof(float)).
double StreamRead(const float* data, size_t n, float* sink);

// Name of the Highway target StreamRead dispatches to.
const char* StreamReadTargetName();

}  // namespace vigil::kernels

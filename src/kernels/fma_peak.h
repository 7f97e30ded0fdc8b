// Single-core FP32 FMA throughput probe, the denominator of "how close to the FP32 floor".
//
//   float sink = 0;
//   const double flops = RunFmaChains(1 << 20, &sink);   // time this call; flops / seconds
//
// RunFmaChains runs many independent vector FMA chains on the best SIMD target the CPU
// supports (Highway dynamic dispatch), so its time is bounded by FMA throughput, not latency.
#pragma once

#include <cstddef>

namespace vigil::kernels {

// Runs `iterations` rounds of independent FMA chains; returns the floating-point operations done
// (2 per lane per FMA). `sink` receives a value depending on every chain so none is elided.
double RunFmaChains(size_t iterations, float* sink);

// Name of the Highway target RunFmaChains dispatches to.
const char* FmaChainsTargetName();

}  // namespace vigil::kernels

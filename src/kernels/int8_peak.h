// Single-core INT8 multiply-add throughput probe, the denominator of "how close to the INT8
// floor" (the FP32 counterpart is fma_peak.h).
//
//   int32_t sink = 0;
//   const double macs = RunInt8DotChains(1 << 16, &sink);   // time this call; macs / seconds
//
// Runs many independent accumulator chains of the dot-product instruction DenseInt8Rows uses on
// this CPU (Highway dynamic dispatch, same AVX3_DL opt-in as dense_int8.cc): vpdpbusd on AVX-512
// VNNI, vpmaddwd + vpaddd on other x86 targets (ReorderWidenMulAccumulate elsewhere), so its
// time is bound by that instruction's throughput. Counts one multiply-add per u8×s8 product
// (vpdpbusd on 512 bits: 64; vpmaddwd on 256 bits: 16). Reentrant, never allocates. (The AArch64
// udot kernel is not probed: on such CPUs this measures the widening path.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::kernels {

// Runs `iterations` rounds of independent dot-product chains; returns the int8 multiply-adds
// done. `sink` receives a value depending on every chain so none is elided.
double RunInt8DotChains(size_t iterations, int32_t* sink);

// What RunInt8DotChains dispatches to, e.g. "AVX3_DL (vpdpbusd)" or "AVX2 (vpmaddwd)".
const char* Int8DotChainsTargetName();

}  // namespace vigil::kernels

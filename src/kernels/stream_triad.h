// STREAM-style triad, a[i] = b[i] + s · c[i]: two streams read and one written, the memory
// bandwidth figure `vigil calibrate` writes into the host profile beside the read-only one
// (stream_read.h).
//
//   const double bytes = StreamTriad(a, b, c, 3.0f, n);   // time this call; bytes / seconds
//
// Contract: writes a[0, n) and reads b[0, n), c[0, n) exactly (no over-read or over-write, no
// alignment needed); a must not overlap b or c. Best Highway target at run time; never allocates.
// Returns the bytes moved, 3 · n · sizeof(float), as STREAM counts them (write-allocate traffic
// not counted). Thread-safe for distinct outputs.
#pragma once

#include <cstddef>

namespace vigil::kernels {

double StreamTriad(float* a, const float* b, const float* c, float s, size_t n);
// The same with plain scalar code: the reference the SIMD version is tested against.
double StreamTriadReference(float* a, const float* b, const float* c, float s, size_t n);
const char* StreamTriadTargetName();

}  // namespace vigil::kernels

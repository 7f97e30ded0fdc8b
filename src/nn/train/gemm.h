// The matrix product behind every Dense and (im2col'd) Conv1D layer in training: forward,
// weight gradient and input gradient are all one shape of product,
//
//   C[r][q] = init[q] + Σ_{s < steps} A(r, s) · B[s][q]      r < rows, q < width
//
// where A is read one scalar at a time (broadcast) through two strides, and B and C are read
// and written as whole rows of `width` floats. Vectorizing over q keeps every load and store
// contiguous, and each element of C is the same chain of multiply-adds in the same order
// (s = 0, 1, ...) whatever the vector width — so AVX2 and AVX-512 machines give the same bits.
//
//   GemmArgs g{.a = x, .a_row_stride = ldx, .a_step_stride = 1, .b = wt, .b_stride = ldw,
//              .init = bias, .c = z, .c_stride = ldw, .rows = m, .steps = k, .width = ldw};
//   GemmF32(g);
//
// Contract
// - width is a multiple of 8 (GemmWidth rounds a size up to a valid one); B and C rows hold at
//   least width floats (b_stride, c_stride >= width) and init, when not null, width floats.
//   Callers zero-pad the columns past their true size so the padded lanes compute zeros.
// - C does not overlap A, B or init. rows == 0 does nothing; steps == 0 writes init (or 0).
// - Rounding: one rounding per step — a fused multiply-add on targets that have it (AVX2 and
//   later), a multiply then an add elsewhere. GemmF32Reference(args, GemmF32Fuses()) is
//   therefore bit-identical to GemmF32 on the dispatched target.
// - Never allocates, never fails; dispatches at run time to the best Highway target.
#pragma once

#include <cstddef>

namespace vigil::nn::train {

struct GemmArgs {
  const float* a = nullptr;  // A(r, s) = a[r · a_row_stride + s · a_step_stride]
  size_t a_row_stride = 0;
  size_t a_step_stride = 0;
  const float* b = nullptr;  // row s at b + s · b_stride
  size_t b_stride = 0;
  const float* init = nullptr;  // width floats added first, or null for zeros
  float* c = nullptr;           // row r at c + r · c_stride
  size_t c_stride = 0;
  size_t rows = 0;
  size_t steps = 0;
  size_t width = 0;
};

// A valid `width` for n columns: 8 for n <= 8, else n rounded up to a multiple of 16 (the
// widest vector, so AVX-512 runs without a partial vector).
inline size_t GemmWidth(size_t n) { return n <= 8 ? 8 : (n + 15) / 16 * 16; }

void GemmF32(const GemmArgs& args);
// Plain loops; `fused` selects std::fma per step instead of a multiply then an add.
void GemmF32Reference(const GemmArgs& args, bool fused);

// Whether the target GemmF32 dispatches to rounds a multiply-add once, and its name.
bool GemmF32Fuses();
const char* GemmF32TargetName();

}  // namespace vigil::nn::train

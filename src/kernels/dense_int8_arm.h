// AArch64 dot-product (udot) path of DenseInt8Rows / DenseInt8RowsToF32, outside Highway because
// Highway 1.0.3 has no 8-bit dot-product op. Internal to the kernels; tests use the switch below
// to run the Highway NEON/SVE paths on CPUs that also have udot.
//
// udot multiplies unsigned × unsigned bytes; the weights are signed, so each weight byte is
// XOR-ed with 0x80 (w + 128 ∈ [1, 255]) and 128·Σ_i x_q[i] is subtracted once per row:
// Σ x·w = Σ x·(w + 128) − 128·Σ x. Accumulation is modulo 2^32 and the true result fits int32
// (PackDenseInt8 checks), so the wrap-around is exact. Needs no extra packed data.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::kernels {

// True on AArch64 Linux when the CPU reports the dot-product extension (HWCAP_ASIMDDP); false
// everywhere else (the path is not compiled there).
bool DenseInt8ArmDotAvailable();

// Whether the public kernels may use the udot path when available (default true). Test hook;
// not thread-safe with concurrent kernel calls.
void SetDenseInt8ArmDotEnabled(bool enabled);
bool DenseInt8ArmDotEnabled();

// Same contract as DenseInt8Rows (float_out = false, y is uint8_t*) / DenseInt8RowsToF32
// (float_out = true, y is float*). Precondition: DenseInt8ArmDotAvailable().
void DenseInt8RowsArmDot(const uint8_t* packed, const uint8_t* x, size_t x_row_stride, size_t rows, void* y);

// Shared scalar epilogue: turns the 16 int32 dot products (bias not yet added) of outputs
// [o0, o0 + valid) of one row into uint8 or float outputs as the header of `packed` says.
void FinishInt8Panel(const uint8_t* packed, const int32_t* dots, size_t o0, size_t valid, void* y_row);

}  // namespace vigil::kernels

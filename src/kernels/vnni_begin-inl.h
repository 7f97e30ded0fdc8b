// Included (once per Highway target, no include guard) right after HWY_BEFORE_NAMESPACE() in the
// INT8 kernels: on the AVX3_DL target it adds avx512vnni to the functions that follow, since
// Highway 1.0.3's AVX3_DL target attributes leave it out. Pair with vnni_end-inl.h.
#if HWY_TARGET == HWY_AVX3_DL
#if HWY_COMPILER_CLANG
#pragma clang attribute push(__attribute__((target("avx512vnni"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512vnni")
#endif
#endif

// vpdpbusd (acc += u8 · s8, 4 products per 32-bit lane). GCC takes the intrinsic under the
// target pragma above; clang does not extend the functions of Highway's own attribute region
// with it, so there the instruction is written as inline assembly (AT&T operand order: s8, u8,
// acc is Intel's acc, u8, s8).
#if HWY_TARGET == HWY_AVX3_DL && !defined(VIGIL_DPBUSD_DEFINED)
#define VIGIL_DPBUSD_DEFINED
namespace vigil::kernels {
static inline __attribute__((always_inline, unused)) __m512i Dpbusd(__m512i acc, __m512i u8, __m512i s8) {
#if HWY_COMPILER_CLANG
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "v"(s8));
  return acc;
#else
  return _mm512_dpbusd_epi32(acc, u8, s8);
#endif
}
}  // namespace vigil::kernels
#endif

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

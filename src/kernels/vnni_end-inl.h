// Closes vnni_begin-inl.h; included right before HWY_AFTER_NAMESPACE().
#if HWY_TARGET == HWY_AVX3_DL
#if HWY_COMPILER_CLANG
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

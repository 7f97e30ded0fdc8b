// Vectorized activations, included once per Highway target (by dense.cc and activation.cc) so
// the dense kernel can apply them in registers in its epilogue.
//
// Per-target include guard: the toggle is flipped by each foreach_target.h pass.
#if defined(VIGIL_KERNELS_ACTIVATION_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef VIGIL_KERNELS_ACTIVATION_INL_H_
#undef VIGIL_KERNELS_ACTIVATION_INL_H_
#else
#define VIGIL_KERNELS_ACTIVATION_INL_H_
#endif

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/dense.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Same constants and formulas as activation_reference.cc.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V Activate(D d, Activation act, V v) {
  switch (act) {
    case Activation::kNone:
      return v;
    case Activation::kRelu:
      return hn::Max(v, hn::Zero(d));
    case Activation::kLeakyRelu:
      // For finite v, max(v, 0.01 v) picks v when v > 0 and 0.01 v otherwise.
      return hn::Max(v, hn::Mul(v, hn::Set(d, 0.01f)));
    case Activation::kTanh:
      return hn::Tanh(d, v);
    case Activation::kSigmoid: {
      // exp(-|v|) stays inside Exp's valid range and keeps both tails accurate.
      const V e = hn::Exp(d, hn::Neg(hn::Abs(v)));
      const V s = hn::Div(hn::Set(d, 1.0f), hn::Add(hn::Set(d, 1.0f), e));
      return hn::IfThenElse(hn::Ge(v, hn::Zero(d)), s, hn::Mul(e, s));
    }
    case Activation::kGelu: {
      const V v3 = hn::Mul(hn::Mul(v, v), v);
      const V inner = hn::Mul(hn::Set(d, 0.7978845608028654f), hn::MulAdd(hn::Set(d, 0.044715f), v3, v));
      const V half_v = hn::Mul(hn::Set(d, 0.5f), v);
      return hn::MulAdd(half_v, hn::Tanh(d, inner), half_v);
    }
  }
  return v;
}

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

// DenseInt8Rows / DenseInt8RowsToF32 and QuantizeU8 / DequantizeU8, written once with Highway
// and compiled for every target, plus an AVX-512 VNNI variant inside Highway's AVX3_DL target.
//
// Paths (the blob layout, dense_int8_layout.h, is the same for all):
// - AVX3_DL (AVX-512 VNNI): one 64-byte quad of a panel is one vpdpbusd operand: u8 x (4 bytes
//   broadcast) × s8 w → 16 int32 lanes = 16 outputs, no intermediate saturation.
// - Other SIMD targets (AVX3, AVX2, SSE4, SSSE3, NEON, SVE): weights widened to int16 and
//   multiplied with the zero-extended x quad by ReorderWidenMulAccumulate (vpmaddwd on x86):
//   int16 products of u8·s8 (≤ 255·127) and their pairwise sums (≤ 64770) cannot saturate
//   int16/int32, unlike vpmaddubsw, whose int16 pair sums saturate at 2·255·127 > 32767. Each
//   output gets two int32 partial sums (inputs 4q..4q+1 and 4q+2..4q+3), added in the epilogue.
// - SCALAR: plain loops.
// - AArch64 with dotprod: udot kernel in dense_int8_arm.cc, chosen before Highway dispatch.
//
// Tiles mirror the FP32 kernel (dense.cc): kRows rows × kPanels panels of accumulators, few rows
// use several panels (batch 1 streams several weight panels at once), many rows a taller tile
// that reuses each loaded weight vector for every row, panel groups outermost so a group's
// weights stay in L1 across row blocks. Epilogue (bias, requantization or scaling, ReLU) is
// fused and vectorized: requantization uses an exact int32×int32→int64 product (MulEven), a
// variable 64-bit rounding shift and a clamp, no float.
//
// Padding contract: none for callers. x is read in 4-byte quads, the last (partial) quad copied
// byte by byte; outputs past `out` are computed on zero padding and never stored.
//
// HWY_WANT_AVX3_DL makes Highway compile the AVX3_DL target in this file only (its other users
// don't need it). Dispatch is by Highway's CPU detection (libhwy reports AVX3_DL when the CPU has
// AVX512-VNNI, VBMI2, VPCLMULQDQ, VAES, BITALG and VPOPCNTDQ, e.g. Ice Lake and Zen4). Highway's
// AVX3_DL target string lacks avx512vnni, so it is added for that target below; only 512-bit
// (EVEX) vpdpbusd is emitted, since the same string's avxvnni (the VEX form) is absent on Zen4.
#define HWY_WANT_AVX3_DL
// (SVE targets are disabled for the whole build on AArch64, see CMakeLists.txt: the tiles'
// arrays of vectors cannot hold sizeless SVE types; NEON and the udot kernel run there.)

#include <cstring>
#include <string>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dense_int8.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/dense_int8.h"
#include "kernels/dense_int8_arm.h"
#include "kernels/dense_int8_layout.h"

HWY_BEFORE_NAMESPACE();
#include "kernels/vnni_begin-inl.h"  // NOLINT(build/include)
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

struct Int8Layer {
  const uint8_t* weights;  // panel 0, quad 0
  const int32_t* bias;
  const uint8_t* mult;   // int32 multipliers or float scales
  const uint8_t* shift;  // uint8 shifts
  const uint8_t* x;
  size_t x_stride;
  void* y;
  size_t in;
  size_t out;
  size_t quads;
  bool float_out;
  bool relu;
  int32_t zero_point;
  int32_t lo;
};

HWY_INLINE uint32_t LoadQuad(const uint8_t* HWY_RESTRICT p) {
  uint32_t quad;
  std::memcpy(&quad, p, sizeof(quad));
  return quad;
}

HWY_INLINE uint32_t LoadPartialQuad(const uint8_t* HWY_RESTRICT p, size_t bytes) {
  uint32_t quad = 0;
  std::memcpy(&quad, p, bytes);
  return quad;
}

#if HWY_TARGET == HWY_SCALAR

void RowsImpl(const Int8Layer& layer, size_t rows) {
  int32_t dots[kInt8Panel];
  const size_t panels = Int8Panels(layer.out);
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* xr = layer.x + r * layer.x_stride;
    for (size_t p = 0; p < panels; ++p) {
      const int8_t* w = reinterpret_cast<const int8_t*>(layer.weights) + p * layer.quads * kInt8QuadBytes;
      for (size_t l = 0; l < kInt8Panel; ++l) {
        int32_t sum = 0;
        for (size_t i = 0; i < layer.in; ++i)
          sum += static_cast<int32_t>(xr[i]) * w[(i / kInt8Quad) * kInt8QuadBytes + l * kInt8Quad + i % kInt8Quad];
        dots[l] = sum;
      }
      const size_t o0 = p * kInt8Panel;
      const size_t valid = layer.out - o0 < kInt8Panel ? layer.out - o0 : kInt8Panel;
      // The epilogue reads the header via the blob start, which precedes the weights by 64 bytes.
      FinishInt8Panel(layer.weights - sizeof(Int8Header), dots, o0, valid,
                      static_cast<uint8_t*>(layer.y) + r * layer.out * (layer.float_out ? sizeof(float) : 1));
    }
  }
}

#else  // SIMD targets

using D32 = hn::CappedTag<int32_t, kInt8Panel>;
using V32 = hn::Vec<D32>;
constexpr size_t kN32 = hn::MaxLanes(D32());
constexpr size_t kOutVecsPerPanel = kInt8Panel / kN32;
static_assert(kOutVecsPerPanel * kN32 == kInt8Panel, "lanes must divide the panel");

// ------------------------------ epilogue (shared by both dot-product schemes)

// Outputs [o, o + kN32) of one row from their dot products (bias not yet added).
HWY_INLINE void StoreOutputs(const Int8Layer& layer, V32 dots, size_t row, size_t o) {
  const D32 d32;
  const size_t valid = layer.out - o;
  const V32 acc = hn::Add(dots, hn::LoadU(d32, layer.bias + o));
  if (layer.float_out) {
    const hn::Rebind<float, D32> df;
    auto v = hn::Mul(hn::ConvertTo(df, acc), hn::LoadU(df, reinterpret_cast<const float*>(layer.mult) + o));
    if (layer.relu) v = hn::Max(v, hn::Zero(df));
    float* dst = static_cast<float*>(layer.y) + row * layer.out + o;
    if (valid >= kN32) {
      hn::StoreU(v, df, dst);
    } else {
      HWY_ALIGN float tmp[kN32];
      hn::Store(v, df, tmp);
      std::memcpy(dst, tmp, valid * sizeof(float));
    }
    return;
  }
  // uint8: t = (acc·m + 2^(n−1)) >> n in int64, clamped to [lo, 255] − z_y, then + z_y.
  const hn::Half<D32> dh;
  const hn::RepartitionToWide<D32> d64;  // kN32 / 2 int64 lanes
  const hn::Rebind<int32_t, decltype(d64)> d32h;
  const hn::Rebind<uint8_t, decltype(d64)> du8h;
  const hn::Repartition<int32_t, decltype(d64)> d32w;  // kN32 lanes, int64 pairs
  const int32_t* mult = reinterpret_cast<const int32_t*>(layer.mult) + o;
  const auto one = hn::Set(d64, 1);
  const auto t_min = hn::Set(d64, static_cast<int64_t>(layer.lo) - layer.zero_point);
  const auto t_max = hn::Set(d64, static_cast<int64_t>(255) - layer.zero_point);
  hn::Vec<decltype(d64)> t[2];
  HWY_UNROLL(2)
  for (size_t half = 0; half < 2; ++half) {
    const auto acc_half = half == 0 ? hn::LowerHalf(dh, acc) : hn::UpperHalf(dh, acc);
    const auto acc64 = hn::PromoteTo(d64, acc_half);
    const auto m64 = hn::PromoteTo(d64, hn::LoadU(d32h, mult + half * (kN32 / 2)));
    const auto n64 = hn::PromoteTo(d64, hn::PromoteTo(d32h, hn::LoadU(du8h, layer.shift + o + half * (kN32 / 2))));
    // Both factors sit sign-extended in 64-bit lanes; MulEven multiplies their low halves.
    const auto product = hn::MulEven(hn::BitCast(d32w, acc64), hn::BitCast(d32w, m64));
    const auto rounded = hn::Add(product, one << hn::Sub(n64, one));
    t[half] = hn::Min(hn::Max(rounded >> n64, t_min), t_max);
  }
  // Low 32 bits of each int64 lane, in lane order (the values fit int32 after the clamp).
  const V32 narrow = hn::ConcatEven(d32, hn::BitCast(d32, t[1]), hn::BitCast(d32, t[0]));
  const hn::Rebind<uint8_t, D32> du8;
  const auto bytes = hn::DemoteTo(du8, hn::Add(narrow, hn::Set(d32, layer.zero_point)));
  uint8_t* dst = static_cast<uint8_t*>(layer.y) + row * layer.out + o;
  if (valid >= kN32) {
    hn::StoreU(bytes, du8, dst);
  } else {
    HWY_ALIGN uint8_t tmp[kN32];
    hn::Store(bytes, du8, tmp);
    std::memcpy(dst, tmp, valid);
  }
}

// ------------------------------ dot-product scheme

#if HWY_TARGET == HWY_AVX3_DL

// One accumulator vector per panel, lanes = outputs.
constexpr size_t kAccPerPanel = 1;
constexpr size_t kVectorRegisters = 32;
constexpr const char* kSchemeName = "AVX3_DL (vpdpbusd)";

struct Acc {
  HWY_INLINE Acc() {}
  HWY_INLINE explicit Acc(V32 s) : v(s) {}
  V32 v;
};
using WVec = V32;

HWY_INLINE Acc ZeroAcc() { return Acc{hn::Zero(D32())}; }
HWY_INLINE WVec LoadWeights(const uint8_t* HWY_RESTRICT p) {
  return hn::LoadU(D32(), reinterpret_cast<const int32_t*>(p));
}
using XVec = V32;
HWY_INLINE XVec BroadcastQuad(uint32_t quad) { return hn::Set(D32(), static_cast<int32_t>(quad)); }
HWY_INLINE void DotAccumulate(Acc& acc, WVec w, XVec x) {
  acc.v = V32{vigil::kernels::Dpbusd(acc.v.raw, x.raw, w.raw)};
}
// Output vector j of a panel from its accumulators.
HWY_INLINE V32 PanelOutputs(const Acc* acc, size_t j) { return acc[j].v; }

#else

// Weights widened to int16: 64 bytes per quad of a panel = kAccPerPanel int16 vectors.
using D16 = hn::CappedTag<int16_t, 2 * kInt8Panel>;
static_assert(hn::MaxLanes(D16()) == 2 * kN32, "int16 vectors are twice as many lanes as int32 ones");
constexpr size_t kN16 = hn::MaxLanes(D16());
constexpr size_t kAccPerPanel = kInt8QuadBytes / kN16;
constexpr size_t kVectorRegisters = HWY_ARCH_X86 ? (kN16 >= 32 ? 32 : 16) : 32;
constexpr const char* kSchemeName = nullptr;  // "<target> (pmaddwd)"

// sum1 is the second half of ReorderWidenMulAccumulate's result on targets that split it (NEON);
// on x86 it stays zero and is optimized away.
// Constructors spelled out: GCC generates implicit ones without the target's attributes.
struct Acc {
  HWY_INLINE Acc() {}
  HWY_INLINE Acc(V32 s0, V32 s1) : sum0(s0), sum1(s1) {}
  V32 sum0;
  V32 sum1;
};
using WVec = hn::Vec<D16>;
using XVec = hn::Vec<D16>;

HWY_INLINE Acc ZeroAcc() { return Acc{hn::Zero(D32()), hn::Zero(D32())}; }
HWY_INLINE WVec LoadWeights(const uint8_t* HWY_RESTRICT p) {
  const hn::Rebind<int8_t, D16> d8;
  return hn::PromoteTo(D16(), hn::LoadU(d8, reinterpret_cast<const int8_t*>(p)));
}
// int16 lanes x0 x1 x2 x3 x0 x1 ..., matching each output's 4 widened weights.
HWY_INLINE XVec BroadcastQuad(uint32_t quad) {
  const hn::Rebind<uint8_t, D16> du8;
  const hn::Repartition<uint32_t, decltype(du8)> du32;
  return hn::BitCast(D16(), hn::PromoteTo(hn::Rebind<uint16_t, D16>(), hn::BitCast(du8, hn::Set(du32, quad))));
}
HWY_INLINE void DotAccumulate(Acc& acc, WVec w, XVec x) {
  acc.sum0 = hn::ReorderWidenMulAccumulate(D32(), w, x, acc.sum0, acc.sum1);
}
// Accumulator a holds, per output, two partial sums in adjacent lanes (after the rearrange);
// outputs j·kN32.. come from accumulators 2j and 2j + 1.
HWY_INLINE V32 PanelOutputs(const Acc* acc, size_t j) {
  const D32 d32;
  const V32 lo = hn::RearrangeToOddPlusEven(acc[2 * j].sum0, acc[2 * j].sum1);
  const V32 hi = hn::RearrangeToOddPlusEven(acc[2 * j + 1].sum0, acc[2 * j + 1].sum1);
  return hn::Add(hn::ConcatEven(d32, hi, lo), hn::ConcatOdd(d32, hi, lo));
}

#endif

// Accumulator vectors the tile may use, leaving registers for weights and the broadcast x.
constexpr size_t kAccBudget = kVectorRegisters >= 32 ? 24 : 8;
constexpr size_t kMinChains = 8;

constexpr size_t PanelsFor(size_t rows) {
  size_t panels = 1;
  while (rows * (panels + 1) * kAccPerPanel <= kAccBudget && rows * panels * kAccPerPanel < kMinChains) ++panels;
  return panels;
}
constexpr size_t kMaxRows = kAccPerPanel == 1 ? 6 : (kAccBudget / kAccPerPanel > 6 ? 6 : kAccBudget / kAccPerPanel);
constexpr size_t kBigPanels = kAccPerPanel == 1 ? 3 : 1;
static_assert(kMaxRows >= 1, "row blocks advance by kMaxRows");

// Keeps loaded weight vectors in registers across the rows of a tile (see dense.cc: GCC would
// otherwise fold the loads into each row's multiply as memory operands).
template <size_t kCount>
HWY_INLINE void PinInRegisters(WVec (&v)[kCount]) {
#if HWY_ARCH_X86
  HWY_UNROLL(32)
  for (size_t i = 0; i < kCount; ++i) asm("" : "+v"(v[i].raw));
#else
  (void)v;
#endif
}

template <size_t kRows, size_t kPanels>
HWY_INLINE void QuadStep(const Int8Layer& layer, const uint8_t* HWY_RESTRICT w, const uint32_t (&quads)[kRows],
                         Acc (&acc)[kRows][kPanels * kAccPerPanel]) {
  constexpr size_t kVecs = kPanels * kAccPerPanel;
  const size_t panel_stride = layer.quads * kInt8QuadBytes;
  WVec wv[kVecs];
  HWY_UNROLL(32)
  for (size_t v = 0; v < kVecs; ++v)
    wv[v] = LoadWeights(w + (v / kAccPerPanel) * panel_stride + (v % kAccPerPanel) * (kInt8QuadBytes / kAccPerPanel));
  if constexpr (kRows > 1 && (kRows + 1) * kVecs + 1 <= kVectorRegisters) PinInRegisters(wv);
  HWY_UNROLL(32)
  for (size_t r = 0; r < kRows; ++r) {
    const XVec xv = BroadcastQuad(quads[r]);
    HWY_UNROLL(32)
    for (size_t v = 0; v < kVecs; ++v) DotAccumulate(acc[r][v], wv[v], xv);
  }
}

// Rows [row0, row0 + kRows) × panels [panel0, panel0 + kPanels). Not inlined, so each shape
// gets its own register allocation (as in dense.cc).
template <size_t kRows, size_t kPanels>
HWY_NOINLINE void Tile(const Int8Layer& layer, size_t row0, size_t panel0) {
  constexpr size_t kVecs = kPanels * kAccPerPanel;
  const size_t panel_stride = layer.quads * kInt8QuadBytes;
  const uint8_t* HWY_RESTRICT w = layer.weights + panel0 * panel_stride;
  const uint8_t* HWY_RESTRICT x = layer.x + row0 * layer.x_stride;
  const size_t x_stride = layer.x_stride;
  Acc acc[kRows][kVecs];
  HWY_UNROLL(32)
  for (size_t r = 0; r < kRows; ++r) {
    HWY_UNROLL(32)
    for (size_t v = 0; v < kVecs; ++v) acc[r][v] = ZeroAcc();
  }
  const size_t full_quads = layer.in / kInt8Quad;
  for (size_t q = 0; q < full_quads; ++q) {
    uint32_t quads[kRows];
    HWY_UNROLL(32)
    for (size_t r = 0; r < kRows; ++r) quads[r] = LoadQuad(x + r * x_stride + q * kInt8Quad);
    QuadStep<kRows, kPanels>(layer, w + q * kInt8QuadBytes, quads, acc);
  }
  if (full_quads < layer.quads) {
    const size_t tail = layer.in - full_quads * kInt8Quad;
    uint32_t quads[kRows];
    for (size_t r = 0; r < kRows; ++r) quads[r] = LoadPartialQuad(x + r * x_stride + full_quads * kInt8Quad, tail);
    QuadStep<kRows, kPanels>(layer, w + full_quads * kInt8QuadBytes, quads, acc);
  }
  HWY_UNROLL(32)
  for (size_t r = 0; r < kRows; ++r) {
    HWY_UNROLL(32)
    for (size_t p = 0; p < kPanels; ++p) {
      HWY_UNROLL(32)
      for (size_t j = 0; j < kOutVecsPerPanel; ++j) {
        const size_t o = (panel0 + p) * kInt8Panel + j * kN32;
        if (o >= layer.out) break;
        StoreOutputs(layer, PanelOutputs(&acc[r][p * kAccPerPanel], j), row0 + r, o);
      }
    }
  }
}

template <size_t kRows, size_t kPanels>
HWY_INLINE size_t PanelRun(const Int8Layer& layer, size_t row0, size_t panel0, size_t panels) {
  for (; panel0 + kPanels <= panels; panel0 += kPanels) Tile<kRows, kPanels>(layer, row0, panel0);
  if constexpr (kPanels > 1) panel0 = PanelRun<kRows, kPanels - 1>(layer, row0, panel0, panels);
  return panel0;
}

template <size_t kRows>
HWY_INLINE void RowBlock(const Int8Layer& layer, size_t row0, size_t rows, size_t panel_begin, size_t panel_end) {
  if (rows == kRows) {
    PanelRun<kRows, kRows == kMaxRows ? kBigPanels : PanelsFor(kRows)>(layer, row0, panel_begin, panel_end);
  } else if constexpr (kRows > 1) {
    RowBlock<kRows - 1>(layer, row0, rows, panel_begin, panel_end);
  }
}

template <size_t kRows>
HWY_INLINE void GroupBlock(const Int8Layer& layer, size_t row0, size_t rows, size_t panel_begin, size_t panel_end) {
  if (rows == kRows) {
    PanelRun<kRows, kBigPanels>(layer, row0, panel_begin, panel_end);
  } else if constexpr (kRows > 1) {
    GroupBlock<kRows - 1>(layer, row0, rows, panel_begin, panel_end);
  }
}

void RowsImpl(const Int8Layer& layer, size_t rows) {
  const size_t panels = Int8Panels(layer.out);
  if (rows < kMaxRows) {
    RowBlock<kMaxRows>(layer, 0, rows, 0, panels);
    return;
  }
  // Nearly equal row blocks; panel groups outermost (see dense.cc).
  const size_t blocks = (rows + kMaxRows - 1) / kMaxRows;
  const size_t base_rows = rows / blocks;
  const size_t taller_blocks = rows % blocks;
  for (size_t p0 = 0; p0 < panels; p0 += kBigPanels) {
    const size_t p1 = p0 + kBigPanels < panels ? p0 + kBigPanels : panels;
    size_t row0 = 0;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t block_rows = base_rows + (b < taller_blocks ? 1 : 0);
      GroupBlock<kMaxRows>(layer, row0, block_rows, p0, p1);
      row0 += block_rows;
    }
  }
}

#endif  // HWY_TARGET == HWY_SCALAR

void DenseInt8Impl(const uint8_t* HWY_RESTRICT packed, const uint8_t* HWY_RESTRICT x, size_t x_stride, size_t rows,
                   void* HWY_RESTRICT y) {
  Int8Header h;
  std::memcpy(&h, packed, sizeof(h));
  const Int8Sections s = Int8Layout(h.in, h.out);
  Int8Layer layer;
  layer.weights = packed + s.weights;
  layer.bias = reinterpret_cast<const int32_t*>(packed + s.bias);
  layer.mult = packed + s.mult;
  layer.shift = packed + s.shift;
  layer.x = x;
  layer.x_stride = x_stride;
  layer.y = y;
  layer.in = h.in;
  layer.out = h.out;
  layer.quads = Int8Quads(h.in);
  layer.float_out = h.output == static_cast<uint32_t>(Int8Output::kFloat);
  layer.relu = h.act == static_cast<uint32_t>(Activation::kRelu);
  layer.zero_point = h.zero_point;
  layer.lo = h.lo;
  RowsImpl(layer, rows);
}

const char* DenseInt8TargetNameImpl() {
#if HWY_TARGET == HWY_SCALAR
  return "SCALAR";
#else
  if (kSchemeName != nullptr) return kSchemeName;
  static const std::string name =
      std::string(hwy::TargetName(HWY_TARGET)) + (HWY_ARCH_X86 ? " (pmaddwd)" : " (widening multiply-add)");
  return name.c_str();
#endif
}

// ------------------------------ QuantizeU8 / DequantizeU8

void QuantizeImpl(const float* HWY_RESTRICT x, size_t n, float scale, int32_t zero_point, uint8_t* HWY_RESTRICT y) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<int32_t, decltype(df)> di;
  const hn::Rebind<uint8_t, decltype(df)> du8;
  const size_t lanes = hn::Lanes(df);
  const auto inv = hn::Set(df, 1.0f / scale);
  const auto zero = hn::Set(df, static_cast<float>(zero_point));
  const auto lo = hn::Zero(df);
  const auto hi = hn::Set(df, 255.0f);
  auto convert = [&](hn::Vec<decltype(df)> v) {
    v = hn::Add(hn::Round(hn::Mul(v, inv)), zero);
    v = hn::IfThenElse(hn::IsNaN(v), zero, v);
    return hn::DemoteTo(du8, hn::ConvertTo(di, hn::Min(hn::Max(v, lo), hi)));
  };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(convert(hn::LoadU(df, x + i)), du8, y + i);
  if (i < n) {
    // Tail through stack buffers: no read or write past n.
    HWY_ALIGN float in_tmp[hn::MaxLanes(df)] = {};
    HWY_ALIGN uint8_t out_tmp[hn::MaxLanes(df)];
    std::memcpy(in_tmp, x + i, (n - i) * sizeof(float));
    hn::Store(convert(hn::Load(df, in_tmp)), du8, out_tmp);
    std::memcpy(y + i, out_tmp, n - i);
  }
}

void DequantizeImpl(const uint8_t* HWY_RESTRICT x, size_t n, float scale, int32_t zero_point, float* HWY_RESTRICT y) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<int32_t, decltype(df)> di;
  const hn::Rebind<uint8_t, decltype(df)> du8;
  const size_t lanes = hn::Lanes(df);
  const auto s = hn::Set(df, scale);
  const auto z = hn::Set(di, zero_point);
  auto convert = [&](hn::Vec<decltype(du8)> v) {
    return hn::Mul(s, hn::ConvertTo(df, hn::Sub(hn::PromoteTo(di, v), z)));
  };
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(convert(hn::LoadU(du8, x + i)), df, y + i);
  if (i < n) {
    HWY_ALIGN uint8_t in_tmp[hn::MaxLanes(df)] = {};
    HWY_ALIGN float out_tmp[hn::MaxLanes(df)];
    std::memcpy(in_tmp, x + i, n - i);
    hn::Store(convert(hn::Load(du8, in_tmp)), df, out_tmp);
    std::memcpy(y + i, out_tmp, (n - i) * sizeof(float));
  }
}

}  // namespace vigil::kernels::HWY_NAMESPACE
#include "kernels/vnni_end-inl.h"  // NOLINT(build/include)
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(DenseInt8Impl);
HWY_EXPORT(DenseInt8TargetNameImpl);
HWY_EXPORT(QuantizeImpl);
HWY_EXPORT(DequantizeImpl);

namespace {

bool UseArmDot() { return DenseInt8ArmDotEnabled() && DenseInt8ArmDotAvailable(); }

}  // namespace

void DenseInt8Rows(const uint8_t* packed, const uint8_t* x, size_t x_row_stride, size_t rows, size_t /*in*/,
                   size_t /*out*/, uint8_t* y) {
  if (UseArmDot()) return DenseInt8RowsArmDot(packed, x, x_row_stride, rows, y);
  HWY_DYNAMIC_DISPATCH(DenseInt8Impl)(packed, x, x_row_stride, rows, y);
}

void DenseInt8RowsToF32(const uint8_t* packed, const uint8_t* x, size_t x_row_stride, size_t rows, size_t /*in*/,
                        size_t /*out*/, float* y) {
  if (UseArmDot()) return DenseInt8RowsArmDot(packed, x, x_row_stride, rows, y);
  HWY_DYNAMIC_DISPATCH(DenseInt8Impl)(packed, x, x_row_stride, rows, y);
}

const char* DenseInt8TargetName() {
  if (UseArmDot()) return "NEON (udot)";
  return HWY_DYNAMIC_DISPATCH(DenseInt8TargetNameImpl)();
}

void QuantizeU8(const float* x, size_t n, QuantParams q, uint8_t* y) {
  HWY_DYNAMIC_DISPATCH(QuantizeImpl)(x, n, q.scale, q.zero_point, y);
}

void DequantizeU8(const uint8_t* x, size_t n, QuantParams q, float* y) {
  HWY_DYNAMIC_DISPATCH(DequantizeImpl)(x, n, q.scale, q.zero_point, y);
}

}  // namespace vigil::kernels
#endif  // HWY_ONCE

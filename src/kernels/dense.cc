// DenseF32 / DenseF32Rows / DenseF16Rows: y = act(x · Wᵀ + bias), written once with Highway and
// compiled for every target; the FP16 variant differs only in how a weight vector is loaded
// (binary16, widened to float on load), so both share every tile below.
//
// Weight layout (built by PackDense, see dense_layout.h): panels of kDensePanel = 16 outputs,
// each stored input-major (in × 16 floats), zero-padded past `out`, followed by the bias padded
// to whole panels. For input i the kernel loads the 16 weights of a panel as 1, 2 or 4 vectors,
// broadcasts x[r][i] and FMAs into accumulators that each hold outputs of one row.
//
// Register tile: kRows rows × kPanels panels of accumulators, initialized with the bias, then
// one FMA per (row, vector) per input; bias and activation are therefore fused and y is written
// exactly once. The tile is chosen per target so that enough independent FMA chains are in
// flight to hide FMA latency (≥ 8 accumulators) without spilling (≤ 12 of 16 vector registers,
// ≤ 24 of 32 with AVX-512). Few rows use 1–5 rows × several panels (batch 1 is a GEMV over 8
// panels with AVX-512, 4 with AVX2); many rows a tall tile that reuses each weight load for many
// rows, with panel groups as the outer loop so a group's weights stay in L1 across all row
// blocks, and the rows split into nearly equal blocks (8 rows on AVX2 run as 4 + 4, not 6 + 2,
// whose 2-row tile would have too few FMA chains).
//
// Batch 1 is bound by memory bandwidth, not by FMAs: every weight is used once, so one 16-lane
// FMA needs 64 new bytes, while a core streams ~30 bytes per cycle from L2 (less from L3); the
// MLPerf autoencoder's 1.06 MB of packed weights do not even fit a 1 MB L2. Measured on Zen4:
// the batch-1 pass runs at the speed of a plain read of the same bytes (bench/dense_ae_bench
// prints both floors). Tried and rejected, slower or no better there: one panel at a time with
// split-input accumulators (a single sequential stream; ~10% slower), 12–16 panels per tile
// (panels lie in·64 bytes apart, so for in a multiple of 64 all streams share one L1 set and
// thrash its 8 ways), software prefetch 256 B–2 KB ahead (within noise).
//
// Padding contract: none for callers. x and y are read/written only inside their rows; the
// partial last panel is computed on the zero padding and only its valid lanes are stored
// (through a stack buffer, since masked stores are not safe on every target).
// Accumulation order per output is bias, then inputs 0..in-1, each with one rounding (FMA).
#include <cstring>
#include <type_traits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/dense.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/activation-inl.h"
#include "kernels/dense.h"
#include "kernels/dense_layout.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Capped at one panel: a 16-lane vector covers a panel exactly, narrower ones tile it.
using DF = hn::CappedTag<float, kDensePanel>;
using VF = hn::Vec<DF>;
constexpr size_t kLanes = hn::MaxLanes(DF());
constexpr size_t kVecsPerPanel = kDensePanel / kLanes;
static_assert(kVecsPerPanel * kLanes == kDensePanel, "lanes must divide the panel width");

// Accumulator budget: leaves registers for the weight vectors and the broadcast input.
constexpr size_t kAccBudget = kLanes >= 16 ? 24 : 12;
// Independent FMA chains needed to cover FMA latency × throughput on current cores.
constexpr size_t kMinChains = 8;

// Panels per tile for a given number of rows: enough chains, within the budget.
constexpr size_t PanelsFor(size_t rows) {
  size_t panels = 1;
  while (rows * (panels + 1) * kVecsPerPanel <= kAccBudget && rows * panels * kVecsPerPanel < kMinChains)
    ++panels;
  return panels;
}
// Rows × panels of the tile used for large batches. With 16-lane vectors, 6 rows × 3 panels
// (18 accumulators) needs 3 weight loads and 6 broadcasts per 18 FMAs; narrower vectors keep
// one panel (2 or 4 accumulators per row) and as many rows as the budget allows.
// (The scalar target has 16 one-lane "vectors" per panel: one row at a time.)
constexpr size_t kMaxRows = kLanes >= 16 ? 6 : (kAccBudget >= kVecsPerPanel ? kAccBudget / kVecsPerPanel : 1);
constexpr size_t kBigPanels = kLanes >= 16 ? 3 : 1;
static_assert(kMaxRows >= 1, "the batch loop advances by kMaxRows rows");
static_assert(kMaxRows == 1 || kMaxRows * kBigPanels * kVecsPerPanel <= kAccBudget,
              "big tile exceeds the register budget");

// W is the stored weight type: float, or hwy::float16_t (promoted to float as it is loaded).
template <typename W>
struct Layer {
  const W* weights;      // panel 0
  const float* bias;     // padded to whole panels
  const float* x;
  size_t x_stride;  // floats from one row of x to the next
  float* y;
  size_t in;
  size_t out;
  Activation act;
};

HWY_INLINE void StoreOutputs(DF d, VF v, float* HWY_RESTRICT dst, size_t valid) {
  if (valid >= kLanes) {
    hn::StoreU(v, d, dst);
  } else if (valid > 0) {
    HWY_ALIGN float tmp[kLanes];
    hn::Store(v, d, tmp);
    std::memcpy(dst, tmp, valid * sizeof(float));
  }
}

// One vector of a panel's weights, as floats.
template <typename W>
HWY_INLINE VF LoadWeights(DF d, const W* HWY_RESTRICT p) {
  if constexpr (std::is_same_v<W, float>) {
    return hn::LoadU(d, p);
  } else {
    const hn::Rebind<W, DF> dh;
    return hn::PromoteTo(d, hn::LoadU(dh, p));
  }
}

// Vector registers of the target (x86: 32 with AVX-512, else 16).
constexpr size_t kVectorRegisters = kLanes >= 16 ? 32 : 16;

// Keeps loaded weight vectors in registers. Left alone, GCC folds each weight load into the FMAs
// as a memory operand, once per row: a 3-row tile then issues 12 vector loads per 9 FMAs and is
// bound by the load ports (measured with AVX-512 on Zen4: batch 3 went from 1.45× to 1.11× of
// the FMA floor with this). Only used where the tile leaves a register for every weight vector.
template <size_t kCount>
HWY_INLINE void PinInRegisters(VF (&v)[kCount]) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
  HWY_UNROLL(32)
  for (size_t i = 0; i < kCount; ++i) asm("" : "+v"(v[i].raw));
#else
  (void)v;
#endif
}

// Computes rows [row0, row0 + kRows) × panels [panel0, panel0 + kPanels).
// Not inlined: each tile shape gets its own register allocation, which keeps the accumulators
// in registers (inlined into one large dispatcher, GCC spilled them to the stack every FMA).
template <typename W, size_t kRows, size_t kPanels>
HWY_NOINLINE void Tile(const Layer<W>& layer, size_t row0, size_t panel0) {
  constexpr size_t kVecs = kPanels * kVecsPerPanel;
  const DF d;
  const size_t in = layer.in;
  const size_t panel_stride = in * kDensePanel;
  const W* HWY_RESTRICT w = layer.weights + panel0 * panel_stride;
  const size_t x_stride = layer.x_stride;
  const float* HWY_RESTRICT x = layer.x + row0 * x_stride;

  VF acc[kRows][kVecs];
  HWY_UNROLL(32)
  for (size_t r = 0; r < kRows; ++r) {
    HWY_UNROLL(32)
    for (size_t v = 0; v < kVecs; ++v)
      acc[r][v] = hn::LoadU(d, layer.bias + panel0 * kDensePanel + v * kLanes);
  }
  for (size_t i = 0; i < in; ++i) {
    VF wv[kVecs];
    HWY_UNROLL(32)
    for (size_t v = 0; v < kVecs; ++v) {
      wv[v] = LoadWeights(
          d, w + (v / kVecsPerPanel) * panel_stride + i * kDensePanel + (v % kVecsPerPanel) * kLanes);
    }
    if constexpr (kRows > 1 && (kRows + 1) * kVecs + 1 <= kVectorRegisters) PinInRegisters(wv);
    HWY_UNROLL(32)
    for (size_t r = 0; r < kRows; ++r) {
      const VF xv = hn::Set(d, x[r * x_stride + i]);
      HWY_UNROLL(32)
      for (size_t v = 0; v < kVecs; ++v) acc[r][v] = hn::MulAdd(xv, wv[v], acc[r][v]);
    }
  }
  const size_t out = layer.out;
  const size_t o0 = panel0 * kDensePanel;
  HWY_UNROLL(32)
  for (size_t r = 0; r < kRows; ++r) {
    float* HWY_RESTRICT y = layer.y + (row0 + r) * out;
    HWY_UNROLL(32)
    for (size_t v = 0; v < kVecs; ++v) {
      const size_t o = o0 + v * kLanes;
      if (o >= out) break;
      StoreOutputs(d, Activate(d, layer.act, acc[r][v]), y + o, out - o);
    }
  }
}

// All panels for kRows rows: full-width tiles, then narrower ones for the leftover panels.
template <typename W, size_t kRows, size_t kPanels>
HWY_INLINE size_t PanelRun(const Layer<W>& layer, size_t row0, size_t panel0, size_t panels) {
  for (; panel0 + kPanels <= panels; panel0 += kPanels) Tile<W, kRows, kPanels>(layer, row0, panel0);
  if constexpr (kPanels > 1) panel0 = PanelRun<W, kRows, kPanels - 1>(layer, row0, panel0, panels);
  return panel0;
}

// Rows [row0, row0 + rows) (rows <= kRows) × panels [panel_begin, panel_end).
template <typename W, size_t kRows>
HWY_INLINE void RowBlock(const Layer<W>& layer, size_t row0, size_t rows, size_t panel_begin, size_t panel_end) {
  if (rows == kRows) {
    PanelRun<W, kRows, kRows == kMaxRows ? kBigPanels : PanelsFor(kRows)>(layer, row0, panel_begin, panel_end);
  } else if constexpr (kRows > 1) {
    RowBlock<W, kRows - 1>(layer, row0, rows, panel_begin, panel_end);
  }
}

// Rows [row0, row0 + rows) (rows <= kRows) × the panel group [panel_begin, panel_end) of the
// large-batch path: always kBigPanels-wide tiles, which every row count up to kMaxRows fits.
template <typename W, size_t kRows>
HWY_INLINE void GroupBlock(const Layer<W>& layer, size_t row0, size_t rows, size_t panel_begin, size_t panel_end) {
  if (rows == kRows) {
    PanelRun<W, kRows, kBigPanels>(layer, row0, panel_begin, panel_end);
  } else if constexpr (kRows > 1) {
    GroupBlock<W, kRows - 1>(layer, row0, rows, panel_begin, panel_end);
  }
}

template <typename W>
HWY_INLINE void RunLayer(const Layer<W>& layer, size_t rows) {
  const size_t panels = DensePanels(layer.out);
  if (rows < kMaxRows) {
    RowBlock<W, kMaxRows>(layer, 0, rows, 0, panels);
    return;
  }
  // Nearly equal row blocks of at most kMaxRows (each at least kMaxRows / 2 rows).
  const size_t blocks = (rows + kMaxRows - 1) / kMaxRows;
  const size_t base_rows = rows / blocks;
  const size_t taller_blocks = rows % blocks;  // these get base_rows + 1
  // Panel groups outermost: a group's weights are loaded from memory once and stay in cache
  // while every row block passes over them (rows outermost would stream all weights once per
  // row block).
  for (size_t p0 = 0; p0 < panels; p0 += kBigPanels) {
    const size_t p1 = p0 + kBigPanels < panels ? p0 + kBigPanels : panels;
    size_t row0 = 0;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t block_rows = base_rows + (b < taller_blocks ? 1 : 0);
      GroupBlock<W, kMaxRows>(layer, row0, block_rows, p0, p1);
      row0 += block_rows;
    }
  }
}

void DenseImpl(const float* HWY_RESTRICT packed, const float* HWY_RESTRICT x, size_t x_stride, size_t rows,
               size_t in, size_t out, Activation act, float* HWY_RESTRICT y) {
  const float* bias = packed + DensePanels(out) * in * kDensePanel;
  RunLayer(Layer<float>{packed, bias, x, x_stride, y, in, out, act}, rows);
}

void DenseF16Impl(const uint8_t* HWY_RESTRICT packed, const float* HWY_RESTRICT x, size_t x_stride, size_t rows,
                  size_t in, size_t out, Activation act, float* HWY_RESTRICT y) {
  const auto* weights = reinterpret_cast<const hwy::float16_t*>(packed);
  const auto* bias = reinterpret_cast<const float*>(packed + DenseF16BiasOffset(in, out));
  RunLayer(Layer<hwy::float16_t>{weights, bias, x, x_stride, y, in, out, act}, rows);
}

const char* DenseTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(DenseImpl);
HWY_EXPORT(DenseF16Impl);
HWY_EXPORT(DenseTargetNameImpl);

void DenseF32(const float* packed, const float* x, size_t batch, size_t in, size_t out, Activation act,
              float* y) {
  HWY_DYNAMIC_DISPATCH(DenseImpl)(packed, x, in, batch, in, out, act, y);
}

void DenseF32Rows(const float* packed, const float* x, size_t x_row_stride, size_t rows, size_t in, size_t out,
                  Activation act, float* y) {
  HWY_DYNAMIC_DISPATCH(DenseImpl)(packed, x, x_row_stride, rows, in, out, act, y);
}

void DenseF16Rows(const uint8_t* packed, const float* x, size_t x_row_stride, size_t rows, size_t in, size_t out,
                  Activation act, float* y) {
  HWY_DYNAMIC_DISPATCH(DenseF16Impl)(packed, x, x_row_stride, rows, in, out, act, y);
}

const char* DenseF32TargetName() { return HWY_DYNAMIC_DISPATCH(DenseTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE

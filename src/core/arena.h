// One aligned allocation for every intermediate tensor, and the planner that lays tensors
// out inside it.
//
//   std::vector<core::BufferRequest> req = {{.bytes = 2560, .first_use = 0, .last_use = 1}, ...};
//   core::MemoryPlan plan = core::PlanMemory(req);
//   core::Arena arena;
//   VIGIL_RETURN_IF_ERROR(arena.Allocate(plan.peak_bytes));
//   float* t0 = reinterpret_cast<float*>(arena.data() + plan.offsets[0]);
//
// Lifetimes are in op steps: a buffer is written at step first_use and read for the last time
// at step last_use (inclusive). Two buffers whose intervals intersect are live at the same time
// and never overlap in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vigil/status.h"

namespace vigil::core {

// Every offset and arena base is a multiple of this (one cache line, a full AVX-512 vector).
inline constexpr size_t kArenaAlignment = 64;

inline constexpr size_t AlignUp(size_t n, size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// Owns one kArenaAlignment-aligned block. Movable, not copyable.
class Arena {
 public:
  Arena() = default;
  // Replaces any previous block. Zero bytes is valid (data() is then null).
  // Returns IOError when the allocation fails.
  Status Allocate(size_t bytes);
  uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t size_ = 0;
};

struct BufferRequest {
  size_t bytes = 0;
  int32_t first_use = 0;
  int32_t last_use = 0;  // >= first_use
  // In place: index of an earlier-listed buffer whose slot this one takes over, or -1. Legal
  // only when that buffer dies at the step this one is born (its last_use == this first_use)
  // and is at least as large — e.g. an elementwise activation overwriting its input.
  int32_t reuse_of = -1;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per request, multiples of kArenaAlignment
  // Slot index per request: requests joined by reuse_of share a slot (and an offset).
  std::vector<int32_t> slot;
  size_t peak_bytes = 0;  // arena size needed: max over slots of offset + aligned size
};

// Greedy-by-size placement (the heuristic TFLite's arena planner also uses):
// 1. Requests chained by reuse_of are merged into one slot: size = max, lifetime = union.
// 2. Slots are sorted by aligned size, largest first (ties: earlier first_use, then index).
// 3. Each slot is placed against the already-placed slots whose lifetimes intersect its own:
//    walking those by offset, every gap between them (and the space above the highest) is a
//    candidate; the smallest gap that fits wins (best fit), so large early-placed slots leave
//    their holes for small late ones.
// Placing big slots first keeps the fragments small; the result is not optimal (the problem is
// NP-hard) but is typically within a few percent of the live-bytes lower bound for chains of
// layers. Requests that break the reuse_of contract abort (VIGIL_CHECK): they come from the
// graph planner, never from users. Cost O(n² log n) for n slots; n is the number of tensors.
MemoryPlan PlanMemory(std::span<const BufferRequest> requests);

// Lower bound for any valid plan: max over steps of the aligned bytes of live slots (slots
// merged by reuse_of counted once).
size_t LiveBytesLowerBound(std::span<const BufferRequest> requests);

}  // namespace vigil::core

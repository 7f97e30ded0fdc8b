#include "core/arena.h"

#include <algorithm>
#include <new>
#include <numeric>
#include <string>

namespace vigil::core {

void Arena::Free::operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(kArenaAlignment)); }

Status Arena::Allocate(size_t bytes) {
  data_.reset();
  size_ = 0;
  if (bytes == 0) return Status::OK();
  void* p =
      ::operator new[](AlignUp(bytes, kArenaAlignment), std::align_val_t(kArenaAlignment), std::nothrow);
  if (p == nullptr) return Status::IOError("arena: cannot allocate " + std::to_string(bytes) + " bytes");
  data_.reset(static_cast<uint8_t*>(p));
  size_ = bytes;
  return Status::OK();
}

namespace {

struct Slot {
  size_t bytes = 0;  // aligned
  int32_t first = 0;
  int32_t last = 0;
  size_t offset = 0;
};

// Merges reuse_of chains. slot_of[i] receives the slot of request i.
std::vector<Slot> MergeSlots(std::span<const BufferRequest> requests, std::vector<int32_t>* slot_of) {
  std::vector<Slot> slots;
  slot_of->assign(requests.size(), -1);
  std::vector<bool> donated(requests.size(), false);
  for (size_t i = 0; i < requests.size(); ++i) {
    const BufferRequest& r = requests[i];
    VIGIL_CHECK(r.first_use <= r.last_use);
    const size_t bytes = AlignUp(r.bytes, kArenaAlignment);
    if (r.reuse_of < 0) {
      (*slot_of)[i] = static_cast<int32_t>(slots.size());
      slots.push_back(Slot{bytes, r.first_use, r.last_use, 0});
      continue;
    }
    const size_t d = static_cast<size_t>(r.reuse_of);
    VIGIL_CHECK(d < i);
    VIGIL_CHECK(!donated[d]);  // a slot passes to one successor only
    VIGIL_CHECK(requests[d].last_use == r.first_use);
    VIGIL_CHECK(requests[d].bytes >= r.bytes);
    donated[d] = true;
    Slot& s = slots[(*slot_of)[d]];
    (*slot_of)[i] = (*slot_of)[d];
    s.last = std::max(s.last, r.last_use);
  }
  return slots;
}

bool Intersect(const Slot& a, const Slot& b) { return a.first <= b.last && b.first <= a.last; }

}  // namespace

MemoryPlan PlanMemory(std::span<const BufferRequest> requests) {
  MemoryPlan plan;
  std::vector<Slot> slots = MergeSlots(requests, &plan.slot);

  std::vector<size_t> order(slots.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (slots[a].bytes != slots[b].bytes) return slots[a].bytes > slots[b].bytes;
    if (slots[a].first != slots[b].first) return slots[a].first < slots[b].first;
    return a < b;
  });

  std::vector<size_t> placed;  // indices into slots, in placement order
  std::vector<size_t> conflicts;
  for (size_t idx : order) {
    Slot& s = slots[idx];
    conflicts.clear();
    for (size_t p : placed) {
      if (Intersect(slots[p], s)) conflicts.push_back(p);
    }
    std::sort(conflicts.begin(), conflicts.end(),
              [&](size_t a, size_t b) { return slots[a].offset < slots[b].offset; });
    size_t best_offset = 0;
    size_t best_gap = SIZE_MAX;
    size_t cursor = 0;  // lowest free byte not covered by conflicts seen so far
    for (size_t c : conflicts) {
      const Slot& o = slots[c];
      if (o.offset > cursor) {
        const size_t gap = o.offset - cursor;
        if (gap >= s.bytes && gap < best_gap) {
          best_gap = gap;
          best_offset = cursor;
        }
      }
      cursor = std::max(cursor, o.offset + o.bytes);
    }
    if (best_gap == SIZE_MAX) best_offset = cursor;  // above everything live at the same time
    s.offset = best_offset;
    placed.push_back(idx);
    plan.peak_bytes = std::max(plan.peak_bytes, s.offset + s.bytes);
  }

  plan.offsets.resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) plan.offsets[i] = slots[plan.slot[i]].offset;
  return plan;
}

size_t LiveBytesLowerBound(std::span<const BufferRequest> requests) {
  std::vector<int32_t> slot_of;
  const std::vector<Slot> slots = MergeSlots(requests, &slot_of);
  size_t best = 0;
  for (const Slot& at : slots) {
    // The live set only grows at a slot's birth, so births are the only steps to check.
    size_t live = 0;
    for (const Slot& s : slots) {
      if (s.first <= at.first && at.first <= s.last) live += s.bytes;
    }
    best = std::max(best, live);
  }
  return best;
}

}  // namespace vigil::core

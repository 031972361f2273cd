#include "broker/storage/offset_map.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace sluice::storage {
namespace {

constexpr size_t kInitialSlots = 1024;
// Grow before linear probing chains get long; only the final size runs up to load_factor.
constexpr double kGrowAt = 0.5;

// A 64-bit mix of `key` (multiply-rotate over 8-byte words, then a finaliser that spreads every
// input bit across the output). Two calls with different seeds give the 128-bit digest.
uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t Hash64(std::span<const uint8_t> key, uint64_t seed) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  uint64_t h = seed ^ (key.size() * kMul);
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h ^= Mix(word + seed);
    h = (h << 27 | h >> 37) * kMul + 0x52dce729;
  }
  uint64_t tail = 0;
  for (size_t shift = 0; i < key.size(); ++i, shift += 8) {
    tail |= static_cast<uint64_t>(key[i]) << shift;
  }
  h ^= Mix(tail ^ seed);
  return Mix(h);
}

}  // namespace

KeyOffsetMap::KeyOffsetMap(size_t memory_bytes, double load_factor)
    : max_slots_(std::max<size_t>(memory_bytes / kEntryBytes, 16)),
      // At least one slot stays empty, so that a probe for an absent key ends.
      max_entries_(std::clamp<size_t>(
          static_cast<size_t>(static_cast<double>(max_slots_) * load_factor), 1,
          max_slots_ - 1)) {
  assert(load_factor > 0 && load_factor <= 1);
  slots_.resize(std::min(kInitialSlots, max_slots_));
}

KeyOffsetMap::Digest KeyOffsetMap::DigestOf(std::span<const uint8_t> key) {
  return {Hash64(key, 0x243f6a8885a308d3ULL), Hash64(key, 0x13198a2e03707344ULL)};
}

size_t KeyOffsetMap::FindSlot(const std::vector<Slot>& slots, const Digest& digest) const {
  size_t i = digest.low % slots.size();
  while (true) {
    const Slot& slot = slots[i];
    if (slot.offset < 0 || (slot.digest_high == digest.high && slot.digest_low == digest.low)) {
      return i;
    }
    if (++i == slots.size()) i = 0;
  }
}

void KeyOffsetMap::Grow() {
  std::vector<Slot> bigger(std::min(slots_.size() * 2, max_slots_));
  for (const Slot& slot : slots_) {
    if (slot.offset < 0) continue;
    bigger[FindSlot(bigger, {slot.digest_high, slot.digest_low})] = slot;
  }
  slots_ = std::move(bigger);
}

void KeyOffsetMap::Put(std::span<const uint8_t> key, Offset offset) {
  assert(!full());
  if (slots_.size() < max_slots_ &&
      static_cast<double>(size_ + 1) > static_cast<double>(slots_.size()) * kGrowAt) {
    Grow();
  }
  const Digest digest = DigestOf(key);
  Slot& slot = slots_[FindSlot(slots_, digest)];
  if (slot.offset < 0) ++size_;
  slot = {digest.high, digest.low, offset.value()};
  latest_offset_ = std::max(latest_offset_, offset);
}

std::optional<Offset> KeyOffsetMap::Get(std::span<const uint8_t> key) const {
  const Slot& slot = slots_[FindSlot(slots_, DigestOf(key))];
  if (slot.offset < 0) return std::nullopt;
  return Offset(slot.offset);
}

void KeyOffsetMap::Clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
  latest_offset_ = Offset(-1);
}

}  // namespace sluice::storage

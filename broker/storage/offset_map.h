// KeyOffsetMap: the log cleaner's bounded map from record key to the latest offset holding it
// (the role of Kafka's SkimpyOffsetMap).
//
// Keys are not stored: each is reduced to a 128-bit digest, so an entry takes 24 bytes whatever
// the key's length, and log.cleaner.dedupe.buffer.size (128 MiB by default) holds about 5
// million keys. Two distinct keys sharing a digest would make the cleaner drop the older one's
// latest record; at 128 bits that takes about 2^64 keys, which no partition holds.
//
// The table starts small and doubles up to the memory budget, so cleaning a log of a thousand
// keys does not touch 128 MiB of pages. Once at the budget it accepts entries up to
// `load_factor` of its slots (log.cleaner.io.buffer.load.factor, 0.9): linear probing degrades
// past that. full() then tells the cleaner to stop mapping and clean what it has.
//
// Thread safety: none; one cleaner thread owns a map and reuses it across passes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "libs/base/ids.h"

namespace sluice::storage {

class KeyOffsetMap {
 public:
  static constexpr size_t kEntryBytes = 24;  // 16-byte digest + 8-byte offset

  // REQUIRES: memory_bytes >= 24 * 16; 0 < load_factor <= 1.
  explicit KeyOffsetMap(size_t memory_bytes, double load_factor = 0.9);

  // Records `offset` as the latest offset of `key` (a later Put of the same key wins).
  // REQUIRES: !full().
  void Put(std::span<const uint8_t> key, Offset offset);
  // The offset recorded for `key`, nullopt when none.
  std::optional<Offset> Get(std::span<const uint8_t> key) const;

  size_t size() const { return size_; }
  // How many distinct keys fit before full().
  size_t capacity() const { return max_entries_; }
  bool full() const { return size_ >= max_entries_; }
  // The greatest offset put since the last Clear(); Offset(-1) when none.
  Offset latest_offset() const { return latest_offset_; }
  // Forgets every entry; keeps the allocated table for the next pass.
  void Clear();

 private:
  struct Slot {
    uint64_t digest_high = 0;
    uint64_t digest_low = 0;
    int64_t offset = -1;  // -1 marks an empty slot
  };
  struct Digest {
    uint64_t high;
    uint64_t low;
  };
  static Digest DigestOf(std::span<const uint8_t> key);
  size_t FindSlot(const std::vector<Slot>& slots, const Digest& digest) const;
  void Grow();

  size_t max_slots_;
  size_t max_entries_;
  std::vector<Slot> slots_;
  size_t size_ = 0;
  Offset latest_offset_{-1};
};

}  // namespace sluice::storage

// The time index (.timeindex): a sparse map from timestamps to offsets within a segment.
//
// Format (Kafka's TimeIndex): 12-byte entries, big-endian,
//   timestamp int64 (ms) | relativeOffset int32 (offset - segment base offset)
// An entry (t, o) says: the greatest timestamp among the batches up to and including offset o is
// t. Timestamps strictly increase (an entry is only added when the running maximum grows);
// offsets never decrease. Like the offset index it is rebuilt from the log when in doubt.
//
// Thread safety: externally synchronised (see IndexFile).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "broker/storage/index_file.h"
#include "libs/base/ids.h"

namespace sluice::storage {

inline constexpr size_t kTimeIndexEntrySize = 12;
// Kafka's RecordBatch.NO_TIMESTAMP.
inline constexpr TimestampMs kNoTimestamp{-1};

struct TimestampOffset {
  TimestampMs timestamp;
  Offset offset;
  bool operator==(const TimestampOffset&) const = default;
};

class TimeIndex {
 public:
  static Result<std::unique_ptr<TimeIndex>> Open(const std::filesystem::path& path,
                                                 Offset base_offset, int64_t max_bytes);

  Offset base_offset() const { return base_offset_; }
  size_t entries() const { return file_->entries(); }
  bool IsFull() const { return file_->IsFull(); }
  const std::filesystem::path& path() const { return file_->path(); }
  TimestampOffset EntryAt(size_t i) const;
  // The last entry, or {kNoTimestamp, base_offset} when empty.
  TimestampOffset LastEntry() const;

  // The greatest entry whose timestamp is <= target; {kNoTimestamp, base_offset} when none.
  TimestampOffset Lookup(TimestampMs target) const;

  // Appends (timestamp, offset) when timestamp is greater than the last entry's and the index is
  // not full; otherwise does nothing. REQUIRES: offset >= the last entry's offset.
  Status MaybeAppend(TimestampMs timestamp, Offset offset);
  // Removes every entry whose offset is >= `offset`.
  void TruncateTo(Offset offset);
  // Keeps only the first n entries. REQUIRES: n <= entries().
  void TruncateToEntries(size_t n) { file_->TruncateToEntries(n); }
  void Reset() { file_->TruncateToEntries(0); }

  // Whole entries, timestamps strictly increasing, offsets non-decreasing and within
  // [base_offset, next_offset).
  Status SanityCheck(Offset next_offset) const;

  Status Resize(int64_t bytes) { return file_->Resize(bytes); }
  Status TrimToValidSize() { return file_->TrimToValidSize(); }
  Status Sync() { return file_->Sync(); }
  Status Rename(const std::filesystem::path& to) { return file_->Rename(to); }

 private:
  TimeIndex(std::unique_ptr<IndexFile> file, Offset base, int64_t file_bytes)
      : file_(std::move(file)), base_offset_(base), opened_bytes_(file_bytes) {}

  std::unique_ptr<IndexFile> file_;
  Offset base_offset_;
  int64_t opened_bytes_;
};

}  // namespace sluice::storage

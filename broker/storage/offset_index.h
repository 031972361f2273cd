// The offset index (.index): a sparse map from offsets to byte positions in a segment's .log.
//
// Format (Kafka's OffsetIndex): 8-byte entries, big-endian,
//   relativeOffset int32 (offset - segment base offset) | position int32 (byte offset in .log)
// Both columns strictly increase. An entry (o, p) says: the batch that starts at byte p of the
// log contains (and ends with) offset o. Entries are added every log.index.interval.bytes of
// appended data, so a lookup lands at most ~4 KiB before the wanted batch. The index holds no
// checksum: it is rebuilt from the log whenever it fails SanityCheck or the segment is
// recovered.
//
// Thread safety: externally synchronised (see IndexFile).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "broker/storage/index_file.h"
#include "libs/base/ids.h"

namespace sluice::storage {

inline constexpr size_t kOffsetIndexEntrySize = 8;

struct OffsetPosition {
  Offset offset;
  int32_t position = 0;
  bool operator==(const OffsetPosition&) const = default;
};

class OffsetIndex {
 public:
  static Result<std::unique_ptr<OffsetIndex>> Open(const std::filesystem::path& path,
                                                   Offset base_offset, int64_t max_bytes);

  Offset base_offset() const { return base_offset_; }
  size_t entries() const { return file_->entries(); }
  bool IsFull() const { return file_->IsFull(); }
  const std::filesystem::path& path() const { return file_->path(); }
  OffsetPosition EntryAt(size_t i) const;
  std::optional<OffsetPosition> LastEntry() const;

  // The greatest entry whose offset is <= target; {base_offset, 0} when there is none (the
  // segment's first batch starts at position 0).
  OffsetPosition Lookup(Offset target) const;

  // REQUIRES: offset > LastEntry()->offset and position > LastEntry()->position (or empty);
  // offset - base_offset fits in int32; !IsFull().
  Status Append(Offset offset, int32_t position);
  // Removes every entry whose offset is >= `offset`.
  void TruncateTo(Offset offset);
  // Keeps only the first n entries. REQUIRES: n <= entries().
  void TruncateToEntries(size_t n) { file_->TruncateToEntries(n); }
  void Reset() { file_->TruncateToEntries(0); }

  // Checks that the file is a whole number of entries, offsets and positions strictly increase,
  // offsets are >= base and positions < log_size. A failure means: rebuild from the log.
  Status SanityCheck(int64_t log_size) const;

  Status Resize(int64_t bytes) { return file_->Resize(bytes); }
  Status TrimToValidSize() { return file_->TrimToValidSize(); }
  Status Sync() { return file_->Sync(); }
  Status Rename(const std::filesystem::path& to) { return file_->Rename(to); }

 private:
  OffsetIndex(std::unique_ptr<IndexFile> file, Offset base, int64_t file_bytes)
      : file_(std::move(file)), base_offset_(base), opened_bytes_(file_bytes) {}
  // The number of leading entries whose offset is <= target.
  size_t CountAtOrBelow(Offset target) const;

  std::unique_ptr<IndexFile> file_;
  Offset base_offset_;
  int64_t opened_bytes_;  // file length at open, for the whole-entries check
};

}  // namespace sluice::storage

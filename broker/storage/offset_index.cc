#include "broker/storage/offset_index.h"

#include <cassert>
#include <limits>
#include <string>

namespace sluice::storage {

Result<std::unique_ptr<OffsetIndex>> OffsetIndex::Open(const std::filesystem::path& path,
                                                       Offset base_offset, int64_t max_bytes) {
  int64_t existing_bytes = 0;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    existing_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  }
  auto file = IndexFile::Open(path, kOffsetIndexEntrySize, max_bytes);
  if (!file.ok()) return file.status();
  return std::unique_ptr<OffsetIndex>(
      new OffsetIndex(std::move(*file), base_offset, existing_bytes));
}

OffsetPosition OffsetIndex::EntryAt(size_t i) const {
  std::span<const uint8_t> e = file_->Entry(i);
  int32_t relative = static_cast<int32_t>(GetBigEndian32(e.data()));
  int32_t position = static_cast<int32_t>(GetBigEndian32(e.data() + 4));
  return {base_offset_ + relative, position};
}

std::optional<OffsetPosition> OffsetIndex::LastEntry() const {
  if (entries() == 0) return std::nullopt;
  return EntryAt(entries() - 1);
}

size_t OffsetIndex::CountAtOrBelow(Offset target) const {
  // Binary search over the mapping: entries are sorted by offset (an invariant Append keeps and
  // SanityCheck verifies on load).
  size_t lo = 0;
  size_t hi = entries();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (EntryAt(mid).offset <= target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

OffsetPosition OffsetIndex::Lookup(Offset target) const {
  size_t n = CountAtOrBelow(target);
  if (n == 0) return {base_offset_, 0};
  return EntryAt(n - 1);
}

Status OffsetIndex::Append(Offset offset, int32_t position) {
  int64_t relative = offset - base_offset_;
  if (relative < 0 || relative > std::numeric_limits<int32_t>::max()) {
    return Status::Internal("offset " + std::to_string(offset.value()) +
                            " is not relative to base " + std::to_string(base_offset_.value()));
  }
  if (auto last = LastEntry(); last && (offset <= last->offset || position <= last->position)) {
    return Status::Internal(
        "offset index entries must increase: " + std::to_string(offset.value()) + " after " +
        std::to_string(last->offset.value()));
  }
  uint8_t entry[kOffsetIndexEntrySize];
  PutBigEndian32(entry, static_cast<uint32_t>(relative));
  PutBigEndian32(entry + 4, static_cast<uint32_t>(position));
  return file_->Append(entry);
}

void OffsetIndex::TruncateTo(Offset offset) {
  file_->TruncateToEntries(CountAtOrBelow(offset - 1));
}

Status OffsetIndex::SanityCheck(int64_t log_size) const {
  const std::string name = path().string();
  if (opened_bytes_ % static_cast<int64_t>(kOffsetIndexEntrySize) != 0) {
    return Status::Corruption("offset index " + name + " has a partial entry (length " +
                              std::to_string(opened_bytes_) + ")");
  }
  std::optional<OffsetPosition> previous;
  for (size_t i = 0; i < entries(); ++i) {
    OffsetPosition e = EntryAt(i);
    if (e.offset < base_offset_ || e.position < 0 || e.position >= log_size) {
      return Status::Corruption("offset index " + name + " entry " + std::to_string(i) +
                                " points outside the segment");
    }
    if (previous && (e.offset <= previous->offset || e.position <= previous->position)) {
      return Status::Corruption("offset index " + name + " entry " + std::to_string(i) +
                                " does not increase");
    }
    previous = e;
  }
  return Status::Ok();
}

}  // namespace sluice::storage

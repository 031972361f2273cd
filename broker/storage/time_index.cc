#include "broker/storage/time_index.h"

#include <limits>
#include <string>

namespace sluice::storage {

Result<std::unique_ptr<TimeIndex>> TimeIndex::Open(const std::filesystem::path& path,
                                                   Offset base_offset, int64_t max_bytes) {
  int64_t existing_bytes = 0;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    existing_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  }
  auto file = IndexFile::Open(path, kTimeIndexEntrySize, max_bytes);
  if (!file.ok()) return file.status();
  return std::unique_ptr<TimeIndex>(new TimeIndex(std::move(*file), base_offset, existing_bytes));
}

TimestampOffset TimeIndex::EntryAt(size_t i) const {
  std::span<const uint8_t> e = file_->Entry(i);
  int64_t timestamp = static_cast<int64_t>(GetBigEndian64(e.data()));
  int32_t relative = static_cast<int32_t>(GetBigEndian32(e.data() + 8));
  return {TimestampMs(timestamp), base_offset_ + relative};
}

TimestampOffset TimeIndex::LastEntry() const {
  if (entries() == 0) return {kNoTimestamp, base_offset_};
  return EntryAt(entries() - 1);
}

TimestampOffset TimeIndex::Lookup(TimestampMs target) const {
  size_t lo = 0;
  size_t hi = entries();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (EntryAt(mid).timestamp <= target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return {kNoTimestamp, base_offset_};
  return EntryAt(lo - 1);
}

Status TimeIndex::MaybeAppend(TimestampMs timestamp, Offset offset) {
  TimestampOffset last = LastEntry();
  if (entries() > 0 && offset < last.offset) {
    return Status::Internal(
        "time index offsets must not decrease: " + std::to_string(offset.value()) + " after " +
        std::to_string(last.offset.value()));
  }
  // Kafka's rule: an entry only for a timestamp above the last one, where an empty index counts
  // as ending at timestamp -1 (no timestamp). So an empty segment closing with no records gets
  // no entry, which would otherwise point at an offset the segment does not hold.
  const TimestampMs floor = entries() > 0 ? last.timestamp : kNoTimestamp;
  if (timestamp <= floor || IsFull()) return Status::Ok();
  int64_t relative = offset - base_offset_;
  if (relative < 0 || relative > std::numeric_limits<int32_t>::max()) {
    return Status::Internal("offset " + std::to_string(offset.value()) +
                            " is not relative to base " + std::to_string(base_offset_.value()));
  }
  uint8_t entry[kTimeIndexEntrySize];
  PutBigEndian64(entry, static_cast<uint64_t>(timestamp.value()));
  PutBigEndian32(entry + 8, static_cast<uint32_t>(relative));
  return file_->Append(entry);
}

void TimeIndex::TruncateTo(Offset offset) {
  // Offsets are sorted (non-decreasing), so the entries to keep are a prefix.
  size_t lo = 0;
  size_t hi = entries();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (EntryAt(mid).offset < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  file_->TruncateToEntries(lo);
}

Status TimeIndex::SanityCheck(Offset next_offset) const {
  const std::string name = path().string();
  if (opened_bytes_ % static_cast<int64_t>(kTimeIndexEntrySize) != 0) {
    return Status::Corruption("time index " + name + " has a partial entry (length " +
                              std::to_string(opened_bytes_) + ")");
  }
  for (size_t i = 0; i < entries(); ++i) {
    TimestampOffset e = EntryAt(i);
    if (e.offset < base_offset_ || e.offset >= next_offset) {
      return Status::Corruption("time index " + name + " entry " + std::to_string(i) +
                                " points outside the segment");
    }
    if (i > 0) {
      TimestampOffset previous = EntryAt(i - 1);
      if (e.timestamp <= previous.timestamp || e.offset < previous.offset) {
        return Status::Corruption("time index " + name + " entry " + std::to_string(i) +
                                  " does not increase");
      }
    }
  }
  return Status::Ok();
}

}  // namespace sluice::storage

#include "broker/storage/log_compactor.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/storage/compacted_batch.h"
#include "broker/storage/file_names.h"
#include "broker/storage/log_segment.h"
#include "broker/storage/posix_file.h"
#include "broker/storage/segment_batch_reader.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {
namespace {

// Output is handed to LogSegment::Append in chunks of about this size: large enough that a
// segment is written with few system calls, small enough not to hold a segment in memory.
constexpr size_t kWriteChunkBytes = 1 << 20;

// Each cleaned segment's indexes must fit segment.index.bytes; the time index's 12-byte
// entries are the larger, one per index.interval.bytes of log at most, plus the final entry.
constexpr int64_t kTimeIndexEntryBytes = 12;

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status CheckStop(const std::function<bool()>& should_stop) {
  if (should_stop && should_stop()) return Status::Unavailable("compaction stopped");
  return Status::Ok();
}

// Step 1. Returns the end of the mapped section: the base offset of the first batch that was
// not mapped, or first_uncleanable when all were.
Result<Offset> BuildOffsetMap(const CompactionView& view, const CleanableRange& range,
                              KeyOffsetMap& map, const std::function<bool()>& should_stop) {
  map.Clear();
  const Offset first_dirty = range.first_dirty_offset;
  const Offset stop = range.first_uncleanable_offset;
  for (const SegmentSnapshot& s : view.inactive_segments) {
    if (s.next_offset <= first_dirty) continue;
    if (s.base_offset >= stop) break;
    SegmentBatchReader reader(s.segment->log_file(), 0, s.size);
    while (true) {
      SLUICE_RETURN_IF_ERROR(CheckStop(should_stop));
      auto batch = reader.Next();
      if (!batch.ok()) return batch.status();
      if (!batch->has_value()) break;
      const kafka::RecordBatchHeader h = (*batch)->header;
      if (h.last_offset() < first_dirty.value()) continue;
      // Whole batches only: one straddling the end stays dirty.
      if (h.last_offset() >= stop.value()) return std::max(first_dirty, Offset(h.base_offset));
      if (h.is_control()) continue;
      if (map.size() + static_cast<size_t>(h.record_count) > map.capacity()) {
        if (map.size() == 0) {
          return Status::InvalidArgument(
              "the cleaner's offset map (log.cleaner.dedupe.buffer.size) holds " +
              std::to_string(map.capacity()) + " keys, too few for one batch of " +
              std::to_string(h.record_count) + " records");
        }
        return std::max(first_dirty, Offset(h.base_offset));
      }
      auto body = reader.Body();
      if (!body.ok()) return body.status();
      auto records = kafka::DecodeRecords(*body);
      if (!records.ok()) return records.status();
      for (const kafka::Record& r : *records) {
        if (r.offset >= first_dirty.value() && r.key) map.Put(Bytes(*r.key), Offset(r.offset));
      }
    }
  }
  return stop;
}

// Consecutive segments merged into one output segment while the result stays within
// segment.bytes, its indexes within segment.index.bytes and its offsets within int32 of the
// base (Kafka's groupSegmentsBySize).
std::vector<std::vector<SegmentSnapshot>> GroupSegmentsBySize(
    const std::vector<SegmentSnapshot>& segments, const LogConfig& config) {
  const int64_t interval = std::max<int64_t>(config.index_interval_bytes, 1);
  std::vector<std::vector<SegmentSnapshot>> groups;
  for (size_t i = 0; i < segments.size();) {
    std::vector<SegmentSnapshot> group{segments[i]};
    int64_t size = segments[i].size;
    for (++i; i < segments.size(); ++i) {
      const SegmentSnapshot& next = segments[i];
      int64_t merged = size + next.size;
      int64_t index_bytes = (merged / interval + 2) * kTimeIndexEntryBytes;
      int64_t span = (next.next_offset - 1) - group.front().base_offset;
      if (merged > config.segment_bytes || index_bytes > config.segment_index_bytes ||
          span > std::numeric_limits<int32_t>::max()) {
        break;
      }
      group.push_back(next);
      size = merged;
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

// producer id -> last offset of its last batch in `segments` (header scan only).
Result<std::unordered_map<int64_t, int64_t>> LastBatchOfEachProducer(
    const std::vector<SegmentSnapshot>& segments, const std::function<bool()>& should_stop) {
  std::unordered_map<int64_t, int64_t> last;
  for (const SegmentSnapshot& s : segments) {
    SegmentBatchReader reader(s.segment->log_file(), 0, s.size);
    while (true) {
      SLUICE_RETURN_IF_ERROR(CheckStop(should_stop));
      auto batch = reader.Next();
      if (!batch.ok()) return batch.status();
      if (!batch->has_value()) break;
      const kafka::RecordBatchHeader& h = (*batch)->header;
      if (h.producer_id >= 0) last[h.producer_id] = h.last_offset();
    }
  }
  return last;
}

// Everything one group's rewrite needs besides the group itself.
struct RewriteContext {
  const CompactionView& view;
  const KeyOffsetMap& map;
  Offset end;                  // records at or past it were not mapped: kept
  int64_t delete_horizon_ms;   // tombstones in segments last modified at or before it go
  const std::unordered_map<int64_t, int64_t>& producer_last_offsets;
  const std::function<bool()>& should_stop;
  CompactionStats& stats;
};

enum class Verdict { kKeep, kDrop, kDropExpiredTombstone };

Verdict Judge(const kafka::Record& r, const RewriteContext& ctx, bool retain_tombstones) {
  if (r.offset >= ctx.end.value()) return Verdict::kKeep;
  if (!r.key) return Verdict::kDrop;
  std::optional<Offset> latest = ctx.map.Get(Bytes(*r.key));
  if (latest && r.offset < latest->value()) return Verdict::kDrop;
  if (!r.value && !retain_tombstones) return Verdict::kDropExpiredTombstone;
  return Verdict::kKeep;
}

// Collects output batches and appends them to `out` in chunks.
class CleanedWriter {
 public:
  explicit CleanedWriter(LogSegment& out) : out_(out) {}

  Status Add(std::span<const uint8_t> batch) {
    auto header = kafka::ParseRecordBatchHeader(batch);
    if (!header.ok()) return header.status();
    buffer_.insert(buffer_.end(), batch.begin(), batch.end());
    batches_.push_back({static_cast<int32_t>(batch.size()), Offset(header->last_offset()),
                        TimestampMs(header->max_timestamp)});
    if (buffer_.size() >= kWriteChunkBytes) return Flush();
    return Status::Ok();
  }

  Status Flush() {
    if (batches_.empty()) return Status::Ok();
    SLUICE_RETURN_IF_ERROR(out_.Append(buffer_, batches_));
    buffer_.clear();
    batches_.clear();
    return Status::Ok();
  }

 private:
  LogSegment& out_;
  std::vector<uint8_t> buffer_;
  std::vector<AppendedBatch> batches_;
};

Status RewriteSegment(const SegmentSnapshot& s, const RewriteContext& ctx, CleanedWriter& out) {
  const bool retain_tombstones = s.last_modified.value() > ctx.delete_horizon_ms;
  SegmentBatchReader reader(s.segment->log_file(), 0, s.size);
  while (true) {
    SLUICE_RETURN_IF_ERROR(CheckStop(ctx.should_stop));
    auto batch = reader.Next();
    if (!batch.ok()) return batch.status();
    if (!batch->has_value()) break;
    const kafka::RecordBatchHeader h = (*batch)->header;
    auto body = reader.Body();
    if (!body.ok()) return body.status();
    if (h.is_control()) {
      SLUICE_RETURN_IF_ERROR(out.Add(*body));
      continue;
    }
    auto records = kafka::DecodeRecords(*body);
    if (!records.ok()) return records.status();
    ctx.stats.records_read += static_cast<int64_t>(records->size());
    std::vector<kafka::Record> kept;
    for (kafka::Record& r : *records) {
      Verdict verdict = Judge(r, ctx, retain_tombstones);
      if (verdict == Verdict::kKeep) kept.push_back(std::move(r));
      if (verdict == Verdict::kDropExpiredTombstone) ctx.stats.tombstones_dropped++;
    }
    ctx.stats.records_kept += static_cast<int64_t>(kept.size());
    if (kept.size() == records->size()) {
      SLUICE_RETURN_IF_ERROR(out.Add(*body));  // unchanged: the stored bytes as they are
    } else if (!kept.empty()) {
      auto rebuilt = BuildCompactedBatch(h, kept);
      if (!rebuilt.ok()) return rebuilt.status();
      SLUICE_RETURN_IF_ERROR(out.Add(*rebuilt));
    } else if (auto it = ctx.producer_last_offsets.find(h.producer_id);
               h.producer_id >= 0 && it != ctx.producer_last_offsets.end() &&
               it->second == h.last_offset()) {
      SLUICE_RETURN_IF_ERROR(out.Add(BuildEmptyBatch(h)));
    }
  }
  return Status::Ok();
}

void RemoveStaleOutput(const std::filesystem::path& dir, Offset base) {
  for (SegmentFileKind kind :
       {SegmentFileKind::kLog, SegmentFileKind::kOffsetIndex, SegmentFileKind::kTimeIndex}) {
    for (std::string_view suffix : {kCleanedFileSuffix, kSwapFileSuffix}) {
      std::filesystem::path path = SegmentFilePath(dir, base, kind);
      path += std::string(suffix);
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  }
}

// Writes one group into a new .cleaned segment and leaves it flushed and named .swap.
Status WriteGroup(const std::vector<SegmentSnapshot>& group, const RewriteContext& ctx,
                  LogSegment& cleaned) {
  CleanedWriter writer(cleaned);
  for (const SegmentSnapshot& s : group) {
    SLUICE_RETURN_IF_ERROR(RewriteSegment(s, ctx, writer));
    ctx.stats.segments_read++;
    ctx.stats.bytes_read += s.size;
  }
  SLUICE_RETURN_IF_ERROR(writer.Flush());
  SLUICE_RETURN_IF_ERROR(cleaned.OnBecomeInactive());
  SLUICE_RETURN_IF_ERROR(cleaned.Flush());
  // Kafka keeps the group's last modification time, which the delete horizon is measured from.
  SLUICE_RETURN_IF_ERROR(cleaned.SetLastModified(group.back().last_modified));
  SLUICE_RETURN_IF_ERROR(cleaned.ChangeSuffix(kCleanedFileSuffix, kSwapFileSuffix));
  return SyncDirectory(ctx.view.dir);
}

Status CleanGroup(Log& log, const std::vector<SegmentSnapshot>& group, const RewriteContext& ctx,
                  TimestampMs now) {
  const Offset base = group.front().base_offset;
  RemoveStaleOutput(ctx.view.dir, base);
  auto created = LogSegment::Create(ctx.view.dir, base, LogSegment::OptionsFrom(ctx.view.config),
                                    now, kCleanedFileSuffix);
  if (!created.ok()) return created.status();
  std::shared_ptr<LogSegment> cleaned(std::move(*created));
  Status written = WriteGroup(group, ctx, *cleaned);
  if (!written.ok()) {
    (void)cleaned->DeleteFiles();
    return written;
  }
  const int64_t cleaned_size = cleaned->size();
  Status swapped = log.ReplaceSegments(cleaned, group, now);
  if (!swapped.ok()) {
    // Conflict and Unavailable change nothing; after anything else the log is offline and
    // recovery must find the .swap files.
    if (swapped.code() == Status::Code::kConflict || swapped.code() == Status::Code::kUnavailable) {
      (void)cleaned->DeleteFiles();
    }
    return swapped;
  }
  ctx.stats.segments_written++;
  ctx.stats.bytes_written += cleaned_size;
  return Status::Ok();
}

}  // namespace

Result<CompactionStats> CompactLog(Log& log, const CompactionView& view,
                                   const CleanableRange& range, KeyOffsetMap& map,
                                   TimestampMs now, const std::function<bool()>& should_stop) {
  CompactionStats stats;
  auto end = BuildOffsetMap(view, range, map, should_stop);
  if (!end.ok()) return end.status();
  stats.end_offset = *end;
  stats.map_filled = *end < range.first_uncleanable_offset;
  stats.keys_mapped = static_cast<int64_t>(map.size());
  if (*end <= range.first_dirty_offset) return stats;

  // The delete horizon: from the last segment that was already clean (none: keep every
  // tombstone, as they have not yet been through one compaction).
  int64_t delete_horizon_ms = 0;
  std::vector<SegmentSnapshot> to_clean;
  for (const SegmentSnapshot& s : view.inactive_segments) {
    if (s.base_offset < range.first_dirty_offset) {
      delete_horizon_ms = s.last_modified.value() - view.config.delete_retention_ms;
    }
    if (s.base_offset < *end) to_clean.push_back(s);
  }
  auto producer_last_offsets = LastBatchOfEachProducer(to_clean, should_stop);
  if (!producer_last_offsets.ok()) return producer_last_offsets.status();

  RewriteContext ctx{view, map, *end, delete_horizon_ms, *producer_last_offsets, should_stop,
                     stats};
  for (const auto& group : GroupSegmentsBySize(to_clean, view.config)) {
    SLUICE_RETURN_IF_ERROR(CleanGroup(log, group, ctx, now));
  }
  return stats;
}

}  // namespace sluice::storage

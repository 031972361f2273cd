#include "broker/storage/cleanable_range.h"

#include <algorithm>
#include <limits>

#include "broker/storage/log_segment.h"
#include "broker/storage/segment_batch_reader.h"

namespace sluice::storage {
namespace {

// The first batch's maxTimestamp (Kafka's getFirstBatchTimestamp); nullopt when the segment
// holds no timestamped batch.
Result<std::optional<TimestampMs>> FirstBatchTimestamp(const SegmentSnapshot& segment) {
  SegmentBatchReader reader(segment.segment->log_file(), 0, segment.size,
                            kafka::kRecordBatchOverhead);
  auto first = reader.Next();
  if (!first.ok()) return first.status();
  if (!first->has_value() || (*first)->header.max_timestamp < 0) {
    return std::optional<TimestampMs>();
  }
  return std::optional(TimestampMs((*first)->header.max_timestamp));
}

// Sum of the sizes of the segments whose base offsets lie in [floor(from), to), where floor is
// the segment holding `from` (Kafka's logSegments(from, to)).
int64_t BytesOfSegments(const CompactionView& view, Offset from, Offset to) {
  const std::vector<SegmentSnapshot>& segments = view.inactive_segments;
  int64_t bytes = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentSnapshot& s = segments[i];
    Offset next_base =
        i + 1 < segments.size() ? segments[i + 1].base_offset : view.active_segment_base_offset;
    if (next_base > from && s.base_offset < to) bytes += s.size;
  }
  return bytes;
}

}  // namespace

Result<CleanableRange> FindCleanableRange(const CompactionView& view,
                                          std::optional<Offset> checkpoint, TimestampMs now) {
  CleanableRange range;
  range.first_dirty_offset = view.log_start_offset;
  if (checkpoint && *checkpoint >= view.log_start_offset && *checkpoint <= view.log_end_offset) {
    range.first_dirty_offset = *checkpoint;
  }
  Offset uncleanable = std::min(view.active_segment_base_offset, view.high_watermark);
  const SegmentSnapshot* first_dirty_segment = nullptr;
  for (const SegmentSnapshot& s : view.inactive_segments) {
    if (s.next_offset <= range.first_dirty_offset || s.base_offset >= uncleanable) continue;
    if (first_dirty_segment == nullptr) first_dirty_segment = &s;
    if (view.config.min_compaction_lag_ms > 0 &&
        s.largest_timestamp.value() > now.value() - view.config.min_compaction_lag_ms) {
      uncleanable = std::min(uncleanable, s.base_offset);
      break;
    }
  }
  range.first_uncleanable_offset = std::max(range.first_dirty_offset, uncleanable);
  range.clean_bytes =
      BytesOfSegments(view, view.log_start_offset, range.first_dirty_offset);
  range.dirty_bytes = BytesOfSegments(view, range.first_dirty_offset,
                                      range.first_uncleanable_offset);
  if (range.first_uncleanable_offset == range.first_dirty_offset) range.dirty_bytes = 0;
  const int64_t total = range.clean_bytes + range.dirty_bytes;
  range.dirty_ratio = total > 0 ? static_cast<double>(range.dirty_bytes) / total : 0;

  const int64_t max_lag = view.config.max_compaction_lag_ms;
  if (first_dirty_segment != nullptr && max_lag > 0 &&
      max_lag < std::numeric_limits<int64_t>::max() && now.value() > max_lag) {
    auto first = FirstBatchTimestamp(*first_dirty_segment);
    if (!first.ok()) return first.status();
    TimestampMs created = first->value_or(first_dirty_segment->last_modified);
    range.max_lag_exceeded = created.value() < now.value() - max_lag;
  }
  range.due = range.dirty_bytes > 0 &&
              (range.dirty_ratio >= view.config.min_cleanable_dirty_ratio ||
               range.max_lag_exceeded);
  return range;
}

}  // namespace sluice::storage

// Which part of a compacted log the cleaner may rewrite now, and whether it is worth it (the
// decisions of Kafka's LogCleanerManager.cleanableOffsets and its dirty ratio).
//
//   [log start ........ first dirty) [first dirty ........ first uncleanable) [.... log end)
//        "clean": compacted before        "dirty": not yet compacted            never touched
//
// * first dirty: the cleaner checkpoint (cleaner-offset-checkpoint), or the log start offset
//   when there is none or it lies outside [log start, log end] (e.g. after DeleteRecords).
// * first uncleanable: the least of the active segment's base offset (the active segment is
//   never compacted, so appends never wait for the cleaner), the high watermark (uncommitted
//   records may still be truncated away), and, when min.compaction.lag.ms > 0, the base offset
//   of the first dirty segment whose largest timestamp is within that lag of now.
// * dirty ratio: bytes of the segments starting in [first dirty, first uncleanable) over those
//   plus the bytes of the segments starting in [log start, first dirty) (the segment holding
//   a boundary counts on both sides, as in Kafka). The log is due when the ratio reaches
//   min.cleanable.dirty.ratio, or when the first dirty segment's first batch is older than
//   max.compaction.lag.ms, and there are dirty bytes at all.
#pragma once

#include <optional>

#include "broker/storage/log.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

struct CleanableRange {
  Offset first_dirty_offset;
  Offset first_uncleanable_offset;  // >= first_dirty_offset
  int64_t clean_bytes = 0;
  int64_t dirty_bytes = 0;
  double dirty_ratio = 0;
  bool max_lag_exceeded = false;  // max.compaction.lag.ms forces a clean
  // The log should be compacted now.
  bool due = false;
};

// Reads at most one batch header (of the first dirty segment, for max.compaction.lag.ms).
// IoError when that read fails.
Result<CleanableRange> FindCleanableRange(const CompactionView& view,
                                          std::optional<Offset> checkpoint, TimestampMs now);

}  // namespace sluice::storage

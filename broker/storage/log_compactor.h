// Compaction of one log: the latest record per key survives (Kafka's LogCleaner.Cleaner).
//
// Steps, for a log and its CleanableRange (cleanable_range.h):
//   1. Map: scan the dirty section [first dirty, first uncleanable) batch by batch and record
//      key -> latest offset in the KeyOffsetMap. If the map fills, mapping stops before the
//      batch that does not fit; `end` is where it stopped (else `end` = first uncleanable).
//      Only whole batches are mapped, so every offset below `end` is accounted for.
//   2. Rewrite every segment from the log start up to `end`, in groups of consecutive
//      segments whose total size fits segment.bytes (small segments merge, as Kafka's
//      groupSegmentsBySize does), each group into one new segment, keeping a record when:
//        * its offset is >= end (not mapped: it may be the latest), or
//        * it has a key, no later offset holds that key, and it is not a tombstone that
//          expired: a tombstone (null value) is dropped once the segment holding it was last
//          modified before the delete horizon = (last modification of the last segment
//          starting below first dirty) - delete.retention.ms. So a tombstone lives at least
//          delete.retention.ms after it has been compacted once (Kafka 2.8's rule).
//      Records without a key are dropped (appends refuse them; older data may hold some).
//      Control batches are copied as they are. A batch keeping all its records is copied
//      byte for byte; otherwise compacted_batch.h rebuilds it (offsets, codec and producer
//      fields kept). A batch losing every record disappears, except the last batch of a
//      producer id in the rewritten segments, which stays as an empty batch (producer state).
//   3. Swap: each group's output is written to <base>.log.cleaned (indexes built as it is
//      written), fsynced, stamped with the mtime of the group's last segment, renamed .swap,
//      and put in place by Log::ReplaceSegments (FORMAT.md §9). The log's lock is held only
//      for those renames: appends go to the active segment throughout, and reads see the old
//      segments or the new one, never a mixture.
// The caller checkpoints `end` as the new first dirty offset.
//
// Thread safety: runs on the cleaner thread; the Log may be used concurrently by any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "broker/storage/cleanable_range.h"
#include "broker/storage/log.h"
#include "broker/storage/offset_map.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

struct CompactionStats {
  Offset end_offset;  // the new first dirty offset (cleaner checkpoint)
  bool map_filled = false;
  int64_t keys_mapped = 0;
  int segments_read = 0;
  int segments_written = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_kept = 0;
  int64_t tombstones_dropped = 0;
};

// Compacts `log` as described above, using `view` (its snapshot) and `range`. `map` is
// cleared first. `should_stop` is polled between batches; when it turns true the compaction
// ends with Unavailable and no change to the log beyond the groups already swapped in.
// Errors: Conflict (the log changed under a swap: retention, truncation, deletion; retry
// later), Unavailable (closed or stopping), IoError, Corruption (a stored batch does not
// decode), InvalidArgument (the map cannot hold a single batch's keys). On any error the
// .cleaned/.swap files of the group in progress are deleted.
Result<CompactionStats> CompactLog(Log& log, const CompactionView& view,
                                   const CleanableRange& range, KeyOffsetMap& map,
                                   TimestampMs now, const std::function<bool()>& should_stop);

}  // namespace sluice::storage

// Per-log settings, with Kafka's defaults (topic-level names in comments; the broker-level
// log.* keys supply the defaults). Times are in milliseconds.
#pragma once

#include <cstdint>
#include <limits>

namespace sluice::storage {

enum class TimestampType {
  kCreateTime,     // keep the producer's timestamps
  kLogAppendTime,  // the broker stamps each batch with its append time
};

struct LogConfig {
  // segment.bytes (log.segment.bytes): roll when the active segment would exceed this.
  int64_t segment_bytes = 1024LL * 1024 * 1024;
  // segment.ms (log.roll.ms / log.roll.hours=168): roll when the active segment's first batch
  // is this much older than the incoming batch.
  int64_t segment_ms = 7LL * 24 * 60 * 60 * 1000;
  // retention.ms (log.retention.hours=168); -1 keeps data forever.
  int64_t retention_ms = 7LL * 24 * 60 * 60 * 1000;
  // retention.bytes (log.retention.bytes); -1 means no size limit.
  int64_t retention_bytes = -1;
  // index.interval.bytes (log.index.interval.bytes): bytes of log between offset index entries.
  int32_t index_interval_bytes = 4096;
  // segment.index.bytes (log.index.size.max.bytes): preallocated size of each index file.
  int32_t segment_index_bytes = 10 * 1024 * 1024;
  // max.message.bytes (message.max.bytes): the largest record batch accepted.
  int32_t max_message_bytes = 1048588;
  // message.timestamp.type (log.message.timestamp.type).
  TimestampType message_timestamp_type = TimestampType::kCreateTime;
  // file.delete.delay.ms: how long deleted segments linger as *.deleted before unlinking.
  int64_t file_delete_delay_ms = 60000;
  // flush.messages (log.flush.interval.messages): fsync after this many unflushed messages.
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  // flush.ms (log.flush.interval.ms): fsync when the last flush is this old.
  int64_t flush_ms = std::numeric_limits<int64_t>::max();

  // cleanup.policy (log.cleanup.policy): "delete" ages and sizes segments out (retention.ms,
  // retention.bytes); "compact" keeps the latest record per key (log_cleaner.h). Both may be set.
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  // delete.retention.ms (log.cleaner.delete.retention.ms): how long a tombstone (null value)
  // survives compaction, measured from the last modification of the segment holding it once
  // that segment has been cleaned (Kafka's deleteHorizonMs rule; log_compactor.h).
  int64_t delete_retention_ms = 24LL * 60 * 60 * 1000;
  // min.compaction.lag.ms (log.cleaner.min.compaction.lag.ms): a record stays uncompacted at
  // least this long after it was written (by its segment's largest timestamp).
  int64_t min_compaction_lag_ms = 0;
  // max.compaction.lag.ms (log.cleaner.max.compaction.lag.ms): a dirty segment older than this
  // is compacted whatever the dirty ratio.
  int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();
  // min.cleanable.dirty.ratio (log.cleaner.min.cleanable.ratio): compact once the uncompacted
  // share of the log's bytes reaches this.
  double min_cleanable_dirty_ratio = 0.5;
};

}  // namespace sluice::storage

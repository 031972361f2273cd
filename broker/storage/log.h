// Log: one partition's log, an ordered run of segments on disk (see FORMAT.md).
//
// This is storage's public surface for request handlers and replication. A Log is safe for
// concurrent use by many threads without external synchronisation: appends and structural
// changes (roll, truncation, retention) are serialised by an exclusive lock, reads share it, and
// fsync runs outside it so a flush never stalls appends.
//
// Errors are Status values, never exceptions or crashes. Every method may return
//   Unavailable  the log was closed (LogManager::DeleteLog or Close), or
//   IoError      the log went offline after a write it could not undo; it refuses all further
//                appends and reads until the broker restarts and recovery repairs the tail.
// Other codes are listed per method.
//
// Offsets: the log holds [LogStartOffset(), LogEndOffset()). Consumers may read below
// HighWatermark(); on a single broker the server sets it to LogEndOffset() after each append.
// The recovery point is the offset below which everything has been fsynced; after a crash only
// the segments from the one holding it onward are re-validated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "broker/storage/log_config.h"
#include "broker/storage/log_recovery.h"
#include "broker/storage/thread_annotations.h"
#include "broker/storage/time_index.h"
#include "broker/storage/topic_partition.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

class LogSegment;

// An inactive segment as compaction sees it (Log::SnapshotForCompaction): the fields are read
// under the log's lock; the segment is then scanned without it through the shared pointer,
// which keeps its files open even if retention or a swap removes it meanwhile.
struct SegmentSnapshot {
  std::shared_ptr<const LogSegment> segment;
  Offset base_offset;
  Offset next_offset;  // one past the last offset it holds (base_offset when empty)
  int64_t size = 0;
  TimestampMs last_modified{0};      // the .log file's mtime
  TimestampMs largest_timestamp{0};  // LogSegment::LargestTimestamp()
};

// Everything the log cleaner needs to decide on and carry out one compaction of a log.
struct CompactionView {
  std::filesystem::path dir;
  LogConfig config;
  Offset log_start_offset;
  Offset log_end_offset;
  Offset high_watermark;
  Offset active_segment_base_offset;
  std::vector<SegmentSnapshot> inactive_segments;  // every segment but the active one, in order
};

struct AppendInfo {
  Offset first_offset;              // offset assigned to the first record
  Offset last_offset;               // offset assigned to the last record
  TimestampMs log_append_time{-1};  // the stamped time when message.timestamp.type is
                                    // LogAppendTime, else -1
  Offset log_start_offset;
};

// The bytes returned by Read: whole record batches v2, exactly as stored (offsets assigned),
// copied out of the segment with one pread. Chosen over a file descriptor for sendfile because
// "whole batches only" needs the batch lengths, which we walk in the buffer we read anyway; a
// sendfile slice can be added beside it once the network layer wants it.
struct ReadResult {
  std::vector<uint8_t> records;
  Offset log_start_offset;
  Offset log_end_offset;
  Offset high_watermark;
};

class Log {
 public:
  // Opens (creating when missing) the partition directory `dir` and loads it, running recovery
  // (log_recovery.h) when the last shutdown was not clean. Fails with IoError when files cannot
  // be opened; damaged data is repaired by truncation, not reported as an error.
  static Result<std::unique_ptr<Log>> Open(const std::filesystem::path& dir,
                                           const TopicPartition& tp, const LogConfig& config,
                                           const LogLoadOptions& options);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  const TopicPartition& topic_partition() const { return tp_; }
  std::filesystem::path dir() const SLUICE_EXCLUDES(mu_);
  LogConfig config() const SLUICE_EXCLUDES(mu_);
  // Takes effect for the next append/roll/retention pass; existing segments stay as they are.
  void UpdateConfig(const LogConfig& config) SLUICE_EXCLUDES(mu_);

  // Appends one or more record batches v2 as a producer sent them. Every batch is validated
  // (see append_validation.h for which Status code means which Kafka error), then copied once,
  // given offsets from LogEndOffset() on, stamped with `leader_epoch` (and with `now` as
  // maxTimestamp when the topic uses LogAppendTime), and written with one write call. Rolls a
  // new segment first when the active one would pass segment.bytes or is older than
  // segment.ms. A failed write (ENOSPC, EFBIG, EIO) returns IoError and leaves the log exactly
  // as before; if even that cannot be ensured, the log goes offline.
  // Status codes, and the Kafka error the protocol edge answers with:
  //   OutOfRange       MESSAGE_TOO_LARGE (a batch over max.message.bytes; RECORD_LIST_TOO_LARGE
  //                    when the whole append exceeds segment.bytes; the message says which)
  //   Corruption       CORRUPT_MESSAGE (CRC mismatch, torn framing)
  //   InvalidArgument  INVALID_RECORD (magic != 2, control batch, inconsistent counts/deltas,
  //                    a record without a key when cleanup.policy includes compact)
  //   IoError          KAFKA_STORAGE_ERROR
  Result<AppendInfo> Append(std::span<const uint8_t> records, LeaderEpoch leader_epoch,
                            TimestampMs now) SLUICE_EXCLUDES(mu_);

  // Reads whole batches starting with the one that holds `start`: at most `max_bytes`, except
  // that with `min_one_batch` the first batch comes whole even when larger (KIP-74), never a
  // batch holding an offset >= `max_offset_exclusive` (pass the high watermark for consumers,
  // LogEndOffset() for followers). Batches come from one segment per call, as in Kafka.
  // OutOfRange when start < LogStartOffset() or start > LogEndOffset(); start ==
  // LogEndOffset() yields no bytes. Records are not decoded.
  Result<ReadResult> Read(Offset start, int32_t max_bytes, Offset max_offset_exclusive,
                          bool min_one_batch) const SLUICE_EXCLUDES(mu_);

  Offset LogStartOffset() const SLUICE_EXCLUDES(mu_);
  Offset LogEndOffset() const SLUICE_EXCLUDES(mu_);
  Offset HighWatermark() const SLUICE_EXCLUDES(mu_);
  // Clamped into [LogStartOffset(), LogEndOffset()]. Returns the value set.
  Offset SetHighWatermark(Offset high_watermark) SLUICE_EXCLUDES(mu_);
  Offset RecoveryPoint() const SLUICE_EXCLUDES(mu_);
  // Base offset of the active (last) segment.
  Offset ActiveSegmentBaseOffset() const SLUICE_EXCLUDES(mu_);

  // fsyncs every segment holding offsets in [RecoveryPoint(), up_to) (and the directory after
  // a roll), then advances the recovery point to up_to (at most LogEndOffset()).
  // Flush(LogEndOffset()) makes everything durable.
  Status Flush(Offset up_to) SLUICE_EXCLUDES(mu_);
  // Wall-clock time (ms) of the last completed Flush, or of the open.
  TimestampMs LastFlushTime() const SLUICE_EXCLUDES(mu_);

  // ListOffsets by timestamp: the first record whose timestamp is >= target (Kafka: the first
  // segment whose largest timestamp is >= target, the first batch there whose maxTimestamp is
  // >= target, then that batch's records decoded). nullopt when every record is older. The
  // special targets -1 (latest) and -2 (earliest) are the caller's: use LogEndOffset() and
  // LogStartOffset(). The caller also hides answers at or past the high watermark.
  Result<std::optional<TimestampOffset>> OffsetForTimestamp(TimestampMs target) const
      SLUICE_EXCLUDES(mu_);

  // DeleteRecords: moves the log start offset up to `offset` and deletes the segments wholly
  // below it. OutOfRange when offset > HighWatermark(). Returns the new log start offset (never
  // lower than before).
  Result<Offset> DeleteRecordsBefore(Offset offset, TimestampMs now) SLUICE_EXCLUDES(mu_);

  // Removes every batch from the one holding `offset` onward (replication: follower
  // truncation). A no-op when offset >= LogEndOffset(). When offset is below the first segment
  // the log is emptied and restarts at `offset`. High watermark, recovery point and log start
  // offset are lowered to the new end when above it. InvalidArgument for a negative offset.
  Status TruncateTo(Offset offset, TimestampMs now) SLUICE_EXCLUDES(mu_);

  // One retention pass (Kafka's deleteOldSegments for cleanup.policy=delete): deletes whole
  // segments from the oldest while (a) their largest timestamp is more than retention.ms
  // before `now`, (b) the log is larger than retention.bytes by at least the segment's size,
  // or (c) they lie wholly below the log start offset. A segment is deleted only when the high
  // watermark has passed its end; the active segment counts too (a new empty one is rolled
  // first), unless it is empty. Deleted segments are renamed *.deleted and unlinked
  // file.delete.delay.ms later (by a later pass). Returns the number of segments deleted.
  Result<int> ApplyRetention(TimestampMs now) SLUICE_EXCLUDES(mu_);

  // --- For compaction (log_cleaner.h, log_compactor.h); request handlers never call these. ---

  // The inactive segments and offsets, taken under the shared lock (appends wait only for the
  // copy of a few fields per segment).
  Result<CompactionView> SnapshotForCompaction() const SLUICE_EXCLUDES(mu_);
  // Puts `cleaned` (a flushed segment whose files end in ".swap") in place of the consecutive
  // segments `replaced`, under the exclusive lock and with renames only (FORMAT.md §9): the
  // replaced segments are renamed *.deleted and unlinked file.delete.delay.ms later, then the
  // ".swap" suffix is dropped. Readers that started earlier finish on the old segments (they
  // hold the shared lock); later ones see the new segment. Fails with Conflict, changing
  // nothing, when the log moved on meanwhile (a replaced segment was deleted, truncated or
  // became active); the caller then deletes `cleaned`. REQUIRES: cleaned->base_offset() ==
  // replaced.front().base_offset.
  Status ReplaceSegments(std::shared_ptr<LogSegment> cleaned,
                         const std::vector<SegmentSnapshot>& replaced, TimestampMs now)
      SLUICE_EXCLUDES(mu_);

  int64_t SizeInBytes() const SLUICE_EXCLUDES(mu_);
  size_t NumSegments() const SLUICE_EXCLUDES(mu_);
  bool offline() const SLUICE_EXCLUDES(mu_);
  // What Open's load/recovery did (constant afterwards).
  const RecoveryStats& recovery_stats() const { return recovery_stats_; }

  // Flushes, trims the active segment's indexes (FORMAT.md: indexes are trimmed on close) and
  // closes. Afterwards every method returns Unavailable. Idempotent.
  Status Close() SLUICE_EXCLUDES(mu_);
  // Closes without flushing and forgets the directory was ours (LogManager::DeleteLog renames
  // and removes it next).
  void CloseForDeletion() SLUICE_EXCLUDES(mu_);

 private:
  using SegmentMap = std::map<Offset, std::shared_ptr<LogSegment>>;
  struct PendingDeletion {
    std::shared_ptr<LogSegment> segment;
    TimestampMs delete_at;
  };

  Log(std::filesystem::path dir, TopicPartition tp, const LogConfig& config);

  Status CheckUsable() const SLUICE_REQUIRES_SHARED(mu_);
  LogSegment& ActiveSegment() const SLUICE_REQUIRES_SHARED(mu_);
  // Makes a new empty active segment at LogEndOffset().
  Status Roll(TimestampMs now) SLUICE_REQUIRES(mu_);
  // Deletes the first `count` segments (rolling first if that is all of them).
  Status DeleteOldestSegments(size_t count, TimestampMs now) SLUICE_REQUIRES(mu_);
  // Removes `segment` from service: renamed *.deleted, unlinked after file.delete.delay.ms.
  Status ScheduleDeletion(std::shared_ptr<LogSegment> segment, TimestampMs now)
      SLUICE_REQUIRES(mu_);
  void DeleteExpiredFiles(TimestampMs now) SLUICE_REQUIRES(mu_);
  // How many segments, from the oldest, satisfy `deletable` under Kafka's rules (high watermark
  // past the segment's end; never the empty active segment).
  template <typename Predicate>
  size_t CountDeletablePrefix(Predicate deletable) const SLUICE_REQUIRES_SHARED(mu_);

  const TopicPartition tp_;
  RecoveryStats recovery_stats_;  // set once in Open
  mutable SharedMutex mu_;
  // Serialises Flush calls; taken before mu_, never while holding it.
  Mutex flush_mu_;
  std::filesystem::path dir_ SLUICE_GUARDED_BY(mu_);
  LogConfig config_ SLUICE_GUARDED_BY(mu_);
  // Non-empty; keyed by base offset; the last one is the active segment.
  SegmentMap segments_ SLUICE_GUARDED_BY(mu_);
  std::vector<PendingDeletion> pending_deletions_ SLUICE_GUARDED_BY(mu_);
  Offset log_start_offset_ SLUICE_GUARDED_BY(mu_);
  Offset log_end_offset_ SLUICE_GUARDED_BY(mu_);
  Offset high_watermark_ SLUICE_GUARDED_BY(mu_);
  Offset recovery_point_ SLUICE_GUARDED_BY(mu_);
  TimestampMs last_flush_time_ SLUICE_GUARDED_BY(mu_);
  bool dir_needs_sync_ SLUICE_GUARDED_BY(mu_) =
      false;  // a segment was created since the last flush
  bool offline_ SLUICE_GUARDED_BY(mu_) = false;
  bool closed_ SLUICE_GUARDED_BY(mu_) = false;
};

}  // namespace sluice::storage

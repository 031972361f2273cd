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
// HighWatermark(), which the replication layer sets (the minimum log end offset over the ISR on
// a leader, min(leader's high watermark, own log end offset) on a follower); Open starts it at
// LogEndOffset() and LogManager then loads it from replication-offset-checkpoint.
// The recovery point is the offset below which everything has been fsynced; after a crash only
// the segments from the one holding it onward are re-validated.
//
// Leader epochs: the log owns its LeaderEpochCache (leader_epoch_cache.h), persisted as
// <dir>/leader-epoch-checkpoint. Invariant, kept under the exclusive lock by every method that
// changes the log: each cache entry starts inside [LogStartOffset(), LogEndOffset()] (an entry
// may start exactly at LogEndOffset() after BeginLeaderEpoch), and each batch's
// partitionLeaderEpoch is the cache's epoch for the batch's base offset. Open restores it after
// a crash (see Open).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "broker/storage/leader_epoch_cache.h"
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
  // The leader epoch cache is loaded from leader-epoch-checkpoint and then made consistent with
  // what recovery kept: entries starting at or past the log end offset are dropped (their
  // records were lost in the crash), epochs of batches from the recovery point on that the file
  // lacks are added (Kafka's LogSegment.recover), and the first entry is moved up to the log
  // start offset. A missing or unreadable file is rebuilt from the partitionLeaderEpoch of
  // every batch header (recovery_stats().leader_epochs_rebuilt).
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
  // A `leader_epoch` >= 0 that differs from LatestEpoch() is recorded in the leader epoch cache
  // as starting at the append's first offset (Kafka's rules, leader_epoch_cache.h: a lower
  // epoch than the latest removes the newer entries). The cache is updated after the write
  // succeeded; if its checkpoint cannot be written the append still succeeds (the records are
  // on disk) and the file is rewritten at the next change or at Close.
  Result<AppendInfo> Append(std::span<const uint8_t> records, LeaderEpoch leader_epoch,
                            TimestampMs now) SLUICE_EXCLUDES(mu_);

  // Appends batches exactly as the leader wrote them (replication): offsets, partitionLeaderEpoch,
  // timestamps and attributes are kept and nothing is re-stamped. Validation is
  // ValidateReplicatedRecords (append_validation.h): framing and CRC-32C, offsets increasing
  // within and across batches; a trailing incomplete batch is ignored. The first batch's base
  // offset must be >= LogEndOffset() (a gap is accepted: the leader's log may be compacted);
  // the log end offset becomes the last batch's last offset + 1. Each batch with
  // partitionLeaderEpoch >= 0 is recorded in the leader epoch cache at its base offset when the
  // epoch is newer than LatestEpoch() (or starts below it). When a roll is needed the new segment
  // is based at the first batch's base offset. The high watermark is not moved (the caller sets
  // it). The returned AppendInfo has the first batch's base offset, the last batch's last
  // offset and log_append_time -1.
  // Status codes: InvalidArgument (base offset below LogEndOffset(), offsets not increasing,
  // magic != 2, no complete batch), Corruption (CRC mismatch, torn framing), OutOfRange (more
  // than segment.bytes), IoError (KAFKA_STORAGE_ERROR; the log is left as before or offline).
  Result<AppendInfo> AppendAsFollower(std::span<const uint8_t> records, TimestampMs now)
      SLUICE_EXCLUDES(mu_);

  // The latest leader epoch the log holds records of (or that BeginLeaderEpoch recorded);
  // nullopt when the epoch cache is empty.
  std::optional<int32_t> LatestEpoch() const SLUICE_EXCLUDES(mu_);
  // OffsetForLeaderEpoch, Kafka's LeaderEpochFileCache.endOffsetFor: for `requested_epoch` the
  // pair (largest cached epoch <= requested_epoch, end offset of that epoch = start offset of
  // the next higher cached epoch, or LogEndOffset() when requested_epoch is the latest epoch).
  // (-1, -1) when requested_epoch is -1, newer than every cached epoch, or the cache is empty;
  // (requested_epoch, first entry's start offset) when requested_epoch is older than every
  // cached epoch (those records were deleted), as Kafka 2.8 answers.
  std::pair<int32_t, Offset> EndOffsetForEpoch(int32_t requested_epoch) const SLUICE_EXCLUDES(mu_);
  // A new leader records that `leader_epoch` starts at the current LogEndOffset() before it
  // appends anything (Kafka's Partition.makeLeader -> maybeAssignEpochStartOffset), so that
  // OffsetForLeaderEpoch tells followers of the previous epoch where it ended even while the new
  // leader has written nothing. A no-op when leader_epoch is already the latest epoch.
  // InvalidArgument for a negative epoch; IoError when the checkpoint cannot be written.
  Status BeginLeaderEpoch(int32_t leader_epoch) SLUICE_EXCLUDES(mu_);
  // A copy of the epoch cache's entries (oldest first), for tests and diagnostics.
  std::vector<EpochEntry> LeaderEpochEntries() const SLUICE_EXCLUDES(mu_);

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
  // lower than before). The leader epoch cache is truncated from the start to it (Kafka's
  // truncateFromStart: the epoch holding the new start offset is kept, starting there).
  Result<Offset> DeleteRecordsBefore(Offset offset, TimestampMs now) SLUICE_EXCLUDES(mu_);

  // Removes every batch from the one holding `offset` onward (replication: follower
  // truncation). A no-op when offset >= LogEndOffset(). When offset is below the first segment
  // the log is emptied and restarts at `offset`. High watermark, recovery point and log start
  // offset are lowered to the new end when above it. The leader epoch cache loses the entries
  // starting at or after the new end (all of them when the log was emptied).
  // InvalidArgument for a negative offset.
  Status TruncateTo(Offset offset, TimestampMs now) SLUICE_EXCLUDES(mu_);

  // Kafka's truncateFullyAndStartAt: removes every segment and restarts the log empty at
  // `offset`, which becomes the log start and end offset, high watermark and recovery point;
  // the leader epoch cache is cleared. For a follower whose log end offset fell below the
  // leader's log start offset (its fetch was OFFSET_OUT_OF_RANGE), or whose log is ahead of an
  // empty leader. InvalidArgument for a negative offset; IoError (the log goes offline) when the
  // files cannot be renamed or created.
  Status TruncateFullyAndStartAt(Offset offset, TimestampMs now) SLUICE_EXCLUDES(mu_);

  // One retention pass (Kafka's deleteOldSegments for cleanup.policy=delete): deletes whole
  // segments from the oldest while (a) their largest timestamp is more than retention.ms
  // before `now`, (b) the log is larger than retention.bytes by at least the segment's size,
  // or (c) they lie wholly below the log start offset. A segment is deleted only when the high
  // watermark has passed its end; the active segment counts too (a new empty one is rolled
  // first), unless it is empty. Deleted segments are renamed *.deleted and unlinked
  // file.delete.delay.ms later (by a later pass). When the log start offset moves, the leader
  // epoch cache is truncated from the start as for DeleteRecordsBefore. Returns the number of
  // segments deleted.
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

  // Flushes, trims the active segment's indexes (FORMAT.md: indexes are trimmed on close),
  // rewrites leader-epoch-checkpoint if an earlier write of it failed, and closes. Afterwards
  // every method returns Unavailable. Idempotent.
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
  // Makes a new empty active segment at max(LogEndOffset(), base) (a follower's append may start
  // past the log end offset).
  Status Roll(TimestampMs now, std::optional<Offset> base = std::nullopt) SLUICE_REQUIRES(mu_);
  // Replaces every segment by one empty segment at `offset` (old ones scheduled for deletion);
  // offsets and the epoch cache are the caller's. On failure the log is offline.
  Status StartOverAt(Offset offset, TimestampMs now) SLUICE_REQUIRES(mu_);
  // Open's half of the leader epoch invariant (see Open).
  Status LoadLeaderEpochs(const LogLoadOptions& options) SLUICE_REQUIRES(mu_);
  // Adds the epochs of batches holding offsets >= `from` that are newer than the cache's latest.
  Status ScanLeaderEpochs(Offset from) SLUICE_REQUIRES(mu_);
  // Records the epochs of appended batches (shared by Append and AppendAsFollower); a failed
  // checkpoint write is logged, not returned: the records are already in the log.
  void RecordEpochs(const std::vector<EpochEntry>& appended) SLUICE_REQUIRES(mu_);
  // After the log start offset moved.
  Status TruncateEpochsFromStart() SLUICE_REQUIRES(mu_);
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
  LeaderEpochCache epochs_ SLUICE_GUARDED_BY(mu_);
  TimestampMs last_flush_time_ SLUICE_GUARDED_BY(mu_);
  bool dir_needs_sync_ SLUICE_GUARDED_BY(mu_) =
      false;  // a segment was created since the last flush
  bool offline_ SLUICE_GUARDED_BY(mu_) = false;
  bool closed_ SLUICE_GUARDED_BY(mu_) = false;
};

}  // namespace sluice::storage

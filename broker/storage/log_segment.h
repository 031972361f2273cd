// One segment of a partition's log: <base>.log plus its <base>.index and <base>.timeindex.
//
// The .log file is record batches v2 back to back, exactly as Kafka stores them (offsets and
// leader epoch assigned by the broker). A segment holds the offsets [base_offset, next_offset).
// Positions are int32 because Kafka's index format stores them so (segment.bytes <= 2 GiB).
//
// Invariants (checked by Recover, kept by Append/TruncateTo):
//   * batches are whole, valid, and their offsets strictly increase from base_offset;
//   * every offset index entry (o, p) names a batch that starts at p and ends with o;
//   * the indexes are exactly what a Recover() of the same bytes would rebuild: an entry is
//     added for a batch when more than index_interval_bytes of log precede it since the last
//     entry (Kafka's LogSegment.append / recover rule).
//
// Thread safety: none. The owning Log serialises mutations (exclusive lock) against reads
// (shared lock); the const methods may run concurrently with each other.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "broker/storage/log_config.h"
#include "broker/storage/offset_index.h"
#include "broker/storage/posix_file.h"
#include "broker/storage/time_index.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

// What the Log learned about one batch while validating an append (no record decoding).
struct AppendedBatch {
  int32_t size = 0;  // bytes
  Offset last_offset;
  TimestampMs max_timestamp{-1};
};

// Where a batch lives in the .log file.
struct BatchLocation {
  Offset base_offset;
  Offset last_offset;
  int32_t position = 0;
  int32_t size = 0;
};

class LogSegment {
 public:
  struct Options {
    int32_t index_interval_bytes = 4096;
    int64_t index_max_bytes = 10 * 1024 * 1024;
  };
  static Options OptionsFrom(const LogConfig& config) {
    return {config.index_interval_bytes, config.segment_index_bytes};
  }

  // Creates a new empty segment. Fails with AlreadyExists if <base>.log exists and is not empty;
  // stale index files of that name are replaced. With a `suffix` (".cleaned" for compaction
  // output) every file name carries it: <base>.log.cleaned, and so on.
  static Result<std::unique_ptr<LogSegment>> Create(const std::filesystem::path& dir,
                                                    Offset base_offset, const Options& options,
                                                    TimestampMs now,
                                                    std::string_view suffix = {});
  // Opens an existing segment without scanning it; index files are created when missing. Call
  // Recover() or LoadTail() before use.
  static Result<std::unique_ptr<LogSegment>> Open(const std::filesystem::path& dir,
                                                  Offset base_offset, const Options& options,
                                                  TimestampMs now);
  ~LogSegment();
  LogSegment(const LogSegment&) = delete;
  LogSegment& operator=(const LogSegment&) = delete;

  Offset base_offset() const { return base_offset_; }
  Offset next_offset() const { return next_offset_; }
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::filesystem::path& log_path() const { return log_->path(); }
  // The .log file, for scans that must not hold the Log's lock (the compactor reads inactive
  // segments with positional reads, which renames and appends elsewhere do not disturb).
  const PosixFile& log_file() const { return *log_; }
  const OffsetIndex& offset_index() const { return *offset_index_; }
  const TimeIndex& time_index() const { return *time_index_; }
  // The greatest batch maxTimestamp in the segment, kNoTimestamp when none.
  TimestampMs max_timestamp() const { return max_timestamp_so_far_; }
  // What retention compares against retention.ms: max_timestamp(), or the .log file's
  // modification time when no batch carries a timestamp (Kafka's largestTimestamp).
  TimestampMs LargestTimestamp() const;
  // The .log file's modification time (Kafka's LogSegment.lastModified); compaction measures
  // delete.retention.ms from it and copies it onto the segment it writes.
  Result<TimestampMs> LastModified() const;
  Status SetLastModified(TimestampMs mtime);
  // True once an append failed and undoing it failed too: the file content is unknown.
  bool damaged() const { return damaged_; }

  // Kafka's LogSegment.shouldRoll: would appending `bytes` ending at `last_offset` with
  // `max_timestamp` overflow segment.bytes, age the segment past segment.ms (measured from the
  // first batch's maxTimestamp, or from creation when it has none), fill an index, or push a
  // relative offset past int32?
  bool ShouldRoll(int64_t bytes, TimestampMs max_timestamp, Offset last_offset, TimestampMs now,
                  const LogConfig& config);

  // Appends whole batches with one write. REQUIRES: `batches` describes `bytes` in order; the
  // first batch starts at next_offset() or later. On failure the segment is restored to its
  // previous state (file truncated back, index entries dropped); if that restore fails as
  // well, damaged() becomes true.
  Status Append(std::span<const uint8_t> bytes, std::span<const AppendedBatch> batches);

  // The first batch whose last offset is >= target, scanning from the index entry for target;
  // nullopt when no such batch exists in this segment.
  Result<std::optional<BatchLocation>> FindBatch(Offset target) const;

  // Whole batches starting with the one that holds `start`, at most `max_bytes` of them, none
  // ending at or past `max_offset_exclusive`. When `min_one_batch`, the first batch is returned
  // even when larger than max_bytes (KIP-74). nullopt when no batch in this segment ends at or
  // after `start` (the caller moves on to the next segment).
  Result<std::optional<std::vector<uint8_t>>> Read(Offset start, int32_t max_bytes,
                                                   Offset max_offset_exclusive,
                                                   bool min_one_batch) const;

  // The first record with timestamp >= target and offset >= starting_offset (decodes only the
  // batch that holds it). nullopt when no record qualifies.
  Result<std::optional<TimestampOffset>> FindOffsetByTimestamp(TimestampMs target,
                                                               Offset starting_offset) const;

  // Removes every batch whose last offset is >= `offset` (a batch straddling `offset` goes
  // whole). Returns the bytes removed.
  Result<int64_t> TruncateTo(Offset offset);

  // Re-validates every batch from position 0 (framing, CRC, offsets increasing and relative to
  // the base), rebuilds both indexes and truncates the file at the first invalid or torn
  // batch. Returns the bytes truncated.
  Result<int64_t> Recover();

  // For a segment that was closed cleanly: checks both indexes against the file and, if they
  // pass, restores next_offset/max timestamp by scanning only the tail after the last index
  // entry. Corruption when an index fails: the caller then runs Recover().
  Status LoadTail();

  // Makes the indexes appendable again (regrows them to index_max_bytes). For the active segment.
  Status OnBecomeActive();
  // Adds the final time index entry and trims the indexes to their entries (Kafka does this on
  // roll, so that an inactive segment's index files hold no preallocated space).
  Status OnBecomeInactive();

  // fsync of the .log and both indexes.
  Status Flush();
  // Renames the three files by appending `suffix` (e.g. ".deleted").
  Status AddSuffix(std::string_view suffix);
  // Renames the three files from a name ending in `from` to one ending in `to` instead (either
  // may be empty): compaction's ".cleaned" -> ".swap" -> "". InvalidArgument when a name does
  // not end in `from`.
  Status ChangeSuffix(std::string_view from, std::string_view to);
  // Unlinks the three files (whatever they are currently named).
  Status DeleteFiles();

 private:
  LogSegment(Offset base, const Options& options, TimestampMs created,
             std::unique_ptr<PosixFile> log, std::unique_ptr<OffsetIndex> offset_index,
             std::unique_ptr<TimeIndex> time_index);

  // Index bookkeeping for one batch at `position` (shared by Append and Recover, which is what
  // makes a rebuilt index identical to the appended one).
  Status IndexBatch(int64_t position, int32_t size, Offset last_offset, TimestampMs max_timestamp);
  // Scans from the last offset index entry to the end of the file, restoring next_offset_,
  // max_timestamp_so_far_, offset_of_max_timestamp_ and bytes_since_last_index_entry_.
  Status ScanTail();
  std::optional<TimestampMs> RollingBasedTimestamp();

  Offset base_offset_;
  Options options_;
  TimestampMs created_;
  std::unique_ptr<PosixFile> log_;
  std::unique_ptr<OffsetIndex> offset_index_;
  std::unique_ptr<TimeIndex> time_index_;

  int64_t size_ = 0;
  Offset next_offset_;
  TimestampMs max_timestamp_so_far_ = kNoTimestamp;
  Offset offset_of_max_timestamp_;
  int64_t bytes_since_last_index_entry_ = 0;
  // The first batch's maxTimestamp, loaded lazily (Kafka's rollingBasedTimestamp).
  std::optional<TimestampMs> rolling_based_timestamp_;
  bool damaged_ = false;
  // Set by Open when an index file had to be created: LoadTail then asks for a rebuild.
  bool indexes_missing_ = false;
};

}  // namespace sluice::storage

// Loading a partition directory at startup, and recovery after an unclean shutdown (Kafka's
// LogLoader).
//
// Rules (FORMAT.md "Recovery"):
//   1. Stray files are removed: *.deleted (deletion was pending), *.cleaned (unfinished
//      compaction output), index *.swap files, and index files whose .log is missing. A
//      <base>.log.swap is a compaction swap the crash interrupted: it is completed (Kafka's
//      rule) by deleting the segments whose base offsets lie in [base, its next offset) and
//      renaming it to <base>.log; its indexes are rebuilt as in 3.
//   2. Clean shutdown (.kafka_cleanshutdown present): no scan. Each segment's indexes are sanity
//      checked (whole entries, strictly increasing, inside the segment) and the tail after the
//      last index entry is read to find the end offset. A segment whose index fails, or is
//      missing, is recovered as in 3.
//   3. Unclean shutdown: every segment from the one holding the recovery point onward is
//      recovered: each batch is re-validated (framing, CRC-32C, offsets increasing and relative
//      to the segment base), both indexes are rebuilt, and the file is truncated at the first
//      invalid or torn batch. Segments after a truncated one are deleted: their data followed a
//      hole.
//   4. Every segment but the last has its indexes trimmed; the last (active) one regrows them.
//   5. An empty directory gets one empty segment at the log start offset. The log start offset
//      is max(checkpointed value, first segment's base); the recovery point becomes the end.
//
// Thread safety: call before the Log is shared; touches only `dir`.
#pragma once

#include <filesystem>
#include <map>
#include <memory>

#include "broker/storage/log_config.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

class LogSegment;

// How to open a log directory; LogManager fills it from its checkpoints.
struct LogLoadOptions {
  Offset recovery_point{0};     // from recovery-point-offset-checkpoint
  Offset log_start_offset{0};   // from log-start-offset-checkpoint
  bool clean_shutdown = false;  // .kafka_cleanshutdown was present: skip the scan
  TimestampMs now{0};           // creation time for segments made during the load
};

// What loading did, for the startup log line and for tests.
struct RecoveryStats {
  int segments_recovered = 0;          // re-validated with indexes rebuilt
  int64_t bytes_truncated = 0;         // torn or corrupt tails cut off
  int segments_deleted = 0;            // dropped because they followed a truncated segment
  int swaps_completed = 0;             // interrupted compaction swaps finished (rule 1)
  bool leader_epochs_rebuilt = false;  // leader-epoch-checkpoint missing or unreadable: rebuilt
                                       // from batch headers (Log::Open)
};

struct LoadedLog {
  std::map<Offset, std::shared_ptr<LogSegment>> segments;  // non-empty
  Offset log_start_offset;
  Offset log_end_offset;
  Offset recovery_point;
  RecoveryStats stats;
};

// Loads `dir` (which must exist) by the rules above. IoError when files cannot be read,
// listed or truncated; damaged data itself is repaired, not reported.
Result<LoadedLog> LoadLogSegments(const std::filesystem::path& dir, const LogConfig& config,
                                  const LogLoadOptions& options);

}  // namespace sluice::storage

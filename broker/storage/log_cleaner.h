// LogCleaner: the background compaction of logs with cleanup.policy=compact (Kafka's
// LogCleaner with log.cleaner.threads=1 and its LogCleanerManager).
//
// A pass looks at every log whose cleanup.policy includes compact, finds its cleanable range
// (cleanable_range.h) and compacts the due ones, dirtiest first (log_compactor.h). After each
// compaction the log's new first dirty offset is written to cleaner-offset-checkpoint in the
// log's directory (FORMAT.md §5 format). The cleaner thread runs passes back to back while they
// make progress and otherwise sleeps log.cleaner.backoff.ms.
//
// Appends never wait for the cleaner: it reads inactive segments without the log's lock and
// takes the exclusive lock only to swap a rewritten segment in (a few renames).
//
// Progress and results go to the Poco logger "log-cleaner" (log::kLogCleanerLogger: written to
// log-cleaner.log, as in Kafka).
//
// Thread safety: every method may be called from any thread. RunPass calls are serialised (a
// test may call it while no thread runs, or alongside the thread).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log.h"
#include "broker/storage/offset_map.h"
#include "broker/storage/topic_partition.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

struct LogCleanerConfig {
  // log.cleaner.backoff.ms: sleep between passes that found nothing to compact.
  int64_t backoff_ms = 15000;
  // log.cleaner.dedupe.buffer.size: memory for the key -> offset map (24 bytes per key).
  int64_t dedupe_buffer_bytes = 128LL * 1024 * 1024;
  // log.cleaner.io.buffer.load.factor: how full the map may get.
  double dedupe_buffer_load_factor = 0.9;
};

// What one pass did.
struct CleanerPassResult {
  int logs_compacted = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  std::vector<Status> errors;  // one per log whose compaction failed (Conflict: retried later)
};

class LogCleaner {
 public:
  // The logs to consider, asked afresh at each pass (LogManager::AllLogs).
  using LogSource = std::function<std::vector<std::shared_ptr<Log>>()>;

  // Reads cleaner-offset-checkpoint in each of `log_dirs`. An unreadable one is reported in
  // warnings() and treated as empty: compaction then starts over from the log start, which
  // costs time but loses nothing.
  LogCleaner(std::vector<std::filesystem::path> log_dirs, LogSource logs,
             const LogCleanerConfig& config);
  ~LogCleaner();  // Stop()
  LogCleaner(const LogCleaner&) = delete;
  LogCleaner& operator=(const LogCleaner&) = delete;

  const std::vector<std::string>& warnings() const { return warnings_; }

  // One pass over all logs, as described above. Compaction errors are logged and returned in
  // the result; they do not stop the pass.
  CleanerPassResult RunPass(TimestampMs now);

  // Starts the cleaner thread (idempotent).
  void Start();
  // Asks a running compaction to stop (it does, between batches, leaving the log as it was
  // except for segment groups already swapped in) and joins the thread. Idempotent.
  void Stop();

  // For LogManager::DeleteLog: stops a compaction of `tp` in progress, waits until none runs,
  // and forgets its checkpoint entry. REQUIRES: the log was closed first, so no new
  // compaction of it can start.
  void AbortAndForget(const TopicPartition& tp);

  // The first dirty offset recorded for `tp` (in memory; the file follows each compaction).
  std::optional<Offset> CheckpointOf(const TopicPartition& tp) const;

 private:
  struct Candidate {
    std::shared_ptr<Log> log;
    double dirty_ratio;
  };

  bool ShouldStop(const TopicPartition& tp) const;
  // Compacts one log; returns whether it made progress.
  Result<bool> CompactOne(Log& log, TimestampMs now, CleanerPassResult& pass);
  Status WriteCheckpoint(const std::filesystem::path& dir);
  void RunThread();

  const std::vector<std::filesystem::path> log_dirs_;
  const LogSource logs_;
  const LogCleanerConfig config_;
  std::vector<std::string> warnings_;  // set in the constructor

  std::mutex pass_mu_;  // serialises RunPass; guards map_
  KeyOffsetMap map_;

  mutable std::mutex mu_;  // guards everything below; never held during I/O
  std::condition_variable cv_;
  bool stopping_ = false;
  std::optional<TopicPartition> in_progress_;
  bool abort_in_progress_ = false;
  std::map<std::filesystem::path, OffsetCheckpoint> checkpoints_;  // by log.dir

  std::thread thread_;  // touched only by Start/Stop, which hold start_mu_
  std::mutex start_mu_;
};

}  // namespace sluice::storage

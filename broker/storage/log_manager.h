// LogManager: every partition log on this broker, across all log.dirs.
//
// Owns the per-directory files (meta.properties, .lock, the recovery point, log start offset and
// high watermark checkpoints, the clean shutdown marker; see FORMAT.md) and the Log objects.
// Logs are handed out as shared_ptr: a handler may keep using one while DeleteLog runs; it then
// sees Unavailable.
//
// Thread safety: every method is safe to call concurrently. The map of logs is guarded by one
// mutex held only for lookups and insertions; log I/O happens outside it. Checkpoint writes are
// serialised by a second mutex.
//
// Lifecycle: Open() loads and recovers every log; StartCleaner() starts compaction of logs with
// cleanup.policy=compact (log_cleaner.h); Close() stops the cleaner, flushes, writes
// checkpoints and the clean shutdown marker. Destroying a LogManager without Close() releases the
// directories without the marker, exactly like a crash: the next Open() recovers from the recovery
// points.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/storage/log.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/log_config.h"
#include "broker/storage/thread_annotations.h"
#include "broker/storage/topic_partition.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

// What Open found and did, for the startup log line and for tests.
struct LogManagerLoadReport {
  int logs_loaded = 0;
  int logs_recovered_uncleanly = 0;   // dirs without .kafka_cleanshutdown
  int segments_recovered = 0;         // segments re-validated
  int64_t bytes_truncated = 0;        // torn or corrupt tails cut off
  std::vector<std::string> warnings;  // unreadable checkpoints, stray directories
};

class LogManager {
 public:
  // Opens (creating when missing) each directory of `log_dirs`:
  //   * takes an exclusive flock on <dir>/.lock (Unavailable if another process holds it);
  //   * checks meta.properties against `broker_id` and `cluster_id` (Conflict on a mismatch,
  //     with Kafka's message), or writes it when absent; an empty cluster_id is not checked;
  //   * reads recovery-point-offset-checkpoint, log-start-offset-checkpoint and
  //     replication-offset-checkpoint (an unreadable one is reported in warnings and treated as
  //     empty: full recovery, high watermarks at the log start, as Kafka does);
  //   * loads every <topic>-<partition> directory with `default_config` (the caller applies
  //     per-topic overrides with Log::UpdateConfig), recovering from the recovery point unless
  //     .kafka_cleanshutdown is present, and removes leftover *-delete directories;
  //   * sets each loaded log's high watermark to its replication-offset-checkpoint entry
  //     (Log::SetHighWatermark clamps it into the log), or to the log start offset when it has
  //     none, as Kafka does: records past the last checkpointed high watermark may not be
  //     committed, and the replication layer moves it up once the ISR has them.
  // Directories load in parallel, one thread each. Conflict when a partition appears in two
  // directories.
  static Result<std::unique_ptr<LogManager>> Open(
      const std::vector<std::filesystem::path>& log_dirs, BrokerId broker_id,
      std::string_view cluster_id, const LogConfig& default_config, TimestampMs now);
  ~LogManager();
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  const LogManagerLoadReport& load_report() const { return load_report_; }
  const std::vector<std::filesystem::path>& log_dirs() const { return log_dirs_; }
  const LogConfig& default_config() const { return default_config_; }

  // nullptr when this broker has no log for `tp`.
  std::shared_ptr<Log> GetLog(const TopicPartition& tp) const SLUICE_EXCLUDES(mu_);
  // The existing log, or a new empty one in the directory holding the fewest partitions.
  // InvalidArgument for an illegal topic name or a negative partition.
  Result<std::shared_ptr<Log>> GetOrCreateLog(const TopicPartition& tp, const LogConfig& config,
                                              TimestampMs now) SLUICE_EXCLUDES(mu_);
  // Closes the log, renames its directory to <topic>-<p>.<uuid>-delete (so a crash midway
  // cannot resurrect it) and removes it. NotFound when there is no such log.
  Status DeleteLog(const TopicPartition& tp) SLUICE_EXCLUDES(mu_);
  std::vector<std::shared_ptr<Log>> AllLogs() const SLUICE_EXCLUDES(mu_);

  // Writes recovery-point-offset-checkpoint, log-start-offset-checkpoint and
  // replication-offset-checkpoint (each log's HighWatermark()) in every directory. The
  // replication layer calls it every replica.high.watermark.checkpoint.interval.ms.
  Status CheckpointAll() SLUICE_EXCLUDES(mu_, checkpoint_mu_);
  // One retention pass over every log (log.retention.check.interval.ms). Returns the number of
  // segments deleted; a failing log does not stop the others (the first error is returned).
  Result<int> RunRetention(TimestampMs now) SLUICE_EXCLUDES(mu_);
  // The flush pass: fsyncs logs whose last flush is older than flush.ms, and segments rolled
  // since the last flush (what Kafka schedules on every roll), so the recovery point keeps up.
  Status FlushDirtyLogs(TimestampMs now) SLUICE_EXCLUDES(mu_);
  // Starts the log cleaner thread over this manager's logs (once; later calls do nothing).
  // Returns the cleaner's warnings (unreadable cleaner-offset-checkpoint files).
  std::vector<std::string> StartCleaner(const LogCleanerConfig& config) SLUICE_EXCLUDES(mu_);
  // The cleaner, or nullptr before StartCleaner. Tests run passes through it.
  LogCleaner* cleaner() const SLUICE_EXCLUDES(mu_);

  // Stops the cleaner, closes every log (flushing it), writes the three checkpoints and, in each
  // directory whose logs all closed cleanly, the .kafka_cleanshutdown marker. Idempotent.
  Status Close() SLUICE_EXCLUDES(mu_, checkpoint_mu_);

 private:
  struct LogDir {
    std::filesystem::path path;
    int lock_fd = -1;
  };
  struct Entry {
    std::shared_ptr<Log> log;
    size_t dir_index = 0;
  };

  LogManager(std::vector<std::filesystem::path> log_dirs, const LogConfig& default_config);
  Status WriteCheckpoints() SLUICE_REQUIRES(checkpoint_mu_) SLUICE_EXCLUDES(mu_);
  void ReleaseDirectories();

  const std::vector<std::filesystem::path> log_dirs_;
  const LogConfig default_config_;
  std::vector<LogDir> dirs_;  // set in Open, constant afterwards
  LogManagerLoadReport load_report_;

  mutable Mutex mu_;
  std::map<TopicPartition, Entry> logs_ SLUICE_GUARDED_BY(mu_);
  bool closed_ SLUICE_GUARDED_BY(mu_) = false;
  // Set once by StartCleaner. Declared last: destroyed (and so stopped) before the logs.
  std::unique_ptr<LogCleaner> cleaner_ SLUICE_GUARDED_BY(mu_);

  Mutex checkpoint_mu_;
};

}  // namespace sluice::storage

#include "broker/storage/log_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <future>
#include <limits>

#include "broker/storage/checkpoint_file.h"
#include "broker/storage/file_names.h"
#include "broker/storage/meta_properties.h"
#include "broker/storage/posix_file.h"

namespace sluice::storage {
namespace {

// Everything one directory contributes to Open.
struct DirLoad {
  int lock_fd = -1;
  std::vector<std::pair<TopicPartition, std::shared_ptr<Log>>> logs;
  LogManagerLoadReport report;
};

Result<int> LockDirectory(const std::filesystem::path& dir) {
  std::filesystem::path path = dir / kLockFile;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Unavailable("log.dir " + dir.string() + " is locked by another process (" +
                                 path.string() + ")");
    }
    return ErrnoStatus("lock", path, err);
  }
  return fd;
}

Status CheckOrWriteMetaProperties(const std::filesystem::path& dir, BrokerId broker_id,
                                  std::string_view cluster_id) {
  std::filesystem::path path = dir / kMetaPropertiesFile;
  auto stored = ReadMetaPropertiesFile(path);
  if (!stored.ok()) {
    if (stored.status().code() != Status::Code::kNotFound) return stored.status();
    MetaProperties meta{0, broker_id, std::nullopt};
    if (!cluster_id.empty()) meta.cluster_id = std::string(cluster_id);
    return WriteMetaPropertiesFile(path, meta);
  }
  SLUICE_RETURN_IF_ERROR(CheckMetaProperties(*stored, broker_id, cluster_id, dir));
  if (!stored->cluster_id && !cluster_id.empty()) {
    stored->cluster_id = std::string(cluster_id);
    return WriteMetaPropertiesFile(path, *stored);
  }
  return Status::Ok();
}

// `consequence` says what an unreadable file means for its logs.
OffsetCheckpoint ReadCheckpointOrWarn(const std::filesystem::path& path,
                                      std::vector<std::string>& warnings,
                                      std::string_view consequence) {
  auto checkpoint = ReadOffsetCheckpointFile(path);
  if (checkpoint.ok()) return std::move(*checkpoint);
  if (checkpoint.status().code() != Status::Code::kNotFound) {
    warnings.push_back("ignoring unreadable " + path.string() + " (" +
                       checkpoint.status().ToString() + "); " + std::string(consequence));
  }
  return {};
}

Result<DirLoad> LoadDirectory(const std::filesystem::path& dir, BrokerId broker_id,
                              std::string_view cluster_id, const LogConfig& config,
                              TimestampMs now) {
  DirLoad load;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("create log.dir " + dir.string() + ": " + ec.message());
  auto lock_fd = LockDirectory(dir);
  if (!lock_fd.ok()) return lock_fd.status();
  load.lock_fd = *lock_fd;
  auto fail = [&load](Status status) -> Result<DirLoad> {
    ::close(load.lock_fd);
    return status;
  };

  Status meta = CheckOrWriteMetaProperties(dir, broker_id, cluster_id);
  if (!meta.ok()) return fail(meta);
  const bool clean = std::filesystem::exists(dir / kCleanShutdownFile, ec);
  constexpr std::string_view kFullRecovery = "its logs are recovered from offset 0";
  OffsetCheckpoint recovery_points =
      ReadCheckpointOrWarn(dir / kRecoveryPointCheckpointFile, load.report.warnings, kFullRecovery);
  OffsetCheckpoint log_starts = ReadCheckpointOrWarn(dir / kLogStartOffsetCheckpointFile,
                                                     load.report.warnings, kFullRecovery);
  OffsetCheckpoint high_watermarks =
      ReadCheckpointOrWarn(dir / kReplicationOffsetCheckpointFile, load.report.warnings,
                           "its logs start with the high watermark at the log start offset");

  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    if (IsDeletedPartitionDirName(name)) {
      std::filesystem::remove_all(entry.path(), ec);  // a deletion the last run did not finish
      continue;
    }
    auto tp = ParsePartitionDirName(name);
    if (!tp.ok()) {
      load.report.warnings.push_back("ignoring " + entry.path().string() + ": " +
                                     tp.status().message());
      continue;
    }
    LogLoadOptions options;
    options.clean_shutdown = clean;
    options.now = now;
    if (auto rp = recovery_points.find(*tp); rp != recovery_points.end()) {
      options.recovery_point = rp->second;
    }
    if (auto ls = log_starts.find(*tp); ls != log_starts.end()) {
      options.log_start_offset = ls->second;
    }
    auto log = Log::Open(entry.path(), *tp, config, options);
    if (!log.ok()) return fail(log.status());
    // Kafka's Partition.createLog: the checkpointed high watermark, 0 when there is none,
    // clamped into the log. Never the log end offset: records past the last checkpointed high
    // watermark may be uncommitted, and the leader moves it up once the ISR has them.
    Offset high_watermark(0);
    if (auto hw = high_watermarks.find(*tp); hw != high_watermarks.end()) {
      high_watermark = hw->second;
    }
    (*log)->SetHighWatermark(high_watermark);
    load.report.logs_loaded++;
    load.report.segments_recovered += (*log)->recovery_stats().segments_recovered;
    load.report.bytes_truncated += (*log)->recovery_stats().bytes_truncated;
    if (!clean) load.report.logs_recovered_uncleanly++;
    load.logs.emplace_back(*tp, std::shared_ptr<Log>(std::move(*log)));
  }
  if (ec) return fail(Status::IoError("list log.dir " + dir.string() + ": " + ec.message()));
  // From now on a crash must be detected: the marker is written again by a clean Close().
  if (clean) {
    std::filesystem::remove(dir / kCleanShutdownFile, ec);
    if (ec) return fail(Status::IoError("remove clean shutdown marker in " + dir.string()));
    Status synced = SyncDirectory(dir);
    if (!synced.ok()) return fail(synced);
  }
  return load;
}

}  // namespace

LogManager::LogManager(std::vector<std::filesystem::path> log_dirs, const LogConfig& default_config)
    : log_dirs_(std::move(log_dirs)), default_config_(default_config) {}

LogManager::~LogManager() {
  if (LogCleaner* cleaner = this->cleaner()) cleaner->Stop();
  ReleaseDirectories();
}

void LogManager::ReleaseDirectories() {
  for (LogDir& dir : dirs_) {
    if (dir.lock_fd >= 0) ::close(dir.lock_fd);
    dir.lock_fd = -1;
  }
}

Result<std::unique_ptr<LogManager>> LogManager::Open(
    const std::vector<std::filesystem::path>& log_dirs, BrokerId broker_id,
    std::string_view cluster_id, const LogConfig& default_config, TimestampMs now) {
  if (log_dirs.empty()) return Status::InvalidArgument("no log.dirs given");
  std::unique_ptr<LogManager> manager(new LogManager(log_dirs, default_config));
  std::vector<std::future<Result<DirLoad>>> loads;
  for (const auto& dir : log_dirs) {
    loads.push_back(
        std::async(std::launch::async, [&dir, broker_id, cluster_id, &default_config, now] {
          return LoadDirectory(dir, broker_id, cluster_id, default_config, now);
        }));
  }
  Status first_error = Status::Ok();
  std::vector<Result<DirLoad>> results;
  for (auto& load : loads) results.push_back(load.get());
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      if (first_error.ok()) first_error = results[i].status();
      manager->dirs_.push_back({log_dirs[i], -1});
      continue;
    }
    manager->dirs_.push_back({log_dirs[i], results[i]->lock_fd});
  }
  if (!first_error.ok()) return first_error;  // the destructor releases the locks taken

  MutexLock lock(manager->mu_);
  LogManagerLoadReport& report = manager->load_report_;
  for (size_t i = 0; i < results.size(); ++i) {
    DirLoad& load = *results[i];
    for (auto& [tp, log] : load.logs) {
      if (manager->logs_.contains(tp)) {
        return Status::Conflict("partition " + PartitionDirName(tp) + " exists in " +
                                manager->logs_[tp].log->dir().parent_path().string() + " and " +
                                log_dirs[i].string());
      }
      manager->logs_[tp] = Entry{std::move(log), i};
    }
    report.logs_loaded += load.report.logs_loaded;
    report.logs_recovered_uncleanly += load.report.logs_recovered_uncleanly;
    report.segments_recovered += load.report.segments_recovered;
    report.bytes_truncated += load.report.bytes_truncated;
    for (auto& w : load.report.warnings) report.warnings.push_back(std::move(w));
  }
  return manager;
}

std::shared_ptr<Log> LogManager::GetLog(const TopicPartition& tp) const {
  MutexLock lock(mu_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log;
}

Result<std::shared_ptr<Log>> LogManager::GetOrCreateLog(const TopicPartition& tp,
                                                        const LogConfig& config, TimestampMs now) {
  SLUICE_RETURN_IF_ERROR(ValidateTopicName(tp.topic));
  if (tp.partition < PartitionId(0)) return Status::InvalidArgument("negative partition");
  MutexLock lock(mu_);
  if (closed_) return Status::Unavailable("log manager is closed");
  if (auto it = logs_.find(tp); it != logs_.end()) return it->second.log;
  // Kafka's placement: the directory holding the fewest partitions.
  std::vector<size_t> counts(dirs_.size(), 0);
  for (const auto& [other, entry] : logs_) counts[entry.dir_index]++;
  size_t chosen = 0;
  for (size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] < counts[chosen]) chosen = i;
  }
  LogLoadOptions options;
  options.clean_shutdown = true;  // a new directory: nothing to recover
  options.now = now;
  std::filesystem::path dir = dirs_[chosen].path / PartitionDirName(tp);
  auto log = Log::Open(dir, tp, config, options);
  if (!log.ok()) return log.status();
  SLUICE_RETURN_IF_ERROR(SyncDirectory(dirs_[chosen].path));
  std::shared_ptr<Log> shared(std::move(*log));
  logs_[tp] = Entry{shared, chosen};
  return shared;
}

Status LogManager::DeleteLog(const TopicPartition& tp) {
  std::filesystem::path doomed;
  {
    MutexLock lock(mu_);
    auto it = logs_.find(tp);
    if (it == logs_.end()) return Status::NotFound("no log for " + PartitionDirName(tp));
    std::shared_ptr<Log> log = it->second.log;
    const std::filesystem::path parent = dirs_[it->second.dir_index].path;
    logs_.erase(it);
    log->CloseForDeletion();
    // A compaction of this log must not write into the directory while it is renamed and
    // removed. The cleaner never takes mu_ while compacting, so waiting here is safe.
    if (cleaner_) cleaner_->AbortAndForget(tp);
    doomed = parent / DeletedPartitionDirName(tp, RandomUuidHex());
    if (::rename(log->dir().c_str(), doomed.c_str()) != 0) {
      return ErrnoStatus("rename", log->dir(), errno);
    }
    SLUICE_RETURN_IF_ERROR(SyncDirectory(parent));
  }
  // Outside the lock: removing a large directory takes a while. A failure here leaves a
  // *-delete directory, which the next Open removes.
  std::error_code ec;
  std::filesystem::remove_all(doomed, ec);
  if (ec) return Status::IoError("remove " + doomed.string() + ": " + ec.message());
  return Status::Ok();
}

std::vector<std::shared_ptr<Log>> LogManager::AllLogs() const {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<Log>> logs;
  logs.reserve(logs_.size());
  for (const auto& [tp, entry] : logs_) logs.push_back(entry.log);
  return logs;
}

Status LogManager::WriteCheckpoints() {
  std::vector<OffsetCheckpoint> recovery_points(dirs_.size());
  std::vector<OffsetCheckpoint> log_starts(dirs_.size());
  std::vector<OffsetCheckpoint> high_watermarks(dirs_.size());
  {
    MutexLock lock(mu_);
    for (const auto& [tp, entry] : logs_) {
      recovery_points[entry.dir_index][tp] = entry.log->RecoveryPoint();
      log_starts[entry.dir_index][tp] = entry.log->LogStartOffset();
      high_watermarks[entry.dir_index][tp] = entry.log->HighWatermark();
    }
  }
  Status first_error = Status::Ok();
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (dirs_[i].lock_fd < 0) continue;
    for (Status written :
         {WriteOffsetCheckpointFile(dirs_[i].path / kRecoveryPointCheckpointFile,
                                    recovery_points[i]),
          WriteOffsetCheckpointFile(dirs_[i].path / kLogStartOffsetCheckpointFile, log_starts[i]),
          WriteOffsetCheckpointFile(dirs_[i].path / kReplicationOffsetCheckpointFile,
                                    high_watermarks[i])}) {
      if (first_error.ok()) first_error = written;
    }
  }
  return first_error;
}

Status LogManager::CheckpointAll() {
  MutexLock lock(checkpoint_mu_);
  return WriteCheckpoints();
}

Result<int> LogManager::RunRetention(TimestampMs now) {
  Status first_error = Status::Ok();
  int deleted = 0;
  for (const auto& log : AllLogs()) {
    auto n = log->ApplyRetention(now);
    if (n.ok()) {
      deleted += *n;
    } else if (first_error.ok() && n.status().code() != Status::Code::kUnavailable) {
      first_error = n.status();
    }
  }
  if (!first_error.ok()) return first_error;
  return deleted;
}

Status LogManager::FlushDirtyLogs(TimestampMs now) {
  Status first_error = Status::Ok();
  for (const auto& log : AllLogs()) {
    int64_t flush_ms = log->config().flush_ms;
    Offset up_to = log->ActiveSegmentBaseOffset();  // segments rolled since the last flush
    if (now - log->LastFlushTime() >= flush_ms) up_to = log->LogEndOffset();
    if (up_to <= log->RecoveryPoint()) continue;
    Status flushed = log->Flush(up_to);
    if (!flushed.ok() && first_error.ok() && flushed.code() != Status::Code::kUnavailable) {
      first_error = flushed;
    }
  }
  return first_error;
}

std::vector<std::string> LogManager::StartCleaner(const LogCleanerConfig& config) {
  MutexLock lock(mu_);
  if (cleaner_ || closed_) return {};
  cleaner_ = std::make_unique<LogCleaner>(
      log_dirs_, [this] { return AllLogs(); }, config);
  cleaner_->Start();
  return cleaner_->warnings();
}

LogCleaner* LogManager::cleaner() const {
  MutexLock lock(mu_);
  return cleaner_.get();
}

Status LogManager::Close() {
  // The cleaner first (outside mu_: its pass asks for AllLogs): no compaction runs from here on.
  if (LogCleaner* cleaner = this->cleaner()) cleaner->Stop();
  MutexLock checkpoint_lock(checkpoint_mu_);
  std::vector<bool> dir_clean(dirs_.size(), true);
  {
    MutexLock lock(mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
  }
  Status first_error = Status::Ok();
  std::vector<std::pair<size_t, std::shared_ptr<Log>>> logs;
  {
    MutexLock lock(mu_);
    for (const auto& [tp, entry] : logs_) logs.emplace_back(entry.dir_index, entry.log);
  }
  for (const auto& [dir_index, log] : logs) {
    Status closed = log->Close();
    if (!closed.ok()) {
      dir_clean[dir_index] = false;
      if (first_error.ok()) first_error = closed;
    }
  }
  Status checkpointed = WriteCheckpoints();
  if (!checkpointed.ok()) {
    std::fill(dir_clean.begin(), dir_clean.end(), false);
    if (first_error.ok()) first_error = checkpointed;
  }
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!dir_clean[i] || dirs_[i].lock_fd < 0) continue;
    Status marked = WriteFileAtomically(dirs_[i].path / kCleanShutdownFile, {});
    if (!marked.ok() && first_error.ok()) first_error = marked;
  }
  ReleaseDirectories();
  return first_error;
}

}  // namespace sluice::storage

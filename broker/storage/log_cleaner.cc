#include "broker/storage/log_cleaner.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

#include "broker/storage/cleanable_range.h"
#include "broker/storage/file_names.h"
#include "broker/storage/log_compactor.h"
#include "libs/base/clock.h"
#include "libs/base/logging.h"

namespace sluice::storage {
namespace {

Poco::Logger& CleanerLog() { return Poco::Logger::get(log::kLogCleanerLogger); }

double Megabytes(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

LogCleaner::LogCleaner(std::vector<std::filesystem::path> log_dirs, LogSource logs,
                       const LogCleanerConfig& config)
    : log_dirs_(std::move(log_dirs)),
      logs_(std::move(logs)),
      config_(config),
      map_(static_cast<size_t>(
               std::max<int64_t>(config.dedupe_buffer_bytes, KeyOffsetMap::kEntryBytes * 16)),
           config.dedupe_buffer_load_factor) {
  for (const auto& dir : log_dirs_) {
    const std::filesystem::path path = dir / kCleanerOffsetCheckpointFile;
    auto checkpoint = ReadOffsetCheckpointFile(path);
    if (checkpoint.ok()) {
      checkpoints_[dir] = std::move(*checkpoint);
    } else if (checkpoint.status().code() != Status::Code::kNotFound) {
      warnings_.push_back("ignoring unreadable " + path.string() + " (" +
                          checkpoint.status().ToString() +
                          "); its logs are compacted again from their start");
    }
  }
}

LogCleaner::~LogCleaner() { Stop(); }

void LogCleaner::Start() {
  std::lock_guard start(start_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { RunThread(); });
}

void LogCleaner::Stop() {
  std::lock_guard start(start_mu_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogCleaner::RunThread() {
  CleanerLog().information("Starting the log cleaner (backoff %?d ms, offset map of %?d keys)",
                           static_cast<int64_t>(config_.backoff_ms),
                           static_cast<int64_t>(map_.capacity()));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    CleanerPassResult pass = RunPass(WallClockNow());
    lock.lock();
    // Progress means more may be due right away (e.g. the offset map filled); otherwise back
    // off, as Kafka's cleaner thread does.
    if (pass.logs_compacted == 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(config_.backoff_ms),
                   [this] { return stopping_; });
    }
  }
  CleanerLog().information("Stopped the log cleaner");
}

bool LogCleaner::ShouldStop(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  return stopping_ || (abort_in_progress_ && in_progress_ == tp);
}

CleanerPassResult LogCleaner::RunPass(TimestampMs now) {
  std::lock_guard pass_lock(pass_mu_);
  CleanerPassResult pass;
  std::vector<Candidate> candidates;
  for (auto& log : logs_()) {
    if (!log->config().cleanup_compact) continue;  // cheap check before the snapshot's fstats
    auto view = log->SnapshotForCompaction();
    if (!view.ok() || !view->config.cleanup_compact) continue;
    auto range = FindCleanableRange(*view, CheckpointOf(log->topic_partition()), now);
    if (!range.ok()) {
      pass.errors.push_back(range.status());
      continue;
    }
    if (range->due) candidates.push_back({log, range->dirty_ratio});
  }
  // The dirtiest first: it gains the most per byte rewritten (Kafka's grabFilthiestLog).
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.dirty_ratio > b.dirty_ratio; });
  for (const Candidate& candidate : candidates) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    auto progressed = CompactOne(*candidate.log, now, pass);
    if (!progressed.ok()) {
      pass.errors.push_back(progressed.status());
    } else if (*progressed) {
      pass.logs_compacted++;
    }
  }
  return pass;
}

Result<bool> LogCleaner::CompactOne(Log& log, TimestampMs now, CleanerPassResult& pass) {
  const TopicPartition tp = log.topic_partition();
  const std::string name = PartitionDirName(tp);
  // A fresh look: earlier compactions in this pass took time.
  auto view = log.SnapshotForCompaction();
  if (!view.ok()) return view.status();
  auto range = FindCleanableRange(*view, CheckpointOf(tp), now);
  if (!range.ok()) return range.status();
  if (!range->due) return false;
  {
    std::lock_guard lock(mu_);
    in_progress_ = tp;
    abort_in_progress_ = false;
  }
  CleanerLog().information(
      "Beginning compaction of log %s: dirty section [%?d, %?d), %.1f MB dirty, dirty ratio %.2f%s",
      name, static_cast<int64_t>(range->first_dirty_offset.value()),
      static_cast<int64_t>(range->first_uncleanable_offset.value()), Megabytes(range->dirty_bytes),
      range->dirty_ratio,
      std::string(range->max_lag_exceeded ? " (max.compaction.lag.ms passed)" : ""));
  const auto started = std::chrono::steady_clock::now();
  auto stats = CompactLog(log, *view, *range, map_, now, [this, &tp] { return ShouldStop(tp); });
  {
    std::lock_guard lock(mu_);
    in_progress_.reset();
    abort_in_progress_ = false;
  }
  cv_.notify_all();
  if (!stats.ok()) {
    const Status& st = stats.status();
    if (st.code() == Status::Code::kConflict || st.code() == Status::Code::kUnavailable) {
      CleanerLog().information("Compaction of log %s aborted: %s", name, st.ToString());
    } else {
      CleanerLog().error("Compaction of log %s failed: %s", name, st.ToString());
    }
    return st;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  pass.bytes_read += stats->bytes_read;
  pass.bytes_written += stats->bytes_written;
  CleanerLog().information(
      "Compacted log %s (dirty section [%?d, %?d)%s) in %.3f s: %d segments (%.2f MB) into %d "
      "(%.2f MB); %?d of %?d records kept, %?d tombstones removed, %?d keys mapped",
      name, static_cast<int64_t>(range->first_dirty_offset.value()),
      static_cast<int64_t>(stats->end_offset.value()),
      std::string(stats->map_filled ? ", offset map full" : ""), seconds, stats->segments_read,
      Megabytes(stats->bytes_read), stats->segments_written, Megabytes(stats->bytes_written),
      static_cast<int64_t>(stats->records_kept), static_cast<int64_t>(stats->records_read),
      static_cast<int64_t>(stats->tombstones_dropped), static_cast<int64_t>(stats->keys_mapped));
  if (stats->end_offset <= range->first_dirty_offset) return false;
  const std::filesystem::path dir = view->dir.parent_path();
  {
    std::lock_guard lock(mu_);
    checkpoints_[dir][tp] = stats->end_offset;
  }
  Status written = WriteCheckpoint(dir);
  if (!written.ok()) {
    CleanerLog().error("Writing %s failed: %s", (dir / kCleanerOffsetCheckpointFile).string(),
                       written.ToString());
  }
  return true;
}

Status LogCleaner::WriteCheckpoint(const std::filesystem::path& dir) {
  // Only logs that still live in `dir`: entries of deleted logs are dropped here.
  std::set<TopicPartition> live;
  for (const auto& log : logs_()) {
    if (log->dir().parent_path() == dir) live.insert(log->topic_partition());
  }
  OffsetCheckpoint entries;
  {
    std::lock_guard lock(mu_);
    OffsetCheckpoint& all = checkpoints_[dir];
    std::erase_if(all, [&live](const auto& entry) { return !live.contains(entry.first); });
    entries = all;
  }
  return WriteOffsetCheckpointFile(dir / kCleanerOffsetCheckpointFile, entries);
}

void LogCleaner::AbortAndForget(const TopicPartition& tp) {
  std::unique_lock lock(mu_);
  for (auto& [dir, entries] : checkpoints_) entries.erase(tp);
  if (in_progress_ != tp) return;
  abort_in_progress_ = true;
  cv_.wait(lock, [this, &tp] { return in_progress_ != tp; });
}

std::optional<Offset> LogCleaner::CheckpointOf(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  for (const auto& [dir, entries] : checkpoints_) {
    if (auto it = entries.find(tp); it != entries.end()) return it->second;
  }
  return std::nullopt;
}

}  // namespace sluice::storage

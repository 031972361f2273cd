#include "broker/storage/log.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <iterator>
#include <string>

#include "broker/storage/append_validation.h"
#include "broker/storage/file_names.h"
#include "broker/storage/log_segment.h"
#include "broker/storage/posix_file.h"
#include "broker/storage/segment_batch_reader.h"
#include "libs/base/clock.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {
namespace {

std::string OffsetString(Offset o) { return std::to_string(o.value()); }

}  // namespace

Log::Log(std::filesystem::path dir, TopicPartition tp, const LogConfig& config)
    : tp_(std::move(tp)), dir_(std::move(dir)), config_(config), epochs_(dir_) {}

Log::~Log() = default;

Result<std::unique_ptr<Log>> Log::Open(const std::filesystem::path& dir, const TopicPartition& tp,
                                       const LogConfig& config, const LogLoadOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("create " + dir.string() + ": " + ec.message());
  auto loaded = LoadLogSegments(dir, config, options);
  if (!loaded.ok()) return loaded.status();
  std::unique_ptr<Log> log(new Log(dir, tp, config));
  WriterLock lock(log->mu_);
  log->segments_ = std::move(loaded->segments);
  log->log_start_offset_ = loaded->log_start_offset;
  log->log_end_offset_ = loaded->log_end_offset;
  log->recovery_point_ = loaded->recovery_point;
  // Until the replication layer says otherwise, what survived recovery is committed.
  log->high_watermark_ = loaded->log_end_offset;
  log->recovery_stats_ = loaded->stats;
  log->last_flush_time_ = WallClockNow();
  SLUICE_RETURN_IF_ERROR(log->LoadLeaderEpochs(options));
  return log;
}

Status Log::LoadLeaderEpochs(const LogLoadOptions& options) {
  auto stored = LeaderEpochCache::Load(dir_);
  Offset scan_from = log_end_offset_;  // nothing to scan after a clean shutdown
  bool rebuild = false;
  if (stored.ok()) {
    epochs_ = std::move(*stored);
    // The checkpoint is written before the records it describes are fsynced, so it covers
    // everything below the recovery point; batches after it may carry epochs it lacks.
    if (!options.clean_shutdown) scan_from = std::max(options.recovery_point, log_start_offset_);
  } else if (stored.status().code() == Status::Code::kNotFound ||
             stored.status().code() == Status::Code::kCorruption) {
    if (stored.status().code() == Status::Code::kCorruption) {
      Poco::Logger::get("server").warning("Rebuilding the leader epoch cache of %s: %s",
                                          PartitionDirName(tp_), stored.status().ToString());
    }
    epochs_ = LeaderEpochCache(dir_);
    scan_from = log_start_offset_;
    rebuild = true;
  } else {
    return stored.status();
  }
  // Entries at or past the end describe records the crash (or recovery) took away.
  SLUICE_RETURN_IF_ERROR(epochs_.TruncateFromEnd(log_end_offset_));
  SLUICE_RETURN_IF_ERROR(ScanLeaderEpochs(scan_from));
  SLUICE_RETURN_IF_ERROR(TruncateEpochsFromStart());
  if (rebuild && log_end_offset_ > log_start_offset_) {
    recovery_stats_.leader_epochs_rebuilt = true;
    // Written even when empty (a log of epoch-less batches), so the next open need not scan.
    SLUICE_RETURN_IF_ERROR(epochs_.Persist(/*force=*/true));
  }
  return epochs_.Persist();
}

Status Log::ScanLeaderEpochs(Offset from) {
  if (from >= log_end_offset_) return Status::Ok();
  auto it = segments_.upper_bound(from);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    const LogSegment& segment = *it->second;
    SegmentBatchReader reader(segment.log_file(), 0, segment.size());
    while (true) {
      auto next = reader.Next();
      if (!next.ok()) return next.status();  // recovery validated these bytes: a real failure
      if (!next->has_value()) break;
      const kafka::RecordBatchHeader& header = (*next)->header;
      if (header.last_offset() < from.value() || header.partition_leader_epoch < 0) continue;
      std::optional<int32_t> latest = epochs_.LatestEpoch();
      if (latest && header.partition_leader_epoch <= *latest) continue;
      SLUICE_RETURN_IF_ERROR(
          epochs_.Assign(header.partition_leader_epoch, Offset(header.base_offset)));
    }
  }
  return Status::Ok();
}

void Log::RecordEpochs(const std::vector<EpochEntry>& appended) {
  for (const EpochEntry& entry : appended) {
    if (entry.epoch < 0) continue;
    Status recorded = epochs_.Assign(entry.epoch, entry.start_offset);
    if (!recorded.ok()) {
      Poco::Logger::get("server").error(
          "Could not write the leader epoch checkpoint of %s (kept in memory, retried at the "
          "next change): %s",
          PartitionDirName(tp_), recorded.ToString());
    }
  }
}

Status Log::TruncateEpochsFromStart() {
  // Only when the cache reaches below the log start: retention passes that move nothing must
  // not rewrite the file.
  std::optional<EpochEntry> earliest = epochs_.EarliestEntry();
  if (!earliest || earliest->start_offset >= log_start_offset_) return epochs_.Persist();
  return epochs_.TruncateFromStart(log_start_offset_);
}

std::filesystem::path Log::dir() const {
  ReaderLock lock(mu_);
  return dir_;
}

LogConfig Log::config() const {
  ReaderLock lock(mu_);
  return config_;
}

void Log::UpdateConfig(const LogConfig& config) {
  WriterLock lock(mu_);
  config_ = config;
}

Status Log::CheckUsable() const {
  if (closed_) return Status::Unavailable("log " + PartitionDirName(tp_) + " is closed");
  if (offline_) {
    return Status::IoError("log " + PartitionDirName(tp_) +
                           " is offline after a write it could not undo");
  }
  return Status::Ok();
}

LogSegment& Log::ActiveSegment() const {
  assert(!segments_.empty());
  return *segments_.rbegin()->second;
}

Result<AppendInfo> Log::Append(std::span<const uint8_t> records, LeaderEpoch leader_epoch,
                               TimestampMs now) {
  LogConfig config = this->config();
  // Validation (CRC over every byte) runs before taking the lock: it reads only the caller's
  // buffer.
  auto validated = ValidateProducerRecords(records, config);
  if (!validated.ok()) return validated.status();
  // The one copy: offsets and the leader epoch are rewritten in place before the write.
  std::vector<uint8_t> buffer(records.begin(), records.end());
  std::vector<AppendedBatch> batches;
  batches.reserve(validated->size());
  const bool log_append_time = config.message_timestamp_type == TimestampType::kLogAppendTime;

  AppendInfo info;
  bool should_flush = false;
  {
    WriterLock lock(mu_);
    SLUICE_RETURN_IF_ERROR(CheckUsable());
    Offset next = log_end_offset_;
    TimestampMs max_timestamp = kNoTimestamp;
    for (const ValidatedBatch& v : *validated) {
      std::span<uint8_t> batch(buffer.data() + v.position, v.header.total_size());
      kafka::SetBaseOffset(batch, next.value());
      kafka::SetPartitionLeaderEpoch(batch, leader_epoch.value());
      TimestampMs batch_max(v.header.max_timestamp);
      if (log_append_time) {
        kafka::SetLogAppendTime(batch, now.value());
        batch_max = now;
      }
      Offset last = next + v.header.last_offset_delta;
      batches.push_back({static_cast<int32_t>(batch.size()), last, batch_max});
      max_timestamp = std::max(max_timestamp, batch_max);
      next = last + 1;
    }
    const Offset last_offset = batches.back().last_offset;

    if (ActiveSegment().ShouldRoll(static_cast<int64_t>(buffer.size()), max_timestamp, last_offset,
                                   now, config_)) {
      SLUICE_RETURN_IF_ERROR(Roll(now));
    }
    LogSegment& active = ActiveSegment();
    Status written = active.Append(buffer, batches);
    if (!written.ok()) {
      if (active.damaged()) offline_ = true;
      return written;
    }
    info.first_offset = log_end_offset_;
    info.last_offset = last_offset;
    info.log_append_time = log_append_time ? now : TimestampMs(-1);
    log_end_offset_ = last_offset + 1;
    info.log_start_offset = log_start_offset_;
    RecordEpochs({{leader_epoch.value(), info.first_offset}});
    should_flush = log_end_offset_ - recovery_point_ >= config_.flush_messages;
  }
  if (should_flush) SLUICE_RETURN_IF_ERROR(Flush(info.last_offset + 1));
  return info;
}

Result<AppendInfo> Log::AppendAsFollower(std::span<const uint8_t> records, TimestampMs now) {
  LogConfig config = this->config();
  // As in Append, the CRC check over every byte runs before taking the lock.
  auto validated = ValidateReplicatedRecords(records, config);
  if (!validated.ok()) return validated.status();
  const ValidatedBatch& last_batch = validated->back();
  std::span<const uint8_t> bytes =
      records.first(last_batch.position + last_batch.header.total_size());
  std::vector<AppendedBatch> batches;
  std::vector<EpochEntry> epochs;
  batches.reserve(validated->size());
  TimestampMs max_timestamp = kNoTimestamp;
  for (const ValidatedBatch& v : *validated) {
    TimestampMs batch_max(v.header.max_timestamp);
    batches.push_back(
        {static_cast<int32_t>(v.header.total_size()), Offset(v.header.last_offset()), batch_max});
    max_timestamp = std::max(max_timestamp, batch_max);
    epochs.push_back({v.header.partition_leader_epoch, Offset(v.header.base_offset)});
  }
  const Offset first_offset(validated->front().header.base_offset);
  const Offset last_offset = batches.back().last_offset;

  AppendInfo info;
  bool should_flush = false;
  {
    WriterLock lock(mu_);
    SLUICE_RETURN_IF_ERROR(CheckUsable());
    if (first_offset < log_end_offset_) {
      return Status::InvalidArgument("replicated batch base offset " + OffsetString(first_offset) +
                                     " is below the log end offset " +
                                     OffsetString(log_end_offset_) + " of " +
                                     PartitionDirName(tp_));
    }
    if (ActiveSegment().ShouldRoll(static_cast<int64_t>(bytes.size()), max_timestamp, last_offset,
                                   now, config_)) {
      SLUICE_RETURN_IF_ERROR(Roll(now, first_offset));
    }
    LogSegment& active = ActiveSegment();
    Status written = active.Append(bytes, batches);
    if (!written.ok()) {
      if (active.damaged()) offline_ = true;
      return written;
    }
    info.first_offset = first_offset;
    info.last_offset = last_offset;
    info.log_append_time = TimestampMs(-1);
    log_end_offset_ = last_offset + 1;
    info.log_start_offset = log_start_offset_;
    RecordEpochs(epochs);
    should_flush = log_end_offset_ - recovery_point_ >= config_.flush_messages;
  }
  if (should_flush) SLUICE_RETURN_IF_ERROR(Flush(info.last_offset + 1));
  return info;
}

std::optional<int32_t> Log::LatestEpoch() const {
  ReaderLock lock(mu_);
  return epochs_.LatestEpoch();
}

std::pair<int32_t, Offset> Log::EndOffsetForEpoch(int32_t requested_epoch) const {
  ReaderLock lock(mu_);
  return epochs_.EndOffsetFor(requested_epoch, log_end_offset_);
}

Status Log::BeginLeaderEpoch(int32_t leader_epoch) {
  WriterLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  return epochs_.Assign(leader_epoch, log_end_offset_);
}

std::vector<EpochEntry> Log::LeaderEpochEntries() const {
  ReaderLock lock(mu_);
  return epochs_.entries();
}

Status Log::Roll(TimestampMs now, std::optional<Offset> base) {
  LogSegment& old_active = ActiveSegment();
  if (old_active.empty()) return Status::Ok();  // nothing to roll away from
  const Offset new_base = std::max(log_end_offset_, base.value_or(log_end_offset_));
  SLUICE_RETURN_IF_ERROR(old_active.OnBecomeInactive());
  auto created = LogSegment::Create(dir_, new_base, LogSegment::OptionsFrom(config_), now);
  if (!created.ok()) {
    // Regrow the old segment's indexes. If even that fails the log is still consistent: the
    // trimmed indexes report full, so the next append tries the roll again.
    (void)old_active.OnBecomeActive();
    return created.status();
  }
  segments_.emplace(new_base, std::move(*created));
  dir_needs_sync_ = true;
  return Status::Ok();
}

Result<ReadResult> Log::Read(Offset start, int32_t max_bytes, Offset max_offset_exclusive,
                             bool min_one_batch) const {
  ReaderLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  if (start < log_start_offset_ || start > log_end_offset_) {
    return Status::OutOfRange("offset " + OffsetString(start) + " is outside [" +
                              OffsetString(log_start_offset_) + ", " +
                              OffsetString(log_end_offset_) + "] of " + PartitionDirName(tp_));
  }
  ReadResult result{{}, log_start_offset_, log_end_offset_, high_watermark_};
  if (start == log_end_offset_ || start >= max_offset_exclusive) return result;
  auto it = segments_.upper_bound(start);
  assert(it != segments_.begin());  // start >= log start >= first base offset
  for (--it; it != segments_.end(); ++it) {
    auto bytes = it->second->Read(start, max_bytes, max_offset_exclusive, min_one_batch);
    if (!bytes.ok()) return bytes.status();
    if (bytes->has_value()) {
      result.records = std::move(**bytes);
      break;
    }
  }
  return result;
}

Offset Log::LogStartOffset() const {
  ReaderLock lock(mu_);
  return log_start_offset_;
}

Offset Log::LogEndOffset() const {
  ReaderLock lock(mu_);
  return log_end_offset_;
}

Offset Log::HighWatermark() const {
  ReaderLock lock(mu_);
  return high_watermark_;
}

Offset Log::SetHighWatermark(Offset high_watermark) {
  WriterLock lock(mu_);
  high_watermark_ = std::clamp(high_watermark, log_start_offset_, log_end_offset_);
  return high_watermark_;
}

Offset Log::RecoveryPoint() const {
  ReaderLock lock(mu_);
  return recovery_point_;
}

Offset Log::ActiveSegmentBaseOffset() const {
  ReaderLock lock(mu_);
  return ActiveSegment().base_offset();
}

TimestampMs Log::LastFlushTime() const {
  ReaderLock lock(mu_);
  return last_flush_time_;
}

Status Log::Flush(Offset up_to) {
  MutexLock flush_lock(flush_mu_);
  std::vector<std::shared_ptr<LogSegment>> to_sync;
  bool sync_dir = false;
  std::filesystem::path dir;
  {
    ReaderLock lock(mu_);
    SLUICE_RETURN_IF_ERROR(CheckUsable());
    up_to = std::min(up_to, log_end_offset_);
    if (up_to <= recovery_point_ && !dir_needs_sync_) return Status::Ok();
    // Segments holding offsets in [recovery_point_, up_to): from the floor of the recovery
    // point up to the last segment starting below up_to.
    auto it = segments_.upper_bound(recovery_point_);
    if (it != segments_.begin()) --it;
    for (; it != segments_.end() && it->first < up_to; ++it) to_sync.push_back(it->second);
    sync_dir = dir_needs_sync_;
    dir = dir_;
  }
  // fsync without the log lock: appends continue meanwhile. The segments stay alive through
  // the shared pointers even if retention removes them.
  for (const auto& segment : to_sync) SLUICE_RETURN_IF_ERROR(segment->Flush());
  if (sync_dir) SLUICE_RETURN_IF_ERROR(SyncDirectory(dir));
  WriterLock lock(mu_);
  if (sync_dir) dir_needs_sync_ = false;
  // A truncation may have happened meanwhile: never claim more than the log holds.
  recovery_point_ = std::max(recovery_point_, std::min(up_to, log_end_offset_));
  last_flush_time_ = WallClockNow();
  return Status::Ok();
}

Result<std::optional<TimestampOffset>> Log::OffsetForTimestamp(TimestampMs target) const {
  ReaderLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  for (const auto& [base, segment] : segments_) {
    if (segment->empty() || segment->next_offset() <= log_start_offset_) continue;
    if (segment->LargestTimestamp() < target) continue;
    auto found = segment->FindOffsetByTimestamp(target, log_start_offset_);
    if (!found.ok() || found->has_value()) return found;
  }
  return std::optional<TimestampOffset>();
}

template <typename Predicate>
size_t Log::CountDeletablePrefix(Predicate deletable) const {
  size_t count = 0;
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    auto next = std::next(it);
    const LogSegment* next_segment = next == segments_.end() ? nullptr : next->second.get();
    Offset upper = next_segment ? next_segment->base_offset() : log_end_offset_;
    bool last_and_empty = next_segment == nullptr && it->second->empty();
    if (high_watermark_ < upper || last_and_empty || !deletable(*it->second, next_segment)) break;
    ++count;
  }
  return count;
}

Status Log::ScheduleDeletion(std::shared_ptr<LogSegment> segment, TimestampMs now) {
  SLUICE_RETURN_IF_ERROR(segment->AddSuffix(kDeletedFileSuffix));
  pending_deletions_.push_back({std::move(segment), now + config_.file_delete_delay_ms});
  return Status::Ok();
}

Status Log::DeleteOldestSegments(size_t count, TimestampMs now) {
  if (count == 0) return Status::Ok();
  if (count == segments_.size()) {
    // Kafka's rule: the log always keeps an active segment; roll a new empty one first.
    SLUICE_RETURN_IF_ERROR(Roll(now));
  }
  for (size_t i = 0; i < count; ++i) {
    auto first = segments_.begin();
    std::shared_ptr<LogSegment> segment = std::move(first->second);
    segments_.erase(first);
    SLUICE_RETURN_IF_ERROR(ScheduleDeletion(std::move(segment), now));
  }
  log_start_offset_ = std::max(log_start_offset_, segments_.begin()->second->base_offset());
  high_watermark_ = std::max(high_watermark_, log_start_offset_);
  recovery_point_ = std::max(recovery_point_, log_start_offset_);
  return TruncateEpochsFromStart();
}

void Log::DeleteExpiredFiles(TimestampMs now) {
  auto due = [now](const PendingDeletion& p) { return p.delete_at <= now; };
  for (auto& pending : pending_deletions_) {
    // A failure leaves a *.deleted file, which the next startup removes (log_recovery.h).
    if (due(pending)) (void)pending.segment->DeleteFiles();
  }
  std::erase_if(pending_deletions_, due);
}

Result<Offset> Log::DeleteRecordsBefore(Offset offset, TimestampMs now) {
  WriterLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  if (offset > high_watermark_) {
    return Status::OutOfRange("cannot move the log start offset of " + PartitionDirName(tp_) +
                              " to " + OffsetString(offset) + ", past the high watermark " +
                              OffsetString(high_watermark_));
  }
  log_start_offset_ = std::max(log_start_offset_, offset);
  const Offset log_start = log_start_offset_;
  size_t count = CountDeletablePrefix([log_start](const LogSegment&, const LogSegment* next) {
    return next != nullptr && next->base_offset() <= log_start;
  });
  SLUICE_RETURN_IF_ERROR(DeleteOldestSegments(count, now));
  SLUICE_RETURN_IF_ERROR(TruncateEpochsFromStart());
  return log_start_offset_;
}

Status Log::TruncateTo(Offset offset, TimestampMs now) {
  if (offset < Offset(0)) return Status::InvalidArgument("negative truncation offset");
  WriterLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  if (offset >= log_end_offset_) return Status::Ok();
  bool emptied = false;
  if (segments_.begin()->first > offset) {
    SLUICE_RETURN_IF_ERROR(StartOverAt(offset, now));
    log_start_offset_ = offset;
    emptied = true;
  } else {
    while (segments_.rbegin()->first > offset) {
      auto last = std::prev(segments_.end());
      std::shared_ptr<LogSegment> segment = std::move(last->second);
      segments_.erase(last);
      SLUICE_RETURN_IF_ERROR(ScheduleDeletion(std::move(segment), now));
    }
    LogSegment& active = ActiveSegment();
    auto removed = active.TruncateTo(offset);
    if (!removed.ok()) {
      offline_ = true;
      return removed.status();
    }
    SLUICE_RETURN_IF_ERROR(active.OnBecomeActive());
  }
  log_end_offset_ = ActiveSegment().next_offset();
  log_start_offset_ = std::min(log_start_offset_, log_end_offset_);
  high_watermark_ = std::min(high_watermark_, log_end_offset_);
  recovery_point_ = std::min(recovery_point_, log_end_offset_);
  // Kafka's truncateTo / truncateFullyAndStartAt: the epochs of the removed records go with them.
  if (emptied) return epochs_.Clear();
  return epochs_.TruncateFromEnd(log_end_offset_);
}

Status Log::StartOverAt(Offset offset, TimestampMs now) {
  // The old segments are renamed *.deleted first, so that one based at `offset` cannot clash
  // with the new one.
  SegmentMap old = std::move(segments_);
  segments_.clear();
  Status status = Status::Ok();
  for (auto& [base, segment] : old) {
    if (status.ok()) status = ScheduleDeletion(segment, now);
  }
  if (status.ok()) {
    auto created = LogSegment::Create(dir_, offset, LogSegment::OptionsFrom(config_), now);
    if (created.ok()) {
      segments_.emplace(offset, std::move(*created));
      dir_needs_sync_ = true;
      return Status::Ok();
    }
    status = created.status();
  }
  // Offline from here on; the old map is put back only so that the segment map is never empty.
  segments_ = std::move(old);
  offline_ = true;
  return status;
}

Status Log::TruncateFullyAndStartAt(Offset offset, TimestampMs now) {
  if (offset < Offset(0)) return Status::InvalidArgument("negative start offset");
  WriterLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  SLUICE_RETURN_IF_ERROR(StartOverAt(offset, now));
  log_start_offset_ = offset;
  log_end_offset_ = offset;
  high_watermark_ = offset;
  recovery_point_ = offset;
  return epochs_.Clear();
}

Result<int> Log::ApplyRetention(TimestampMs now) {
  WriterLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  DeleteExpiredFiles(now);
  int deleted = 0;
  // Time and size retention belong to cleanup.policy=delete; a compact-only log loses records
  // only to compaction and to DeleteRecords (Kafka's deleteOldSegments).
  if (config_.cleanup_delete && config_.retention_ms >= 0) {
    const int64_t retention_ms = config_.retention_ms;
    size_t count = CountDeletablePrefix([&](const LogSegment& segment, const LogSegment*) {
      return now - segment.LargestTimestamp() > retention_ms;
    });
    SLUICE_RETURN_IF_ERROR(DeleteOldestSegments(count, now));
    deleted += static_cast<int>(count);
  }
  if (config_.cleanup_delete && config_.retention_bytes >= 0) {
    int64_t excess = -config_.retention_bytes;
    for (const auto& [base, segment] : segments_) excess += segment->size();
    // Kafka's rule: a segment goes only if the log stays at least retention.bytes without it.
    size_t count = CountDeletablePrefix([&excess](const LogSegment& segment, const LogSegment*) {
      if (excess - segment.size() < 0) return false;
      excess -= segment.size();
      return true;
    });
    SLUICE_RETURN_IF_ERROR(DeleteOldestSegments(count, now));
    deleted += static_cast<int>(count);
  }
  const Offset log_start = log_start_offset_;
  size_t count = CountDeletablePrefix([log_start](const LogSegment&, const LogSegment* next) {
    return next != nullptr && next->base_offset() <= log_start;
  });
  SLUICE_RETURN_IF_ERROR(DeleteOldestSegments(count, now));
  deleted += static_cast<int>(count);
  return deleted;
}

Result<CompactionView> Log::SnapshotForCompaction() const {
  ReaderLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  CompactionView view;
  view.dir = dir_;
  view.config = config_;
  view.log_start_offset = log_start_offset_;
  view.log_end_offset = log_end_offset_;
  view.high_watermark = high_watermark_;
  view.active_segment_base_offset = ActiveSegment().base_offset();
  for (auto it = segments_.begin(); std::next(it) != segments_.end(); ++it) {
    const std::shared_ptr<LogSegment>& segment = it->second;
    auto mtime = segment->LastModified();
    if (!mtime.ok()) return mtime.status();
    view.inactive_segments.push_back({segment, segment->base_offset(), segment->next_offset(),
                                      segment->size(), *mtime, segment->LargestTimestamp()});
  }
  return view;
}

Status Log::ReplaceSegments(std::shared_ptr<LogSegment> cleaned,
                            const std::vector<SegmentSnapshot>& replaced, TimestampMs now) {
  assert(!replaced.empty() && cleaned->base_offset() == replaced.front().base_offset);
  WriterLock lock(mu_);
  SLUICE_RETURN_IF_ERROR(CheckUsable());
  const Offset active_base = ActiveSegment().base_offset();
  for (const SegmentSnapshot& old : replaced) {
    auto it = segments_.find(old.base_offset);
    if (it == segments_.end() || it->second != old.segment || old.base_offset == active_base ||
        it->second->size() != old.size || it->second->next_offset() != old.next_offset) {
      return Status::Conflict("segment " + OffsetString(old.base_offset) + " of " +
                              PartitionDirName(tp_) + " changed during compaction");
    }
  }
  // Past this point a failed rename leaves files whose names recovery understands (a *.deleted
  // old segment, a *.swap new one: FORMAT.md §7), but not a map we can trust: go offline.
  for (const SegmentSnapshot& old : replaced) {
    auto it = segments_.find(old.base_offset);
    std::shared_ptr<LogSegment> segment = std::move(it->second);
    segments_.erase(it);
    Status scheduled = ScheduleDeletion(std::move(segment), now);
    if (!scheduled.ok()) {
      offline_ = true;
      return scheduled;
    }
  }
  Status renamed = cleaned->ChangeSuffix(kSwapFileSuffix, "");
  if (!renamed.ok()) {
    offline_ = true;
    return renamed;
  }
  segments_.emplace(cleaned->base_offset(), std::move(cleaned));
  dir_needs_sync_ = true;
  DeleteExpiredFiles(now);
  return Status::Ok();
}

int64_t Log::SizeInBytes() const {
  ReaderLock lock(mu_);
  int64_t total = 0;
  for (const auto& [base, segment] : segments_) total += segment->size();
  return total;
}

size_t Log::NumSegments() const {
  ReaderLock lock(mu_);
  return segments_.size();
}

bool Log::offline() const {
  ReaderLock lock(mu_);
  return offline_;
}

Status Log::Close() {
  MutexLock flush_lock(flush_mu_);
  // Everything under the exclusive lock: closing may block, and nothing may append between the
  // final fsync and the trim (the caller writes the clean shutdown marker after this).
  WriterLock lock(mu_);
  if (closed_) return Status::Ok();
  closed_ = true;
  if (offline_) return Status::IoError("log " + PartitionDirName(tp_) + " closed while offline");
  auto it = segments_.upper_bound(recovery_point_);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) SLUICE_RETURN_IF_ERROR(it->second->Flush());
  if (dir_needs_sync_) SLUICE_RETURN_IF_ERROR(SyncDirectory(dir_));
  dir_needs_sync_ = false;
  recovery_point_ = log_end_offset_;
  SLUICE_RETURN_IF_ERROR(ActiveSegment().OnBecomeInactive());
  // The trim changed the index files' lengths; make that durable too.
  SLUICE_RETURN_IF_ERROR(ActiveSegment().Flush());
  return epochs_.Persist();
}

void Log::CloseForDeletion() {
  WriterLock lock(mu_);
  closed_ = true;
}

}  // namespace sluice::storage

#include "broker/replication/partition.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <string>

#include "broker/admin/broker_metrics.h"
#include "libs/base/metrics.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::replication {

using kafka::ErrorCode;

namespace {

Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }
Poco::Logger& PartitionLog() { return Poco::Logger::get("replication"); }

std::string Join(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

bool Contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Log::Append's Status codes (log.h) as the produce response reports them; the same mapping
// as broker/server/errors.cc's AppendErrorCode, which this layer cannot depend on.
ErrorCode AppendErrorCode(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOutOfRange:
      return status.message().find("segment.bytes") != std::string::npos
                 ? ErrorCode::kRecordListTooLarge
                 : ErrorCode::kMessageTooLarge;
    case Status::Code::kCorruption:
      return ErrorCode::kCorruptMessage;
    case Status::Code::kInvalidArgument:
      return ErrorCode::kInvalidRecord;
    case Status::Code::kIoError:
      return ErrorCode::kKafkaStorageError;
    case Status::Code::kUnavailable:
      return ErrorCode::kNotLeaderOrFollower;
    default:
      return ErrorCode::kUnknownServerError;
  }
}

// Fetched data may end in a partial batch (the leader cut it at max_bytes); Log::
// AppendAsFollower ignores such a tail but refuses data that is nothing but one.
bool HasCompleteBatch(std::span<const uint8_t> records) {
  constexpr size_t kLengthEnd = kafka::batch_offsets::kBatchLength + 4;
  if (records.size() < kLengthEnd) return false;
  const uint8_t* p = records.data() + kafka::batch_offsets::kBatchLength;
  const uint32_t length =
      (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  return kLengthEnd + length <= records.size();
}

}  // namespace

Result<std::shared_ptr<Partition>> Partition::Create(storage::TopicPartition tp,
                                                     std::shared_ptr<storage::Log> log,
                                                     int32_t self, PartitionConfig config,
                                                     int64_t replica_lag_time_max_ms,
                                                     IsrWriter& isr_writer,
                                                     ReplicationListener& listener) {
  std::shared_ptr<Partition> partition(new Partition(std::move(tp), std::move(log), self,
                                                     std::move(config), replica_lag_time_max_ms,
                                                     isr_writer, listener));
  storage::MutexLock lock(partition->append_mu_);
  Status loaded = partition->RebuildProducerState();
  if (!loaded.ok()) {
    return Status::IoError("cannot load the producer state of " + partition->tp_.ToString() + ": " +
                           loaded.message());
  }
  return partition;
}

Partition::Partition(storage::TopicPartition tp, std::shared_ptr<storage::Log> log, int32_t self,
                     PartitionConfig config, int64_t replica_lag_time_max_ms, IsrWriter& isr_writer,
                     ReplicationListener& listener)
    : tp_(std::move(tp)),
      log_(std::move(log)),
      self_(self),
      replica_lag_time_max_ms_(replica_lag_time_max_ms),
      isr_writer_(isr_writer),
      listener_(listener),
      producers_(log_->dir()),
      config_(std::move(config)) {}

// ---- observers ----

bool Partition::is_leader() const {
  storage::MutexLock lock(mu_);
  return leader_ == self_;
}

int32_t Partition::leader_id() const {
  storage::MutexLock lock(mu_);
  return leader_;
}

int32_t Partition::leader_epoch() const {
  storage::MutexLock lock(mu_);
  return leader_epoch_;
}

int32_t Partition::controller_epoch() const {
  storage::MutexLock lock(mu_);
  return controller_epoch_;
}

int32_t Partition::zk_version() const {
  storage::MutexLock lock(mu_);
  return zk_version_;
}

std::vector<int32_t> Partition::isr() const {
  storage::MutexLock lock(mu_);
  return isr_;
}

std::vector<int32_t> Partition::replicas() const {
  storage::MutexLock lock(mu_);
  return replicas_;
}

int32_t Partition::min_insync_replicas() const {
  storage::MutexLock lock(mu_);
  return config_.min_insync_replicas;
}

bool Partition::IsUnderReplicated() const {
  storage::MutexLock lock(mu_);
  return leader_ == self_ && isr_.size() < replicas_.size();
}

std::optional<RemoteReplicaState> Partition::remote_replica(int32_t replica_id) const {
  storage::MutexLock lock(mu_);
  if (leader_ != self_) return std::nullopt;
  auto it = remotes_.find(replica_id);
  if (it == remotes_.end()) return std::nullopt;
  return it->second;
}

void Partition::UpdateConfig(const PartitionConfig& config) {
  log_->UpdateConfig(config.log);
  storage::MutexLock lock(mu_);
  config_ = config;
}

bool Partition::InIsr(int32_t broker) const { return Contains(isr_, broker); }

// ---- role transitions ----

Result<bool> Partition::MakeLeader(const LeaderAndIsrPartitionState& state, TimestampMs now) {
  // append_mu_: an append that read the previous epoch must finish before the new epoch starts,
  // or its batch would be stamped with an epoch older than the cache's latest.
  storage::MutexLock append(append_mu_);
  Status begun = log_->BeginLeaderEpoch(state.leader_epoch);
  if (!begun.ok()) return begun;
  const Offset leader_epoch_start = log_->LogEndOffset();
  bool was_leader = false;
  int32_t previous_epoch = -1;
  {
    storage::MutexLock lock(mu_);
    was_leader = leader_ == self_;
    previous_epoch = leader_epoch_;
    controller_epoch_ = state.controller_epoch;
    replicas_ = state.replicas;
    isr_ = state.isr;
    leader_ = self_;
    leader_epoch_ = state.leader_epoch;
    leader_epoch_start_offset_ = leader_epoch_start;
    zk_version_ = state.zk_version;
    // Kafka's resetLastCaughtUpTime: ISR members count as caught up now, so that a follower is
    // not shrunk out of the ISR before it had replica.lag.time.max.ms to fetch from us.
    std::map<int32_t, RemoteReplicaState> remotes;
    for (int32_t replica : replicas_) {
      if (replica == self_) continue;
      RemoteReplicaState remote;
      if (auto it = remotes_.find(replica); it != remotes_.end() && was_leader) {
        remote = it->second;
      }
      remote.last_caught_up_time = InIsr(replica) ? now : TimestampMs(0);
      remote.last_fetch_leader_log_end_offset = leader_epoch_start;
      remote.last_fetch_time = now;
      remotes.emplace(replica, remote);
    }
    remotes_ = std::move(remotes);
    MaybeIncrementHighWatermark();
  }
  StateChangeLog().information(
      "Leader " + tp_.ToString() + " starts at leader epoch " + std::to_string(state.leader_epoch) +
      " from offset " + std::to_string(leader_epoch_start.value()) + " with high watermark " +
      std::to_string(log_->HighWatermark().value()) + " ISR " + Join(state.isr) +
      " addingReplicas " + Join(state.adding_replicas) + " removingReplicas " +
      Join(state.removing_replicas) + ". Previous leader epoch was " +
      std::to_string(previous_epoch));
  return !was_leader;
}

bool Partition::MakeFollower(const LeaderAndIsrPartitionState& state) {
  storage::MutexLock append(append_mu_);
  storage::MutexLock lock(mu_);
  const bool changed = !(leader_ == state.leader && leader_epoch_ == state.leader_epoch);
  controller_epoch_ = state.controller_epoch;
  replicas_ = state.replicas;
  isr_ = state.isr;  // informational: only the leader maintains the ISR
  leader_ = state.leader;
  leader_epoch_ = state.leader_epoch;
  leader_epoch_start_offset_ = Offset(-1);
  zk_version_ = state.zk_version;
  remotes_.clear();
  return changed;
}

// ---- leader ----

AppendOutcome Partition::AppendAsLeader(std::span<const uint8_t> records, int16_t required_acks,
                                        TimestampMs now) {
  AppendOutcome outcome;
  auto fail = [&](ErrorCode error, std::string message) {
    outcome.error = error;
    outcome.message = std::move(message);
    return outcome;
  };
  bool hw_moved = false;
  {
    storage::MutexLock append(append_mu_);
    int32_t epoch = -1;
    {
      storage::MutexLock lock(mu_);
      if (leader_ != self_) {
        return fail(ErrorCode::kNotLeaderOrFollower, "Leader not local for partition " +
                                                         tp_.ToString() + " on broker " +
                                                         std::to_string(self_));
      }
      epoch = leader_epoch_;
      const size_t in_sync = isr_.size();
      const int32_t min_isr = config_.min_insync_replicas;
      if (required_acks == -1 && in_sync < static_cast<size_t>(std::max(min_isr, 1))) {
        return fail(ErrorCode::kNotEnoughReplicas,
                    "The size of the current ISR " + Join(isr_) +
                        " is insufficient to satisfy the min.isr requirement of " +
                        std::to_string(min_isr) + " for partition " + tp_.ToString());
      }
    }

    auto batches = storage::ProducerBatches(records);
    if (!batches.ok()) return fail(ErrorCode::kCorruptMessage, batches.status().message());
    const bool idempotent = std::any_of(batches->begin(), batches->end(),
                                        [](const auto& b) { return b.producer_id >= 0; });
    if (idempotent) {
      storage::ProducerCheckResult check = producers_.CheckAll(*batches);
      switch (check.check) {
        case storage::ProducerCheck::kNew:
          break;
        case storage::ProducerCheck::kDuplicate:
          outcome.duplicate = true;
          outcome.info.first_offset = check.duplicate_first_offset;
          outcome.info.last_offset = check.duplicate_last_offset;
          outcome.info.log_start_offset = log_->LogStartOffset();
          return outcome;
        case storage::ProducerCheck::kOutOfOrderSequence:
          return fail(ErrorCode::kOutOfOrderSequenceNumber, check.message);
        case storage::ProducerCheck::kInvalidProducerEpoch:
          return fail(ErrorCode::kInvalidProducerEpoch, check.message);
        case storage::ProducerCheck::kUnknownProducerId:
          return fail(ErrorCode::kUnknownProducerId, check.message);
      }
    }

    auto info = log_->Append(records, LeaderEpoch(epoch), now);
    if (!info.ok()) return fail(AppendErrorCode(info.status()), info.status().message());
    outcome.info = *info;
    if (idempotent) {
      storage::AssignProducerBatchOffsets(*batches, info->first_offset);
      for (const auto& batch : *batches) producers_.Update(batch);
    }
    storage::MutexLock lock(mu_);
    hw_moved = MaybeIncrementHighWatermark();
  }
  if (hw_moved) listener_.OnPartitionChanged(tp_);
  return outcome;
}

std::optional<ErrorCode> Partition::CheckAcksAll(Offset last_offset) const {
  storage::MutexLock lock(mu_);
  if (leader_ != self_) return ErrorCode::kNotLeaderOrFollower;
  if (log_->HighWatermark() <= last_offset) return std::nullopt;
  if (isr_.size() < static_cast<size_t>(config_.min_insync_replicas)) {
    return ErrorCode::kNotEnoughReplicasAfterAppend;
  }
  return ErrorCode::kNone;
}

Result<storage::ReadResult> Partition::ReadRecords(int32_t replica_id, Offset fetch_offset,
                                                   int32_t max_bytes, bool min_one_batch,
                                                   TimestampMs now) {
  {
    storage::MutexLock lock(mu_);
    if (leader_ != self_) {
      return Status::Unavailable("Leader not local for partition " + tp_.ToString() +
                                 " on broker " + std::to_string(self_));
    }
    if (replica_id >= 0 && remotes_.find(replica_id) == remotes_.end()) {
      return Status::Unavailable("Replica " + std::to_string(replica_id) +
                                 " is not an assigned replica of " + tp_.ToString());
    }
  }
  if (replica_id < 0) {
    return log_->Read(fetch_offset, max_bytes, log_->HighWatermark(), min_one_batch);
  }

  auto read = log_->Read(fetch_offset, max_bytes, log_->LogEndOffset(), min_one_batch);
  if (!read.ok()) return read;
  bool follower_moved = false;
  bool hw_moved = false;
  bool expand = false;
  {
    storage::MutexLock lock(mu_);
    auto it = remotes_.find(replica_id);
    if (leader_ == self_ && it != remotes_.end()) {
      // Kafka's Replica.updateFetchState.
      RemoteReplicaState& remote = it->second;
      if (fetch_offset >= read->log_end_offset) {
        remote.last_caught_up_time = std::max(remote.last_caught_up_time, now);
      } else if (fetch_offset >= remote.last_fetch_leader_log_end_offset) {
        remote.last_caught_up_time = std::max(remote.last_caught_up_time, remote.last_fetch_time);
      }
      follower_moved = remote.log_end_offset != fetch_offset;
      remote.log_end_offset = fetch_offset;
      remote.log_start_offset = read->log_start_offset;
      remote.last_fetch_leader_log_end_offset = read->log_end_offset;
      remote.last_fetch_time = now;
      expand = !InIsr(replica_id) && fetch_offset >= log_->HighWatermark() &&
               fetch_offset >= leader_epoch_start_offset_;
      hw_moved = MaybeIncrementHighWatermark();
    }
  }
  if (expand) MaybeExpandIsr(replica_id);
  if (follower_moved || hw_moved) listener_.OnPartitionChanged(tp_);
  read->high_watermark = log_->HighWatermark();
  return read;
}

std::pair<int32_t, Offset> Partition::EndOffsetForEpoch(int32_t epoch) const {
  return log_->EndOffsetForEpoch(epoch);
}

bool Partition::MaybeIncrementHighWatermark() {
  if (leader_ != self_) return false;
  Offset candidate = log_->LogEndOffset();
  for (int32_t member : isr_) {
    if (member == self_) continue;
    auto it = remotes_.find(member);
    if (it == remotes_.end()) continue;  // not an assigned replica: the controller will fix it
    if (it->second.log_end_offset < Offset(0)) return false;  // not fetched yet
    candidate = std::min(candidate, it->second.log_end_offset);
  }
  const Offset old_hw = log_->HighWatermark();
  if (candidate <= old_hw) return false;
  log_->SetHighWatermark(candidate);
  return true;
}

bool Partition::WriteAndApplyIsr(const std::vector<int32_t>& new_isr, int32_t leader_epoch,
                                 int32_t controller_epoch, int32_t zk_version, const char* change) {
  Result<int32_t> written =
      isr_writer_.WriteIsr(tp_, self_, leader_epoch, controller_epoch, new_isr, zk_version);
  storage::MutexLock lock(mu_);
  if (!written.ok()) {
    if (written.status().code() == Status::Code::kConflict) {
      PartitionLog().information("[Partition " + tp_.ToString() +
                                 " broker=" + std::to_string(self_) + "] Cached zkVersion " +
                                 std::to_string(zk_version) +
                                 " not equal to that in zookeeper, skip updating ISR");
    } else {
      PartitionLog().warning("[Partition " + tp_.ToString() + " broker=" + std::to_string(self_) +
                             "] Failed to update ISR to " + Join(new_isr) + ": " +
                             written.status().ToString());
    }
    return false;
  }
  if (leader_ != self_ || leader_epoch_ != leader_epoch) {
    // A LeaderAndIsr arrived while we wrote; it carries its own ISR and zkVersion.
    return false;
  }
  PartitionLog().information("[Partition " + tp_.ToString() + " broker=" + std::to_string(self_) +
                             "] " + change + " ISR from " + Join(isr_) + " to " + Join(new_isr) +
                             ", zkVersion " + std::to_string(*written));
  // Kafka's IsrShrinksPerSec / IsrExpandsPerSec, as Prometheus counters.
  const bool shrinking = new_isr.size() < isr_.size();
  metrics::Registry::Default()
      .GetCounter(shrinking ? admin::kIsrShrinksTotal : admin::kIsrExpandsTotal,
                  shrinking ? "ISR shrinks on partitions this broker leads"
                            : "ISR expansions on partitions this broker leads")
      .Increment();
  isr_ = new_isr;
  zk_version_ = *written;
  return true;
}

void Partition::MaybeExpandIsr(int32_t replica_id) {
  bool expanded = false;
  {
    storage::MutexLock writing(isr_update_mu_);
    std::vector<int32_t> new_isr;
    int32_t epoch = 0;
    int32_t controller_epoch = 0;
    int32_t zk_version = 0;
    {
      storage::MutexLock lock(mu_);
      auto it = remotes_.find(replica_id);
      if (leader_ != self_ || InIsr(replica_id) || it == remotes_.end()) return;
      const Offset follower_end = it->second.log_end_offset;
      if (follower_end < log_->HighWatermark() || follower_end < leader_epoch_start_offset_) return;
      new_isr = isr_;
      new_isr.push_back(replica_id);
      epoch = leader_epoch_;
      controller_epoch = controller_epoch_;
      zk_version = zk_version_;
    }
    expanded = WriteAndApplyIsr(new_isr, epoch, controller_epoch, zk_version, "Expanding");
    if (expanded) {
      storage::MutexLock lock(mu_);
      MaybeIncrementHighWatermark();
    }
  }
  if (expanded) listener_.OnPartitionChanged(tp_);
}

bool Partition::MaybeShrinkIsr(TimestampMs now) {
  bool shrunk = false;
  {
    storage::MutexLock writing(isr_update_mu_);
    std::vector<int32_t> new_isr;
    std::string out_of_sync;
    int32_t epoch = 0;
    int32_t controller_epoch = 0;
    int32_t zk_version = 0;
    {
      storage::MutexLock lock(mu_);
      if (leader_ != self_) return false;
      const Offset leader_end = log_->LogEndOffset();
      for (int32_t member : isr_) {
        auto it = remotes_.find(member);
        const bool lagging = member != self_ && it != remotes_.end() &&
                             it->second.log_end_offset != leader_end &&
                             now - it->second.last_caught_up_time > replica_lag_time_max_ms_;
        if (!lagging) {
          new_isr.push_back(member);
          continue;
        }
        if (!out_of_sync.empty()) out_of_sync += ", ";
        out_of_sync += "(brokerId: " + std::to_string(member) +
                       ", endOffset: " + std::to_string(it->second.log_end_offset.value()) + ")";
      }
      if (new_isr.size() == isr_.size()) return false;
      PartitionLog().information(
          "[Partition " + tp_.ToString() + " broker=" + std::to_string(self_) +
          "] Shrinking ISR from " + Join(isr_) + " to " + Join(new_isr) +
          ". Leader: (highWatermark: " + std::to_string(log_->HighWatermark().value()) +
          ", endOffset: " + std::to_string(leader_end.value()) +
          "). Out of sync replicas: " + out_of_sync + ".");
      epoch = leader_epoch_;
      controller_epoch = controller_epoch_;
      zk_version = zk_version_;
    }
    shrunk = WriteAndApplyIsr(new_isr, epoch, controller_epoch, zk_version, "Shrinking");
    if (shrunk) {
      storage::MutexLock lock(mu_);
      MaybeIncrementHighWatermark();
    }
  }
  if (shrunk) listener_.OnPartitionChanged(tp_);
  return shrunk;
}

// ---- follower ----

Result<storage::AppendInfo> Partition::AppendAsFollower(std::span<const uint8_t> records,
                                                        Offset leader_high_watermark,
                                                        Offset leader_log_start_offset,
                                                        TimestampMs now) {
  storage::MutexLock append(append_mu_);
  {
    storage::MutexLock lock(mu_);
    if (leader_ == self_) {
      return Status::InvalidArgument("broker " + std::to_string(self_) + " is the leader of " +
                                     tp_.ToString() + ": it does not append fetched records");
    }
  }
  storage::AppendInfo info{log_->LogEndOffset(), log_->LogEndOffset() - 1, TimestampMs(-1),
                           log_->LogStartOffset()};
  if (HasCompleteBatch(records)) {
    auto appended = log_->AppendAsFollower(records, now);
    if (!appended.ok()) return appended.status();
    info = *appended;
    auto batches = storage::ProducerBatches(records);
    if (batches.ok()) {
      for (const auto& batch : *batches) {
        if (batch.producer_id >= 0 && batch.first_offset >= info.first_offset) {
          producers_.Update(batch);
        }
      }
    }
  }
  // Kafka's follower HW: the leader's, bounded by what we hold.
  log_->SetHighWatermark(std::min(leader_high_watermark, log_->LogEndOffset()));
  const Offset start_target = std::min(leader_log_start_offset, log_->HighWatermark());
  if (start_target > log_->LogStartOffset()) {
    auto moved = log_->DeleteRecordsBefore(start_target, now);
    if (!moved.ok()) {
      PartitionLog().warning("Cannot follow the leader's log start offset " +
                             std::to_string(leader_log_start_offset.value()) + " for " +
                             tp_.ToString() + ": " + moved.status().ToString());
    }
  }
  info.log_start_offset = log_->LogStartOffset();
  return info;
}

Status Partition::TruncateTo(Offset offset, TimestampMs now) {
  storage::MutexLock append(append_mu_);
  if (offset >= log_->LogEndOffset()) return Status::Ok();
  PartitionLog().information("[Log partition=" + tp_.ToString() + "] Truncating to offset " +
                             std::to_string(offset.value()) + " from " +
                             std::to_string(log_->LogEndOffset().value()));
  SLUICE_RETURN_IF_ERROR(log_->TruncateTo(offset, now));
  return RebuildProducerState();
}

Status Partition::TruncateFullyAndStartAt(Offset offset, TimestampMs now) {
  storage::MutexLock append(append_mu_);
  PartitionLog().information("[Log partition=" + tp_.ToString() +
                             "] Truncating fully: the leader's log starts at " +
                             std::to_string(offset.value()) + ", past our end " +
                             std::to_string(log_->LogEndOffset().value()));
  // Log has no "empty and restart at X" for X past the end: empty it (TruncateTo below the
  // first batch); the next AppendAsFollower then starts at X (a gap is accepted) and the log
  // start follows the leader's once the high watermark passes it.
  SLUICE_RETURN_IF_ERROR(log_->TruncateTo(log_->LogStartOffset(), now));
  return RebuildProducerState();
}

Status Partition::TakeProducerSnapshot() {
  storage::MutexLock append(append_mu_);
  const Offset end = log_->LogEndOffset();
  if (end == last_snapshot_offset_) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(producers_.TakeSnapshot(end));
  last_snapshot_offset_ = end;
  return Status::Ok();
}

Status Partition::RebuildProducerState() {
  const Offset end = log_->LogEndOffset();
  SLUICE_RETURN_IF_ERROR(producers_.LoadSnapshot(end));
  Offset next = std::max(producers_.snapshot_offset(), log_->LogStartOffset());
  constexpr int32_t kReplayReadBytes = 1 << 20;
  while (next < end) {
    auto read = log_->Read(next, kReplayReadBytes, end, /*min_one_batch=*/true);
    if (!read.ok()) return read.status();
    if (read->records.empty()) break;
    auto batches = storage::ProducerBatches(read->records);
    if (!batches.ok()) return batches.status();
    if (batches->empty()) break;
    for (const auto& batch : *batches) producers_.Update(batch);
    const Offset after = batches->back().last_offset + 1;
    if (after <= next) break;  // no progress: never loop
    next = after;
  }
  last_snapshot_offset_ = producers_.snapshot_offset();
  return Status::Ok();
}

}  // namespace sluice::replication

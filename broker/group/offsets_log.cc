#include "broker/group/offsets_log.h"

#include "broker/group/coordinator_partition.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::group {

namespace {

// Replay reads this much per call: large enough that a 100 MiB segment takes ~100 reads, small
// enough to keep one chunk's copy modest (Kafka's offsets.load.buffer.size is 5 MiB).
constexpr int32_t kReplayChunkBytes = 1 << 20;

// Kafka's offsets.commit.required.acks: -1, all in-sync replicas.
constexpr int16_t kCommitRequiredAcks = -1;

std::string PartitionName(int32_t partition) {
  return std::string(kOffsetsTopic) + "-" + std::to_string(partition);
}

// The verdict contract of OffsetsLog::Append.
Status StatusFor(kafka::ErrorCode error, const std::string& message) {
  switch (error) {
    case kafka::ErrorCode::kNone:
      return Status::Ok();
    case kafka::ErrorCode::kNotLeaderOrFollower:
    case kafka::ErrorCode::kUnknownTopicOrPartition:
      return Status::NotFound(message);
    case kafka::ErrorCode::kNotEnoughReplicas:
    case kafka::ErrorCode::kNotEnoughReplicasAfterAppend:
      return Status::Unavailable(message);
    case kafka::ErrorCode::kMessageTooLarge:
    case kafka::ErrorCode::kRecordListTooLarge:
    case kafka::ErrorCode::kInvalidFetchSize:
      return Status::OutOfRange(message);
    case kafka::ErrorCode::kRequestTimedOut:
      return Status::Timeout(message);
    case kafka::ErrorCode::kCorruptMessage:
      return Status::Corruption(message);
    case kafka::ErrorCode::kKafkaStorageError:
      return Status::IoError(message);
    default:
      return Status::Internal(message);
  }
}

Status CommitVerdict(kafka::ErrorCode verdict, const std::string& name) {
  return StatusFor(verdict, "committing to " + name + " failed with error code " +
                                std::to_string(kafka::Code(verdict)));
}

}  // namespace

ReplicaOffsetsLog::ReplicaOffsetsLog(replication::ReplicaManager& replicas, Scheduler& scheduler,
                                     std::function<void(int32_t)> on_append,
                                     std::chrono::milliseconds commit_timeout)
    : replicas_(replicas),
      scheduler_(scheduler),
      on_append_(std::move(on_append)),
      commit_timeout_(commit_timeout) {}

void ReplicaOffsetsLog::Post(AppendCallback done, Status status) {
  scheduler_.RunAfter(std::chrono::milliseconds(0),
                      [done = std::move(done), status = std::move(status)] { done(status); });
}

size_t ReplicaOffsetsLog::PendingCount() const {
  std::lock_guard lock(pending_->mu);
  return pending_->waiters.size();
}

void ReplicaOffsetsLog::OnPartitionChanged() {
  std::vector<std::pair<AppendCallback, Status>> decided;
  {
    std::lock_guard lock(pending_->mu);
    for (auto it = pending_->waiters.begin(); it != pending_->waiters.end();) {
      Waiter& w = it->second;
      const std::optional<kafka::ErrorCode> verdict = w.replica->CheckAcksAll(w.last_offset);
      if (!verdict) {
        ++it;
        continue;
      }
      decided.emplace_back(std::move(w.done), CommitVerdict(*verdict, w.name));
      it = pending_->waiters.erase(it);
    }
  }
  for (auto& [done, status] : decided) Post(std::move(done), std::move(status));
}

void ReplicaOffsetsLog::Append(int32_t partition, std::vector<OffsetsRecord> records,
                               int64_t timestamp_ms, AppendCallback done) {
  if (records.empty()) return Post(std::move(done), Status::Ok());
  const std::string name = PartitionName(partition);
  auto replica = replicas_.Get({kOffsetsTopic, PartitionId(partition)});
  if (!replica) {
    return Post(std::move(done), Status::NotFound("this broker does not host " + name));
  }
  std::vector<kafka::Record> batch_records;
  batch_records.reserve(records.size());
  for (auto& r : records) {
    kafka::Record record;
    record.timestamp = timestamp_ms;
    record.key = std::move(r.key);
    record.value = std::move(r.value);
    batch_records.push_back(std::move(record));
  }
  auto batch = kafka::BuildRecordBatch(batch_records, {});
  if (!batch.ok()) return Post(std::move(done), batch.status());
  replication::AppendOutcome appended =
      replica->AppendAsLeader(*batch, kCommitRequiredAcks, TimestampMs(timestamp_ms));
  if (!appended.ok()) {
    return Post(std::move(done),
                StatusFor(appended.error, "appending to " + name + " failed: " + appended.message));
  }
  if (on_append_) on_append_(partition);
  const Offset last = appended.info.last_offset;
  uint64_t id = 0;
  {
    // Checked under the lock that OnPartitionChanged takes: a change after this check finds
    // the waiter registered.
    std::lock_guard lock(pending_->mu);
    if (const auto verdict = replica->CheckAcksAll(last)) {
      return Post(std::move(done), CommitVerdict(*verdict, name));
    }
    id = pending_->next_id++;
    pending_->waiters.emplace(id, Waiter{replica, last, name, std::move(done)});
  }
  const int64_t timeout_ms = commit_timeout_.count();
  scheduler_.RunAfter(commit_timeout_, [weak = std::weak_ptr<Pending>(pending_), id, timeout_ms] {
    auto pending = weak.lock();
    if (!pending) return;
    Waiter waiter;
    {
      std::lock_guard lock(pending->mu);
      auto it = pending->waiters.find(id);
      if (it == pending->waiters.end()) return;  // already decided
      waiter = std::move(it->second);
      pending->waiters.erase(it);
    }
    // A timer runs on no one's stack and under no lock: the verdict is delivered directly.
    if (const auto verdict = waiter.replica->CheckAcksAll(waiter.last_offset)) {
      waiter.done(CommitVerdict(*verdict, waiter.name));
      return;
    }
    waiter.done(Status::Timeout("the ISR of " + waiter.name + " did not replicate offset " +
                                std::to_string(waiter.last_offset.value()) +
                                " within offsets.commit.timeout.ms=" + std::to_string(timeout_ms)));
  });
}

Status ReplicaOffsetsLog::Replay(int32_t partition,
                                 const std::function<void(const OffsetsRecord&)>& visit) {
  auto replica = replicas_.Get({kOffsetsTopic, PartitionId(partition)});
  if (!replica) {
    return Status::Unavailable("this broker does not host " + std::string(kOffsetsTopic) + "-" +
                               std::to_string(partition));
  }
  storage::Log& log = replica->log();
  const Offset end = log.LogEndOffset();
  Offset next = log.LogStartOffset();
  while (next < end) {
    auto read = log.Read(next, kReplayChunkBytes, end, /*min_one_batch=*/true);
    if (!read.ok()) return read.status();
    auto batches = kafka::SplitRecordBatches(read->records);
    if (!batches.ok()) return batches.status();
    if (batches->empty()) break;  // nothing readable below the end: done
    for (auto batch : *batches) {
      auto header = kafka::ParseRecordBatchHeader(batch);
      if (!header.ok()) return header.status();
      next = Offset(header->last_offset() + 1);
      if (header->is_control()) continue;
      auto decoded = kafka::DecodeRecords(batch);
      if (!decoded.ok()) return decoded.status();
      for (auto& record : *decoded) {
        if (!record.key) continue;  // Kafka's loader skips keyless records too
        visit(OffsetsRecord{std::move(*record.key), std::move(record.value)});
      }
    }
  }
  return Status::Ok();
}

}  // namespace sluice::group

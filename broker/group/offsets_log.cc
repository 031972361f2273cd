#include "broker/group/offsets_log.h"

#include "broker/group/coordinator_partition.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::group {

namespace {

// Replay reads this much per call: large enough that a 100 MiB segment takes ~100 reads, small
// enough to keep one chunk's copy modest (Kafka's offsets.load.buffer.size is 5 MiB).
constexpr int32_t kReplayChunkBytes = 1 << 20;

}  // namespace

ReplicaOffsetsLog::ReplicaOffsetsLog(replication::ReplicaManager& replicas,
                                     std::function<void(int32_t)> on_append)
    : replicas_(replicas), on_append_(std::move(on_append)) {}

Status ReplicaOffsetsLog::Append(int32_t partition, const std::vector<OffsetsRecord>& records,
                                 int64_t timestamp_ms) {
  if (records.empty()) return Status::Ok();
  auto replica = replicas_.Get({kOffsetsTopic, PartitionId(partition)});
  if (!replica) {
    return Status::Unavailable("this broker does not host " + std::string(kOffsetsTopic) + "-" +
                               std::to_string(partition));
  }
  std::vector<kafka::Record> batch_records;
  batch_records.reserve(records.size());
  for (const auto& r : records) {
    kafka::Record record;
    record.timestamp = timestamp_ms;
    record.key = r.key;
    record.value = r.value;
    batch_records.push_back(std::move(record));
  }
  auto batch = kafka::BuildRecordBatch(batch_records, {});
  if (!batch.ok()) return batch.status();
  auto appended = replica->AppendAsLeader(*batch, TimestampMs(timestamp_ms));
  if (!appended.ok()) return appended.status();
  if (on_append_) on_append_(partition);
  return Status::Ok();
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

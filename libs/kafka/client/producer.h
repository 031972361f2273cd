// Producer: turns records into record batches v2 (one per partition and flush, compressed with
// the chosen codec) and sends them as Produce requests to each partition's leader.
//
// Synchronous design: Send() only buffers; a partition's buffer is sent when it reaches
// batch_size, when Poll() finds it older than linger, or on Flush(). Each sent batch yields one
// DeliveryReport per record (with its offset, or the error). A batch that fails with a
// retriable error (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, REQUEST_TIMED_OUT,
// NOT_ENOUGH_REPLICAS, ...) is resent after refreshing metadata, up to `retries` times (no
// idempotence: a retry after a lost answer may duplicate, as in Kafka with
// enable.idempotence=false).
//
// Thread safety: not thread-safe; use one Producer per thread (the Client may be shared).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/partitioner.h"
#include "libs/kafka/client/types.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::kafka::client {

struct ProducerOptions {
  // 0 (no answer), 1 (leader), -1 (all in-sync replicas). Kafka's acks.
  int16_t acks = 1;
  Compression compression = Compression::kNone;
  // Bytes of (uncompressed) records per partition before a batch is sent (Kafka's batch.size).
  int32_t batch_size = 16384;
  // How long a record may wait for more records to join its batch (Kafka's linger.ms).
  std::chrono::milliseconds linger{0};
  // The Produce request's TimeoutMs (how long the broker waits for acks=-1 replication).
  std::chrono::milliseconds request_timeout{30'000};
  int retries = 3;
  // How long Send may wait for a topic's metadata (Kafka's max.block.ms): a topic being
  // auto-created has no leader for a moment; an unknown topic fails after this.
  std::chrono::milliseconds max_block{60'000};
  NullKeyStrategy null_keys = NullKeyStrategy::kSticky;
};

struct ProducerRecord {
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::optional<PartitionId> partition;  // nullopt: the partitioner chooses
  std::optional<TimestampMs> timestamp;  // nullopt: now
  std::vector<RecordHeader> headers;
};

struct DeliveryReport {
  TopicPartition partition;
  Offset offset{-1};  // -1 when failed, or with acks=0 (Kafka does not say)
  Status status;      // the error names topic-partition and the Kafka error
};

class Producer {
 public:
  Producer(Client& client, ProducerOptions options);
  // Flushes what is buffered (reports are dropped: call Flush first to see them).
  ~Producer();

  // Chooses the partition (fetching topic metadata, auto-creating as Kafka's producer allows)
  // and buffers the record. Fails only when no partition can be chosen (unknown topic after
  // retries, a partition number outside the topic). May send full batches (see Poll).
  Result<TopicPartition> Send(ProducerRecord record);
  // Sends batches older than linger (or full); returns their reports.
  std::vector<DeliveryReport> Poll();
  // Sends everything buffered and returns the reports, in record order per partition.
  std::vector<DeliveryReport> Flush();
  // When the oldest buffered record's linger expires (nullopt when nothing is buffered); a
  // caller waiting on input can wait until then and call Poll.
  std::optional<std::chrono::steady_clock::time_point> NextLingerDeadline() const;

 private:
  struct PendingBatch {
    std::vector<Record> records;
    size_t bytes = 0;
    std::chrono::steady_clock::time_point first_added;
  };
  Result<int32_t> PartitionCount(const std::string& topic);
  // Sends the pending batches of `partitions` (removing them), retrying retriable failures,
  // and appends their reports to completed_.
  void SendBatches(std::vector<TopicPartition> partitions);

  Client& client_;
  const ProducerOptions options_;
  Partitioner partitioner_;
  std::map<TopicPartition, PendingBatch> pending_;
  std::map<std::string, int32_t> partition_counts_;  // topic -> partitions, from metadata
  std::vector<DeliveryReport> completed_;            // reports not yet returned
};

}  // namespace sluice::kafka::client

// Value types shared by the client library (libs/kafka/client): partitions, records as a
// consumer sees them, cluster metadata, and what ListOffsets can ask for.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::kafka::client {

struct TopicPartition {
  std::string topic;
  PartitionId partition{0};

  auto operator<=>(const TopicPartition&) const = default;
  bool operator==(const TopicPartition&) const = default;
  std::string ToString() const { return topic + "-" + std::to_string(partition.value()); }
};

// A record as a consumer returns it: where it was read from, and the record itself (offset,
// timestamp, key, value, headers; see libs/kafka/records/record_batch.h).
struct ConsumerRecord {
  TopicPartition partition;
  Record record;
  // True when the batch carried LogAppendTime (the broker's clock) rather than CreateTime.
  bool log_append_time = false;
};

// Kafka's isolation.level: what Fetch and ListOffsets(latest) may return.
enum class IsolationLevel : int8_t { kReadUncommitted = 0, kReadCommitted = 1 };

// What ListOffsets asks for: the earliest offset, the log end (latest), or the first offset
// whose timestamp is >= a time. On the wire earliest is -2 and latest is -1.
struct OffsetSpec {
  static OffsetSpec Earliest() { return OffsetSpec{-2}; }
  static OffsetSpec Latest() { return OffsetSpec{-1}; }
  static OffsetSpec ForTimestamp(TimestampMs t) { return OffsetSpec{t.value()}; }
  int64_t wire_timestamp;
};

// One broker as Metadata describes it.
struct BrokerAddress {
  BrokerId id{-1};
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;

  std::string ToString() const;  // "host:port (id N)"
};

struct PartitionMetadata {
  PartitionId partition{0};
  int16_t error_code = 0;  // Kafka error code, 0 when fine (e.g. 5 LEADER_NOT_AVAILABLE)
  BrokerId leader{-1};     // -1 when there is no leader
  LeaderEpoch leader_epoch{-1};
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::vector<BrokerId> offline_replicas;
};

struct TopicMetadata {
  std::string name;
  int16_t error_code = 0;  // e.g. 3 UNKNOWN_TOPIC_OR_PARTITION
  bool is_internal = false;
  std::vector<PartitionMetadata> partitions;  // sorted by partition id
};

// A snapshot of the cluster as the last Metadata response described it.
struct ClusterMetadata {
  std::optional<std::string> cluster_id;
  BrokerId controller_id{-1};
  std::vector<BrokerAddress> brokers;          // sorted by id
  std::map<std::string, TopicMetadata> topics;  // by name; only the topics asked for

  const BrokerAddress* FindBroker(BrokerId id) const;
  const TopicMetadata* FindTopic(const std::string& name) const;
};

}  // namespace sluice::kafka::client

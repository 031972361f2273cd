// Which partition a produced record goes to, as Kafka 2.8's DefaultPartitioner decides:
//   * an explicit partition wins;
//   * a keyed record goes to ToPositive(Murmur2(key)) % partitions (all partitions, available
//     or not, so a key's partition does not move while a leader is down);
//   * a record without a key is "sticky" (KIP-480): it joins the topic's current partition
//     until a batch for that partition is sent, then a new random partition is chosen (one
//     different from the previous when there is more than one).
// Round-robin over null keys is available too (Kafka's RoundRobinPartitioner).
//
// Thread safety: not thread-safe; a Producer owns one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "libs/base/ids.h"

namespace sluice::kafka::client {

enum class NullKeyStrategy { kSticky, kRoundRobin };

class Partitioner {
 public:
  explicit Partitioner(NullKeyStrategy null_keys = NullKeyStrategy::kSticky,
                       uint32_t seed = std::random_device{}());

  // REQUIRES: partition_count > 0.
  PartitionId Choose(const std::string& topic, const std::optional<std::string>& key,
                     int32_t partition_count);
  // Tells the sticky strategy that a batch for `partition` of `topic` was sent, so the next
  // null-key record picks a new partition.
  void OnBatchSent(const std::string& topic, PartitionId partition, int32_t partition_count);

 private:
  NullKeyStrategy null_keys_;
  std::mt19937 random_;
  std::map<std::string, int32_t> sticky_;       // topic -> current partition
  std::map<std::string, uint32_t> round_robin_;  // topic -> counter
};

// The keyed rule alone (pure): ToPositive(Murmur2(key)) % partition_count.
PartitionId PartitionForKey(std::string_view key, int32_t partition_count);

}  // namespace sluice::kafka::client

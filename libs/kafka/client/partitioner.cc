#include "libs/kafka/client/partitioner.h"

#include <cassert>

#include "libs/kafka/client/murmur2.h"

namespace sluice::kafka::client {

PartitionId PartitionForKey(std::string_view key, int32_t partition_count) {
  assert(partition_count > 0);
  return PartitionId(ToPositive(Murmur2(key)) % partition_count);
}

Partitioner::Partitioner(NullKeyStrategy null_keys, uint32_t seed)
    : null_keys_(null_keys), random_(seed) {}

PartitionId Partitioner::Choose(const std::string& topic, const std::optional<std::string>& key,
                                int32_t partition_count) {
  assert(partition_count > 0);
  if (key.has_value()) return PartitionForKey(*key, partition_count);
  if (null_keys_ == NullKeyStrategy::kRoundRobin) {
    return PartitionId(static_cast<int32_t>(round_robin_[topic]++ %
                                            static_cast<uint32_t>(partition_count)));
  }
  auto it = sticky_.find(topic);
  if (it == sticky_.end() || it->second >= partition_count) {
    std::uniform_int_distribution<int32_t> pick(0, partition_count - 1);
    it = sticky_.insert_or_assign(topic, pick(random_)).first;
  }
  return PartitionId(it->second);
}

void Partitioner::OnBatchSent(const std::string& topic, PartitionId partition,
                              int32_t partition_count) {
  if (null_keys_ != NullKeyStrategy::kSticky) return;
  auto it = sticky_.find(topic);
  // Only the sticky partition's batch moves the topic on (KIP-480: a new batch, a new partition).
  if (it == sticky_.end() || it->second != partition.value()) return;
  if (partition_count <= 1) return;
  // A different partition, uniformly among the others.
  std::uniform_int_distribution<int32_t> pick(0, partition_count - 2);
  int32_t next = pick(random_);
  if (next >= it->second) ++next;
  it->second = next;
}

}  // namespace sluice::kafka::client

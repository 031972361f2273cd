#include "broker/server/handlers/partition_lookup.h"

namespace sluice::server {

LeaderLookup LookupReplica(BrokerServices& services, const std::string& topic, int32_t partition,
                           int32_t current_leader_epoch, bool require_leader) {
  LeaderLookup out;
  out.partition = services.replicas.Get({topic, PartitionId(partition)});
  if (!out.partition) {
    out.error = services.metadata.partition(topic, partition)
                    ? kafka::ErrorCode::kNotLeaderOrFollower
                    : kafka::ErrorCode::kUnknownTopicOrPartition;
    return out;
  }
  if (current_leader_epoch >= 0) {
    const int32_t ours = out.partition->leader_epoch();
    if (current_leader_epoch < ours) out.error = kafka::ErrorCode::kFencedLeaderEpoch;
    if (current_leader_epoch > ours) out.error = kafka::ErrorCode::kUnknownLeaderEpoch;
  }
  if (out.error == kafka::ErrorCode::kNone && require_leader && !out.partition->is_leader()) {
    out.error = kafka::ErrorCode::kNotLeaderOrFollower;
  }
  if (out.error != kafka::ErrorCode::kNone) out.partition = nullptr;
  return out;
}

LeaderLookup LookupLeader(BrokerServices& services, const std::string& topic, int32_t partition,
                          int32_t current_leader_epoch) {
  return LookupReplica(services, topic, partition, current_leader_epoch, /*require_leader=*/true);
}

std::string PartitionKey(const std::string& topic, int32_t partition) {
  return topic + "-" + std::to_string(partition);
}

std::string PartitionKey(const storage::TopicPartition& tp) {
  return PartitionKey(tp.topic, tp.partition.value());
}

}  // namespace sluice::server

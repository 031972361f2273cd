// Finding the partition replica a data-path request is about, and the Kafka error to answer
// when this broker cannot serve it.
#pragma once

#include <memory>
#include <string>

#include "broker/server/broker_services.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

struct LeaderLookup {
  std::shared_ptr<replication::Partition> partition;  // null when error != kNone
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
};

// The partition replica this broker hosts, in Kafka's order of checks
// (ReplicaManager.getPartitionOrError, Partition.localLogWithEpochOrException):
//   * not hosted: NOT_LEADER_OR_FOLLOWER when the metadata cache knows the partition (another
//     broker holds it), else UNKNOWN_TOPIC_OR_PARTITION;
//   * with `current_leader_epoch` >= 0 (Fetch v9+, ListOffsets v4+, OffsetForLeaderEpoch v2+):
//     FENCED_LEADER_EPOCH when the client's epoch is older than ours, UNKNOWN_LEADER_EPOCH when
//     newer (KIP-320);
//   * `require_leader` and this broker only follows: NOT_LEADER_OR_FOLLOWER.
LeaderLookup LookupReplica(BrokerServices& services, const std::string& topic, int32_t partition,
                           int32_t current_leader_epoch, bool require_leader);

// LookupReplica requiring leadership: the partition this broker leads.
LeaderLookup LookupLeader(BrokerServices& services, const std::string& topic, int32_t partition,
                          int32_t current_leader_epoch);

// "topic-partition": the purgatory key for a partition.
std::string PartitionKey(const std::string& topic, int32_t partition);
std::string PartitionKey(const storage::TopicPartition& tp);

}  // namespace sluice::server

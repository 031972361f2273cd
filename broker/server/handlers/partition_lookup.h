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

// The partition this broker leads. Errors: UNKNOWN_TOPIC_OR_PARTITION (no such partition),
// NOT_LEADER_OR_FOLLOWER (another broker leads it), and with `current_leader_epoch` >= 0
// (Fetch v9+, ListOffsets v4+): FENCED_LEADER_EPOCH when the client's epoch is older than
// ours, UNKNOWN_LEADER_EPOCH when newer (KIP-320).
LeaderLookup LookupLeader(BrokerServices& services, const std::string& topic, int32_t partition,
                          int32_t current_leader_epoch);

// "topic-partition": the purgatory key for a partition.
std::string PartitionKey(const std::string& topic, int32_t partition);

}  // namespace sluice::server

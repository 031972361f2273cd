// OffsetForLeaderEpoch (key 23), versions 0-4: where a leader epoch ends in this broker's log
// (KIP-101, KIP-279), asked by followers before they fetch, to truncate a diverged log, and by
// consumers validating their position after a leader change (KIP-320).
//
// Kafka 2.8's Partition.lastOffsetForLeaderEpoch: the leader answers
// Partition::EndOffsetForEpoch(LeaderEpoch) = (largest epoch <= the requested one, its end
// offset), (-1, -1) when the log knows no such epoch. CurrentLeaderEpoch (v2+) fences as Fetch
// does (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH); a follower replica answers
// NOT_LEADER_OR_FOLLOWER except to the debugging ReplicaId -2 (v3+: the default for clients
// that send no ReplicaId).
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterOffsetForLeaderEpoch(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

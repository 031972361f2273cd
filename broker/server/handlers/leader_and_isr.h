// LeaderAndIsr (key 4), versions 0-5: the controller broker tells this broker which partitions
// it leads and which it follows (Kafka 2.8's KafkaApis.handleLeaderAndIsrRequest).
//
// A request whose BrokerEpoch (v2+) is older than this broker's registration was meant for a
// previous incarnation: STALE_BROKER_EPOCH, nothing applied. Otherwise
// ReplicaManager::BecomeLeaderOrFollower decides (controller-epoch fencing included) and the
// answer carries one error per partition: grouped by topic id in v5, a flat list before.
// Group-coordinator hand-over for __consumer_offsets partitions happens through the
// ReplicationListener the Broker implements.
#pragma once

#include <vector>

#include "broker/replication/replication_types.h"
#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"
#include "libs/kafka/messages/leader_and_isr.h"

namespace sluice::server {

// Every partition state of `request`, from UngroupedPartitionStates (v0-1) or TopicStates (v2+).
std::vector<replication::LeaderAndIsrPartitionState> LeaderAndIsrPartitions(
    const kafka::LeaderAndIsrRequest& request, int16_t version);

void RegisterLeaderAndIsr(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

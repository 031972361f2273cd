// StopReplica (key 5), versions 0-3: the controller broker tells this broker to stop replicating
// partitions, and to delete them (topic deletion, reassignment away from this broker). Kafka
// 2.8's KafkaApis.handleStopReplicaRequest: a BrokerEpoch (v1+) older than this broker's
// registration -> STALE_BROKER_EPOCH; otherwise ReplicaManager::StopReplicas decides
// (controller-epoch and, v3+, leader-epoch fencing) and answers per partition.
#pragma once

#include <tuple>
#include <vector>

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"
#include "libs/kafka/messages/stop_replica.h"

namespace sluice::server {

// (partition, leader epoch, delete) for every partition of `request`, any version. Before v3
// there is no per-partition epoch (-1) and DeletePartitions applies to all.
std::vector<std::tuple<storage::TopicPartition, int32_t, bool>> StopReplicaPartitions(
    const kafka::StopReplicaRequest& request, int16_t version);

void RegisterStopReplica(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

// UpdateMetadata (key 6), versions 0-7: the controller broker's view of the cluster, which this
// broker's Metadata, DescribeCluster and FindCoordinator answers come from (Kafka 2.8's
// KafkaApis.handleUpdateMetadataRequest).
//
// Fencing: a BrokerEpoch (v5+) older than this broker's registration -> STALE_BROKER_EPOCH; a
// controller epoch older than the newest seen (ReplicaManager::AcceptControllerEpoch, shared
// with LeaderAndIsr and StopReplica) -> STALE_CONTROLLER_EPOCH. Otherwise the MetadataCache
// takes the live brokers, the controller id and the partition states (leader -2 removes a
// partition of a topic being deleted).
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"
#include "broker/server/metadata_cache.h"
#include "libs/kafka/messages/update_metadata.h"

namespace sluice::server {

// The request as the cache applies it, for any version: brokers' endpoints are named by their
// listener (v3+), by their security protocol's name before (Kafka's
// ListenerName.forSecurityProtocol), and v0's single host:port is PLAINTEXT.
MetadataUpdate ToMetadataUpdate(const kafka::UpdateMetadataRequest& request, int16_t version);

void RegisterUpdateMetadata(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

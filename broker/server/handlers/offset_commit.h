// OffsetCommit (key 8), versions 0-8: stores committed offsets in __consumer_offsets, answered
// once committed (replicated to the ISR; the network thread does not wait meanwhile). Partitions of
// unknown topics get UNKNOWN_TOPIC_OR_PARTITION. v0 (ZooKeeper storage in Kafka) is served from
// __consumer_offsets like v1+.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterOffsetCommit(ApiRegistry& registry, BrokerServices& services,
                          group::GroupCoordinator& coordinator);

}  // namespace sluice::server

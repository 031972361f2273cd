// FindCoordinator (key 10), versions 0-3.
//
// A group's coordinator is the leader of its __consumer_offsets partition
// (group::GroupCoordinator::PartitionFor: abs(Java hashCode) % partitions). The first request
// creates the topic (offsets.topic.num.partitions, offsets.topic.replication.factor,
// cleanup.policy=compact, segment.bytes=offsets.topic.segment.bytes) and, like every request
// until the partition has a leader, is answered COORDINATOR_NOT_AVAILABLE (clients retry).
// Kafka refuses to create the topic with fewer live brokers than the replication factor: the
// answer stays COORDINATOR_NOT_AVAILABLE then. Transaction coordinators do not exist yet:
// COORDINATOR_NOT_AVAILABLE.
//
// Advertising this API also matters beyond groups: librdkafka enables LZ4 compression only for
// brokers that advertise FindCoordinator (its feature map treats that as "Kafka 0.8.2 or newer").
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterFindCoordinator(ApiRegistry& registry, BrokerServices& services,
                             group::GroupCoordinator& coordinator);

}  // namespace sluice::server

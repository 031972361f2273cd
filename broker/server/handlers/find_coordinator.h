// FindCoordinator (key 10), versions 0-3.
//
// Until the group coordinator lands (consumer-groups issue), a group's coordinator is the
// broker answering, which is exact for a single broker; with several brokers, the consumer-
// groups work maps the group to the leader of its __consumer_offsets partition. Transaction
// coordinators do not exist yet: COORDINATOR_NOT_AVAILABLE.
//
// Advertising this API also matters beyond groups: librdkafka enables LZ4 compression only for
// brokers that advertise FindCoordinator (its feature map treats that as "Kafka 0.8.2 or newer").
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterFindCoordinator(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

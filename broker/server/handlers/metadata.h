// Metadata (key 3), versions 0-11: brokers, cluster id, controller, and topics with their
// partitions' leaders, replicas and ISR. A topic that does not exist is created when the client
// allows it (v4+ AllowAutoTopicCreation; always before v4) and auto.create.topics.enable is on;
// it is then reported as LEADER_NOT_AVAILABLE until its partitions have leaders, as Kafka does.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterMetadata(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

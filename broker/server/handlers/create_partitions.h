// CreatePartitions (key 37, v0-3): grows each named topic to Count partitions through the
// TopicManager and, unless ValidateOnly or TimeoutMs <= 0, answers once every new partition
// has a leader in the metadata cache (REQUEST_TIMED_OUT for the topics still waiting).
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterCreatePartitions(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

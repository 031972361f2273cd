// CreateTopics (key 19, v0-7): creates each named topic through the TopicManager and, unless the
// client asked for no wait (TimeoutMs <= 0) or only validation, answers once every created
// topic's partitions have leaders or the timeout passed (REQUEST_TIMED_OUT for the topics still
// without leaders). v5+ answers also carry the partition count, replication factor and the
// topic's resolved configuration.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterCreateTopics(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

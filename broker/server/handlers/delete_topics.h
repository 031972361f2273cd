// DeleteTopics (key 20, v0-6): marks each named topic for deletion through the TopicManager
// (v6 may name topics by id, resolved through the metadata cache) and answers once the
// controller broker has removed them, or at TimeoutMs with REQUEST_TIMED_OUT for those left.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterDeleteTopics(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

// DescribeConfigs (key 32, v0-4): a topic's effective configuration (its ZooKeeper overrides
// resolved against the broker's settings, with sources, synonyms and documentation), or this
// broker's static configuration.
//
// Resources, as Kafka 2.8 answers them:
//   TOPIC (2)   every topic key; UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
//   BROKER (4)  our broker id: every broker key we model plus every key given in
//               server.properties, read-only (dynamic broker configs are not supported);
//               "" (the cluster-wide dynamic defaults): none, since none can be set;
//               another broker's id: INVALID_REQUEST.
//   others      INVALID_REQUEST.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterDescribeConfigs(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

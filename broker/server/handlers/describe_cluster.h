// DescribeCluster (key 60, v0): the live brokers (their endpoint on the listener the request
// came in on), the cluster id and the controller broker, from the metadata cache.
// ClusterAuthorizedOperations is INT32_MIN unless asked for; without ACLs every cluster
// operation is allowed.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterDescribeCluster(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

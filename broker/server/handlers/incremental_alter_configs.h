// IncrementalAlterConfigs (key 44, v0-1): changes named keys of a topic's override set
// (/config/topics/<t>) and keeps the others: SET (0) a value, DELETE (1) the override, APPEND
// (2) or SUBTRACT (3) items of a list-typed key (cleanup.policy, the throttled-replica lists).
// The resulting override set is validated, stored and applied as AlterConfigs does
// (alter_configs.h); BROKER resources are refused the same way.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterIncrementalAlterConfigs(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

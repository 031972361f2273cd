// Heartbeat (key 12), versions 0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it
// to rejoin.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterHeartbeat(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

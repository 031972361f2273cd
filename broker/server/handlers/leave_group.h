// LeaveGroup (key 13), versions 0-4: removes members; v3+ takes a batch (KIP-345) and answers per
// member, v0-2 one member whose error is the top-level error.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterLeaveGroup(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

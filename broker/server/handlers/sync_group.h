// SyncGroup (key 14), versions 0-5: the leader hands in the assignment; every member's SyncGroup
// is parked until then and answered with its own share.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterSyncGroup(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

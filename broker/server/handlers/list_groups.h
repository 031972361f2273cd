// ListGroups (key 16), versions 0-4: the groups this broker coordinates; v4 filters by state.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterListGroups(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

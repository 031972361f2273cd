// DeleteGroups (key 42), versions 0-2: deletes empty groups and their offsets (tombstones);
// NON_EMPTY_GROUP while members remain.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterDeleteGroups(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

// OffsetFetch (key 9), versions 0-7: reads committed offsets (-1 when none); v2+ with null
// topics returns every committed offset of the group; group errors go top-level from v2 and
// into each partition before.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterOffsetFetch(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

// JoinGroup (key 11), versions 0-7: joins a consumer group; the answer is parked until the
// rebalance completes (group/group_coordinator.h). v4+ without a group.instance.id first gets
// MEMBER_ID_REQUIRED with a generated member id (KIP-394); v0 has no rebalance timeout, the
// session timeout serves as one.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterJoinGroup(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

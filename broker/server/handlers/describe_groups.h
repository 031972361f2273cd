// DescribeGroups (key 15), versions 0-5: state, protocol and members of groups; member
// metadata and assignments only while Stable. AuthorizedOperations (v3+) is INT32_MIN unless
// asked for, then every group operation (no authorizer yet: READ, DELETE, DESCRIBE).
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterDescribeGroups(ApiRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::server

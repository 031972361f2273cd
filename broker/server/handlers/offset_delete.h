// OffsetDelete (key 47), versions 0: deletes a group's offsets for topics it no longer
// consumes (KIP-496).
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterOffsetDelete(ApiRegistry& registry, BrokerServices& services,
                          group::GroupCoordinator& coordinator);

}  // namespace sluice::server

// AlterPartitionReassignments (key 45), version 0: start, change or cancel partition reassignments
// (KIP-455) on the controller. Every answer comes from the controller's event thread;
// NOT_CONTROLLER when this broker is not the active controller (clients then look up the controller
// and retry).
#pragma once

#include "broker/metadata/controller_broker.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterAlterPartitionReassignments(ApiRegistry& registry,
                                         metadata::ControllerBroker& controller);

}  // namespace sluice::server

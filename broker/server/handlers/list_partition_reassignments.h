// ListPartitionReassignments (key 46), version 0: the reassignments the controller is running.
// Every answer comes from the controller's event thread; NOT_CONTROLLER when this broker is not
// the active controller (clients then look up the controller and retry).
#pragma once

#include "broker/metadata/controller_broker.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterListPartitionReassignments(ApiRegistry& registry,
                                        metadata::ControllerBroker& controller);

}  // namespace sluice::server

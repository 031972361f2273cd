// ElectLeaders (key 43), versions 0-2: preferred (0) or unclean (1) leader election, answered by
// the controller per partition. Every answer comes from the controller's event thread;
// NOT_CONTROLLER when this broker is not the active controller (clients then look up the controller
// and retry).
#pragma once

#include "broker/metadata/controller_broker.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterElectLeaders(ApiRegistry& registry, metadata::ControllerBroker& controller);

}  // namespace sluice::server

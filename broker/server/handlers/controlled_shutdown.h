// ControlledShutdown (key 7), versions 0-3: a stopping broker asks the controller to move its
// leaderships away first; the answer lists the partitions it still leads. Every answer comes from
// the controller's event thread; NOT_CONTROLLER when this broker is not the active controller
// (clients then look up the controller and retry).
#pragma once

#include "broker/metadata/controller_broker.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

void RegisterControlledShutdown(ApiRegistry& registry, metadata::ControllerBroker& controller);

}  // namespace sluice::server

// ListOffsets (key 2), versions 0-6: the earliest (-2) or latest (-1) offset of a partition, or
// the first offset whose record timestamp is at or after a given time. Consumers see only
// committed data: answers never reach past the high watermark.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterListOffsets(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

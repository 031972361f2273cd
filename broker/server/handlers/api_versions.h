// ApiVersions (key 18): the versions this broker speaks, derived from the registry.
#pragma once

#include "broker/server/api_registry.h"
#include "libs/kafka/messages/api_versions.h"

namespace sluice::server {

kafka::ApiVersionsResponse BuildApiVersionsResponse(const ApiRegistry& registry);
void RegisterApiVersions(ApiRegistry& registry);

}  // namespace sluice::server

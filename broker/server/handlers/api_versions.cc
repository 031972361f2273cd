#include "broker/server/handlers/api_versions.h"

namespace sluice::server {

kafka::ApiVersionsResponse BuildApiVersionsResponse(const ApiRegistry& registry) {
  kafka::ApiVersionsResponse response;
  for (const ApiRegistry::Entry* entry : registry.All()) {
    auto& api = response.api_keys.emplace_back();
    api.api_key = entry->key;
    api.min_version = entry->min_version;
    api.max_version = entry->max_version;
  }
  return response;
}

void RegisterApiVersions(ApiRegistry& registry) {
  // The registry outlives every request, so the handler may keep a reference to it.
  registry.Register<kafka::ApiVersionsRequest, kafka::ApiVersionsResponse>(
      "ApiVersions",
      [&registry](const RequestContext&, kafka::ApiVersionsRequest,
                  std::function<void(kafka::ApiVersionsResponse)> respond) {
        respond(BuildApiVersionsResponse(registry));
      });
}

}  // namespace sluice::server

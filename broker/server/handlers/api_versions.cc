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

namespace {

// KIP-511: ClientSoftwareName and ClientSoftwareVersion must match
// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? (letters, digits, '-' and '.', alphanumeric at both
// ends). Hand-written rather than std::regex, which costs far more per call.
bool IsValidClientSoftwareField(const std::string& s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

void RegisterApiVersions(ApiRegistry& registry) {
  // The registry outlives every request, so the handler may keep a reference to it.
  registry.Register<kafka::ApiVersionsRequest, kafka::ApiVersionsResponse>(
      "ApiVersions",
      [&registry](const RequestContext& ctx, kafka::ApiVersionsRequest request,
                  std::function<void(kafka::ApiVersionsResponse)> respond) {
        kafka::ApiVersionsResponse response = BuildApiVersionsResponse(registry);
        if (ctx.api_version >= 3 && (!IsValidClientSoftwareField(request.client_software_name) ||
                                     !IsValidClientSoftwareField(request.client_software_version))) {
          response.error_code = 42;  // INVALID_REQUEST, as Kafka answers (with the list)
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

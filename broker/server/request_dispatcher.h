// Turns request frames into handler calls and handler answers into response frames.
//
// Per Kafka's rules (research/broker-anchors.md §1.1):
//  * the request header version follows from (api key, api version); ClientId is always a
//    classic int16-length string;
//  * an unknown API key, a version outside the registered range (except ApiVersions), or a body
//    that does not decode closes the connection;
//  * ApiVersions at an unsupported version is answered in v0 format with UNSUPPORTED_VERSION (35)
//    and the full list (KIP-511), so the client can retry with a version we speak;
//  * ApiVersions responses always use response header v0.
#pragma once

#include <functional>

#include "broker/net/connection.h"
#include "broker/server/api_registry.h"

namespace sluice::server {

// Observes each completed request (metrics, request log).
using RequestObserver =
    std::function<void(const RequestContext&, const std::string& api_name, bool ok)>;

class RequestDispatcher : public net::RequestHandler {
 public:
  explicit RequestDispatcher(const ApiRegistry& registry, RequestObserver observer = nullptr)
      : registry_(registry), observer_(std::move(observer)) {}

  void HandleFrame(const net::ConnectionInfo& connection, std::vector<uint8_t> frame,
                   std::function<void(net::Reply)> done) override;

 private:
  const ApiRegistry& registry_;
  RequestObserver observer_;
};

// Builds a whole response frame: size, response header (v0 or v1), body.
std::vector<uint8_t> BuildResponseFrame(int32_t correlation_id, int16_t header_version,
                                        const std::vector<uint8_t>& body);

}  // namespace sluice::server

#include "broker/server/handlers/describe_cluster.h"

#include <climits>
#include <map>

#include "libs/kafka/messages/describe_cluster.h"

namespace sluice::server {

using Request = kafka::DescribeClusterRequest;
using Response = kafka::DescribeClusterResponse;

namespace {

// Kafka's AclOperation codes that apply to the cluster resource: ALTER (4), CREATE (5),
// DESCRIBE (8), CLUSTER_ACTION (11), DESCRIBE_CONFIGS (12), ALTER_CONFIGS (13),
// IDEMPOTENT_WRITE (14). Without an authorizer all are allowed.
constexpr int32_t kAllClusterOperations =
    (1 << 4) | (1 << 5) | (1 << 8) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14);

// One endpoint per broker: the one on `listener`; a broker without it is left out, as Kafka
// does. If no broker has it (a cache filled without listener names), the first endpoint of
// each broker, so the answer never comes back empty for a live cluster.
std::vector<BrokerEndpoint> EndpointsFor(const std::vector<BrokerEndpoint>& all,
                                         const std::string& listener) {
  std::map<int32_t, BrokerEndpoint> matching;
  std::map<int32_t, BrokerEndpoint> first;
  for (const auto& b : all) {
    if (b.listener == listener) matching.emplace(b.id.value(), b);
    first.emplace(b.id.value(), b);
  }
  const auto& chosen = matching.empty() ? first : matching;
  std::vector<BrokerEndpoint> out;
  for (const auto& [id, b] : chosen) out.push_back(b);
  return out;
}

}  // namespace

void RegisterDescribeCluster(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "DescribeCluster", [&services](const RequestContext& ctx, Request request,
                                     std::function<void(Response)> respond) {
        Response response;
        response.error_message = std::nullopt;
        response.cluster_id = services.metadata.cluster_id();
        response.controller_id = services.metadata.controller_id();
        for (const auto& b :
             EndpointsFor(services.metadata.brokers(), ctx.connection.listener_name)) {
          auto& broker = response.brokers.emplace_back();
          broker.broker_id = b.id.value();
          broker.host = b.host;
          broker.port = b.port;
          broker.rack = b.rack;
        }
        response.cluster_authorized_operations =
            request.include_cluster_authorized_operations ? kAllClusterOperations : INT32_MIN;
        respond(std::move(response));
      });
}

}  // namespace sluice::server

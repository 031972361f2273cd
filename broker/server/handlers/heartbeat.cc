#include "broker/server/handlers/heartbeat.h"

#include "libs/kafka/messages/heartbeat.h"

namespace sluice::server {

void RegisterHeartbeat(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::HeartbeatRequest, kafka::HeartbeatResponse>(
      "Heartbeat", [&coordinator](const RequestContext&, kafka::HeartbeatRequest request,
                                  std::function<void(kafka::HeartbeatResponse)> respond) {
        kafka::HeartbeatResponse response;
        response.error_code = kafka::Code(coordinator.Heartbeat(
            request.group_id, request.member_id, request.group_instance_id, request.generation_id));
        respond(std::move(response));
      });
}

}  // namespace sluice::server

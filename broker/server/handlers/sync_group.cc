#include "broker/server/handlers/sync_group.h"

#include "libs/kafka/messages/sync_group.h"

namespace sluice::server {

void RegisterSyncGroup(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::SyncGroupRequest, kafka::SyncGroupResponse>(
      "SyncGroup", [&coordinator](const RequestContext&, kafka::SyncGroupRequest request,
                                  std::function<void(kafka::SyncGroupResponse)> respond) {
        group::SyncGroupParams params;
        params.group_id = std::move(request.group_id);
        params.generation_id = request.generation_id;
        params.member_id = std::move(request.member_id);
        params.group_instance_id = std::move(request.group_instance_id);
        params.protocol_type = std::move(request.protocol_type);
        params.protocol_name = std::move(request.protocol_name);
        for (auto& a : request.assignments) {
          params.assignments[std::move(a.member_id)] = std::move(a.assignment);
        }
        coordinator.SyncGroup(std::move(params),
                              [respond = std::move(respond)](group::SyncGroupResult result) {
                                kafka::SyncGroupResponse response;
                                response.error_code = kafka::Code(result.error);
                                response.protocol_type = std::move(result.protocol_type);
                                response.protocol_name = std::move(result.protocol_name);
                                response.assignment = std::move(result.assignment);
                                respond(std::move(response));
                              });
      });
}

}  // namespace sluice::server

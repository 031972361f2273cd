#include "broker/server/handlers/delete_groups.h"

#include "libs/kafka/messages/delete_groups.h"

namespace sluice::server {

void RegisterDeleteGroups(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::DeleteGroupsRequest, kafka::DeleteGroupsResponse>(
      "DeleteGroups", [&coordinator](const RequestContext&, kafka::DeleteGroupsRequest request,
                                     std::function<void(kafka::DeleteGroupsResponse)> respond) {
        kafka::DeleteGroupsResponse response;
        for (const auto& id : request.groups_names) {
          auto& out = response.results.emplace_back();
          out.group_id = id;
          out.error_code = kafka::Code(coordinator.DeleteGroup(id));
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

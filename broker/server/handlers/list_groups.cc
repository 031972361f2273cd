#include "broker/server/handlers/list_groups.h"

#include "libs/kafka/messages/list_groups.h"

namespace sluice::server {

void RegisterListGroups(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::ListGroupsRequest, kafka::ListGroupsResponse>(
      "ListGroups", [&coordinator](const RequestContext&, kafka::ListGroupsRequest request,
                                   std::function<void(kafka::ListGroupsResponse)> respond) {
        const group::ListGroupsResult result = coordinator.ListGroups(request.states_filter);
        kafka::ListGroupsResponse response;
        response.error_code = kafka::Code(result.error);
        for (const auto& g : result.groups) {
          auto& out = response.groups.emplace_back();
          out.group_id = g.group_id;
          out.protocol_type = g.protocol_type;
          out.group_state = g.state;
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

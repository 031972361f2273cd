#include "broker/server/handlers/join_group.h"

#include "libs/kafka/messages/join_group.h"

namespace sluice::server {

void RegisterJoinGroup(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::JoinGroupRequest, kafka::JoinGroupResponse>(
      "JoinGroup", [&coordinator](const RequestContext& ctx, kafka::JoinGroupRequest request,
                                  std::function<void(kafka::JoinGroupResponse)> respond) {
        const int16_t version = ctx.api_version;
        group::JoinGroupParams params;
        params.group_id = std::move(request.group_id);
        params.member_id = std::move(request.member_id);
        params.group_instance_id = std::move(request.group_instance_id);
        params.require_known_member_id = version >= 4 && !params.group_instance_id;
        params.client_id = ctx.client_id.value_or("");
        // Kafka shows the client's address as Java's InetAddress.toString: "/127.0.0.1".
        params.client_host = "/" + ctx.connection.peer_host;
        params.session_timeout_ms = request.session_timeout_ms;
        params.rebalance_timeout_ms =
            version >= 1 ? request.rebalance_timeout_ms : request.session_timeout_ms;
        params.protocol_type = std::move(request.protocol_type);
        for (auto& p : request.protocols) {
          params.protocols.push_back({std::move(p.name), std::move(p.metadata)});
        }
        coordinator.JoinGroup(std::move(params), [respond = std::move(respond),
                                                  version](group::JoinGroupResult result) {
          kafka::JoinGroupResponse response;
          response.error_code = kafka::Code(result.error);
          response.generation_id = result.generation_id;
          response.protocol_type = result.protocol_type;
          // Before v7 the protocol name is not nullable: an error answers "".
          response.protocol_name =
              result.protocol_name ? result.protocol_name
                                   : (version >= 7 ? std::nullopt : std::optional<std::string>(""));
          response.leader = std::move(result.leader_id);
          response.member_id = std::move(result.member_id);
          for (auto& m : result.members) {
            auto& out = response.members.emplace_back();
            out.member_id = std::move(m.member_id);
            out.group_instance_id = std::move(m.group_instance_id);
            out.metadata = std::move(m.metadata);
          }
          respond(std::move(response));
        });
      });
}

}  // namespace sluice::server

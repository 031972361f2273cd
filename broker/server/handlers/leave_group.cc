#include "broker/server/handlers/leave_group.h"

#include "libs/kafka/messages/leave_group.h"

namespace sluice::server {

void RegisterLeaveGroup(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::LeaveGroupRequest, kafka::LeaveGroupResponse>(
      "LeaveGroup", [&coordinator](const RequestContext& ctx, kafka::LeaveGroupRequest request,
                                   std::function<void(kafka::LeaveGroupResponse)> respond) {
        const bool batch = ctx.api_version >= 3;
        std::vector<group::MemberIdentity> members;
        if (batch) {
          for (auto& m : request.members) {
            members.push_back({std::move(m.member_id), std::move(m.group_instance_id)});
          }
        } else {
          members.push_back({std::move(request.member_id), std::nullopt});
        }
        const group::LeaveGroupResult result = coordinator.LeaveGroup(request.group_id, members);
        kafka::LeaveGroupResponse response;
        response.error_code = kafka::Code(result.error);
        if (!batch) {
          // One member: its error is the answer.
          if (result.error == kafka::ErrorCode::kNone && !result.members.empty()) {
            response.error_code = kafka::Code(result.members.front().error);
          }
        } else {
          for (const auto& m : result.members) {
            auto& out = response.members.emplace_back();
            out.member_id = m.member.member_id;
            out.group_instance_id = m.member.group_instance_id;
            out.error_code = kafka::Code(m.error);
          }
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

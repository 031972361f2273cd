#include "broker/server/handlers/describe_groups.h"

#include "libs/kafka/messages/describe_groups.h"

namespace sluice::server {

namespace {

// AclOperation codes (Kafka's org.apache.kafka.common.acl.AclOperation) a group supports.
constexpr int32_t kRead = 3;
constexpr int32_t kDelete = 6;
constexpr int32_t kDescribe = 8;
constexpr int32_t kAllGroupOperations = (1 << kRead) | (1 << kDelete) | (1 << kDescribe);

}  // namespace

void RegisterDescribeGroups(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::DescribeGroupsRequest, kafka::DescribeGroupsResponse>(
      "DescribeGroups", [&coordinator](const RequestContext&, kafka::DescribeGroupsRequest request,
                                       std::function<void(kafka::DescribeGroupsResponse)> respond) {
        kafka::DescribeGroupsResponse response;
        for (const auto& id : request.groups) {
          group::GroupDescription d = coordinator.DescribeGroup(id);
          auto& out = response.groups.emplace_back();
          out.error_code = kafka::Code(d.error);
          out.group_id = d.group_id;
          out.group_state = d.state;
          out.protocol_type = d.protocol_type;
          out.protocol_data = d.protocol;
          for (auto& m : d.members) {
            auto& member = out.members.emplace_back();
            member.member_id = std::move(m.member_id);
            member.group_instance_id = std::move(m.group_instance_id);
            member.client_id = std::move(m.client_id);
            member.client_host = std::move(m.client_host);
            member.member_metadata = std::move(m.metadata);
            member.member_assignment = std::move(m.assignment);
          }
          if (request.include_authorized_operations) {
            out.authorized_operations = kAllGroupOperations;
          }
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

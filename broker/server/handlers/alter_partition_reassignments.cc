#include "broker/server/handlers/alter_partition_reassignments.h"

#include <map>

#include "libs/kafka/messages/alter_partition_reassignments.h"

namespace sluice::server {

void RegisterAlterPartitionReassignments(ApiRegistry& registry,
                                         metadata::ControllerBroker& controller) {
  using Request = kafka::AlterPartitionReassignmentsRequest;
  using Response = kafka::AlterPartitionReassignmentsResponse;
  registry.Register<Request, Response>(
      "AlterPartitionReassignments",
      [&controller](const RequestContext&, Request request, std::function<void(Response)> respond) {
        std::vector<metadata::ReassignmentTarget> targets;
        for (auto& topic : request.topics) {
          for (auto& partition : topic.partitions) {
            targets.push_back({topic.name, partition.partition_index, partition.replicas});
          }
        }
        controller.AlterPartitionReassignments(
            std::move(targets),
            [respond = std::move(respond)](std::vector<metadata::ReassignmentOutcome> outcomes) {
              Response response;
              response.error_message = std::nullopt;
              // A non-controller answers NOT_CONTROLLER for every partition; Kafka puts it at
              // the top level, which is where clients look for it.
              if (!outcomes.empty() && outcomes.front().error == kafka::ErrorCode::kNotController) {
                response.error_code = kafka::Code(kafka::ErrorCode::kNotController);
                response.error_message = "This is not the correct controller for this cluster.";
              }
              std::map<std::string, Response::ReassignableTopicResponse> topics;
              for (auto& outcome : outcomes) {
                auto& topic = topics[outcome.topic];
                topic.name = outcome.topic;
                auto& out = topic.partitions.emplace_back();
                out.partition_index = outcome.partition;
                out.error_code = kafka::Code(outcome.error);
                out.error_message = outcome.error == kafka::ErrorCode::kNone
                                        ? std::nullopt
                                        : std::optional<std::string>(outcome.message);
              }
              for (auto& [name, topic] : topics) response.responses.push_back(std::move(topic));
              respond(std::move(response));
            });
      });
}

}  // namespace sluice::server

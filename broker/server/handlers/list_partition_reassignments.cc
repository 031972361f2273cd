#include "broker/server/handlers/list_partition_reassignments.h"

#include <map>

#include "libs/kafka/messages/list_partition_reassignments.h"

namespace sluice::server {

void RegisterListPartitionReassignments(ApiRegistry& registry,
                                        metadata::ControllerBroker& controller) {
  using Request = kafka::ListPartitionReassignmentsRequest;
  using Response = kafka::ListPartitionReassignmentsResponse;
  registry.Register<Request, Response>(
      "ListPartitionReassignments",
      [&controller](const RequestContext&, Request request, std::function<void(Response)> respond) {
        std::optional<metadata::ControllerBroker::PartitionList> partitions;
        if (request.topics) {
          partitions.emplace();
          for (const auto& topic : *request.topics) {
            for (int32_t partition : topic.partition_indexes) {
              partitions->emplace_back(topic.name, partition);
            }
          }
        }
        controller.ListPartitionReassignments(
            std::move(partitions),
            [respond = std::move(respond)](kafka::ErrorCode error,
                                           std::vector<metadata::OngoingReassignment> ongoing) {
              Response response;
              response.error_code = kafka::Code(error);
              response.error_message =
                  error == kafka::ErrorCode::kNone
                      ? std::nullopt
                      : std::optional<std::string>(
                            "This is not the correct controller for this cluster.");
              std::map<std::string, Response::OngoingTopicReassignment> topics;
              for (auto& o : ongoing) {
                auto& topic = topics[o.topic];
                topic.name = o.topic;
                auto& out = topic.partitions.emplace_back();
                out.partition_index = o.partition;
                out.replicas = std::move(o.replicas);
                out.adding_replicas = std::move(o.adding);
                out.removing_replicas = std::move(o.removing);
              }
              for (auto& [name, topic] : topics) response.topics.push_back(std::move(topic));
              respond(std::move(response));
            });
      });
}

}  // namespace sluice::server

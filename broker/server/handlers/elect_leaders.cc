#include "broker/server/handlers/elect_leaders.h"

#include <map>

#include "libs/kafka/messages/elect_leaders.h"

namespace sluice::server {

void RegisterElectLeaders(ApiRegistry& registry, metadata::ControllerBroker& controller) {
  registry.Register<kafka::ElectLeadersRequest, kafka::ElectLeadersResponse>(
      "ElectLeaders", [&controller](const RequestContext& ctx, kafka::ElectLeadersRequest request,
                                    std::function<void(kafka::ElectLeadersResponse)> respond) {
        // v0 has no election type: preferred only.
        const int8_t type = ctx.api_version >= 1 ? request.election_type : 0;
        std::optional<metadata::ControllerBroker::PartitionList> partitions;
        if (request.topic_partitions) {
          partitions.emplace();
          for (const auto& topic : *request.topic_partitions) {
            for (int32_t partition : topic.partition_id) {
              partitions->emplace_back(topic.topic, partition);
            }
          }
        }
        if (type != 0 && type != 1) {
          kafka::ElectLeadersResponse response;
          response.error_code = kafka::Code(kafka::ErrorCode::kInvalidRequest);
          respond(std::move(response));
          return;
        }
        const bool all = !partitions.has_value();
        controller.ElectLeaders(
            type, std::move(partitions),
            [respond = std::move(respond), all,
             &controller](std::vector<metadata::ElectionOutcome> outcomes) {
              kafka::ElectLeadersResponse response;
              if (all && !controller.is_active_controller()) {
                response.error_code = kafka::Code(kafka::ErrorCode::kNotController);
              }
              std::map<std::string, kafka::ElectLeadersResponse::ReplicaElectionResult> topics;
              for (auto& outcome : outcomes) {
                auto& topic = topics[outcome.topic];
                topic.topic = outcome.topic;
                auto& result = topic.partition_result.emplace_back();
                result.partition_id = outcome.partition;
                result.error_code = kafka::Code(outcome.error);
                result.error_message = outcome.error == kafka::ErrorCode::kNone
                                           ? std::nullopt
                                           : std::optional<std::string>(outcome.message);
              }
              for (auto& [name, topic] : topics) {
                response.replica_election_results.push_back(std::move(topic));
              }
              respond(std::move(response));
            });
      });
}

}  // namespace sluice::server

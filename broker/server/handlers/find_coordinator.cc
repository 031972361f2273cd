#include "broker/server/handlers/find_coordinator.h"

#include <Poco/Logger.h>

#include "broker/group/coordinator_partition.h"
#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

// Creates __consumer_offsets as Kafka's KafkaApis.createInternalTopic does. Returns an error
// message when it cannot be created now.
std::optional<std::string> CreateOffsetsTopic(BrokerServices& services,
                                              const group::GroupConfig& config) {
  const auto live = services.topics.LiveBrokers();
  if (static_cast<int64_t>(live.size()) < config.offsets_topic_replication_factor) {
    return "Number of alive brokers '" + std::to_string(live.size()) +
           "' does not meet the required replication factor '" +
           std::to_string(config.offsets_topic_replication_factor) +
           "' for the offsets topic (configured via 'offsets.topic.replication.factor'). This "
           "error can be ignored if the cluster is starting up and not all brokers are up yet.";
  }
  NewTopic topic;
  topic.name = group::kOffsetsTopic;
  topic.num_partitions = config.offsets_topic_num_partitions;
  topic.replication_factor = config.offsets_topic_replication_factor;
  topic.configs = {{"cleanup.policy", "compact"},
                   {"compression.type", "producer"},
                   {"segment.bytes", std::to_string(config.offsets_topic_segment_bytes)}};
  auto [error, created] = services.topics.CreateTopic(topic, /*validate_only=*/false);
  if (!error.ok() && error.code != ErrorCode::kTopicAlreadyExists) return error.message;
  return std::nullopt;
}

}  // namespace

void RegisterFindCoordinator(ApiRegistry& registry, BrokerServices& services,
                             group::GroupCoordinator& coordinator) {
  registry.Register<kafka::FindCoordinatorRequest, kafka::FindCoordinatorResponse>(
      "FindCoordinator",
      [&services, &coordinator](const RequestContext& ctx, kafka::FindCoordinatorRequest request,
                                std::function<void(kafka::FindCoordinatorResponse)> respond) {
        kafka::FindCoordinatorResponse response;
        response.node_id = -1;
        response.port = -1;
        response.error_message = std::nullopt;
        auto fail = [&](ErrorCode code, std::string message) {
          response.error_code = kafka::Code(code);
          response.error_message = std::move(message);
          respond(std::move(response));
        };
        if (request.key_type == 1) {
          return fail(ErrorCode::kCoordinatorNotAvailable,
                      "transactions are not supported by this broker yet");
        }
        if (request.key_type != 0) {
          return fail(ErrorCode::kInvalidRequest,
                      "unknown coordinator key type " + std::to_string(request.key_type));
        }
        auto topic = services.metadata.topic(group::kOffsetsTopic);
        if (!topic) {
          auto refused = CreateOffsetsTopic(services, coordinator.config());
          if (refused) {
            Poco::Logger::get("server").warning("Cannot create %s: %s",
                                                std::string(group::kOffsetsTopic), *refused);
          }
          return fail(ErrorCode::kCoordinatorNotAvailable,
                      refused.value_or("The coordinator is not available."));
        }
        const int32_t partition = coordinator.PartitionFor(request.key);
        auto it = topic->partitions.find(partition);
        if (it == topic->partitions.end() || it->second.leader < 0) {
          return fail(ErrorCode::kCoordinatorNotAvailable, "The coordinator is not available.");
        }
        for (const BrokerEndpoint& b : services.metadata.brokers()) {
          if (b.id.value() == it->second.leader && b.listener == ctx.connection.listener_name) {
            response.node_id = b.id.value();
            response.host = b.host;
            response.port = b.port;
            return respond(std::move(response));
          }
        }
        fail(ErrorCode::kCoordinatorNotAvailable, "The coordinator is not available.");
      });
}

}  // namespace sluice::server

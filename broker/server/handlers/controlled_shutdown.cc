#include "broker/server/handlers/controlled_shutdown.h"

#include "libs/kafka/messages/controlled_shutdown.h"

namespace sluice::server {

void RegisterControlledShutdown(ApiRegistry& registry, metadata::ControllerBroker& controller) {
  registry.Register<kafka::ControlledShutdownRequest, kafka::ControlledShutdownResponse>(
      "ControlledShutdown",
      [&controller](const RequestContext& ctx, kafka::ControlledShutdownRequest request,
                    std::function<void(kafka::ControlledShutdownResponse)> respond) {
        // Before v2 there is no broker epoch: -1 skips the check, as Kafka does.
        const int64_t broker_epoch = ctx.api_version >= 2 ? request.broker_epoch : -1;
        controller.ControlledShutdown(
            request.broker_id, broker_epoch,
            [respond = std::move(respond)](kafka::ErrorCode error,
                                           metadata::ControllerBroker::PartitionList remaining) {
              kafka::ControlledShutdownResponse response;
              response.error_code = kafka::Code(error);
              for (auto& [topic, partition] : remaining) {
                auto& out = response.remaining_partitions.emplace_back();
                out.topic_name = std::move(topic);
                out.partition_index = partition;
              }
              respond(std::move(response));
            });
      });
}

}  // namespace sluice::server

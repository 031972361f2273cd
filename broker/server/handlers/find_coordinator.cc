#include "broker/server/handlers/find_coordinator.h"

#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

using kafka::ErrorCode;

void RegisterFindCoordinator(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<kafka::FindCoordinatorRequest, kafka::FindCoordinatorResponse>(
      "FindCoordinator",
      [&services](const RequestContext& ctx, kafka::FindCoordinatorRequest request,
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
        if (request.key.empty()) return fail(ErrorCode::kInvalidGroupId, "empty group id");
        const int32_t self = services.config.broker_id.value();
        for (const BrokerEndpoint& b : services.metadata.brokers()) {
          if (b.id.value() == self && b.listener == ctx.connection.listener_name) {
            response.node_id = self;
            response.host = b.host;
            response.port = b.port;
            return respond(std::move(response));
          }
        }
        fail(ErrorCode::kCoordinatorNotAvailable, "this broker is not registered yet");
      });
}

}  // namespace sluice::server

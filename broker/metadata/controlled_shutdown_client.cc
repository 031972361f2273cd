#include "broker/metadata/controlled_shutdown_client.h"

#include <Poco/Logger.h>

#include <thread>

#include "broker/metadata/controller_channel.h"
#include "libs/kafka/client/connection.h"
#include "libs/kafka/messages/controlled_shutdown.h"

namespace sluice::metadata {
namespace {

// One attempt: Ok, or why it failed / what remains.
Status AttemptControlledShutdown(KafkaZkClient& zk,
                                 const ControlledShutdownClientOptions& options) {
  auto controller = zk.GetControllerId();
  if (!controller.ok()) return controller.status();
  if (!controller->has_value()) return Status::Unavailable("no controller is elected");
  auto brokers = zk.GetLiveBrokers();
  if (!brokers.ok()) return brokers.status();
  const BrokerRegistration* registration = nullptr;
  for (const BrokerRegistration& broker : *brokers) {
    if (broker.id == **controller) registration = &broker;
  }
  const std::string name = "controller (broker " + std::to_string((*controller)->value()) + ")";
  if (registration == nullptr) return Status::Unavailable(name + " is not registered");
  const BrokerEndpoint* endpoint =
      InterBrokerEndpoint(*registration, options.inter_broker_listener_name);
  if (endpoint == nullptr) {
    return Status::Unavailable(name + " advertises no endpoint for listener '" +
                               options.inter_broker_listener_name + "'");
  }
  kafka::client::ConnectionOptions connection_options;
  connection_options.client_id = "broker-" + std::to_string(options.broker_id.value());
  connection_options.connect_timeout = options.request_timeout;
  connection_options.request_timeout = options.request_timeout;
  auto connection =
      kafka::client::Connection::Open(endpoint->host.empty() ? "localhost" : endpoint->host,
                                      endpoint->port, connection_options, name);
  if (!connection.ok()) return connection.status();
  kafka::ControlledShutdownRequest request;
  request.broker_id = options.broker_id.value();
  request.broker_epoch = options.broker_epoch;
  auto response = (*connection)->Send<kafka::ControlledShutdownResponse>(request);
  if (!response.ok()) return response.status();
  if (response->error_code != 0) {
    return Status::Unavailable(name + " answered error " + std::to_string(response->error_code));
  }
  if (response->remaining_partitions.empty()) return Status::Ok();
  std::string remaining;
  for (const auto& p : response->remaining_partitions) {
    remaining +=
        (remaining.empty() ? "" : ", ") + p.topic_name + "-" + std::to_string(p.partition_index);
  }
  return Status::Unavailable("still leading " + remaining);
}

}  // namespace

Status RequestControlledShutdown(KafkaZkClient& zk,
                                 const ControlledShutdownClientOptions& options) {
  Status last = Status::Unavailable("no attempt made (controlled.shutdown.max.retries <= 0)");
  for (int32_t attempt = 1; attempt <= options.max_retries; ++attempt) {
    last = AttemptControlledShutdown(zk, options);
    if (last.ok()) {
      Poco::Logger::get("server").information("Controlled shutdown succeeded");
      return last;
    }
    Poco::Logger::get("server").warning("Controlled shutdown attempt " + std::to_string(attempt) +
                                        " of " + std::to_string(options.max_retries) +
                                        " failed: " + last.ToString());
    if (attempt < options.max_retries) std::this_thread::sleep_for(options.retry_backoff);
  }
  return Status::Unavailable("controlled shutdown did not complete after " +
                             std::to_string(options.max_retries) + " attempts: " + last.message());
}

}  // namespace sluice::metadata

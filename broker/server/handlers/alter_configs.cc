#include "broker/server/handlers/alter_configs.h"

#include "broker/config/topic_config.h"
#include "broker/server/log_config_mapping.h"
#include "libs/kafka/messages/alter_configs.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::AlterConfigsRequest;
using Response = kafka::AlterConfigsResponse;

TopicError UnalterableResource(int8_t resource_type) {
  if (resource_type == kBrokerConfigResource) {
    return {ErrorCode::kInvalidRequest,
            "Dynamic broker configs are not supported: set broker configs in server.properties "
            "and restart the broker."};
  }
  return {ErrorCode::kInvalidRequest, "Unsupported resource type " + std::to_string(resource_type) +
                                          " (only TOPIC configs can be altered)."};
}

std::pair<TopicError, std::map<std::string, std::string>> CurrentTopicOverrides(
    BrokerServices& services, const std::string& topic) {
  if (Status st = metadata::ValidateTopicName(topic); !st.ok()) {
    return {{ErrorCode::kInvalidTopicException, st.message()}, {}};
  }
  // ZooKeeper, not the metadata cache, decides: a topic created a moment ago may not be cached.
  auto assignment = services.zk.GetTopicAssignment(topic);
  if (!assignment.ok()) {
    if (assignment.status().code() == Status::Code::kNotFound) {
      return {{ErrorCode::kUnknownTopicOrPartition, "Topic " + topic + " does not exist."}, {}};
    }
    return {{ErrorCode::kUnknownServerError, assignment.status().message()}, {}};
  }
  auto overrides = services.zk.GetTopicConfig(topic);
  if (!overrides.ok()) return {{ErrorCode::kUnknownServerError, overrides.status().message()}, {}};
  return {{}, std::move(*overrides)};
}

TopicError ReplaceTopicOverrides(BrokerServices& services, const std::string& topic,
                                 const std::map<std::string, std::string>& overrides,
                                 bool validate_only) {
  if (Status st = config::ValidateTopicConfigs(overrides); !st.ok()) {
    return {ErrorCode::kInvalidConfig, st.message()};
  }
  auto log_config = LogConfigForTopic(services.config, overrides);
  if (!log_config.ok()) return {ErrorCode::kInvalidConfig, log_config.status().message()};
  if (validate_only) return {};
  if (Status st = services.zk.SetTopicConfig(topic, overrides); !st.ok()) {
    return {ErrorCode::kUnknownServerError, st.message()};
  }
  // Other brokers apply it from the change notification; this one need not wait for its own.
  services.replicas.UpdateTopicConfig(topic);
  return {};
}

namespace {

TopicError AlterTopic(BrokerServices& services, const Request::AlterConfigsResource& resource,
                      bool validate_only) {
  auto [error, current] = CurrentTopicOverrides(services, resource.resource_name);
  if (!error.ok()) return error;
  // The request is the whole new set. A null value sets nothing (as Kafka, which skips it).
  std::map<std::string, std::string> overrides;
  for (const auto& c : resource.configs) {
    if (c.value) overrides[c.name] = *c.value;
  }
  return ReplaceTopicOverrides(services, resource.resource_name, overrides, validate_only);
}

void Handle(BrokerServices& services, Request request, std::function<void(Response)> respond) {
  respond(AlterEachResource<Response>(request, [&](const auto& resource) {
    return AlterTopic(services, resource, request.validate_only);
  }));
}

}  // namespace

void RegisterAlterConfigs(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "AlterConfigs",
      [&services](const RequestContext&, Request request, std::function<void(Response)> respond) {
        Handle(services, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server

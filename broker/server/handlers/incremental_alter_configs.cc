#include "broker/server/handlers/incremental_alter_configs.h"

#include <algorithm>
#include <set>

#include "broker/config/config_values.h"
#include "broker/config/topic_config.h"
#include "broker/server/handlers/alter_configs.h"
#include "libs/kafka/messages/incremental_alter_configs.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::IncrementalAlterConfigsRequest;
using Response = kafka::IncrementalAlterConfigsResponse;

namespace {

enum class Operation : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

// The list a list-typed key holds now: its override, else its effective value (the broker's
// setting or the default). Kafka starts from the topic-level default instead; starting from
// the effective value means APPEND "delete" to a topic on a broker with
// log.cleanup.policy=compact yields "compact,delete", which is what the operator sees.
std::vector<std::string> CurrentList(const config::BrokerConfig& broker,
                                     const std::map<std::string, std::string>& overrides,
                                     const std::string& key) {
  auto it = overrides.find(key);
  if (it != overrides.end()) return config::SplitList(it->second);
  auto resolved = config::ResolveTopicConfig(broker, overrides);
  if (!resolved.ok()) return {};
  const config::ResolvedTopicConfigEntry* entry = resolved->Find(key);
  return entry ? config::SplitList(entry->value) : std::vector<std::string>{};
}

using Overrides = std::map<std::string, std::string>;

// `overrides` after one operation, or why the operation cannot be applied.
std::pair<TopicError, Overrides> Apply(const config::BrokerConfig& broker,
                                       const Request::AlterableConfig& op, Overrides overrides) {
  const std::string& key = op.name;
  auto fail = [](ErrorCode code, std::string message) {
    return std::pair<TopicError, Overrides>{{code, std::move(message)}, {}};
  };
  switch (static_cast<Operation>(op.config_operation)) {
    case Operation::kSet:
      if (!op.value)
        return fail(ErrorCode::kInvalidRequest, "Null value not supported for SET of " + key);
      overrides[key] = *op.value;
      return {{}, std::move(overrides)};
    case Operation::kDelete:
      overrides.erase(key);
      return {{}, std::move(overrides)};
    case Operation::kAppend:
    case Operation::kSubtract: {
      const bool append = op.config_operation == static_cast<int8_t>(Operation::kAppend);
      const config::TopicConfigSpec* spec = config::FindTopicConfigSpec(key);
      if (spec == nullptr)
        return fail(ErrorCode::kInvalidConfig, "Unknown topic config name: " + key);
      if (spec->type != config::ConfigType::kList) {
        return fail(ErrorCode::kInvalidConfig, std::string("Config value ") +
                                                   (append ? "append" : "subtract") +
                                                   " is not allowed for config key: " + key);
      }
      std::vector<std::string> items = CurrentList(broker, overrides, key);
      const std::vector<std::string> given = config::SplitList(op.value.value_or(""));
      if (append) {
        for (const auto& item : given) {
          if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
        }
      } else {
        std::erase_if(items, [&given](const std::string& item) {
          return std::find(given.begin(), given.end(), item) != given.end();
        });
      }
      overrides[key] = config::JoinList(items);
      return {{}, std::move(overrides)};
    }
  }
  return fail(ErrorCode::kInvalidRequest,
              "Unknown config operation " + std::to_string(op.config_operation) + " for " + key);
}

TopicError AlterTopic(BrokerServices& services, const Request::AlterConfigsResource& resource,
                      bool validate_only) {
  std::set<std::string> keys;
  for (const auto& op : resource.configs) {
    if (!keys.insert(op.name).second) {
      return {ErrorCode::kInvalidRequest, "Error due to duplicate config keys: " + op.name};
    }
  }
  auto [error, overrides] = CurrentTopicOverrides(services, resource.resource_name);
  if (!error.ok()) return error;
  for (const auto& op : resource.configs) {
    auto [op_error, altered] = Apply(services.config, op, std::move(overrides));
    if (!op_error.ok()) return op_error;
    overrides = std::move(altered);
  }
  return ReplaceTopicOverrides(services, resource.resource_name, overrides, validate_only);
}

void Handle(BrokerServices& services, Request request, std::function<void(Response)> respond) {
  respond(AlterEachResource<Response>(request, [&](const auto& resource) {
    return AlterTopic(services, resource, request.validate_only);
  }));
}

}  // namespace

void RegisterIncrementalAlterConfigs(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "IncrementalAlterConfigs",
      [&services](const RequestContext&, Request request, std::function<void(Response)> respond) {
        Handle(services, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server

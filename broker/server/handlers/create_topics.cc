#include "broker/server/handlers/create_topics.h"

#include <chrono>
#include <memory>
#include <set>

#include "broker/config/topic_config.h"
#include "libs/kafka/messages/create_topics.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::CreateTopicsRequest;
using Response = kafka::CreateTopicsResponse;

namespace {

// The first version with NumPartitions/ReplicationFactor/Configs in the answer, and with topic
// ids.
constexpr int16_t kConfigsInResponseVersion = 5;
constexpr int16_t kTopicIdVersion = 7;

void SetError(Response::CreatableTopicResult& result, ErrorCode code,
              std::optional<std::string> message) {
  result.error_code = kafka::Code(code);
  result.error_message = std::move(message);
  // As Kafka: a topic that was not created reports no configuration or layout.
  result.num_partitions = -1;
  result.replication_factor = -1;
  result.configs = std::vector<Response::CreatableTopicConfigs>();
}

// The topic as the request describes it, or the reason it cannot be read.
std::pair<NewTopic, TopicError> ToNewTopic(const Request::CreatableTopic& topic) {
  NewTopic out;
  out.name = topic.name;
  out.num_partitions = topic.num_partitions;
  out.replication_factor = topic.replication_factor;
  for (const auto& a : topic.assignments) {
    if (out.assignment.count(a.partition_index)) {
      return {out,
              {ErrorCode::kInvalidReplicaAssignment,
               "Partition " + std::to_string(a.partition_index) +
                   " appears more than once in the replica assignment."}};
    }
    out.assignment[a.partition_index] = a.broker_ids;
  }
  std::string null_configs;
  for (const auto& c : topic.configs) {
    if (!c.value) {
      null_configs += (null_configs.empty() ? "" : ",") + c.name;
      continue;
    }
    out.configs[c.name] = *c.value;
  }
  if (!null_configs.empty()) {
    return {out,
            {ErrorCode::kInvalidRequest,
             "Null value not supported for topic configs: " + null_configs}};
  }
  return {out, {}};
}

std::vector<Response::CreatableTopicConfigs> DescribeCreatedConfigs(
    const config::BrokerConfig& broker, const std::map<std::string, std::string>& overrides) {
  std::vector<Response::CreatableTopicConfigs> out;
  auto resolved = config::ResolveTopicConfig(broker, overrides);
  if (!resolved.ok()) return out;  // unreachable: the overrides were validated on creation
  for (const auto& entry : resolved->entries) {
    auto& c = out.emplace_back();
    c.name = entry.name;
    c.value = entry.is_sensitive ? std::nullopt : std::optional<std::string>(entry.value);
    c.read_only = entry.read_only;
    c.config_source = static_cast<int8_t>(entry.source);
    c.is_sensitive = entry.is_sensitive;
  }
  return out;
}

kafka::Uuid ToWireUuid(const metadata::Uuid& id) {
  kafka::Uuid out;
  for (int i = 0; i < 8; ++i) {
    out.bytes[i] = static_cast<uint8_t>(id.most_significant >> (56 - 8 * i));
    out.bytes[8 + i] = static_cast<uint8_t>(id.least_significant >> (56 - 8 * i));
  }
  return out;
}

bool HasLeaders(const MetadataCache& metadata, const std::string& topic) {
  auto t = metadata.topic(topic);
  if (!t || t->partitions.empty()) return false;
  for (const auto& [p, partition] : t->partitions) {
    if (partition.leader < 0) return false;
  }
  return true;
}

void Handle(BrokerServices& services, const RequestContext& ctx, Request request,
            std::function<void(Response)> respond) {
  auto response = std::make_shared<Response>();
  std::map<std::string, int> occurrences;
  for (const auto& topic : request.topics) ++occurrences[topic.name];

  // Indexes into response->topics of the topics this request created (and must wait for).
  std::vector<size_t> created;
  for (const auto& topic : request.topics) {
    auto& result = response->topics.emplace_back();
    result.name = topic.name;
    if (occurrences[topic.name] > 1) {
      SetError(result, ErrorCode::kInvalidRequest,
               "Found multiple entries for topic '" + topic.name + "' in the request.");
      continue;
    }
    auto [new_topic, read_error] = ToNewTopic(topic);
    if (!read_error.ok()) {
      SetError(result, read_error.code, read_error.message);
      continue;
    }
    auto [error, layout] = services.topics.CreateTopic(new_topic, request.validate_only);
    if (!error.ok()) {
      SetError(result, error.code, error.message);
      continue;
    }
    result.error_message = std::nullopt;
    if (ctx.api_version >= kConfigsInResponseVersion) {
      result.num_partitions = layout.num_partitions;
      result.replication_factor = layout.replication_factor;
      result.configs = DescribeCreatedConfigs(services.config, new_topic.configs);
    }
    if (request.validate_only) continue;
    if (ctx.api_version >= kTopicIdVersion) {
      auto assignment = services.zk.GetTopicAssignment(topic.name);
      if (assignment.ok() && assignment->assignment.topic_id) {
        result.topic_id = ToWireUuid(*assignment->assignment.topic_id);
      }
    }
    created.push_back(response->topics.size() - 1);
  }

  if (created.empty() || request.validate_only) return respond(std::move(*response));
  if (request.timeout_ms <= 0) {
    // Kafka's answer when asked not to wait: the topics are being created, but the client is
    // told it did not see them finish.
    for (size_t i : created)
      SetError(response->topics[i], ErrorCode::kRequestTimedOut, std::nullopt);
    return respond(std::move(*response));
  }
  std::vector<std::string> names;
  for (size_t i : created) names.push_back(response->topics[i].name);
  MetadataCache& metadata = services.metadata;
  services.topics.WhenTopicsReady(
      std::move(names), std::chrono::milliseconds(request.timeout_ms),
      [response, created, &metadata, respond = std::move(respond)](bool all_ready) {
        if (!all_ready) {
          for (size_t i : created) {
            auto& result = response->topics[i];
            if (!HasLeaders(metadata, result.name)) {
              SetError(result, ErrorCode::kRequestTimedOut,
                       "Timed out waiting for the partitions of topic '" + result.name +
                           "' to have leaders.");
            }
          }
        }
        respond(std::move(*response));
      });
}

}  // namespace

void RegisterCreateTopics(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "CreateTopics", [&services](const RequestContext& ctx, Request request,
                                  std::function<void(Response)> respond) {
        Handle(services, ctx, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server

// AlterConfigs (key 33, v0-2): replaces a topic's whole override set (/config/topics/<t>) with
// the one in the request; keys not named go back to their defaults. Every key and value is
// validated first (INVALID_CONFIG naming both); with ValidateOnly nothing is written.
// Otherwise the overrides are written through KafkaZkClient::SetTopicConfig (which notifies
// every broker through /config/changes) and applied at once to this broker's partitions.
//
// BROKER resources are refused with INVALID_REQUEST: Sluice has no dynamic broker
// configuration (Kafka 2.8 accepts a subset of broker keys here).
//
// The topic steps are shared with IncrementalAlterConfigs, which computes the new override set
// from the current one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

inline constexpr int8_t kTopicConfigResource = 2;
inline constexpr int8_t kBrokerConfigResource = 4;

void RegisterAlterConfigs(ApiRegistry& registry, BrokerServices& services);

// The error for an alter request on a resource that is not a topic.
TopicError UnalterableResource(int8_t resource_type);

// The topic's current overrides; INVALID_TOPIC_EXCEPTION for a bad name,
// UNKNOWN_TOPIC_OR_PARTITION when the topic does not exist.
std::pair<TopicError, std::map<std::string, std::string>> CurrentTopicOverrides(
    BrokerServices& services, const std::string& topic);

// Validates `overrides` as the topic's complete new override set and, unless `validate_only`,
// stores it and applies the resulting log settings to this broker's partitions of the topic.
// The topic must exist (see CurrentTopicOverrides).
TopicError ReplaceTopicOverrides(BrokerServices& services, const std::string& topic,
                                 const std::map<std::string, std::string>& overrides,
                                 bool validate_only);

// Both alter APIs answer every resource of the request in order: topics through `alter_topic`
// (resource -> TopicError), anything else with UnalterableResource.
template <typename Response, typename Request, typename AlterTopic>
Response AlterEachResource(const Request& request, AlterTopic alter_topic) {
  Response response;
  for (const auto& resource : request.resources) {
    auto& result = response.responses.emplace_back();
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    TopicError error = resource.resource_type == kTopicConfigResource
                           ? alter_topic(resource)
                           : UnalterableResource(resource.resource_type);
    result.error_code = kafka::Code(error.code);
    result.error_message =
        error.ok() ? std::nullopt : std::optional<std::string>(std::move(error.message));
  }
  return response;
}

}  // namespace sluice::server

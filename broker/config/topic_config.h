// Topic-level configuration (Kafka 2.8's LogConfig): the keys a topic may override, their
// types and validators, the broker keys they default from, and resolution of a topic's
// effective settings for DescribeConfigs and for the log.
//
//   topic override (/config/topics/<t>)      source DYNAMIC_TOPIC_CONFIG
//     else broker key set in server.properties  source STATIC_BROKER_CONFIG
//     else Kafka's default                       source DEFAULT_CONFIG
//
// e.g. retention.ms <- log.retention.ms <- log.retention.minutes <- log.retention.hours.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "broker/config/broker_config.h"
#include "libs/base/status.h"

namespace sluice::config {

// DescribeConfigs' ConfigType codes (config_type, v3+).
enum class ConfigType : int8_t {
  kUnknown = 0,
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kShort = 4,
  kLong = 5,
  kDouble = 6,
  kList = 7,
  kClass = 8,
  kPassword = 9,
};

// DescribeConfigs' ConfigSource codes (config_source, v1+).
enum class ConfigSource : int8_t {
  kUnknown = 0,
  kDynamicTopicConfig = 1,
  kDynamicBrokerConfig = 2,
  kDynamicDefaultBrokerConfig = 3,
  kStaticBrokerConfig = 4,
  kDefaultConfig = 5,
  kDynamicBrokerLoggerConfig = 6,
};

struct TopicConfigSpec {
  std::string_view name;
  ConfigType type;
  // Broker keys this one defaults from, highest priority first; empty when there is none.
  std::vector<std::string_view> broker_synonyms;
  std::string_view documentation;
  // Checks one value; InvalidArgument naming key and value.
  Status (*validate)(const std::string& key, const std::string& value);
  // The broker-level value, rendered as DescribeConfigs shows it.
  std::string (*broker_value)(const BrokerConfig& broker);
};

// Every topic key, sorted by name (the order DescribeConfigs lists them in).
const std::vector<TopicConfigSpec>& TopicConfigSpecs();
// nullptr for an unknown key.
const TopicConfigSpec* FindTopicConfigSpec(std::string_view name);

// One key: InvalidArgument "Unknown topic config name: <key>" for an unknown key, else the
// key's validator.
Status ValidateTopicConfig(const std::string& key, const std::string& value);
// A whole override set (CreateTopics, AlterConfigs): every key, then the rules between keys
// (min.compaction.lag.ms <= max.compaction.lag.ms).
Status ValidateTopicConfigs(const std::map<std::string, std::string>& overrides);
// Sluice is stricter than Kafka 2.8 here: a topic whose own min.insync.replicas exceeds its
// replication factor could never take an acks=all write, so creating (or altering) it is
// refused with InvalidArgument naming both numbers. Only an explicit override is checked: a
// broker-wide default applies to every topic, including deliberately small test topics.
Status ValidateMinInsyncReplicas(const std::map<std::string, std::string>& overrides,
                                 int32_t replication_factor);

struct ConfigSynonym {
  std::string name;
  std::string value;
  ConfigSource source;
};

struct ResolvedTopicConfigEntry {
  std::string name;
  std::string value;  // canonical rendering: "604800000", "delete", "0.5", "true"
  ConfigSource source;
  ConfigType type;
  bool is_sensitive = false;  // no topic key is a password
  bool read_only = false;     // every topic key may be altered
  std::string_view documentation;
  // Where the value could come from, highest priority first (DescribeConfigs
  // include_synonyms): the override, each broker key set in server.properties, the default.
  std::vector<ConfigSynonym> synonyms;
};

struct ResolvedTopicConfig {
  std::vector<ResolvedTopicConfigEntry> entries;  // sorted by name
  const ResolvedTopicConfigEntry* Find(std::string_view name) const;
};

// A topic's effective configuration. Overrides with unknown keys are skipped (they cannot be
// described); an invalid value fails with InvalidArgument naming key and value.
Result<ResolvedTopicConfig> ResolveTopicConfig(const BrokerConfig& broker,
                                               const std::map<std::string, std::string>& overrides);

// The settings the log layer acts on, typed. The lead maps these onto storage's LogConfig.
struct TopicLogSettings {
  int32_t segment_bytes = 0;
  int64_t segment_ms = 0;
  int64_t segment_jitter_ms = 0;
  int32_t segment_index_bytes = 0;  // max size of each .index / .timeindex file
  int64_t retention_ms = 0;         // kUnlimited (-1) or >= 0
  int64_t retention_bytes = 0;      // negative: unlimited
  int32_t index_interval_bytes = 0;
  int32_t max_message_bytes = 0;  // largest record batch accepted
  TimestampType timestamp_type = TimestampType::kCreateTime;
  int64_t message_timestamp_difference_max_ms = 0;
  int64_t file_delete_delay_ms = 0;
  int64_t flush_messages = 0;  // kNever: leave flushing to the OS
  int64_t flush_ms = 0;        // kNever: leave flushing to the OS
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  int64_t delete_retention_ms = 0;
  int64_t min_compaction_lag_ms = 0;
  int64_t max_compaction_lag_ms = 0;
  double min_cleanable_dirty_ratio = 0;
  int32_t min_insync_replicas = 1;
  bool unclean_leader_election_enable = false;
  bool preallocate = false;
  std::string compression_type;  // "producer", "gzip", ...
  bool message_downconversion_enable = true;
};

Result<TopicLogSettings> ResolveTopicLogSettings(
    const BrokerConfig& broker, const std::map<std::string, std::string>& overrides);

}  // namespace sluice::config

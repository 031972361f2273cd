// The one place a topic's resolved settings (broker/config/topic_config.h) become the storage
// layer's per-log settings (broker/storage/log_config.h). Used when a partition's log is
// created or opened, and when a topic's configuration changes (AlterConfigs,
// IncrementalAlterConfigs, a config-change notification from ZooKeeper).
#pragma once

#include <map>
#include <string>

#include "broker/config/broker_config.h"
#include "broker/config/topic_config.h"
#include "broker/replication/replication_types.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/log_config.h"
#include "libs/base/status.h"

namespace sluice::server {

// Field by field. Settings storage does not act on (min.insync.replicas,
// compression.type, ...) are not part of storage::LogConfig and are dropped here; their
// consumers read TopicLogSettings directly. A topic whose cleanup.policy lacks "delete" (pure
// compaction) gets unlimited time and size retention, as Kafka never deletes its segments by
// age or size.
storage::LogConfig ToLogConfig(const config::TopicLogSettings& settings);

// The topic's LogConfig from the broker's settings and the topic's overrides
// (/config/topics/<t>). InvalidArgument, naming key and value, for an invalid override.
Result<storage::LogConfig> LogConfigForTopic(const config::BrokerConfig& broker,
                                             const std::map<std::string, std::string>& overrides);

// What a partition replica needs of its topic's configuration: the LogConfig above and
// min.insync.replicas (topic override, else the broker's). InvalidArgument as LogConfigForTopic.
Result<replication::PartitionConfig> PartitionConfigForTopic(
    const config::BrokerConfig& broker, const std::map<std::string, std::string>& overrides);

// The log cleaner's settings: log.cleaner.backoff.ms and log.cleaner.dedupe.buffer.size
// (log.cleaner.enable decides whether the broker starts it at all).
storage::LogCleanerConfig CleanerConfigFor(const config::BrokerConfig& broker);

}  // namespace sluice::server

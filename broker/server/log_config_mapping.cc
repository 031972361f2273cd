#include "broker/server/log_config_mapping.h"

namespace sluice::server {

storage::LogConfig ToLogConfig(const config::TopicLogSettings& settings) {
  storage::LogConfig out;
  out.segment_bytes = settings.segment_bytes;
  out.segment_ms = settings.segment_ms;
  out.retention_ms = settings.cleanup_delete ? settings.retention_ms : config::kUnlimited;
  out.retention_bytes = settings.cleanup_delete ? settings.retention_bytes : config::kUnlimited;
  out.index_interval_bytes = settings.index_interval_bytes;
  out.segment_index_bytes = settings.segment_index_bytes;
  out.max_message_bytes = settings.max_message_bytes;
  out.message_timestamp_type = settings.timestamp_type == config::TimestampType::kLogAppendTime
                                   ? storage::TimestampType::kLogAppendTime
                                   : storage::TimestampType::kCreateTime;
  out.file_delete_delay_ms = settings.file_delete_delay_ms;
  out.flush_messages = settings.flush_messages;
  out.flush_ms = settings.flush_ms;
  out.cleanup_delete = settings.cleanup_delete;
  out.cleanup_compact = settings.cleanup_compact;
  out.delete_retention_ms = settings.delete_retention_ms;
  out.min_compaction_lag_ms = settings.min_compaction_lag_ms;
  out.max_compaction_lag_ms = settings.max_compaction_lag_ms;
  out.min_cleanable_dirty_ratio = settings.min_cleanable_dirty_ratio;
  return out;
}

Result<storage::LogConfig> LogConfigForTopic(const config::BrokerConfig& broker,
                                             const std::map<std::string, std::string>& overrides) {
  Result<config::TopicLogSettings> settings = config::ResolveTopicLogSettings(broker, overrides);
  if (!settings.ok()) return settings.status();
  return ToLogConfig(*settings);
}

Result<replication::PartitionConfig> PartitionConfigForTopic(
    const config::BrokerConfig& broker, const std::map<std::string, std::string>& overrides) {
  Result<config::TopicLogSettings> settings = config::ResolveTopicLogSettings(broker, overrides);
  if (!settings.ok()) return settings.status();
  replication::PartitionConfig out;
  out.log = ToLogConfig(*settings);
  out.min_insync_replicas = settings->min_insync_replicas;
  return out;
}

storage::LogCleanerConfig CleanerConfigFor(const config::BrokerConfig& broker) {
  storage::LogCleanerConfig out;
  out.backoff_ms = broker.log_cleaner_backoff_ms;
  out.dedupe_buffer_bytes = broker.log_cleaner_dedupe_buffer_size;
  return out;
}

}  // namespace sluice::server

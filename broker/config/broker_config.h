// The broker's static configuration: server.properties plus `--override key=value` pairs.
//
// Keys, meanings and defaults are Kafka 2.8's (KafkaConfig), so a file written for Kafka
// works unchanged. What happens to each key:
//   * a key modelled here is parsed and validated; an invalid value fails start-up with
//     Status::InvalidArgument naming the key and the value;
//   * another Kafka 2.8 broker key (SSL, quotas, ...) is accepted and listed in
//     BrokerConfig::ignored_keys (worth a DEBUG line);
//   * anything else is reported in BrokerConfig::warnings (worth a WARN line naming the key).
// One key is ours: sluice.admin.listener, the host:port of the admin HTTP port.
//
// Derived values are resolved once, here, with Kafka's precedence rules, so no other code
// looks at raw keys: log.retention.ms > .minutes > .hours (negative = unlimited, -1);
// log.roll.ms > log.roll.hours; log.dirs > log.dir; advertised.listeners defaults to
// listeners with an empty host replaced by this machine's canonical host name.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/config/listeners.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::config {

// Where record timestamps come from (log.message.timestamp.type / message.timestamp.type).
enum class TimestampType { kCreateTime, kLogAppendTime };
const char* TimestampTypeName(TimestampType t);  // "CreateTime", "LogAppendTime"

inline constexpr int64_t kUnlimited = -1;  // retention.ms / retention.bytes
inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();  // flush intervals

struct BrokerConfig {
  // --- general ---------------------------------------------------------------------------
  BrokerId broker_id{-1};  // -1: generate one from ZooKeeper (> reserved.broker.max.id)
  bool broker_id_generation_enable = true;
  int32_t reserved_broker_max_id = 1000;
  std::optional<std::string> broker_rack;
  int32_t message_max_bytes = 1048588;  // 1 MiB + the 12-byte log overhead
  int32_t num_network_threads = 3;
  int32_t num_io_threads = 8;

  // --- listeners and sockets ---------------------------------------------------------------
  std::vector<Endpoint> listeners;             // default PLAINTEXT://:9092
  std::vector<Endpoint> advertised_listeners;  // never empty hosts, never 0.0.0.0
  SecurityProtocolMap listener_security_protocol_map;
  std::string inter_broker_listener_name = "PLAINTEXT";  // one of advertised_listeners
  int32_t socket_send_buffer_bytes = 102400;             // -1: the OS default
  int32_t socket_receive_buffer_bytes = 102400;          // -1: the OS default
  int32_t socket_request_max_bytes = 104857600;

  // --- ZooKeeper -----------------------------------------------------------------------------
  std::string zookeeper_connect;  // required: "host:port[,host:port...][/chroot]"
  int32_t zookeeper_session_timeout_ms = 18000;
  int32_t zookeeper_connection_timeout_ms = 18000;  // defaults to the session timeout

  // --- logs (data) ---------------------------------------------------------------------------
  std::vector<std::string> log_dirs = {"/tmp/kafka-logs"};
  int32_t num_partitions = 1;
  int32_t default_replication_factor = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;
  int32_t log_segment_bytes = 1073741824;
  int64_t log_roll_ms = 168LL * 3600 * 1000;
  int64_t log_roll_jitter_ms = 0;
  int64_t log_retention_ms = 168LL * 3600 * 1000;  // kUnlimited or >= 1
  int64_t log_retention_bytes = kUnlimited;
  int64_t log_retention_check_interval_ms = 300000;
  int32_t log_index_interval_bytes = 4096;
  int32_t log_index_size_max_bytes = 10485760;
  int64_t log_flush_interval_messages = kNever;
  int64_t log_flush_interval_ms = kNever;  // defaults to log.flush.scheduler.interval.ms
  int64_t log_flush_scheduler_interval_ms = kNever;
  int32_t log_flush_offset_checkpoint_interval_ms = 60000;
  int64_t log_segment_delete_delay_ms = 60000;
  TimestampType log_message_timestamp_type = TimestampType::kCreateTime;
  int64_t log_message_timestamp_difference_max_ms = kNever;
  std::string log_message_format_version = "2.8-IV1";
  bool log_message_downconversion_enable = true;
  std::vector<std::string> log_cleanup_policy = {"delete"};  // "delete" and/or "compact"
  int64_t log_cleaner_delete_retention_ms = 86400000;
  int64_t log_cleaner_min_compaction_lag_ms = 0;
  int64_t log_cleaner_max_compaction_lag_ms = kNever;
  double log_cleaner_min_cleanable_ratio = 0.5;
  bool log_cleaner_enable = true;
  int64_t log_cleaner_backoff_ms = 15000;  // sleep when no log needs compacting
  int64_t log_cleaner_dedupe_buffer_size = 134217728;  // memory for the key -> offset map
  bool log_preallocate = false;
  std::string compression_type = "producer";
  int32_t num_recovery_threads_per_data_dir = 1;

  // --- replication ---------------------------------------------------------------------------
  int32_t min_insync_replicas = 1;
  bool unclean_leader_election_enable = false;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
  int32_t replica_fetch_min_bytes = 1;
  int32_t replica_fetch_wait_max_ms = 500;
  int32_t replica_fetch_response_max_bytes = 10485760;
  int32_t replica_fetch_backoff_ms = 1000;
  int32_t num_replica_fetchers = 1;
  int64_t replica_high_watermark_checkpoint_interval_ms = 5000;
  int32_t replica_socket_timeout_ms = 30000;
  int32_t controller_socket_timeout_ms = 30000;
  bool auto_leader_rebalance_enable = true;
  int64_t leader_imbalance_check_interval_seconds = 300;
  int32_t leader_imbalance_per_broker_percentage = 10;
  bool controlled_shutdown_enable = true;
  int32_t controlled_shutdown_max_retries = 3;
  int64_t controlled_shutdown_retry_backoff_ms = 5000;

  // --- groups and offsets --------------------------------------------------------------------
  int32_t offsets_topic_num_partitions = 50;
  int16_t offsets_topic_replication_factor = 3;
  int32_t offsets_topic_segment_bytes = 104857600;
  int32_t offsets_retention_minutes = 10080;  // 7 days
  // How long an offset commit waits for the ISR to replicate it before failing.
  int32_t offsets_commit_timeout_ms = 5000;
  int32_t group_initial_rebalance_delay_ms = 3000;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;

  // --- Sluice --------------------------------------------------------------------------------
  // sluice.admin.listener; std::nullopt when set to "" (admin port disabled).
  std::optional<HostPort> admin_listener = HostPort{"0.0.0.0", 9644};

  // --- provenance ----------------------------------------------------------------------------
  // Every key as given, file first, overrides applied on top. DescribeConfigs uses it to tell
  // STATIC_BROKER_CONFIG from DEFAULT_CONFIG.
  std::map<std::string, std::string> originals;
  // One line per unknown key, naming it. The caller logs these at WARN once logging is up
  // (the configuration is read before the application log directory is known).
  std::vector<std::string> warnings;
  // Kafka 2.8 keys that were set but that Sluice does not act on; worth a DEBUG line each.
  std::vector<std::string> ignored_keys;
};

struct ParseOptions {
  // Returns the host name advertised for listeners with an empty host. Tests inject one;
  // null means LocalCanonicalHostName().
  std::function<std::string()> canonical_host_name;
};

// Builds a BrokerConfig from raw key/value pairs (already merged: file, then overrides).
Result<BrokerConfig> ParseBrokerConfig(const std::map<std::string, std::string>& properties,
                                       const ParseOptions& options = {});

// Reads a properties file (see properties_file.h), applies `overrides` ("key=value" as given
// to --override; a later one wins) and parses the result. NotFound if the file does not exist.
Result<BrokerConfig> LoadBrokerConfig(const std::string& path,
                                      const std::vector<std::string>& overrides,
                                      const ParseOptions& options = {});

}  // namespace sluice::config

#include "broker/config/broker_config.h"

#include <set>
#include <type_traits>

#include "broker/config/config_values.h"
#include "broker/config/kafka_broker_keys.h"
#include "broker/config/properties_file.h"

namespace sluice::config {

namespace {

constexpr int64_t kMsPerMinute = 60LL * 1000;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;

// State while applying keys: the config being built plus raw values whose meaning depends on
// other keys (resolved after every key has been seen, so file order does not matter).
struct Parsing {
  BrokerConfig config;
  std::optional<int64_t> retention_ms;
  std::optional<int32_t> retention_minutes;
  int32_t retention_hours = 168;
  std::optional<int64_t> roll_ms;
  int32_t roll_hours = 168;
  std::optional<int64_t> roll_jitter_ms;
  int32_t roll_jitter_hours = 0;
  std::optional<int64_t> flush_interval_ms;
  std::optional<int32_t> zk_connection_timeout_ms;
  std::optional<std::string> zookeeper_connect;
  std::optional<std::string> log_dirs;
  std::string log_dir = "/tmp/kafka-logs";
  std::optional<std::string> listeners;
  std::optional<std::string> advertised_listeners;
  std::optional<std::string> protocol_map;
  std::optional<std::string> inter_broker_listener_name;
  std::optional<std::string> security_inter_broker_protocol;
  // Pre-listeners keys, deprecated in 2.8 but still honoured by it when listeners are unset.
  std::optional<std::string> host_name;
  std::optional<int32_t> port;
  std::optional<std::string> advertised_host_name;
  std::optional<int32_t> advertised_port;
  std::optional<int32_t> broker_id;
};

using Apply = std::function<Status(Parsing&, const std::string& key, const std::string& value)>;

template <typename T>
Result<T> ParseNumber(const std::string& key, const std::string& value, Range<T> range) {
  if constexpr (std::is_same_v<T, int16_t>)
    return ParseInt16(key, value, range);
  else if constexpr (std::is_same_v<T, int32_t>)
    return ParseInt32(key, value, range);
  else if constexpr (std::is_same_v<T, int64_t>)
    return ParseInt64(key, value, range);
  else
    return ParseDouble(key, value, range);
}

// A numeric BrokerConfig field.
template <typename T>
Apply Number(T BrokerConfig::*field, Range<T> range = {}) {
  return [field, range](Parsing& p, const std::string& key, const std::string& value) {
    Result<T> v = ParseNumber<T>(key, value, range);
    if (!v.ok()) return v.status();
    p.config.*field = *v;
    return Status::Ok();
  };
}

// A numeric value kept aside until resolution.
template <typename T, typename Field>
Apply PendingNumber(Field Parsing::*field, Range<T> range = {}) {
  return [field, range](Parsing& p, const std::string& key, const std::string& value) {
    Result<T> v = ParseNumber<T>(key, value, range);
    if (!v.ok()) return v.status();
    p.*field = *v;
    return Status::Ok();
  };
}

Apply Boolean(bool BrokerConfig::*field) {
  return [field](Parsing& p, const std::string& key, const std::string& value) {
    Result<bool> v = ParseBool(key, value);
    if (!v.ok()) return v.status();
    p.config.*field = *v;
    return Status::Ok();
  };
}

template <typename Field>
Apply PendingText(Field Parsing::*field) {
  return [field](Parsing& p, const std::string&, const std::string& value) {
    p.*field = value;  // raw, so errors can quote it exactly; trimmed where used
    return Status::Ok();
  };
}

Apply OneOf(std::string BrokerConfig::*field, std::vector<std::string> allowed) {
  return [field, allowed](Parsing& p, const std::string& key, const std::string& value) {
    Result<std::string> v = ParseEnum(key, value, allowed);
    if (!v.ok()) return v.status();
    p.config.*field = *v;
    return Status::Ok();
  };
}

// Every key BrokerConfig models, with how to apply it. Ranges are Kafka 2.8's validators
// where it has one, and the smallest sensible value where it relies on later failures.
const std::map<std::string, Apply>& Appliers() {
  using C = BrokerConfig;
  using P = Parsing;
  // clang-format off
  static const auto* table = new std::map<std::string, Apply>{
      // general
      {"broker.id", PendingNumber<int32_t>(&P::broker_id)},
      {"broker.id.generation.enable", Boolean(&C::broker_id_generation_enable)},
      {"reserved.broker.max.id", Number(&C::reserved_broker_max_id, AtLeast<int32_t>(0))},
      {"broker.rack",
       [](Parsing& p, const std::string&, const std::string& v) {
         // An empty rack is no rack: rack-aware assignment must not see a rack named "".
         std::string rack = Trim(v);
         if (rack.empty()) p.config.broker_rack = std::nullopt;
         else p.config.broker_rack = rack;
         return Status::Ok();
       }},
      {"message.max.bytes", Number(&C::message_max_bytes, AtLeast<int32_t>(0))},
      {"num.network.threads", Number(&C::num_network_threads, AtLeast<int32_t>(1))},
      {"num.io.threads", Number(&C::num_io_threads, AtLeast<int32_t>(1))},
      // listeners and sockets
      {"listeners", PendingText(&P::listeners)},
      {"advertised.listeners", PendingText(&P::advertised_listeners)},
      {"listener.security.protocol.map", PendingText(&P::protocol_map)},
      {"inter.broker.listener.name", PendingText(&P::inter_broker_listener_name)},
      {"security.inter.broker.protocol", PendingText(&P::security_inter_broker_protocol)},
      {"host.name", PendingText(&P::host_name)},
      {"port", PendingNumber<int32_t>(&P::port, Between<int32_t>(0, 65535))},
      {"advertised.host.name", PendingText(&P::advertised_host_name)},
      {"advertised.port", PendingNumber<int32_t>(&P::advertised_port, Between<int32_t>(0, 65535))},
      {"socket.send.buffer.bytes", Number(&C::socket_send_buffer_bytes, AtLeast<int32_t>(-1))},
      {"socket.receive.buffer.bytes",
       Number(&C::socket_receive_buffer_bytes, AtLeast<int32_t>(-1))},
      {"socket.request.max.bytes", Number(&C::socket_request_max_bytes, AtLeast<int32_t>(1))},
      // ZooKeeper
      {"zookeeper.connect", PendingText(&P::zookeeper_connect)},
      {"zookeeper.session.timeout.ms",
       Number(&C::zookeeper_session_timeout_ms, AtLeast<int32_t>(1))},
      {"zookeeper.connection.timeout.ms",
       PendingNumber<int32_t>(&P::zk_connection_timeout_ms, AtLeast<int32_t>(1))},
      // logs
      {"log.dirs", PendingText(&P::log_dirs)},
      {"log.dir", PendingText(&P::log_dir)},
      {"num.partitions", Number(&C::num_partitions, AtLeast<int32_t>(1))},
      {"default.replication.factor", Number(&C::default_replication_factor, AtLeast<int32_t>(1))},
      {"auto.create.topics.enable", Boolean(&C::auto_create_topics_enable)},
      {"delete.topic.enable", Boolean(&C::delete_topic_enable)},
      // 14 bytes: the smallest legacy record (RECORD_OVERHEAD_V0); Kafka's lower bound.
      {"log.segment.bytes", Number(&C::log_segment_bytes, AtLeast<int32_t>(14))},
      {"log.roll.ms", PendingNumber<int64_t>(&P::roll_ms, AtLeast<int64_t>(1))},
      {"log.roll.hours", PendingNumber<int32_t>(&P::roll_hours, AtLeast<int32_t>(1))},
      {"log.roll.jitter.ms", PendingNumber<int64_t>(&P::roll_jitter_ms, AtLeast<int64_t>(0))},
      {"log.roll.jitter.hours",
       PendingNumber<int32_t>(&P::roll_jitter_hours, AtLeast<int32_t>(0))},
      {"log.retention.ms", PendingNumber<int64_t>(&P::retention_ms)},
      {"log.retention.minutes", PendingNumber<int32_t>(&P::retention_minutes)},
      {"log.retention.hours", PendingNumber<int32_t>(&P::retention_hours)},
      {"log.retention.bytes", Number(&C::log_retention_bytes)},
      {"log.retention.check.interval.ms",
       Number(&C::log_retention_check_interval_ms, AtLeast<int64_t>(1))},
      {"log.index.interval.bytes", Number(&C::log_index_interval_bytes, AtLeast<int32_t>(0))},
      // 4 bytes: one offset-index slot at least.
      {"log.index.size.max.bytes", Number(&C::log_index_size_max_bytes, AtLeast<int32_t>(4))},
      {"log.flush.interval.messages",
       Number(&C::log_flush_interval_messages, AtLeast<int64_t>(1))},
      {"log.flush.interval.ms",
       PendingNumber<int64_t>(&P::flush_interval_ms, AtLeast<int64_t>(0))},
      {"log.flush.scheduler.interval.ms",
       Number(&C::log_flush_scheduler_interval_ms, AtLeast<int64_t>(0))},
      {"log.flush.offset.checkpoint.interval.ms",
       Number(&C::log_flush_offset_checkpoint_interval_ms, AtLeast<int32_t>(0))},
      {"log.segment.delete.delay.ms",
       Number(&C::log_segment_delete_delay_ms, AtLeast<int64_t>(0))},
      {"log.message.timestamp.type",
       [](Parsing& p, const std::string& key, const std::string& value) {
         Result<std::string> v = ParseEnum(key, value, {"CreateTime", "LogAppendTime"});
         if (!v.ok()) return v.status();
         p.config.log_message_timestamp_type =
             *v == "CreateTime" ? TimestampType::kCreateTime : TimestampType::kLogAppendTime;
         return Status::Ok();
       }},
      {"log.message.timestamp.difference.max.ms",
       Number(&C::log_message_timestamp_difference_max_ms, AtLeast<int64_t>(0))},
      {"log.message.format.version",
       [](Parsing& p, const std::string&, const std::string& value) {
         p.config.log_message_format_version = Trim(value);
         return Status::Ok();
       }},
      {"log.message.downconversion.enable", Boolean(&C::log_message_downconversion_enable)},
      {"log.cleanup.policy",
       [](Parsing& p, const std::string& key, const std::string& value) {
         std::vector<std::string> policies = SplitList(value);
         for (const std::string& policy : policies) {
           if (policy != "delete" && policy != "compact") {
             return InvalidValue(key, value, "expected a list of [delete,compact]");
           }
         }
         p.config.log_cleanup_policy = policies;
         return Status::Ok();
       }},
      {"log.cleaner.delete.retention.ms",
       Number(&C::log_cleaner_delete_retention_ms, AtLeast<int64_t>(0))},
      {"log.cleaner.min.compaction.lag.ms",
       Number(&C::log_cleaner_min_compaction_lag_ms, AtLeast<int64_t>(0))},
      {"log.cleaner.max.compaction.lag.ms",
       Number(&C::log_cleaner_max_compaction_lag_ms, AtLeast<int64_t>(1))},
      {"log.cleaner.min.cleanable.ratio",
       Number(&C::log_cleaner_min_cleanable_ratio, Between<double>(0, 1))},
      {"log.cleaner.enable", Boolean(&C::log_cleaner_enable)},
      {"log.cleaner.backoff.ms", Number(&C::log_cleaner_backoff_ms, AtLeast<int64_t>(0))},
      // Kafka requires at least 1 MiB per cleaner thread (LogCleaner's validation).
      {"log.cleaner.dedupe.buffer.size",
       Number(&C::log_cleaner_dedupe_buffer_size, AtLeast<int64_t>(1024 * 1024))},
      {"log.preallocate", Boolean(&C::log_preallocate)},
      {"compression.type", OneOf(&C::compression_type, {"uncompressed", "zstd", "lz4", "snappy",
                                                        "gzip", "producer"})},
      {"num.recovery.threads.per.data.dir",
       Number(&C::num_recovery_threads_per_data_dir, AtLeast<int32_t>(1))},
      // replication
      {"min.insync.replicas", Number(&C::min_insync_replicas, AtLeast<int32_t>(1))},
      {"unclean.leader.election.enable", Boolean(&C::unclean_leader_election_enable)},
      {"replica.lag.time.max.ms", Number(&C::replica_lag_time_max_ms, AtLeast<int64_t>(1))},
      {"replica.fetch.max.bytes", Number(&C::replica_fetch_max_bytes, AtLeast<int32_t>(0))},
      {"replica.fetch.min.bytes", Number(&C::replica_fetch_min_bytes, AtLeast<int32_t>(0))},
      {"replica.fetch.wait.max.ms", Number(&C::replica_fetch_wait_max_ms, AtLeast<int32_t>(0))},
      {"replica.fetch.response.max.bytes",
       Number(&C::replica_fetch_response_max_bytes, AtLeast<int32_t>(0))},
      {"replica.fetch.backoff.ms", Number(&C::replica_fetch_backoff_ms, AtLeast<int32_t>(0))},
      {"num.replica.fetchers", Number(&C::num_replica_fetchers, AtLeast<int32_t>(1))},
      {"replica.high.watermark.checkpoint.interval.ms",
       Number(&C::replica_high_watermark_checkpoint_interval_ms, AtLeast<int64_t>(1))},
      {"replica.socket.timeout.ms", Number(&C::replica_socket_timeout_ms, AtLeast<int32_t>(1))},
      {"controller.socket.timeout.ms",
       Number(&C::controller_socket_timeout_ms, AtLeast<int32_t>(1))},
      {"auto.leader.rebalance.enable", Boolean(&C::auto_leader_rebalance_enable)},
      {"leader.imbalance.check.interval.seconds",
       Number(&C::leader_imbalance_check_interval_seconds, AtLeast<int64_t>(1))},
      {"leader.imbalance.per.broker.percentage",
       Number(&C::leader_imbalance_per_broker_percentage, AtLeast<int32_t>(0))},
      {"controlled.shutdown.enable", Boolean(&C::controlled_shutdown_enable)},
      {"controlled.shutdown.max.retries",
       Number(&C::controlled_shutdown_max_retries, AtLeast<int32_t>(0))},
      {"controlled.shutdown.retry.backoff.ms",
       Number(&C::controlled_shutdown_retry_backoff_ms, AtLeast<int64_t>(0))},
      // groups and offsets
      {"offsets.topic.num.partitions",
       Number(&C::offsets_topic_num_partitions, AtLeast<int32_t>(1))},
      {"offsets.topic.replication.factor",
       Number(&C::offsets_topic_replication_factor, AtLeast<int16_t>(1))},
      {"offsets.topic.segment.bytes", Number(&C::offsets_topic_segment_bytes, AtLeast<int32_t>(1))},
      {"offsets.retention.minutes", Number(&C::offsets_retention_minutes, AtLeast<int32_t>(1))},
      {"offsets.commit.timeout.ms", Number(&C::offsets_commit_timeout_ms, AtLeast<int32_t>(1))},
      {"group.initial.rebalance.delay.ms", Number(&C::group_initial_rebalance_delay_ms)},
      {"group.min.session.timeout.ms", Number(&C::group_min_session_timeout_ms)},
      {"group.max.session.timeout.ms", Number(&C::group_max_session_timeout_ms)},
      // ours
      {"sluice.admin.listener",
       [](Parsing& p, const std::string& key, const std::string& value) {
         if (Trim(value).empty()) {
           p.config.admin_listener = std::nullopt;
           return Status::Ok();
         }
         Result<HostPort> hp = ParseHostPort(key, value);
         if (!hp.ok()) return hp.status();
         p.config.admin_listener = *hp;
         return Status::Ok();
       }},
  };
  // clang-format on
  return *table;
}

// Kafka's rule: ms, else minutes, else hours; any negative result means unlimited (-1).
Status ResolveRetention(Parsing& p) {
  int64_t ms = p.retention_ms        ? *p.retention_ms
               : p.retention_minutes ? *p.retention_minutes * kMsPerMinute
                                     : p.retention_hours * kMsPerHour;
  if (ms < 0) ms = kUnlimited;
  if (ms == 0) {
    const char* key = p.retention_ms        ? "log.retention.ms"
                      : p.retention_minutes ? "log.retention.minutes"
                                            : "log.retention.hours";
    return InvalidValue(key, p.config.originals.at(key),
                        "retention must be unlimited (-1) or at least 1 ms");
  }
  p.config.log_retention_ms = ms;
  return Status::Ok();
}

Status ResolveLogDirs(Parsing& p) {
  const char* key = p.log_dirs ? "log.dirs" : "log.dir";
  const std::string& value = p.log_dirs ? *p.log_dirs : p.log_dir;
  std::vector<std::string> dirs = SplitList(value);
  if (dirs.empty()) return InvalidValue(key, value, "at least one directory is required");
  std::set<std::string> seen;
  for (const std::string& dir : dirs) {
    if (!seen.insert(dir).second) return InvalidValue(key, value, "duplicate directory " + dir);
  }
  p.config.log_dirs = dirs;
  return Status::Ok();
}

Status ResolveBrokerId(Parsing& p) {
  if (!p.broker_id) return Status::Ok();
  BrokerConfig& c = p.config;
  const std::string& value = c.originals.at("broker.id");
  if (c.broker_id_generation_enable) {
    if (*p.broker_id < -1 || *p.broker_id > c.reserved_broker_max_id) {
      return InvalidValue("broker.id", value,
                          "must be from -1 to reserved.broker.max.id (" +
                              std::to_string(c.reserved_broker_max_id) + ")");
    }
  } else if (*p.broker_id < 0) {
    return InvalidValue("broker.id", value,
                        "must be at least 0 when broker.id.generation.enable is false");
  }
  c.broker_id = BrokerId(*p.broker_id);
  return Status::Ok();
}

Status ResolveZooKeeper(Parsing& p) {
  if (!p.zookeeper_connect) {
    return Status::InvalidArgument(
        "Missing required configuration zookeeper.connect which has no default value");
  }
  const std::string value = Trim(*p.zookeeper_connect);
  if (value.empty()) return InvalidValue("zookeeper.connect", value, "must not be empty");
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      return InvalidValue("zookeeper.connect", value,
                          "expected host:port[,host:port...][/chroot] without spaces");
    }
  }
  p.config.zookeeper_connect = value;
  p.config.zookeeper_connection_timeout_ms =
      p.zk_connection_timeout_ms.value_or(p.config.zookeeper_session_timeout_ms);
  return Status::Ok();
}

bool IsMetaAddress(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

Status ResolveListeners(Parsing& p, const ParseOptions& options) {
  BrokerConfig& c = p.config;
  if (p.protocol_map) {
    Result<SecurityProtocolMap> map =
        ParseSecurityProtocolMap("listener.security.protocol.map", *p.protocol_map);
    if (!map.ok()) return map.status();
    c.listener_security_protocol_map = *map;
  } else {
    c.listener_security_protocol_map = DefaultSecurityProtocolMap();
  }

  // listeners: explicit, else from the deprecated host.name/port, else PLAINTEXT://:9092.
  std::string listeners_key = "listeners";
  std::string listeners_value = "PLAINTEXT://:9092";
  if (p.listeners) {
    listeners_value = *p.listeners;
  } else if (p.host_name || p.port) {
    listeners_key = p.port ? "port" : "host.name";
    listeners_value = "PLAINTEXT://" + Trim(p.host_name.value_or("")) + ":" +
                      std::to_string(p.port.value_or(9092));
  }
  Result<std::vector<Endpoint>> listeners =
      ParseListeners(listeners_key, listeners_value, c.listener_security_protocol_map);
  if (!listeners.ok()) return listeners.status();
  std::set<int32_t> ports;
  for (const Endpoint& ep : *listeners) {
    // Port 0 (ephemeral, in tests) may repeat; real ports may not.
    if (ep.port != 0 && !ports.insert(ep.port).second) {
      return InvalidValue(
          listeners_key, listeners_value,
          "each listener needs its own port; " + std::to_string(ep.port) + " is used twice");
    }
  }
  c.listeners = *listeners;

  // advertised.listeners: explicit, else from advertised.host.name/port, else listeners.
  std::string advertised_key = "advertised.listeners";
  std::string advertised_value;
  std::vector<Endpoint> advertised;
  if (p.advertised_listeners) {
    advertised_value = *p.advertised_listeners;
  } else if (p.advertised_host_name || p.advertised_port) {
    advertised_key = p.advertised_port ? "advertised.port" : "advertised.host.name";
    advertised_value = "PLAINTEXT://" +
                       Trim(p.advertised_host_name.value_or(p.host_name.value_or(""))) + ":" +
                       std::to_string(p.advertised_port.value_or(p.port.value_or(9092)));
  }
  if (!advertised_value.empty()) {
    Result<std::vector<Endpoint>> parsed =
        ParseListeners(advertised_key, advertised_value, c.listener_security_protocol_map);
    if (!parsed.ok()) return parsed.status();
    advertised = *parsed;
  } else {
    advertised = c.listeners;
    advertised_value = JoinList([&] {
      std::vector<std::string> s;
      for (const Endpoint& ep : c.listeners) s.push_back(ep.ConnectionString());
      return s;
    }());
  }
  std::string host;  // looked up once, only if needed
  for (Endpoint& ep : advertised) {
    if (IsMetaAddress(ep.host)) {
      return InvalidValue(advertised_key, advertised_value,
                          "the meta-address " + ep.host +
                              " cannot be advertised to clients; set advertised.listeners to a "
                              "routable host (it defaults to listeners)");
    }
    bool known = false;
    for (const Endpoint& l : c.listeners) known = known || l.listener_name == ep.listener_name;
    if (!known) {
      return InvalidValue(advertised_key, advertised_value,
                          "listener " + ep.listener_name + " is not defined in listeners");
    }
    if (ep.host.empty()) {
      if (host.empty()) {
        host =
            options.canonical_host_name ? options.canonical_host_name() : LocalCanonicalHostName();
      }
      ep.host = host;
    }
  }
  c.advertised_listeners = advertised;

  // The listener other brokers (and the controller broker) use to reach this one.
  if (p.inter_broker_listener_name && p.security_inter_broker_protocol) {
    return Status::InvalidArgument(
        "Only one of inter.broker.listener.name and security.inter.broker.protocol may be set");
  }
  std::string inter_key = "inter.broker.listener.name";
  std::string inter_value = "PLAINTEXT";
  if (p.inter_broker_listener_name) {
    inter_value = *p.inter_broker_listener_name;
  } else if (p.security_inter_broker_protocol) {
    inter_key = "security.inter.broker.protocol";
    inter_value = *p.security_inter_broker_protocol;
    if (!SecurityProtocolFromName(Trim(inter_value))) {
      return InvalidValue(inter_key, inter_value,
                          "expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    }
  }
  std::string inter_name;
  for (char ch : Trim(inter_value)) inter_name += static_cast<char>(std::toupper(ch));
  std::vector<std::string> names;
  for (const Endpoint& ep : advertised) names.push_back(ep.listener_name);
  bool found = false;
  for (const std::string& n : names) found = found || n == inter_name;
  if (!found) {
    return InvalidValue(
        inter_key, inter_value,
        "must name a listener in advertised.listeners (one of [" + JoinList(names) + "])");
  }
  c.inter_broker_listener_name = inter_name;
  return Status::Ok();
}

}  // namespace

const char* TimestampTypeName(TimestampType t) {
  return t == TimestampType::kCreateTime ? "CreateTime" : "LogAppendTime";
}

Result<BrokerConfig> ParseBrokerConfig(const std::map<std::string, std::string>& properties,
                                       const ParseOptions& options) {
  Parsing p;
  p.config.originals = properties;
  const auto& appliers = Appliers();
  for (const auto& [key, value] : properties) {
    auto it = appliers.find(key);
    if (it != appliers.end()) {
      SLUICE_RETURN_IF_ERROR(it->second(p, key, value));
    } else if (IsIgnoredKafkaBrokerKey(key)) {
      p.config.ignored_keys.push_back(key);
    } else {
      p.config.warnings.push_back("The configuration '" + key +
                                  "' was supplied but isn't a known config.");
    }
  }

  SLUICE_RETURN_IF_ERROR(ResolveBrokerId(p));
  SLUICE_RETURN_IF_ERROR(ResolveZooKeeper(p));
  SLUICE_RETURN_IF_ERROR(ResolveRetention(p));
  p.config.log_roll_ms = p.roll_ms.value_or(p.roll_hours * kMsPerHour);
  p.config.log_roll_jitter_ms = p.roll_jitter_ms.value_or(p.roll_jitter_hours * kMsPerHour);
  p.config.log_flush_interval_ms =
      p.flush_interval_ms.value_or(p.config.log_flush_scheduler_interval_ms);
  SLUICE_RETURN_IF_ERROR(ResolveLogDirs(p));
  SLUICE_RETURN_IF_ERROR(ResolveListeners(p, options));
  return std::move(p.config);
}

Result<BrokerConfig> LoadBrokerConfig(const std::string& path,
                                      const std::vector<std::string>& overrides,
                                      const ParseOptions& options) {
  Result<std::map<std::string, std::string>> properties = ReadPropertiesFile(path);
  if (!properties.ok()) return properties.status();
  for (const std::string& arg : overrides) {
    Result<std::pair<std::string, std::string>> kv = ParseOverride(arg);
    if (!kv.ok()) return kv.status();
    (*properties)[kv->first] = kv->second;
  }
  return ParseBrokerConfig(*properties, options);
}

}  // namespace sluice::config

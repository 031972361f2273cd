#include "broker/server/handlers/describe_configs.h"

#include <map>
#include <optional>
#include <set>

#include "broker/config/config_values.h"
#include "broker/config/topic_config.h"
#include "libs/kafka/messages/describe_configs.h"

namespace sluice::server {

using config::ConfigSource;
using config::ConfigType;
using kafka::ErrorCode;
using Request = kafka::DescribeConfigsRequest;
using Response = kafka::DescribeConfigsResponse;

namespace {

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

// What the client asked to see.
struct View {
  std::optional<std::set<std::string>> keys;  // nullopt: every key
  bool synonyms = false;
  bool documentation = false;
  bool Wants(const std::string& key) const { return !keys || keys->count(key) > 0; }
};

// One entry before it is put on the wire.
struct Described {
  std::string name;
  std::optional<std::string> value;
  ConfigSource source = ConfigSource::kDefaultConfig;
  ConfigType type = ConfigType::kUnknown;
  bool read_only = false;
  bool is_sensitive = false;
  std::string_view documentation;
  std::vector<config::ConfigSynonym> synonyms;
};

Response::DescribeConfigsResourceResult ToWire(Described d, const View& view) {
  Response::DescribeConfigsResourceResult out;
  out.name = std::move(d.name);
  out.value = d.is_sensitive ? std::nullopt : std::move(d.value);
  out.read_only = d.read_only;
  out.is_default = d.source == ConfigSource::kDefaultConfig;  // v0's view of the source
  out.config_source = static_cast<int8_t>(d.source);
  out.is_sensitive = d.is_sensitive;
  out.config_type = static_cast<int8_t>(d.type);
  out.documentation = view.documentation && !d.documentation.empty()
                          ? std::optional<std::string>(std::string(d.documentation))
                          : std::nullopt;
  if (view.synonyms) {
    for (auto& s : d.synonyms) {
      auto& synonym = out.synonyms.emplace_back();
      synonym.name = std::move(s.name);
      synonym.value =
          d.is_sensitive ? std::nullopt : std::optional<std::string>(std::move(s.value));
      synonym.source = static_cast<int8_t>(s.source);
    }
  }
  return out;
}

void Fail(Response::DescribeConfigsResult& result, ErrorCode code, std::string message) {
  result.error_code = kafka::Code(code);
  result.error_message = std::move(message);
  result.configs.clear();
}

// ---- topics ----------------------------------------------------------------------------

void DescribeTopic(BrokerServices& services, const View& view,
                   Response::DescribeConfigsResult& result) {
  const std::string& topic = result.resource_name;
  if (Status st = metadata::ValidateTopicName(topic); !st.ok()) {
    return Fail(result, ErrorCode::kInvalidTopicException, st.message());
  }
  // The metadata cache may lag a topic created a moment ago; ZooKeeper decides.
  if (!services.metadata.topic(topic)) {
    auto assignment = services.zk.GetTopicAssignment(topic);
    if (!assignment.ok()) {
      if (assignment.status().code() == Status::Code::kNotFound) {
        return Fail(result, ErrorCode::kUnknownTopicOrPartition,
                    "The topic '" + topic + "' does not exist.");
      }
      return Fail(result, ErrorCode::kUnknownServerError, assignment.status().message());
    }
  }
  auto overrides = services.zk.GetTopicConfig(topic);
  if (!overrides.ok()) {
    return Fail(result, ErrorCode::kUnknownServerError, overrides.status().message());
  }
  // An override written by another tool may be unknown or invalid; it cannot be described, but
  // it must not hide the rest of the topic's configuration.
  std::map<std::string, std::string> usable;
  for (const auto& [key, value] : *overrides) {
    if (config::ValidateTopicConfig(key, value).ok()) usable[key] = value;
  }
  auto resolved = config::ResolveTopicConfig(services.config, usable);
  if (!resolved.ok())
    return Fail(result, ErrorCode::kUnknownServerError, resolved.status().message());
  for (const auto& entry : resolved->entries) {
    if (!view.Wants(entry.name)) continue;
    result.configs.push_back(
        ToWire({entry.name, entry.value, entry.source, entry.type, entry.read_only,
                entry.is_sensitive, entry.documentation, entry.synonyms},
               view));
  }
}

// ---- this broker -----------------------------------------------------------------------

std::string Str(int64_t v) { return std::to_string(v); }
std::string Str(bool v) { return v ? "true" : "false"; }
std::string Endpoints(const std::vector<config::Endpoint>& endpoints) {
  std::vector<std::string> items;
  for (const auto& e : endpoints) items.push_back(e.ConnectionString());
  return config::JoinList(items);
}

// Broker keys that are not a topic key's synonym, with how to render them from a BrokerConfig
// (nullopt: no value, as Kafka shows an unset optional key).
struct BrokerKey {
  std::string_view name;
  ConfigType type;
  std::string_view documentation;
  std::optional<std::string> (*render)(const config::BrokerConfig& b);
};

using B = const config::BrokerConfig&;
using T = ConfigType;

const std::vector<BrokerKey>& GeneralBrokerKeys() {
  // clang-format off
  static const std::vector<BrokerKey> keys = {
      {"advertised.listeners", T::kString, "Listeners published to ZooKeeper for clients.",
       [](B b) -> std::optional<std::string> { return Endpoints(b.advertised_listeners); }},
      {"auto.create.topics.enable", T::kBoolean, "Create a topic when a client asks for it.",
       [](B b) -> std::optional<std::string> { return Str(b.auto_create_topics_enable); }},
      {"auto.leader.rebalance.enable", T::kBoolean, "Move leadership back to preferred replicas.",
       [](B b) -> std::optional<std::string> { return Str(b.auto_leader_rebalance_enable); }},
      {"broker.id", T::kInt, "This broker's id.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.broker_id.value()}); }},
      {"broker.id.generation.enable", T::kBoolean, "Generate a broker id from ZooKeeper.",
       [](B b) -> std::optional<std::string> { return Str(b.broker_id_generation_enable); }},
      {"broker.rack", T::kString, "This broker's rack.",
       [](B b) -> std::optional<std::string> { return b.broker_rack; }},
      {"controlled.shutdown.enable", T::kBoolean, "Move leadership away before shutting down.",
       [](B b) -> std::optional<std::string> { return Str(b.controlled_shutdown_enable); }},
      {"default.replication.factor", T::kInt, "Replication factor of automatically created topics.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.default_replication_factor}); }},
      {"delete.topic.enable", T::kBoolean, "Whether topics may be deleted.",
       [](B b) -> std::optional<std::string> { return Str(b.delete_topic_enable); }},
      {"group.initial.rebalance.delay.ms", T::kInt, "Delay of a new group's first rebalance.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.group_initial_rebalance_delay_ms}); }},
      {"group.max.session.timeout.ms", T::kInt, "Largest session timeout a member may ask for.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.group_max_session_timeout_ms}); }},
      {"group.min.session.timeout.ms", T::kInt, "Smallest session timeout a member may ask for.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.group_min_session_timeout_ms}); }},
      {"inter.broker.listener.name", T::kString, "Listener brokers use between themselves.",
       [](B b) -> std::optional<std::string> { return b.inter_broker_listener_name; }},
      {"listeners", T::kString, "Addresses the broker listens on.",
       [](B b) -> std::optional<std::string> { return Endpoints(b.listeners); }},
      {"log.dirs", T::kString, "Directories holding the partitions' logs.",
       [](B b) -> std::optional<std::string> { return config::JoinList(b.log_dirs); }},
      {"log.flush.offset.checkpoint.interval.ms", T::kInt, "How often the recovery points are checkpointed.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.log_flush_offset_checkpoint_interval_ms}); }},
      {"log.retention.check.interval.ms", T::kLong, "How often logs are checked for retention.",
       [](B b) -> std::optional<std::string> { return Str(b.log_retention_check_interval_ms); }},
      {"num.io.threads", T::kInt, "Threads processing requests.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.num_io_threads}); }},
      {"num.network.threads", T::kInt, "Threads serving the network.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.num_network_threads}); }},
      {"num.partitions", T::kInt, "Partition count of automatically created topics.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.num_partitions}); }},
      {"num.recovery.threads.per.data.dir", T::kInt, "Threads recovering each log directory.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.num_recovery_threads_per_data_dir}); }},
      {"offsets.retention.minutes", T::kInt, "How long committed offsets of empty groups are kept.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.offsets_retention_minutes}); }},
      {"offsets.topic.num.partitions", T::kInt, "Partitions of __consumer_offsets.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.offsets_topic_num_partitions}); }},
      {"offsets.topic.replication.factor", T::kShort, "Replication factor of __consumer_offsets.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.offsets_topic_replication_factor}); }},
      {"replica.lag.time.max.ms", T::kLong, "How long a follower may lag before leaving the ISR.",
       [](B b) -> std::optional<std::string> { return Str(b.replica_lag_time_max_ms); }},
      {"reserved.broker.max.id", T::kInt, "Largest broker id that is never generated.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.reserved_broker_max_id}); }},
      {"socket.receive.buffer.bytes", T::kInt, "SO_RCVBUF of client sockets (-1: the OS default).",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.socket_receive_buffer_bytes}); }},
      {"socket.request.max.bytes", T::kInt, "Largest request accepted.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.socket_request_max_bytes}); }},
      {"socket.send.buffer.bytes", T::kInt, "SO_SNDBUF of client sockets (-1: the OS default).",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.socket_send_buffer_bytes}); }},
      {"zookeeper.connect", T::kString, "ZooKeeper connection string.",
       [](B b) -> std::optional<std::string> { return b.zookeeper_connect; }},
      {"zookeeper.connection.timeout.ms", T::kInt, "How long to wait for a ZooKeeper connection.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.zookeeper_connection_timeout_ms}); }},
      {"zookeeper.session.timeout.ms", T::kInt, "ZooKeeper session timeout.",
       [](B b) -> std::optional<std::string> { return Str(int64_t{b.zookeeper_session_timeout_ms}); }},
  };
  // clang-format on
  return keys;
}

bool LooksSensitive(const std::string& key) {
  return key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
         key.find("sasl.jaas.config") != std::string::npos;
}

// `synonyms` are the keys this one's value may come from, highest priority first (the key
// itself first). Source and synonyms follow topic_config.h's resolution.
Described DescribeBrokerKey(const config::BrokerConfig& broker, const std::string& name,
                            ConfigType type, std::string_view documentation,
                            std::optional<std::string> value,
                            std::optional<std::string> default_value,
                            const std::vector<std::string_view>& synonyms) {
  Described d;
  d.name = name;
  d.value = std::move(value);
  d.type = type;
  d.read_only = true;  // no dynamic broker configuration
  d.documentation = documentation;
  d.is_sensitive = type == ConfigType::kPassword || LooksSensitive(name);
  for (std::string_view synonym : synonyms) {
    auto it = broker.originals.find(std::string(synonym));
    if (it != broker.originals.end()) {
      d.synonyms.push_back(
          {std::string(synonym), config::Trim(it->second), ConfigSource::kStaticBrokerConfig});
    }
  }
  d.source = d.synonyms.empty() ? ConfigSource::kDefaultConfig : ConfigSource::kStaticBrokerConfig;
  if (default_value) d.synonyms.push_back({name, *default_value, ConfigSource::kDefaultConfig});
  return d;
}

std::map<std::string, Described> DescribeBroker(const config::BrokerConfig& broker) {
  static const config::BrokerConfig kDefaults;
  std::map<std::string, Described> out;
  for (const BrokerKey& key : GeneralBrokerKeys()) {
    const std::string name(key.name);
    out.emplace(name, DescribeBrokerKey(broker, name, key.type, key.documentation,
                                        key.render(broker), key.render(kDefaults), {key.name}));
  }
  // The broker-level keys behind topic keys (log.retention.ms, message.max.bytes, ...).
  for (const config::TopicConfigSpec& spec : config::TopicConfigSpecs()) {
    if (spec.broker_synonyms.empty()) continue;
    const std::string name(spec.broker_synonyms.front());
    out.emplace(name, DescribeBrokerKey(broker, name, spec.type, spec.documentation,
                                        spec.broker_value(broker), spec.broker_value(kDefaults),
                                        spec.broker_synonyms));
  }
  // Everything else given in server.properties, as written.
  for (const auto& [key, value] : broker.originals) {
    if (out.count(key)) continue;
    Described d = DescribeBrokerKey(broker, key, ConfigType::kString, {}, config::Trim(value),
                                    std::nullopt, {key});
    out.emplace(key, std::move(d));
  }
  return out;
}

void DescribeThisBroker(BrokerServices& services, const View& view,
                        Response::DescribeConfigsResult& result) {
  const std::string& name = result.resource_name;
  // The cluster-wide dynamic defaults (/config/brokers/<default>): none can be set here.
  if (name.empty()) return;
  auto id = config::ParseInt32("broker id", name);
  if (!id.ok()) {
    return Fail(result, ErrorCode::kInvalidRequest,
                "Broker id must be an integer, but it is: " + name);
  }
  const int32_t self = services.config.broker_id.value();
  if (*id != self) {
    return Fail(result, ErrorCode::kInvalidRequest,
                "Unexpected broker id, expected " + std::to_string(self) +
                    " or empty string, but received " + name);
  }
  for (auto& [key, described] : DescribeBroker(services.config)) {
    if (view.Wants(key)) result.configs.push_back(ToWire(std::move(described), view));
  }
}

void Handle(BrokerServices& services, const RequestContext& ctx, Request request,
            std::function<void(Response)> respond) {
  View view;
  view.synonyms = ctx.api_version >= 1 && request.include_synonyms;
  view.documentation = ctx.api_version >= 3 && request.include_documentation;
  Response response;
  for (const auto& resource : request.resources) {
    View resource_view = view;
    if (resource.configuration_keys) {
      resource_view.keys.emplace(resource.configuration_keys->begin(),
                                 resource.configuration_keys->end());
    }
    auto& result = response.results.emplace_back();
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    result.error_message = std::nullopt;
    switch (resource.resource_type) {
      case kTopicResource:
        DescribeTopic(services, resource_view, result);
        break;
      case kBrokerResource:
        DescribeThisBroker(services, resource_view, result);
        break;
      default:
        Fail(result, ErrorCode::kInvalidRequest,
             "Unsupported resource type " + std::to_string(resource.resource_type) +
                 " (only TOPIC and BROKER configs can be described).");
    }
  }
  respond(std::move(response));
}

}  // namespace

void RegisterDescribeConfigs(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "DescribeConfigs", [&services](const RequestContext& ctx, Request request,
                                     std::function<void(Response)> respond) {
        Handle(services, ctx, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server

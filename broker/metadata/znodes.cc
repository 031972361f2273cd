#include "broker/metadata/znodes.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <limits>
#include <sstream>

namespace sluice::metadata {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// ---- JSON writing ---------------------------------------------------------------------------

Object OrderedObject() { return Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string Stringify(const Object& object) {
  std::ostringstream out;
  object.stringify(out);  // compact: no spaces, '/' not escaped, UTF-8 kept as is
  return out.str();
}

Array BrokerIdArray(const std::vector<BrokerId>& ids) {
  Array array;
  for (BrokerId id : ids) array.add(id.value());
  return array;
}

Object AssignmentObject(const PartitionAssignment& assignment) {
  Object object = OrderedObject();
  for (const auto& [partition, replicas] : assignment) {
    object.set(std::to_string(partition.value()), BrokerIdArray(replicas));
  }
  return object;
}

// ---- JSON reading ---------------------------------------------------------------------------
// Each helper names the znode ("what") so a Corruption says where the bad bytes came from.

Status Malformed(std::string_view what, std::string_view detail) {
  return Status::Corruption(std::string(what) + ": " + std::string(detail));
}

Result<Object::Ptr> ParseObject(std::string_view what, std::string_view bytes) {
  try {
    Poco::JSON::Parser parser;
    Var parsed = parser.parse(std::string(bytes));
    if (parsed.type() != typeid(Object::Ptr)) return Malformed(what, "JSON is not an object");
    Object::Ptr object = parsed.extract<Object::Ptr>();
    if (object.isNull()) return Malformed(what, "JSON is not an object");
    return object;
  } catch (const std::exception& e) {
    return Malformed(what, std::string("invalid JSON (") + e.what() + "): '" +
                               std::string(bytes.substr(0, 200)) + "'");
  }
}

bool IsJsonInteger(const Var& value) {
  return !value.isEmpty() && value.isInteger() && !value.isBoolean();
}

template <typename Int>
Result<Int> ToInt(std::string_view what, const std::string& key, const Var& value) {
  if (!IsJsonInteger(value)) return Malformed(what, "\"" + key + "\" is not an integer");
  try {
    if (value.isSigned()) {
      auto v = value.convert<Poco::Int64>();
      if (v >= std::numeric_limits<Int>::min() && v <= std::numeric_limits<Int>::max()) {
        return static_cast<Int>(v);
      }
    } else {
      auto v = value.convert<Poco::UInt64>();
      if (v <= static_cast<Poco::UInt64>(std::numeric_limits<Int>::max())) {
        return static_cast<Int>(v);
      }
    }
  } catch (const std::exception&) {
  }
  return Malformed(what, "\"" + key + "\" is out of range");
}

template <typename Int>
Result<Int> RequiredInt(std::string_view what, const Object::Ptr& object, const std::string& key) {
  if (!object->has(key)) return Malformed(what, "missing \"" + key + "\"");
  return ToInt<Int>(what, key, object->get(key));
}

Result<std::string> RequiredString(std::string_view what, const Object::Ptr& object,
                                   const std::string& key) {
  Var value = object->get(key);
  if (!object->has(key)) return Malformed(what, "missing \"" + key + "\"");
  if (!value.isString()) return Malformed(what, "\"" + key + "\" is not a string");
  return value.extract<std::string>();
}

// A decimal integer string such as Kafka's "timestamp":"1620000000000".
Result<int64_t> ParseDecimal(std::string_view what, std::string_view key, std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Malformed(
        what, "\"" + std::string(key) + "\" is not a decimal integer: '" + std::string(text) + "'");
  }
  return value;
}

Result<std::vector<BrokerId>> ToBrokerIds(std::string_view what, const std::string& key,
                                          const Var& value) {
  if (value.type() != typeid(Array::Ptr)) return Malformed(what, "\"" + key + "\" is not an array");
  Array::Ptr array = value.extract<Array::Ptr>();
  std::vector<BrokerId> ids;
  for (size_t i = 0; i < array->size(); ++i) {
    auto id = ToInt<int32_t>(what, key, array->get(static_cast<unsigned>(i)));
    if (!id.ok()) return id.status();
    ids.emplace_back(*id);
  }
  return ids;
}

// {"0":[1,2],"1":[2,3]}; an absent key decodes to an empty assignment.
Result<PartitionAssignment> ToAssignment(std::string_view what, const Object::Ptr& object,
                                         const std::string& key) {
  PartitionAssignment assignment;
  if (!object->has(key) || object->isNull(key)) return assignment;
  Object::Ptr partitions = object->getObject(key);
  if (partitions.isNull()) return Malformed(what, "\"" + key + "\" is not an object");
  for (const auto& [name, replicas] : *partitions) {
    auto partition = ParseDecimal(what, key + " partition", name);
    if (!partition.ok()) return partition.status();
    if (*partition < 0 || *partition > std::numeric_limits<int32_t>::max()) {
      return Malformed(what, "partition " + name + " is out of range");
    }
    auto ids = ToBrokerIds(what, key + "." + name, replicas);
    if (!ids.ok()) return ids.status();
    assignment.emplace(PartitionId(static_cast<int32_t>(*partition)), std::move(*ids));
  }
  return assignment;
}

// Kafka's EndPoint.createEndPoint: "<listener>://<host>:<port>", host optionally in brackets.
Result<BrokerEndpoint> ParseEndpoint(std::string_view what, std::string_view text,
                                     const std::map<std::string, std::string>& protocol_map) {
  auto bad = [&] { return Malformed(what, "malformed endpoint '" + std::string(text) + "'"); };
  size_t scheme_end = text.find("://");
  size_t port_colon = text.rfind(':');
  if (scheme_end == std::string_view::npos || scheme_end == 0 || port_colon < scheme_end + 3) {
    return bad();
  }
  BrokerEndpoint endpoint;
  endpoint.listener_name = std::string(text.substr(0, scheme_end));
  std::string_view host = text.substr(scheme_end + 3, port_colon - scheme_end - 3);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  endpoint.host = std::string(host);
  auto port = ParseDecimal(what, "port", text.substr(port_colon + 1));
  if (!port.ok() || *port < -1 || *port > 65535) return bad();
  endpoint.port = static_cast<int32_t>(*port);
  if (protocol_map.empty()) {
    endpoint.security_protocol = endpoint.listener_name;  // v2/v3: the name is the protocol
  } else {
    auto it = protocol_map.find(endpoint.listener_name);
    if (it == protocol_map.end()) {
      return Malformed(what, "listener " + endpoint.listener_name +
                                 " is missing from listener_security_protocol_map");
    }
    endpoint.security_protocol = it->second;
  }
  return endpoint;
}

// Runs a decoder body, turning any exception from Poco into Corruption: decoders never throw.
template <typename T, typename F>
Result<T> Guarded(std::string_view what, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Malformed(what, e.what());
  }
}

}  // namespace

std::vector<std::string> PersistentZkPaths() {
  return {"/consumers",
          BrokerIdsZNode::Path(),
          TopicsZNode::Path(),
          ConfigEntityChangeNotificationZNode::Path(),
          DeleteTopicsZNode::Path(),
          "/brokers/seqid",
          IsrChangeNotificationZNode::Path(),
          "/latest_producer_id_block",
          "/log_dir_event_notification",
          ConfigEntityZNode::Path(kConfigTypeTopic, ""),
          ConfigEntityZNode::Path(kConfigTypeClient, ""),
          ConfigEntityZNode::Path(kConfigTypeUser, ""),
          ConfigEntityZNode::Path(kConfigTypeBroker, "")};
}

// ---- /controller ----------------------------------------------------------------------------

std::string ControllerZNode::Path() { return "/controller"; }

std::string ControllerZNode::Encode(const ControllerRegistration& controller) {
  Object object = OrderedObject();
  object.set("version", 1);
  object.set("brokerid", controller.broker_id.value());
  object.set("timestamp", std::to_string(controller.timestamp_ms));
  return Stringify(object);
}

Result<ControllerRegistration> ControllerZNode::Decode(std::string_view bytes) {
  constexpr std::string_view kWhat = "/controller";
  return Guarded<ControllerRegistration>(kWhat, [&]() -> Result<ControllerRegistration> {
    auto object = ParseObject(kWhat, bytes);
    if (!object.ok()) return object.status();
    auto broker = RequiredInt<int32_t>(kWhat, *object, "brokerid");
    if (!broker.ok()) return broker.status();
    ControllerRegistration controller{BrokerId(*broker), 0};
    if ((*object)->has("timestamp")) {
      auto text = RequiredString(kWhat, *object, "timestamp");
      if (!text.ok()) return text.status();
      auto ms = ParseDecimal(kWhat, "timestamp", *text);
      if (!ms.ok()) return ms.status();
      controller.timestamp_ms = *ms;
    }
    return controller;
  });
}

std::string ControllerEpochZNode::Path() { return "/controller_epoch"; }

std::string ControllerEpochZNode::Encode(ControllerEpoch epoch) {
  return std::to_string(epoch.value());
}

Result<ControllerEpoch> ControllerEpochZNode::Decode(std::string_view bytes) {
  auto value = ParseDecimal("/controller_epoch", "epoch", bytes);
  if (!value.ok()) return value.status();
  if (*value < 0 || *value > std::numeric_limits<int32_t>::max()) {
    return Malformed("/controller_epoch", "epoch out of range: " + std::string(bytes));
  }
  return ControllerEpoch(static_cast<int32_t>(*value));
}

// ---- /brokers/ids/<id> ----------------------------------------------------------------------

std::string BrokerEndpoint::ConnectionString() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return listener_name + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

const BrokerEndpoint* BrokerRegistration::PlaintextEndpoint() const {
  for (const BrokerEndpoint& endpoint : endpoints) {
    if (endpoint.security_protocol == "PLAINTEXT") return &endpoint;
  }
  return nullptr;
}

std::string BrokerIdsZNode::Path() { return "/brokers/ids"; }

std::string BrokerIdZNode::Path(BrokerId id) {
  return BrokerIdsZNode::Path() + "/" + std::to_string(id.value());
}

std::string BrokerIdZNode::Encode(const BrokerRegistration& broker) {
  // Old clients read the top-level host/port: the first PLAINTEXT endpoint, or null/-1.
  const BrokerEndpoint* plaintext = broker.PlaintextEndpoint();
  Object object = OrderedObject();
  object.set("version", 5);
  object.set("host", plaintext != nullptr ? Var(plaintext->host) : Var());
  object.set("port", plaintext != nullptr ? plaintext->port : -1);
  object.set("jmx_port", broker.jmx_port);
  object.set("timestamp", std::to_string(broker.timestamp_ms));
  Array endpoints;
  Object protocol_map = OrderedObject();
  for (const BrokerEndpoint& endpoint : broker.endpoints) {
    endpoints.add(endpoint.ConnectionString());
    protocol_map.set(endpoint.listener_name, endpoint.security_protocol);
  }
  object.set("endpoints", endpoints);
  object.set("listener_security_protocol_map", protocol_map);
  if (broker.rack) object.set("rack", *broker.rack);
  object.set("features", OrderedObject());
  return Stringify(object);
}

Result<BrokerRegistration> BrokerIdZNode::Decode(BrokerId id, std::string_view bytes) {
  std::string what = BrokerIdZNode::Path(id);
  return Guarded<BrokerRegistration>(what, [&]() -> Result<BrokerRegistration> {
    auto object = ParseObject(what, bytes);
    if (!object.ok()) return object.status();
    const Object::Ptr& json = *object;
    BrokerRegistration broker;
    broker.id = id;
    auto version = RequiredInt<int32_t>(what, json, "version");
    if (!version.ok()) return version.status();
    if (*version < 1 || *version > 5) {
      return Malformed(what, "unsupported registration version " + std::to_string(*version));
    }
    broker.version = *version;
    auto jmx_port = RequiredInt<int32_t>(what, json, "jmx_port");
    if (!jmx_port.ok()) return jmx_port.status();
    broker.jmx_port = *jmx_port;
    if (json->has("timestamp")) {
      auto text = RequiredString(what, json, "timestamp");
      if (!text.ok()) return text.status();
      auto ms = ParseDecimal(what, "timestamp", *text);
      if (!ms.ok()) return ms.status();
      broker.timestamp_ms = *ms;
    }
    if (broker.version == 1) {
      auto host = RequiredString(what, json, "host");
      if (!host.ok()) return host.status();
      auto port = RequiredInt<int32_t>(what, json, "port");
      if (!port.ok()) return port.status();
      broker.endpoints.push_back(BrokerEndpoint{"PLAINTEXT", *host, *port, "PLAINTEXT"});
    } else {
      std::map<std::string, std::string> protocol_map;
      if (json->has("listener_security_protocol_map") &&
          !json->isNull("listener_security_protocol_map")) {
        Object::Ptr map = json->getObject("listener_security_protocol_map");
        if (map.isNull()) return Malformed(what, "listener_security_protocol_map is not an object");
        for (const auto& [listener, protocol] : *map) {
          if (!protocol.isString()) return Malformed(what, "security protocol is not a string");
          protocol_map[listener] = protocol.extract<std::string>();
        }
      }
      Array::Ptr endpoints = json->getArray("endpoints");
      if (endpoints.isNull()) return Malformed(what, "missing \"endpoints\" array");
      for (size_t i = 0; i < endpoints->size(); ++i) {
        Var text = endpoints->get(static_cast<unsigned>(i));
        if (!text.isString()) return Malformed(what, "endpoint is not a string");
        auto endpoint = ParseEndpoint(what, text.extract<std::string>(), protocol_map);
        if (!endpoint.ok()) return endpoint.status();
        broker.endpoints.push_back(std::move(*endpoint));
      }
    }
    if (json->has("rack") && !json->isNull("rack")) {
      auto rack = RequiredString(what, json, "rack");
      if (!rack.ok()) return rack.status();
      broker.rack = *rack;
    }
    return broker;
  });
}

// ---- /brokers/topics/<t> --------------------------------------------------------------------

std::string TopicsZNode::Path() { return "/brokers/topics"; }

std::string TopicZNode::Path(std::string_view topic) {
  return TopicsZNode::Path() + "/" + std::string(topic);
}

std::string TopicZNode::Encode(const TopicAssignment& assignment) {
  Object object = OrderedObject();
  object.set("version", 3);
  object.set("partitions", AssignmentObject(assignment.partitions));
  object.set("adding_replicas", AssignmentObject(assignment.adding_replicas));
  object.set("removing_replicas", AssignmentObject(assignment.removing_replicas));
  if (assignment.topic_id) object.set("topic_id", assignment.topic_id->ToBase64Url());
  return Stringify(object);
}

Result<TopicAssignment> TopicZNode::Decode(std::string_view bytes) {
  constexpr std::string_view kWhat = "topic znode";
  return Guarded<TopicAssignment>(kWhat, [&]() -> Result<TopicAssignment> {
    auto object = ParseObject(kWhat, bytes);
    if (!object.ok()) return object.status();
    TopicAssignment assignment;
    auto partitions = ToAssignment(kWhat, *object, "partitions");
    if (!partitions.ok()) return partitions.status();
    assignment.partitions = std::move(*partitions);
    auto adding = ToAssignment(kWhat, *object, "adding_replicas");
    if (!adding.ok()) return adding.status();
    assignment.adding_replicas = std::move(*adding);
    auto removing = ToAssignment(kWhat, *object, "removing_replicas");
    if (!removing.ok()) return removing.status();
    assignment.removing_replicas = std::move(*removing);
    if ((*object)->has("topic_id") && !(*object)->isNull("topic_id")) {
      auto text = RequiredString(kWhat, *object, "topic_id");
      if (!text.ok()) return text.status();
      auto id = Uuid::FromBase64Url(*text);
      if (!id.ok()) return Malformed(kWhat, id.status().message());
      assignment.topic_id = *id;
    }
    return assignment;
  });
}

std::string TopicPartitionsZNode::Path(std::string_view topic) {
  return TopicZNode::Path(topic) + "/partitions";
}

std::string TopicPartitionZNode::Path(std::string_view topic, PartitionId partition) {
  return TopicPartitionsZNode::Path(topic) + "/" + std::to_string(partition.value());
}

// ---- partition state ------------------------------------------------------------------------

std::string TopicPartitionStateZNode::Path(std::string_view topic, PartitionId partition) {
  return TopicPartitionZNode::Path(topic, partition) + "/state";
}

std::string TopicPartitionStateZNode::Encode(const PartitionState& state) {
  Object object = OrderedObject();
  object.set("version", 1);
  object.set("leader", state.leader.value());
  object.set("leader_epoch", state.leader_epoch.value());
  object.set("controller_epoch", state.controller_epoch.value());
  object.set("isr", BrokerIdArray(state.isr));
  return Stringify(object);
}

Result<PartitionState> TopicPartitionStateZNode::Decode(std::string_view bytes,
                                                        int32_t zk_version) {
  constexpr std::string_view kWhat = "partition state znode";
  return Guarded<PartitionState>(kWhat, [&]() -> Result<PartitionState> {
    auto object = ParseObject(kWhat, bytes);
    if (!object.ok()) return object.status();
    const Object::Ptr& json = *object;
    auto leader = RequiredInt<int32_t>(kWhat, json, "leader");
    if (!leader.ok()) return leader.status();
    auto leader_epoch = RequiredInt<int32_t>(kWhat, json, "leader_epoch");
    if (!leader_epoch.ok()) return leader_epoch.status();
    auto controller_epoch = RequiredInt<int32_t>(kWhat, json, "controller_epoch");
    if (!controller_epoch.ok()) return controller_epoch.status();
    if (!json->has("isr")) return Malformed(kWhat, "missing \"isr\"");
    auto isr = ToBrokerIds(kWhat, "isr", json->get("isr"));
    if (!isr.ok()) return isr.status();
    PartitionState state;
    state.leader = BrokerId(*leader);
    state.leader_epoch = LeaderEpoch(*leader_epoch);
    state.isr = std::move(*isr);
    state.controller_epoch = ControllerEpoch(*controller_epoch);
    state.zk_version = zk_version;
    return state;
  });
}

// ---- /config --------------------------------------------------------------------------------

std::string ConfigEntityZNode::Path(std::string_view entity_type, std::string_view entity_name) {
  std::string path = "/config/" + std::string(entity_type);
  if (!entity_name.empty()) path += "/" + std::string(entity_name);
  return path;
}

std::string ConfigEntityZNode::Encode(const ConfigMap& config) {
  Object entries = OrderedObject();
  for (const auto& [key, value] : config) entries.set(key, value);
  Object object = OrderedObject();
  object.set("version", 1);
  object.set("config", entries);
  return Stringify(object);
}

Result<ConfigMap> ConfigEntityZNode::Decode(std::string_view bytes) {
  constexpr std::string_view kWhat = "config znode";
  ConfigMap config;
  if (bytes.empty()) return config;  // Kafka treats null data as no overrides
  return Guarded<ConfigMap>(kWhat, [&]() -> Result<ConfigMap> {
    auto object = ParseObject(kWhat, bytes);
    if (!object.ok()) return object.status();
    if (!(*object)->has("config") || (*object)->isNull("config")) return config;
    Object::Ptr entries = (*object)->getObject("config");
    if (entries.isNull()) return Malformed(kWhat, "\"config\" is not an object");
    for (const auto& [key, value] : *entries) {
      if (!value.isString()) return Malformed(kWhat, "config value of " + key + " is not a string");
      config[key] = value.extract<std::string>();
    }
    return config;
  });
}

std::string ConfigEntityChangeNotificationZNode::Path() { return "/config/changes"; }

std::string ConfigEntityChangeNotificationSequenceZNode::CreatePath() {
  return ConfigEntityChangeNotificationZNode::Path() + "/config_change_";
}

std::string ConfigEntityChangeNotificationSequenceZNode::Encode(std::string_view entity_path) {
  Object object = OrderedObject();
  object.set("version", 2);
  object.set("entity_path", std::string(entity_path));
  return Stringify(object);
}

Result<std::string> ConfigEntityChangeNotificationSequenceZNode::Decode(std::string_view bytes) {
  constexpr std::string_view kWhat = "config change notification";
  return Guarded<std::string>(kWhat, [&]() -> Result<std::string> {
    auto object = ParseObject(kWhat, bytes);
    if (!object.ok()) return object.status();
    auto version = RequiredInt<int32_t>(kWhat, *object, "version");
    if (!version.ok()) return version.status();
    if (*version != 2) {
      return Malformed(kWhat, "unsupported version " + std::to_string(*version));
    }
    return RequiredString(kWhat, *object, "entity_path");
  });
}

// ---- /admin, /cluster -----------------------------------------------------------------------

std::string DeleteTopicsZNode::Path() { return "/admin/delete_topics"; }

std::string DeleteTopicsTopicZNode::Path(std::string_view topic) {
  return DeleteTopicsZNode::Path() + "/" + std::string(topic);
}

namespace {

// {"version":1,"partitions":[{"topic":"t","partition":0,...}]}: the list the admin and
// notification znodes share. `each` reads the extra fields of one entry.
template <typename F>
Status ForEachListedPartition(std::string_view what, std::string_view bytes, F&& each) {
  auto object = ParseObject(what, bytes);
  if (!object.ok()) return object.status();
  auto version = RequiredInt<int32_t>(what, *object, "version");
  if (!version.ok()) return version.status();
  if (*version != 1) return Malformed(what, "unsupported version " + std::to_string(*version));
  if (!(*object)->has("partitions")) return Malformed(what, "missing \"partitions\"");
  Array::Ptr partitions = (*object)->getArray("partitions");
  if (partitions.isNull()) return Malformed(what, "\"partitions\" is not an array");
  for (size_t i = 0; i < partitions->size(); ++i) {
    Object::Ptr entry = partitions->getObject(static_cast<unsigned>(i));
    if (entry.isNull()) return Malformed(what, "a \"partitions\" entry is not an object");
    auto topic = RequiredString(what, entry, "topic");
    if (!topic.ok()) return topic.status();
    auto partition = RequiredInt<int32_t>(what, entry, "partition");
    if (!partition.ok()) return partition.status();
    if (*partition < 0) return Malformed(what, "negative partition " + std::to_string(*partition));
    SLUICE_RETURN_IF_ERROR(each(TopicPartitionName(*topic, PartitionId(*partition)), entry));
  }
  return Status::Ok();
}

std::string PartitionListJson(const std::vector<TopicPartitionName>& partitions) {
  Array array;
  for (const auto& [topic, partition] : partitions) {
    Object entry = OrderedObject();
    entry.set("topic", topic);
    entry.set("partition", partition.value());
    array.add(entry);
  }
  Object object = OrderedObject();
  object.set("version", 1);
  object.set("partitions", array);
  return Stringify(object);
}

Result<std::vector<TopicPartitionName>> DecodePartitionList(std::string_view what,
                                                            std::string_view bytes) {
  return Guarded<std::vector<TopicPartitionName>>(
      what, [&]() -> Result<std::vector<TopicPartitionName>> {
        std::vector<TopicPartitionName> out;
        SLUICE_RETURN_IF_ERROR(
            ForEachListedPartition(what, bytes, [&](TopicPartitionName tp, const Object::Ptr&) {
              out.push_back(std::move(tp));
              return Status::Ok();
            }));
        return out;
      });
}

}  // namespace

std::string ReassignPartitionsZNode::Path() { return "/admin/reassign_partitions"; }

std::string ReassignPartitionsZNode::Encode(
    const std::map<TopicPartitionName, std::vector<BrokerId>>& moves) {
  Array array;
  for (const auto& [tp, replicas] : moves) {
    Object entry = OrderedObject();
    entry.set("topic", tp.first);
    entry.set("partition", tp.second.value());
    entry.set("replicas", BrokerIdArray(replicas));
    array.add(entry);
  }
  Object object = OrderedObject();
  object.set("version", 1);
  object.set("partitions", array);
  return Stringify(object);
}

Result<std::map<TopicPartitionName, std::vector<BrokerId>>> ReassignPartitionsZNode::Decode(
    std::string_view bytes) {
  using Moves = std::map<TopicPartitionName, std::vector<BrokerId>>;
  constexpr std::string_view kWhat = "partition reassignment znode";
  return Guarded<Moves>(kWhat, [&]() -> Result<Moves> {
    Moves moves;
    SLUICE_RETURN_IF_ERROR(
        ForEachListedPartition(kWhat, bytes, [&](TopicPartitionName tp, const Object::Ptr& entry) {
          if (!entry->has("replicas")) return Malformed(kWhat, "missing \"replicas\"");
          auto replicas = ToBrokerIds(kWhat, "replicas", entry->get("replicas"));
          if (!replicas.ok()) return replicas.status();
          moves[std::move(tp)] = std::move(*replicas);
          return Status::Ok();
        }));
    return moves;
  });
}

std::string PreferredReplicaElectionZNode::Path() { return "/admin/preferred_replica_election"; }

std::string PreferredReplicaElectionZNode::Encode(
    const std::vector<TopicPartitionName>& partitions) {
  return PartitionListJson(partitions);
}

Result<std::vector<TopicPartitionName>> PreferredReplicaElectionZNode::Decode(
    std::string_view bytes) {
  return DecodePartitionList("preferred replica election znode", bytes);
}

std::string IsrChangeNotificationZNode::Path() { return "/isr_change_notification"; }

std::string IsrChangeNotificationSequenceZNode::CreatePath() {
  return IsrChangeNotificationZNode::Path() + "/isr_change_";
}

std::string IsrChangeNotificationSequenceZNode::Path(std::string_view child_name) {
  return IsrChangeNotificationZNode::Path() + "/" + std::string(child_name);
}

std::string IsrChangeNotificationSequenceZNode::Encode(
    const std::vector<TopicPartitionName>& partitions) {
  return PartitionListJson(partitions);
}

Result<std::vector<TopicPartitionName>> IsrChangeNotificationSequenceZNode::Decode(
    std::string_view bytes) {
  return DecodePartitionList("ISR change notification", bytes);
}

std::string ClusterIdZNode::Path() { return "/cluster/id"; }

std::string ClusterIdZNode::Encode(std::string_view cluster_id) {
  Object object = OrderedObject();
  object.set("version", "1");  // a string here, unlike every other znode's version
  object.set("id", std::string(cluster_id));
  return Stringify(object);
}

Result<std::string> ClusterIdZNode::Decode(std::string_view bytes) {
  constexpr std::string_view kWhat = "/cluster/id";
  return Guarded<std::string>(kWhat, [&]() -> Result<std::string> {
    auto object = ParseObject(kWhat, bytes);
    if (!object.ok()) return object.status();
    return RequiredString(kWhat, *object, "id");
  });
}

}  // namespace sluice::metadata

#include "controller/api/kafka_cluster_json.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <utility>

namespace sluice::operator_api {
namespace {

using web::json::value;

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// The value as it appears in the error message: JSON text, cut short when long.
std::string Describe(const value& v) {
  std::string text = v.serialize();
  constexpr size_t kMax = 60;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

Status TypeError(const std::string& path, const char* expected, const value& got) {
  return Status::InvalidArgument(path + ": expected " + expected + ", got " + Describe(got));
}

// Fails unless `v` is an object whose fields are all in `known`.
Status CheckObject(const value& v, const std::string& path,
                   std::initializer_list<const char*> known) {
  if (!v.is_object()) return TypeError(path, "an object", v);
  for (const auto& [name, field] : v.as_object()) {
    bool found = false;
    for (const char* k : known) found = found || name == k;
    if (!found) {
      std::string list;
      for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
      return Status::InvalidArgument(Join(path, name) + ": unknown field; " + path + " has only " +
                                     list + " (is the installed CRD newer than this operator?)");
    }
  }
  return Status::Ok();
}

const value* Field(const value& object, const char* name) {
  if (!object.has_field(name)) return nullptr;
  return &object.at(name);
}

Status ReadString(const value& v, const std::string& path, std::string* out) {
  if (!v.is_string()) return TypeError(path, "a string", v);
  *out = v.as_string();
  return Status::Ok();
}

Status ReadBool(const value& v, const std::string& path, bool* out) {
  if (!v.is_boolean()) return TypeError(path, "a boolean", v);
  *out = v.as_bool();
  return Status::Ok();
}

template <typename Int>
Status ReadInt(const value& v, const std::string& path, Int* out) {
  if (!v.is_number() || !v.as_number().is_integral()) return TypeError(path, "an integer", v);
  const auto& n = v.as_number();
  bool fits = n.is_int64() && n.to_int64() >= std::numeric_limits<Int>::min() &&
              n.to_int64() <= std::numeric_limits<Int>::max();
  if (!fits) {
    return Status::InvalidArgument(path + ": " + Describe(v) + " is out of range (" +
                                   std::to_string(std::numeric_limits<Int>::min()) + ".." +
                                   std::to_string(std::numeric_limits<Int>::max()) + ")");
  }
  *out = static_cast<Int>(n.to_int64());
  return Status::Ok();
}

// Reads the field `name` of `object` into `out` with `read` when present; leaves `out` as it is
// when absent or null (as the API server treats null: the field is not there).
template <typename T, typename Reader>
Status Optional(const value& object, const std::string& path, const char* name, T* out,
                Reader read) {
  const value* field = Field(object, name);
  if (field == nullptr || field->is_null()) return Status::Ok();
  return read(*field, Join(path, name), out);
}

// The shortest decimal text that reads back as the same double (0.5, not 0.50000000000000000).
std::string NumberText(double d) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, d);
    if (std::strtod(buffer, nullptr) == d) break;
  }
  return buffer;
}

// server.properties values: strings as they are, numbers and booleans as their text.
Status ReadConfig(const value& v, const std::string& path, BrokerConfig* out) {
  if (!v.is_object()) return TypeError(path, "an object of server.properties keys", v);
  out->clear();
  for (const auto& [key, item] : v.as_object()) {
    std::string item_path = Join(path, key);
    if (item.is_string()) {
      (*out)[key] = item.as_string();
    } else if (item.is_boolean()) {
      (*out)[key] = item.as_bool() ? "true" : "false";
    } else if (item.is_number() && item.as_number().is_integral()) {
      const auto& n = item.as_number();
      (*out)[key] = n.is_int64() ? std::to_string(n.to_int64()) : std::to_string(n.to_uint64());
    } else if (item.is_number()) {
      (*out)[key] = NumberText(item.as_double());
    } else {
      return TypeError(item_path, "a string, number or boolean", item);
    }
  }
  return Status::Ok();
}

Status ReadStringMap(const value& v, const std::string& path,
                     std::map<std::string, std::string>* out) {
  if (!v.is_object()) return TypeError(path, "an object of strings", v);
  out->clear();
  for (const auto& [key, item] : v.as_object()) {
    SLUICE_RETURN_IF_ERROR(ReadString(item, Join(path, key), &(*out)[key]));
  }
  return Status::Ok();
}

Status ReadStringList(const value& v, const std::string& path, std::vector<std::string>* out) {
  if (!v.is_array()) return TypeError(path, "an array of strings", v);
  out->clear();
  for (size_t i = 0; i < v.size(); ++i) {
    SLUICE_RETURN_IF_ERROR(ReadString(v.at(i), Index(path, i), &out->emplace_back()));
  }
  return Status::Ok();
}

// corev1.ResourceRequirements as the CRD allows it: limits and requests, each a map of
// resource name to quantity (a string, or a number as YAML writes `cpu: 1`).
Status ReadResources(const value& v, const std::string& path, ResourcesSpec* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"limits", "requests"}));
  for (const auto& [kind, map] : v.as_object()) {
    std::string map_path = Join(path, kind);
    if (!map.is_object()) return TypeError(map_path, "an object of quantities", map);
    for (const auto& [resource, quantity] : map.as_object()) {
      if (!quantity.is_string() && !quantity.is_number()) {
        return TypeError(Join(map_path, resource), "a quantity (a string or a number)", quantity);
      }
    }
  }
  out->value = v;
  return Status::Ok();
}

Status ReadOptionalResources(const value& v, const std::string& path,
                             std::optional<ResourcesSpec>* out) {
  ResourcesSpec resources;
  SLUICE_RETURN_IF_ERROR(ReadResources(v, path, &resources));
  *out = std::move(resources);
  return Status::Ok();
}

Status ReadVolume(const value& v, const std::string& path, VolumeSpec* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"size", "storageClassName"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "size", &out->size, ReadString));
  if (const value* field = Field(v, "storageClassName")) {
    std::string name;
    SLUICE_RETURN_IF_ERROR(ReadString(*field, Join(path, "storageClassName"), &name));
    out->storage_class_name = std::move(name);
  }
  return Status::Ok();
}

Status ReadStorage(const value& v, const std::string& path, StorageSpec* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"data", "logs"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "data", &out->data, ReadVolume));
  return Optional(v, path, "logs", &out->logs, ReadVolume);
}

// A broker's storage override: what it leaves out is inherited from spec.storage by
// WithDefaults, so parsing starts from empty volumes rather than the cluster-wide defaults.
Status ReadBrokerStorage(const value& v, const std::string& path, std::optional<StorageSpec>* out) {
  StorageSpec storage{{"", std::nullopt}, {"", std::nullopt}};
  SLUICE_RETURN_IF_ERROR(ReadStorage(v, path, &storage));
  *out = std::move(storage);
  return Status::Ok();
}

Status ReadBroker(const value& v, const std::string& path, BrokerOverride* out) {
  SLUICE_RETURN_IF_ERROR(
      CheckObject(v, path, {"id", "config", "resources", "storage", "nodeSelector"}));
  const value* id = Field(v, "id");
  if (id == nullptr) {
    return Status::InvalidArgument(Join(path, "id") +
                                   ": missing; every entry of spec.brokers names a broker id");
  }
  SLUICE_RETURN_IF_ERROR(ReadInt(*id, Join(path, "id"), &out->id));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "config", &out->config, ReadConfig));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "resources", &out->resources, ReadOptionalResources));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "storage", &out->storage, ReadBrokerStorage));
  return Optional(v, path, "nodeSelector", &out->node_selector, ReadStringMap);
}

template <typename T, typename Reader>
Status ReadList(const value& v, const std::string& path, std::vector<T>* out, Reader read) {
  if (!v.is_array()) return TypeError(path, "an array", v);
  out->clear();
  for (size_t i = 0; i < v.size(); ++i) {
    SLUICE_RETURN_IF_ERROR(read(v.at(i), Index(path, i), &out->emplace_back()));
  }
  return Status::Ok();
}

Status ReadListeners(const value& v, const std::string& path, ListenersSpec* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"internal", "external"}));
  if (const value* internal = Field(v, "internal")) {
    std::string internal_path = Join(path, "internal");
    SLUICE_RETURN_IF_ERROR(CheckObject(*internal, internal_path, {"basePort"}));
    SLUICE_RETURN_IF_ERROR(
        Optional(*internal, internal_path, "basePort", &out->internal.base_port, ReadInt<int32_t>));
  }
  if (const value* external = Field(v, "external")) {
    std::string external_path = Join(path, "external");
    ExternalListenerSpec spec;
    SLUICE_RETURN_IF_ERROR(
        CheckObject(*external, external_path, {"nodePortBase", "advertisedHost"}));
    SLUICE_RETURN_IF_ERROR(
        Optional(*external, external_path, "nodePortBase", &spec.node_port_base, ReadInt<int32_t>));
    SLUICE_RETURN_IF_ERROR(
        Optional(*external, external_path, "advertisedHost", &spec.advertised_host, ReadString));
    out->external = std::move(spec);
  }
  return Status::Ok();
}

Status ReadZooKeeper(const value& v, const std::string& path, ZooKeeperSpec* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"managed", "external", "chroot"}));
  if (const value* managed = Field(v, "managed")) {
    std::string managed_path = Join(path, "managed");
    ManagedZooKeeperSpec spec;
    SLUICE_RETURN_IF_ERROR(
        CheckObject(*managed, managed_path, {"replicas", "image", "storage", "resources"}));
    SLUICE_RETURN_IF_ERROR(
        Optional(*managed, managed_path, "replicas", &spec.replicas, ReadInt<int32_t>));
    SLUICE_RETURN_IF_ERROR(Optional(*managed, managed_path, "image", &spec.image, ReadString));
    SLUICE_RETURN_IF_ERROR(Optional(*managed, managed_path, "storage", &spec.storage, ReadVolume));
    SLUICE_RETURN_IF_ERROR(
        Optional(*managed, managed_path, "resources", &spec.resources, ReadResources));
    out->managed = std::move(spec);
  }
  if (const value* external = Field(v, "external")) {
    std::string external_path = Join(path, "external");
    ExternalZooKeeperSpec spec;
    SLUICE_RETURN_IF_ERROR(CheckObject(*external, external_path, {"connect"}));
    SLUICE_RETURN_IF_ERROR(
        Optional(*external, external_path, "connect", &spec.connect, ReadString));
    out->external = std::move(spec);
  }
  return Optional(v, path, "chroot", &out->chroot, ReadString);
}

Status ReadHealing(const value& v, const std::string& path, HealingSpec* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"replaceAfterSeconds", "replaceOnVolumeLoss"}));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "replaceAfterSeconds", &out->replace_after_seconds, ReadInt<int32_t>));
  return Optional(v, path, "replaceOnVolumeLoss", &out->replace_on_volume_loss, ReadBool);
}

Status ReadRackAwareness(const value& v, const std::string& path,
                         std::optional<RackAwarenessSpec>* out) {
  RackAwarenessSpec spec;
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"topologyKey"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "topologyKey", &spec.topology_key, ReadString));
  *out = std::move(spec);
  return Status::Ok();
}

Status ReadSpec(const value& v, const std::string& path, KafkaClusterSpec* out) {
  SLUICE_RETURN_IF_ERROR(
      CheckObject(v, path,
                  {"replicas", "brokers", "image", "imagePullPolicy", "config", "listeners",
                   "adminPort", "storage", "resources", "zookeeper", "healing", "rackAwareness"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "replicas", &out->replicas, ReadInt<int32_t>));
  if (const value* brokers = Field(v, "brokers")) {
    SLUICE_RETURN_IF_ERROR(ReadList(*brokers, Join(path, "brokers"), &out->brokers, ReadBroker));
  }
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "image", &out->image, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "imagePullPolicy", &out->image_pull_policy, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "config", &out->config, ReadConfig));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "listeners", &out->listeners, ReadListeners));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "adminPort", &out->admin_port, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "storage", &out->storage, ReadStorage));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "resources", &out->resources, ReadResources));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "zookeeper", &out->zookeeper, ReadZooKeeper));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "healing", &out->healing, ReadHealing));
  return Optional(v, path, "rackAwareness", &out->rack_awareness, ReadRackAwareness);
}

// status.lastAppliedSpec: a spec as SpecToJson wrote it, read as strictly as spec itself.
Status ReadOptionalSpec(const value& v, const std::string& path,
                        std::optional<KafkaClusterSpec>* out) {
  KafkaClusterSpec spec;
  SLUICE_RETURN_IF_ERROR(ReadSpec(v, path, &spec));
  *out = std::move(spec);
  return Status::Ok();
}

Status ReadCondition(const value& v, const std::string& path, Condition* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(
      v, path,
      {"type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "type", &out->type, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "status", &out->status, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "reason", &out->reason, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "message", &out->message, ReadString));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "lastTransitionTime", &out->last_transition_time, ReadString));
  return Optional(v, path, "observedGeneration", &out->observed_generation, ReadInt<int64_t>);
}

Status ReadPhase(const value& v, const std::string& path, BrokerPhase* out) {
  std::string name;
  SLUICE_RETURN_IF_ERROR(ReadString(v, path, &name));
  Result<BrokerPhase> phase = ParseBrokerPhase(name);
  if (!phase.ok()) return Status::InvalidArgument(path + ": " + phase.status().message());
  *out = *phase;
  return Status::Ok();
}

Status ReadBrokerStatus(const value& v, const std::string& path, BrokerStatus* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path,
                                     {"id", "pod", "ready", "phase", "partitionsLed", "replicas",
                                      "underReplicated", "goneSince", "configHash", "replacedBy"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "id", &out->id, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "pod", &out->pod, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "ready", &out->ready, ReadBool));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "phase", &out->phase, ReadPhase));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "partitionsLed", &out->partitions_led, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "replicas", &out->replicas, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "underReplicated", &out->under_replicated, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "goneSince", &out->gone_since, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "configHash", &out->config_hash, ReadString));
  if (const value* replaced_by = Field(v, "replacedBy"); replaced_by && !replaced_by->is_null()) {
    int32_t id = 0;
    SLUICE_RETURN_IF_ERROR(ReadInt(*replaced_by, Join(path, "replacedBy"), &id));
    out->replaced_by = id;
  }
  return Status::Ok();
}

Status ReadZooKeeperStatus(const value& v, const std::string& path, ZooKeeperStatus* out) {
  SLUICE_RETURN_IF_ERROR(CheckObject(v, path, {"replicas", "ready", "connect"}));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "replicas", &out->replicas, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "ready", &out->ready, ReadInt<int32_t>));
  return Optional(v, path, "connect", &out->connect, ReadString);
}

Status ReadIntList(const value& v, const std::string& path, std::vector<int32_t>* out) {
  return ReadList(v, path, out, ReadInt<int32_t>);
}

Status ReadStatus(const value& v, const std::string& path, KafkaClusterStatus* out) {
  SLUICE_RETURN_IF_ERROR(
      CheckObject(v, path,
                  {"observedGeneration", "conditions", "replicas", "labelSelector", "brokersReady",
                   "zookeeperReady", "brokers", "zookeeper", "bootstrap", "externalBootstrap",
                   "nextBrokerId", "balancedBrokers", "lastAppliedSpec"}));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "observedGeneration", &out->observed_generation, ReadInt<int64_t>));
  if (const value* conditions = Field(v, "conditions")) {
    SLUICE_RETURN_IF_ERROR(
        ReadList(*conditions, Join(path, "conditions"), &out->conditions, ReadCondition));
  }
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "replicas", &out->replicas, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "labelSelector", &out->label_selector, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "brokersReady", &out->brokers_ready, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "zookeeperReady", &out->zookeeper_ready, ReadString));
  if (const value* brokers = Field(v, "brokers")) {
    SLUICE_RETURN_IF_ERROR(
        ReadList(*brokers, Join(path, "brokers"), &out->brokers, ReadBrokerStatus));
  }
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "zookeeper", &out->zookeeper, ReadZooKeeperStatus));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "bootstrap", &out->bootstrap, ReadString));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "externalBootstrap", &out->external_bootstrap, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "nextBrokerId", &out->next_broker_id, ReadInt<int32_t>));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "balancedBrokers", &out->balanced_brokers, ReadIntList));
  return Optional(v, path, "lastAppliedSpec", &out->last_applied_spec, ReadOptionalSpec);
}

Status ReadMetadata(const value& v, const std::string& path, ObjectMeta* out) {
  if (!v.is_object()) return TypeError(path, "an object", v);
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "name", &out->name, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "namespace", &out->namespace_, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "uid", &out->uid, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "resourceVersion", &out->resource_version, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "generation", &out->generation, ReadInt<int64_t>));
  SLUICE_RETURN_IF_ERROR(
      Optional(v, path, "deletionTimestamp", &out->deletion_timestamp, ReadString));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "finalizers", &out->finalizers, ReadStringList));
  SLUICE_RETURN_IF_ERROR(Optional(v, path, "labels", &out->labels, ReadStringMap));
  return Optional(v, path, "annotations", &out->annotations, ReadStringMap);
}

value StringValue(const std::string& s) { return value::string(s); }

// An empty status string is written as null, never as "": a 1.20 API server built with Go 1.16
// or later (the one e2e runs) refuses "" in a custom resource ("must be of type string: null",
// kubernetes/kubernetes#99804), and null both deletes the field in a merge patch and is pruned
// from a PUT, so either way the stored object simply lacks the field.
value StringOrNull(const std::string& s) { return s.empty() ? value::null() : value::string(s); }

// Spec strings are optional in the schema: an empty one is left out, for the same reason.
void SetIfNotEmpty(value& object, const char* name, const std::string& s) {
  if (!s.empty()) object[name] = value::string(s);
}

value StringMapToJson(const std::map<std::string, std::string>& map) {
  value out = value::object();
  for (const auto& [key, item] : map) out[key] = StringValue(item);
  return out;
}

value VolumeToJson(const VolumeSpec& volume) {
  value out = value::object();
  if (!volume.size.empty()) out["size"] = StringValue(volume.size);
  if (volume.storage_class_name) out["storageClassName"] = StringValue(*volume.storage_class_name);
  return out;
}

value StorageToJson(const StorageSpec& storage) {
  value out = value::object();
  out["data"] = VolumeToJson(storage.data);
  out["logs"] = VolumeToJson(storage.logs);
  return out;
}

value BrokerToJson(const BrokerOverride& broker) {
  value out = value::object();
  out["id"] = value::number(broker.id);
  out["config"] = StringMapToJson(broker.config);
  if (broker.resources) out["resources"] = broker.resources->value;
  if (broker.storage) out["storage"] = StorageToJson(*broker.storage);
  out["nodeSelector"] = StringMapToJson(broker.node_selector);
  return out;
}

value ConditionToJson(const Condition& condition) {
  value out = value::object();
  out["type"] = StringOrNull(condition.type);
  out["status"] = StringOrNull(condition.status);
  out["reason"] = StringOrNull(condition.reason);
  out["message"] = StringOrNull(condition.message);
  out["lastTransitionTime"] = StringOrNull(condition.last_transition_time);
  out["observedGeneration"] = value::number(condition.observed_generation);
  return out;
}

value BrokerStatusToJson(const BrokerStatus& broker) {
  value out = value::object();
  out["id"] = value::number(broker.id);
  out["pod"] = StringOrNull(broker.pod);
  out["ready"] = value::boolean(broker.ready);
  out["phase"] = StringOrNull(BrokerPhaseName(broker.phase));
  out["partitionsLed"] = value::number(broker.partitions_led);
  out["replicas"] = value::number(broker.replicas);
  out["underReplicated"] = value::number(broker.under_replicated);
  out["goneSince"] = StringOrNull(broker.gone_since);
  out["configHash"] = StringOrNull(broker.config_hash);
  out["replacedBy"] = broker.replaced_by ? value::number(*broker.replaced_by) : value::null();
  return out;
}

value MetadataToJson(const ObjectMeta& meta) {
  value out = value::object();
  if (!meta.name.empty()) out["name"] = StringValue(meta.name);
  if (!meta.namespace_.empty()) out["namespace"] = StringValue(meta.namespace_);
  if (!meta.uid.empty()) out["uid"] = StringValue(meta.uid);
  if (!meta.resource_version.empty()) out["resourceVersion"] = StringValue(meta.resource_version);
  if (meta.generation != 0) out["generation"] = value::number(meta.generation);
  if (!meta.deletion_timestamp.empty()) {
    out["deletionTimestamp"] = StringValue(meta.deletion_timestamp);
  }
  if (!meta.finalizers.empty()) {
    value finalizers = value::array();
    for (size_t i = 0; i < meta.finalizers.size(); ++i) {
      finalizers[i] = StringValue(meta.finalizers[i]);
    }
    out["finalizers"] = std::move(finalizers);
  }
  if (!meta.labels.empty()) out["labels"] = StringMapToJson(meta.labels);
  if (!meta.annotations.empty()) out["annotations"] = StringMapToJson(meta.annotations);
  return out;
}

constexpr std::pair<BrokerPhase, const char*> kPhaseNames[] = {
    {BrokerPhase::kPending, "Pending"},   {BrokerPhase::kRunning, "Running"},
    {BrokerPhase::kFailed, "Failed"},     {BrokerPhase::kDraining, "Draining"},
    {BrokerPhase::kRemoving, "Removing"}, {BrokerPhase::kReplacing, "Replacing"},
};

}  // namespace

std::string BrokerPhaseName(BrokerPhase phase) {
  for (const auto& [p, name] : kPhaseNames) {
    if (p == phase) return name;
  }
  return "Unknown";  // unreachable: every enumerator is in kPhaseNames
}

Result<BrokerPhase> ParseBrokerPhase(const std::string& name) {
  std::string list;
  for (const auto& [phase, phase_name] : kPhaseNames) {
    if (name == phase_name) return phase;
    list += std::string(list.empty() ? "" : ", ") + phase_name;
  }
  return Status::InvalidArgument("unknown broker phase \"" + name + "\"; expected one of " + list);
}

Result<KafkaCluster> FromJson(const web::json::value& object) {
  if (!object.is_object()) return TypeError("(the object)", "a JSON object", object);
  if (const value* api_version = Field(object, "apiVersion")) {
    if (!api_version->is_string() || api_version->as_string() != kApiVersion) {
      return Status::InvalidArgument("apiVersion: expected \"" + std::string(kApiVersion) +
                                     "\", got " + Describe(*api_version));
    }
  }
  if (const value* kind = Field(object, "kind")) {
    if (!kind->is_string() || kind->as_string() != kKind) {
      return Status::InvalidArgument("kind: expected \"" + std::string(kKind) + "\", got " +
                                     Describe(*kind));
    }
  }
  KafkaCluster cluster;
  SLUICE_RETURN_IF_ERROR(Optional(object, "", "metadata", &cluster.metadata, ReadMetadata));
  SLUICE_RETURN_IF_ERROR(Optional(object, "", "spec", &cluster.spec, ReadSpec));
  SLUICE_RETURN_IF_ERROR(Optional(object, "", "status", &cluster.status, ReadStatus));
  return cluster;
}

web::json::value SpecToJson(const KafkaClusterSpec& spec) {
  value out = value::object();
  out["replicas"] = value::number(spec.replicas);
  value brokers = value::array();
  for (size_t i = 0; i < spec.brokers.size(); ++i) brokers[i] = BrokerToJson(spec.brokers[i]);
  out["brokers"] = std::move(brokers);
  SetIfNotEmpty(out, "image", spec.image);
  SetIfNotEmpty(out, "imagePullPolicy", spec.image_pull_policy);
  out["config"] = StringMapToJson(spec.config);

  value listeners = value::object();
  listeners["internal"]["basePort"] = value::number(spec.listeners.internal.base_port);
  if (spec.listeners.external) {
    listeners["external"]["nodePortBase"] = value::number(spec.listeners.external->node_port_base);
    SetIfNotEmpty(listeners["external"], "advertisedHost",
                  spec.listeners.external->advertised_host);
  }
  out["listeners"] = std::move(listeners);
  out["adminPort"] = value::number(spec.admin_port);
  out["storage"] = StorageToJson(spec.storage);
  out["resources"] = spec.resources.value;

  value zookeeper = value::object();
  if (const auto& managed = spec.zookeeper.managed) {
    zookeeper["managed"]["replicas"] = value::number(managed->replicas);
    SetIfNotEmpty(zookeeper["managed"], "image", managed->image);
    zookeeper["managed"]["storage"] = VolumeToJson(managed->storage);
    zookeeper["managed"]["resources"] = managed->resources.value;
  }
  if (const auto& external = spec.zookeeper.external) {
    zookeeper["external"] = value::object();
    SetIfNotEmpty(zookeeper["external"], "connect", external->connect);
  }
  SetIfNotEmpty(zookeeper, "chroot", spec.zookeeper.chroot);
  out["zookeeper"] = std::move(zookeeper);

  out["healing"]["replaceAfterSeconds"] = value::number(spec.healing.replace_after_seconds);
  out["healing"]["replaceOnVolumeLoss"] = value::boolean(spec.healing.replace_on_volume_loss);
  if (spec.rack_awareness) {
    out["rackAwareness"] = value::object();
    SetIfNotEmpty(out["rackAwareness"], "topologyKey", spec.rack_awareness->topology_key);
  }
  return out;
}

web::json::value StatusToJson(const KafkaClusterStatus& status) {
  value out = value::object();
  out["observedGeneration"] = value::number(status.observed_generation);
  value conditions = value::array();
  for (size_t i = 0; i < status.conditions.size(); ++i) {
    conditions[i] = ConditionToJson(status.conditions[i]);
  }
  out["conditions"] = std::move(conditions);
  out["replicas"] = value::number(status.replicas);
  out["labelSelector"] = StringOrNull(status.label_selector);
  out["brokersReady"] = StringOrNull(status.brokers_ready);
  out["zookeeperReady"] = StringOrNull(status.zookeeper_ready);
  value brokers = value::array();
  for (size_t i = 0; i < status.brokers.size(); ++i) {
    brokers[i] = BrokerStatusToJson(status.brokers[i]);
  }
  out["brokers"] = std::move(brokers);
  out["zookeeper"]["replicas"] = value::number(status.zookeeper.replicas);
  out["zookeeper"]["ready"] = value::number(status.zookeeper.ready);
  out["zookeeper"]["connect"] = StringOrNull(status.zookeeper.connect);
  out["bootstrap"] = StringOrNull(status.bootstrap);
  out["externalBootstrap"] = StringOrNull(status.external_bootstrap);
  out["nextBrokerId"] = value::number(status.next_broker_id);
  value balanced = value::array();
  for (size_t i = 0; i < status.balanced_brokers.size(); ++i) {
    balanced[i] = value::number(status.balanced_brokers[i]);
  }
  out["balancedBrokers"] = std::move(balanced);
  out["lastAppliedSpec"] =
      status.last_applied_spec ? SpecToJson(*status.last_applied_spec) : value::null();
  return out;
}

web::json::value ToJson(const KafkaCluster& cluster) {
  value out = value::object();
  out["apiVersion"] = StringValue(kApiVersion);
  out["kind"] = StringValue(kKind);
  out["metadata"] = MetadataToJson(cluster.metadata);
  out["spec"] = SpecToJson(cluster.spec);
  out["status"] = StatusToJson(cluster.status);
  return out;
}

}  // namespace sluice::operator_api

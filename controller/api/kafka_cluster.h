// The KafkaCluster custom resource (sluice.dev/v1alpha1), as C++ types.
//
// These structs are the one description of the resource inside the operator: kafka_cluster_json
// maps them to and from the JSON the API server stores, defaults.h fills what a user left out,
// validation.h says what is wrong in words a person can act on, and manifests/crds/ is the same
// shape as an OpenAPI schema (a test keeps the two in step). See controller/README.md for the
// meaning of each field and the objects built from it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>

namespace sluice::operator_api {

inline constexpr const char* kGroup = "sluice.dev";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "sluice.dev/v1alpha1";
inline constexpr const char* kKind = "KafkaCluster";
inline constexpr const char* kPlural = "kafkaclusters";
// Held on every KafkaCluster until the operator has cleaned up what ownerReferences cannot.
inline constexpr const char* kFinalizer = "sluice.dev/finalizer";

// server.properties keys with the values a user wrote, as strings ("2", "true", "168").
using BrokerConfig = std::map<std::string, std::string>;

// A PersistentVolumeClaim request. Empty storage_class_name means the cluster's default class;
// an emptyDir is never used for data (a pod restart would lose the partition replicas).
struct VolumeSpec {
  std::string size;  // a Kubernetes quantity, e.g. "10Gi"
  std::optional<std::string> storage_class_name;
  friend bool operator==(const VolumeSpec&, const VolumeSpec&) = default;
};

// Data (log.dirs) and application logs live on separate volumes, as on a bare-metal broker.
struct StorageSpec {
  VolumeSpec data;
  VolumeSpec logs;
  friend bool operator==(const StorageSpec&, const StorageSpec&) = default;
};

// corev1.ResourceRequirements kept as JSON: the operator copies it into the Pod unchanged.
struct ResourcesSpec {
  web::json::value value = web::json::value::object();
  friend bool operator==(const ResourcesSpec& a, const ResourcesSpec& b) {
    return a.value.serialize() == b.value.serialize();
  }
};

// One listed broker: pins an id and overrides the cluster-wide settings for that broker only.
struct BrokerOverride {
  int32_t id = 0;
  BrokerConfig config;  // merged over KafkaClusterSpec::config
  std::optional<ResourcesSpec> resources;
  std::optional<StorageSpec> storage;
  std::map<std::string, std::string> node_selector;
  friend bool operator==(const BrokerOverride&, const BrokerOverride&) = default;
};

// Every broker listens on its own ports: port = base_port + broker id, so ids 0,1,2 get
// 9092,9093,9094 (the seed tutorial's layout) and an advertised address is unique per broker.
struct InternalListenerSpec {
  int32_t base_port = 9092;
  friend bool operator==(const InternalListenerSpec&, const InternalListenerSpec&) = default;
};

// Optional access from outside the cluster: a NodePort per broker at node_port_base + id,
// advertised as advertised_host:(node_port_base + id).
struct ExternalListenerSpec {
  int32_t node_port_base = 30092;
  std::string advertised_host;  // required: a node address clients can reach
  friend bool operator==(const ExternalListenerSpec&, const ExternalListenerSpec&) = default;
};

struct ListenersSpec {
  InternalListenerSpec internal;
  std::optional<ExternalListenerSpec> external;
  friend bool operator==(const ListenersSpec&, const ListenersSpec&) = default;
};

struct ManagedZooKeeperSpec {
  int32_t replicas = 3;                 // 1, 3 or 5
  std::string image = "zookeeper:3.8";  // the official image's interface (ZOO_MY_ID, ZOO_SERVERS)
  VolumeSpec storage{"1Gi", std::nullopt};
  ResourcesSpec resources;
  friend bool operator==(const ManagedZooKeeperSpec&, const ManagedZooKeeperSpec&) = default;
};

struct ExternalZooKeeperSpec {
  std::string connect;  // host:port[,host:port...]
  friend bool operator==(const ExternalZooKeeperSpec&, const ExternalZooKeeperSpec&) = default;
};

// Exactly one of managed and external is set after defaulting (managed when neither is given).
struct ZooKeeperSpec {
  std::optional<ManagedZooKeeperSpec> managed;
  std::optional<ExternalZooKeeperSpec> external;
  std::string chroot;  // "" or "/path": the brokers' zookeeper.connect suffix
  friend bool operator==(const ZooKeeperSpec&, const ZooKeeperSpec&) = default;
};

// How long a broker may be gone before it is replaced by a new id and its partitions are
// reassigned to restore the replication factor. A pod that dies is always recreated with the
// same id and volumes first; replacement is for a broker that stays gone or lost its data.
struct HealingSpec {
  int32_t replace_after_seconds = 300;
  bool replace_on_volume_loss = true;
  friend bool operator==(const HealingSpec&, const HealingSpec&) = default;
};

// Brokers are spread over the values of a node label; each broker gets broker.rack = its value.
struct RackAwarenessSpec {
  std::string topology_key = "topology.kubernetes.io/zone";
  friend bool operator==(const RackAwarenessSpec&, const RackAwarenessSpec&) = default;
};

struct KafkaClusterSpec {
  int32_t replicas = 1;                 // the number of brokers (the scale subresource's field)
  std::vector<BrokerOverride> brokers;  // listed ids; replicas >= brokers.size()
  std::string image;                    // broker image; defaulted to sluice/broker:<version>
  std::string image_pull_policy = "IfNotPresent";
  BrokerConfig config;  // cluster-wide server.properties
  ListenersSpec listeners;
  int32_t admin_port = 9644;  // /metrics, /healthz, /readyz
  StorageSpec storage{{"10Gi", std::nullopt}, {"1Gi", std::nullopt}};
  ResourcesSpec resources;
  ZooKeeperSpec zookeeper;
  HealingSpec healing;
  std::optional<RackAwarenessSpec> rack_awareness;
  friend bool operator==(const KafkaClusterSpec&, const KafkaClusterSpec&) = default;
};

// metav1.Condition.
struct Condition {
  std::string type;    // Ready | Reconciling | Degraded
  std::string status;  // True | False | Unknown
  std::string reason;  // one CamelCase word
  std::string message;
  std::string last_transition_time;  // RFC 3339
  int64_t observed_generation = 0;
  friend bool operator==(const Condition&, const Condition&) = default;
};

// What the operator is doing to a broker, kept in status so that a restarted operator resumes it.
enum class BrokerPhase {
  kPending,    // objects created, pod not ready yet
  kRunning,    // pod ready and registered in ZooKeeper
  kFailed,     // pod gone or not ready; gone_since says since when
  kDraining,   // partitions being reassigned away before removal
  kRemoving,   // drained; its objects are being deleted
  kReplacing,  // gone past the healing policy; a new id takes its partitions
};

struct BrokerStatus {
  int32_t id = 0;
  std::string pod;
  bool ready = false;
  BrokerPhase phase = BrokerPhase::kPending;
  int32_t partitions_led = 0;
  int32_t replicas = 0;                // partition replicas hosted
  int32_t under_replicated = 0;        // partitions it leads with ISR < replicas
  std::string gone_since;              // RFC 3339, set while kFailed
  std::string config_hash;             // of the server.properties its running pod has
  std::optional<int32_t> replaced_by;  // kReplacing: the new id
  friend bool operator==(const BrokerStatus&, const BrokerStatus&) = default;
};

struct ZooKeeperStatus {
  int32_t replicas = 0;
  int32_t ready = 0;
  std::string connect;  // what the brokers use, chroot included
  friend bool operator==(const ZooKeeperStatus&, const ZooKeeperStatus&) = default;
};

struct KafkaClusterStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  int32_t replicas = 0;         // brokers that exist (scale subresource)
  std::string label_selector;   // selects broker pods (scale subresource)
  std::string brokers_ready;    // "2/3", a printer column
  std::string zookeeper_ready;  // "3/3", a printer column
  std::vector<BrokerStatus> brokers;
  ZooKeeperStatus zookeeper;
  std::string bootstrap;           // in-cluster bootstrap address
  std::string external_bootstrap;  // when listeners.external is set
  int32_t next_broker_id = 0;      // ids are never reused within a cluster's life
  // The broker ids the last completed rebalance spread partitions over; when the running set
  // differs (brokers added), the operator rebalances and then records the new set here.
  std::vector<int32_t> balanced_brokers;
  // The spec (defaulted) of the last pass that acted on a valid spec. An edit is checked
  // against it (ValidateUpdate) before anything acts on it, because some changes cannot be
  // carried out on brokers that exist (a PersistentVolumeClaim only grows, a moved basePort
  // re-advertises every broker). Unset until the first such pass.
  std::optional<KafkaClusterSpec> last_applied_spec;
  friend bool operator==(const KafkaClusterStatus&, const KafkaClusterStatus&) = default;
};

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::string deletion_timestamp;  // non-empty while being deleted
  std::vector<std::string> finalizers;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

struct KafkaCluster {
  ObjectMeta metadata;
  KafkaClusterSpec spec;
  KafkaClusterStatus status;
  friend bool operator==(const KafkaCluster&, const KafkaCluster&) = default;
};

}  // namespace sluice::operator_api

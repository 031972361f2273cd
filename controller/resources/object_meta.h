// Shared pieces of the builders: JSON shorthands, labels, metadata, ports. Internal to
// controller/resources (the public contract is builders.h).
//
// web::json::value objects made here are unordered-by-insertion (keep_order = false), which in
// cpprestsdk means their fields are kept sorted by key, so serialize() is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cpprest/json.h>

#include "controller/api/kafka_cluster.h"

namespace sluice::operator_resources::internal {

using Json = web::json::value;
using Fields = std::vector<std::pair<std::string, Json>>;

inline Json Str(std::string_view s) { return Json::string(std::string(s)); }
inline Json Int(int64_t n) { return Json::number(n); }
inline Json Bool(bool b) { return Json::boolean(b); }
inline Json Obj(Fields fields) { return Json::object(std::move(fields)); }
inline Json Arr(std::vector<Json> items) { return Json::array(std::move(items)); }

inline constexpr std::string_view kBrokerComponent = "broker";
inline constexpr std::string_view kZooKeeperComponent = "zookeeper";

// The official zookeeper image's ports: clients, followers to the leader, leader election.
inline constexpr int32_t kZooKeeperClientPort = 2181;
inline constexpr int32_t kZooKeeperQuorumPort = 2888;
inline constexpr int32_t kZooKeeperElectionPort = 3888;

// Paths inside the broker image (controller/README.md, "Images").
inline constexpr std::string_view kBrokerDataDir = "/var/lib/sluice/data";
inline constexpr std::string_view kBrokerLogDir = "/var/log/sluice";
inline constexpr std::string_view kBrokerConfigDir = "/etc/sluice";

// Where Kubernetes DNS puts Services: <service>.<namespace>.svc.cluster.local.
std::string ServiceFqdn(const operator_api::KafkaCluster& c, const std::string& service);

// The four app.kubernetes.io labels every object of the cluster carries.
Json CommonLabels(const operator_api::KafkaCluster& c, std::string_view component);
// CommonLabels plus sluice.dev/broker-id.
Json BrokerLabels(const operator_api::KafkaCluster& c, int32_t id);
// What selects a component's pods: instance + component (BrokerLabelSelector's two labels).
Json ComponentSelector(const operator_api::KafkaCluster& c, std::string_view component);
// ComponentSelector(broker) plus sluice.dev/broker-id: exactly one broker's pod.
Json BrokerSelector(const operator_api::KafkaCluster& c, int32_t id);

// metadata {name, namespace, labels, ownerReferences: [OwnerReference(c)]}.
Json ObjectMetadata(const operator_api::KafkaCluster& c, const std::string& name, Json labels);

// A Service port. protocol is always set: server-side apply on 1.20 keys the ports list by
// (port, protocol) and refuses an entry without it.
Json ServicePort(std::string_view name, int32_t port, Json target_port);
Json ContainerPort(std::string_view name, int32_t port);

// The listed override for broker id, or nullptr when the broker only has the cluster defaults.
const operator_api::BrokerOverride* FindBrokerOverride(const operator_api::KafkaCluster& c,
                                                       int32_t id);
// The broker's volumes: its override's fields where set, spec.storage's elsewhere (the api's
// EffectiveStorage, so a cluster gives the same claims defaulted or not).
operator_api::StorageSpec BrokerStorage(const operator_api::KafkaCluster& c, int32_t id);

// A preferred (weight 100) podAntiAffinity spreading a component's pods over nodes.
Json SpreadOverHostnames(const operator_api::KafkaCluster& c, std::string_view component);

// A PersistentVolumeClaim spec: ReadWriteOnce, the requested size, the class when one is named
// (otherwise the cluster's default class).
Json VolumeClaimSpec(const operator_api::VolumeSpec& volume);

// True when resources holds at least one field; an empty one is left out of the pod so the
// desired object equals what the API server returns.
bool HasResources(const operator_api::ResourcesSpec& resources);

}  // namespace sluice::operator_resources::internal

// Test fixtures for the builders: the three sample clusters the golden files are made from, the
// full set of objects the operator would own for one, and a stable pretty JSON printer.
//
// The clusters are written out in C++ (not parsed from YAML) so these tests depend on nothing
// but the types in controller/api/kafka_cluster.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <cpprest/json.h>

#include "controller/api/kafka_cluster.h"
#include "controller/resources/builders.h"

namespace sluice::operator_resources::testing {

using operator_api::KafkaCluster;

inline web::json::value ParseJson(const std::string& text) { return web::json::value::parse(text); }

// The three clusters mirror manifests/samples/*.yaml after defaulting (the image is
// sluice/broker:<project version>); namespaces differ so a hard-coded namespace would show.

// (a) manifests/samples/minimal.yaml: one broker, a one-member ZooKeeper, small volumes.
inline KafkaCluster MinimalCluster() {
  KafkaCluster c;
  c.metadata.name = "minimal";
  c.metadata.namespace_ = "default";
  c.metadata.uid = "6f1c2a4e-0d5b-4c1e-9a11-000000000001";
  c.metadata.generation = 1;
  c.spec.replicas = 1;
  c.spec.image = "sluice/broker:0.1.0";
  c.spec.config = {{"default.replication.factor", "1"},
                   {"offsets.topic.replication.factor", "1"},
                   {"transaction.state.log.replication.factor", "1"},
                   {"min.insync.replicas", "1"}};
  c.spec.storage = {{"1Gi", std::nullopt}, {"256Mi", std::nullopt}};
  operator_api::ManagedZooKeeperSpec zk;
  zk.replicas = 1;
  zk.storage = {"256Mi", std::nullopt};
  c.spec.zookeeper.managed = zk;
  return c;
}

// (b) manifests/samples/production.yaml (three brokers over three zones, a three-member
// ensemble, chroot /production), plus what the sample leaves out and the builders must handle:
// an override on broker 1 (config, resources, node selector, and storage whose logs volume
// inherits the cluster's) and an external NodePort listener.
inline KafkaCluster ProductionCluster() {
  KafkaCluster c;
  c.metadata.name = "production";
  c.metadata.namespace_ = "kafka";
  c.metadata.uid = "6f1c2a4e-0d5b-4c1e-9a11-000000000002";
  c.metadata.generation = 4;
  c.spec.replicas = 3;
  c.spec.image = "sluice/broker:0.1.0";
  c.spec.config = {{"default.replication.factor", "3"},
                   {"min.insync.replicas", "2"},
                   {"offsets.topic.replication.factor", "3"},
                   {"transaction.state.log.replication.factor", "3"},
                   {"transaction.state.log.min.isr", "2"},
                   {"unclean.leader.election.enable", "false"},
                   {"auto.create.topics.enable", "false"},
                   {"num.partitions", "6"},
                   {"log.retention.hours", "168"}};
  operator_api::BrokerOverride broker1;
  broker1.id = 1;
  broker1.config = {{"num.io.threads", "16"}, {"log.retention.hours", "336"}};
  broker1.resources = operator_api::ResourcesSpec{
      ParseJson(R"({"requests": {"cpu": "4", "memory": "8Gi"}, "limits": {"memory": "8Gi"}})")};
  broker1.storage = operator_api::StorageSpec{{"200Gi", "fast-ssd"}, {"", std::nullopt}};
  broker1.node_selector = {{"disk", "ssd"}};
  c.spec.brokers = {broker1};
  c.spec.listeners.external = operator_api::ExternalListenerSpec{30092, "10.88.0.1"};
  c.spec.storage = {{"100Gi", "standard"}, {"2Gi", "standard"}};
  c.spec.resources = operator_api::ResourcesSpec{
      ParseJson(R"({"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"memory": "4Gi"}})")};
  operator_api::ManagedZooKeeperSpec zk;
  zk.replicas = 3;
  zk.storage = {"5Gi", "standard"};
  zk.resources = operator_api::ResourcesSpec{
      ParseJson(R"({"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}})")};
  c.spec.zookeeper.managed = zk;
  c.spec.zookeeper.chroot = "/production";
  c.spec.healing = {600, true};
  c.spec.rack_awareness = operator_api::RackAwarenessSpec{"topology.kubernetes.io/zone"};
  return c;
}

// The zone rack awareness placed each production broker in (reconcile learns it from the node).
inline std::optional<std::string> ProductionZone(int32_t id) {
  static const char* const kZones[] = {"zone-a", "zone-b", "zone-c"};
  return std::string(kZones[id % 3]);
}

// (c) manifests/samples/external-zookeeper.yaml: an existing ensemble, this cluster's znodes
// under the chroot /sluice/orders, NodePorts from 31092.
inline KafkaCluster ExternalZooKeeperCluster() {
  KafkaCluster c;
  c.metadata.name = "orders";
  c.metadata.namespace_ = "shop";
  c.metadata.uid = "6f1c2a4e-0d5b-4c1e-9a11-000000000003";
  c.metadata.generation = 2;
  c.spec.replicas = 3;
  c.spec.image = "sluice/broker:0.1.0";
  c.spec.config = {{"default.replication.factor", "3"}, {"min.insync.replicas", "2"}};
  c.spec.listeners.external = operator_api::ExternalListenerSpec{31092, "10.88.0.1"};
  c.spec.zookeeper.external = operator_api::ExternalZooKeeperSpec{
      "zk-0.zk.infra.svc.cluster.local:2181,zk-1.zk.infra.svc.cluster.local:2181,"
      "zk-2.zk.infra.svc.cluster.local:2181"};
  c.spec.zookeeper.chroot = "/sluice/orders";
  return c;
}

struct OwnedObject {
  std::string kind;
  std::string name;
  web::json::value object;
};

// Every object the operator owns for c with brokers 0..replicas-1, as reconcile would build
// them: the pod's config hash is that of the server.properties its ConfigMap holds.
inline std::vector<OwnedObject> AllObjects(
    const KafkaCluster& c, const std::function<std::optional<std::string>(int32_t)>& zone_of) {
  const std::string pdb_api = "policy/v1beta1";
  std::vector<web::json::value> objects;
  if (c.spec.zookeeper.managed) {
    objects.push_back(ZooKeeperConfigMap(c));
    objects.push_back(ZooKeeperHeadlessService(c));
    objects.push_back(ZooKeeperClientService(c));
    objects.push_back(ZooKeeperStatefulSet(c));
    objects.push_back(ZooKeeperPodDisruptionBudget(c, pdb_api));
  }
  for (int32_t id = 0; id < c.spec.replicas; ++id) {
    const std::optional<std::string> zone = zone_of(id);
    objects.push_back(BrokerConfigMap(c, id, zone));
    objects.push_back(BrokerDataPvc(c, id));
    objects.push_back(BrokerLogsPvc(c, id));
    objects.push_back(BrokerPod(c, id, ConfigHash(BrokerServerProperties(c, id, zone)), zone));
    objects.push_back(BrokerService(c, id));
  }
  objects.push_back(BrokersHeadlessService(c));
  objects.push_back(BootstrapService(c));
  objects.push_back(BrokersPodDisruptionBudget(c, pdb_api));

  std::vector<OwnedObject> out;
  for (auto& object : objects) {
    out.push_back(
        {object.at("kind").as_string(), object.at("metadata").at("name").as_string(), object});
  }
  return out;
}

inline std::optional<std::string> NoZone(int32_t) { return std::nullopt; }

// JSON with two-space indentation and object keys in sorted order, one value per line; the
// golden files' format, chosen so a diff of two of them reads field by field.
inline void AppendPretty(std::string& out, const web::json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close_pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    if (v.size() == 0) {
      out += "{}";
      return;
    }
    std::vector<std::pair<std::string, web::json::value>> fields(v.as_object().begin(),
                                                                 v.as_object().end());
    std::sort(fields.begin(), fields.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out += "{\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      out += pad + web::json::value::string(fields[i].first).serialize() + ": ";
      AppendPretty(out, fields[i].second, indent + 2);
      out += i + 1 < fields.size() ? ",\n" : "\n";
    }
    out += close_pad + "}";
  } else if (v.is_array()) {
    if (v.size() == 0) {
      out += "[]";
      return;
    }
    out += "[\n";
    const auto& items = v.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += pad;
      AppendPretty(out, items.at(i), indent + 2);
      out += i + 1 < items.size() ? ",\n" : "\n";
    }
    out += close_pad + "]";
  } else {
    out += v.serialize();
  }
}

inline std::string PrettyJson(const web::json::value& v) {
  std::string out;
  AppendPretty(out, v, 0);
  return out + "\n";
}

}  // namespace sluice::operator_resources::testing

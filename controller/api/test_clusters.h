// KafkaClusters shared by the api tests.
#pragma once

#include <ostream>

#include "controller/api/kafka_cluster.h"
#include "controller/api/kafka_cluster_json.h"

namespace sluice::operator_api {

// GoogleTest prints these as their JSON rather than as bytes.
inline void PrintTo(const KafkaCluster& cluster, std::ostream* os) {
  *os << ToJson(cluster).serialize();
}
inline void PrintTo(const KafkaClusterSpec& spec, std::ostream* os) {
  *os << SpecToJson(spec).serialize();
}
inline void PrintTo(const KafkaClusterStatus& status, std::ostream* os) {
  *os << StatusToJson(status).serialize();
}
inline void PrintTo(const VolumeSpec& volume, std::ostream* os) {
  *os << "{size: \"" << volume.size << "\", storageClassName: "
      << (volume.storage_class_name ? "\"" + *volume.storage_class_name + "\"" : "unset") << "}";
}
inline void PrintTo(const StorageSpec& storage, std::ostream* os) {
  *os << "{data: ";
  PrintTo(storage.data, os);
  *os << ", logs: ";
  PrintTo(storage.logs, os);
  *os << "}";
}

}  // namespace sluice::operator_api

namespace sluice::operator_api::testing {

// Every field set, every optional present, no value equal to its default: ToJson of it has
// every path the CRD schema has (crd_test checks this) and a round trip must keep all of it.
inline KafkaCluster FullCluster() {
  KafkaCluster c;
  c.metadata.name = "demo";
  c.metadata.namespace_ = "kafka";
  c.metadata.uid = "0d1c2b3a-0000-4000-8000-000000000001";
  c.metadata.resource_version = "4711";
  c.metadata.generation = 7;
  c.metadata.deletion_timestamp = "2024-05-01T10:00:00Z";
  c.metadata.finalizers = {kFinalizer};
  c.metadata.labels = {{"team", "payments"}};
  c.metadata.annotations = {{"note", "full"}};

  KafkaClusterSpec& s = c.spec;
  s.replicas = 4;
  BrokerOverride b0;
  b0.id = 0;
  b0.config = {{"num.io.threads", "16"}};
  b0.resources =
      ResourcesSpec{web::json::value::parse(R"({"limits":{"cpu":2},"requests":{"cpu":"1"}})")};
  b0.storage = StorageSpec{{"50Gi", "fast"}, {"2Gi", "slow"}};
  b0.node_selector = {{"disk", "ssd"}};
  BrokerOverride b2;
  b2.id = 2;
  s.brokers = {b0, b2};
  s.image = "registry.local/sluice/broker:0.0.9";
  s.image_pull_policy = "Always";
  s.config = {{"default.replication.factor", "3"}, {"min.insync.replicas", "2"}};
  s.listeners.internal.base_port = 19092;
  s.listeners.external = ExternalListenerSpec{31000, "10.88.0.1"};
  s.admin_port = 9700;
  s.storage = StorageSpec{{"20Gi", "standard"}, {"3Gi", "standard"}};
  s.resources.value = web::json::value::parse(
      R"({"limits":{"memory":"2Gi"},"requests":{"cpu":"500m","memory":"1Gi"}})");
  ManagedZooKeeperSpec zk;
  zk.replicas = 5;
  zk.image = "sluice/zookeeper-test:3.8";
  zk.storage = VolumeSpec{"2Gi", "standard"};
  zk.resources.value =
      web::json::value::parse(R"({"limits":{"memory":"1Gi"},"requests":{"cpu":"250m"}})");
  s.zookeeper.managed = zk;
  s.zookeeper.external = ExternalZooKeeperSpec{"zk-0.zk:2181,zk-1.zk:2181"};
  s.zookeeper.chroot = "/demo";
  s.healing = HealingSpec{120, false};
  s.rack_awareness = RackAwarenessSpec{"kubernetes.io/hostname"};

  KafkaClusterStatus& st = c.status;
  st.observed_generation = 6;
  st.conditions = {Condition{"Ready", "False", "BrokersNotReady", "1 of 4 brokers is not ready",
                             "2024-05-01T09:59:00Z", 6}};
  st.replicas = 4;
  st.label_selector = "app.kubernetes.io/instance=demo,app.kubernetes.io/component=broker";
  st.brokers_ready = "3/4";
  st.zookeeper_ready = "5/5";
  BrokerStatus broker;
  broker.id = 1;
  broker.pod = "demo-broker-1";
  broker.ready = true;
  broker.phase = BrokerPhase::kReplacing;
  broker.partitions_led = 12;
  broker.replicas = 30;
  broker.under_replicated = 2;
  broker.gone_since = "2024-05-01T09:50:00Z";
  broker.config_hash = "9f2c";
  broker.replaced_by = 4;
  st.brokers = {broker};
  st.zookeeper = ZooKeeperStatus{
      5, 5, "demo-zookeeper-0.demo-zookeeper-headless.kafka.svc.cluster.local:2181/demo"};
  st.bootstrap = "demo-bootstrap.kafka.svc.cluster.local:19092";
  st.external_bootstrap = "10.88.0.1:31000";
  st.next_broker_id = 5;
  st.balanced_brokers = {0, 1, 2};
  // The spec before the last edit (one broker fewer): every spec path again, below status.
  st.last_applied_spec = s;
  st.last_applied_spec->replicas = 3;
  return c;
}

}  // namespace sluice::operator_api::testing

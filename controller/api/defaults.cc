#include "controller/api/defaults.h"

#ifndef SLUICE_VERSION
#error "SLUICE_VERSION (the CMake project version) must be defined for defaults.cc"
#endif

namespace sluice::operator_api {
namespace {

void Inherit(VolumeSpec& volume, const VolumeSpec& cluster_wide) {
  if (volume.size.empty()) volume.size = cluster_wide.size;
  if (!volume.storage_class_name) volume.storage_class_name = cluster_wide.storage_class_name;
}

}  // namespace

std::string OperatorVersion() { return SLUICE_VERSION; }

std::string DefaultBrokerImage() { return "sluice/broker:" + OperatorVersion(); }

KafkaCluster WithDefaults(KafkaCluster cluster) {
  KafkaClusterSpec& spec = cluster.spec;
  if (spec.image.empty()) spec.image = DefaultBrokerImage();
  if (!spec.zookeeper.managed && !spec.zookeeper.external) {
    spec.zookeeper.managed = ManagedZooKeeperSpec{};
  }
  for (BrokerOverride& broker : spec.brokers) {
    if (!broker.storage) continue;
    Inherit(broker.storage->data, spec.storage.data);
    Inherit(broker.storage->logs, spec.storage.logs);
  }
  return cluster;
}

StorageSpec EffectiveStorage(const KafkaClusterSpec& spec, int32_t broker_id) {
  for (const BrokerOverride& broker : spec.brokers) {
    if (broker.id != broker_id || !broker.storage) continue;
    StorageSpec storage = *broker.storage;
    Inherit(storage.data, spec.storage.data);
    Inherit(storage.logs, spec.storage.logs);
    return storage;
  }
  return spec.storage;
}

}  // namespace sluice::operator_api

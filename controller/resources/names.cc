// Object names, label selectors and the addresses built from them (controller/README.md,
// "Objects"). Every name is the cluster name plus a fixed suffix, so objects are found by name
// after an operator restart without any state of its own.
#include <string>
#include <vector>

#include "controller/resources/builders.h"
#include "controller/resources/object_meta.h"

namespace sluice::operator_resources {

namespace {

bool IsLowerAlnum(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

}  // namespace

std::string ZooKeeperName(const KafkaCluster& c) { return c.metadata.name + "-zookeeper"; }
std::string ZooKeeperHeadlessName(const KafkaCluster& c) {
  return c.metadata.name + "-zookeeper-headless";
}
std::string ZooKeeperConfigMapName(const KafkaCluster& c) {
  return c.metadata.name + "-zookeeper-config";
}
std::string BrokerName(const KafkaCluster& c, int32_t id) {
  return c.metadata.name + "-broker-" + std::to_string(id);
}
std::string BrokerDataPvcName(const KafkaCluster& c, int32_t id) {
  return BrokerName(c, id) + "-data";
}
std::string BrokerLogsPvcName(const KafkaCluster& c, int32_t id) {
  return BrokerName(c, id) + "-logs";
}
std::string BrokersHeadlessName(const KafkaCluster& c) { return c.metadata.name + "-brokers"; }
std::string BootstrapServiceName(const KafkaCluster& c) { return c.metadata.name + "-bootstrap"; }
std::string BrokersPdbName(const KafkaCluster& c) { return c.metadata.name + "-brokers"; }

std::string BrokerLabelSelector(const KafkaCluster& c) {
  return "app.kubernetes.io/instance=" + c.metadata.name +
         ",app.kubernetes.io/component=" + std::string(internal::kBrokerComponent);
}
std::string ZooKeeperLabelSelector(const KafkaCluster& c) {
  return "app.kubernetes.io/instance=" + c.metadata.name +
         ",app.kubernetes.io/component=" + std::string(internal::kZooKeeperComponent);
}

Status ValidateClusterName(const std::string& name) {
  if (name.empty()) {
    return Status::InvalidArgument("the KafkaCluster needs a metadata.name");
  }
  if (name.size() > kMaxClusterNameLength) {
    return Status::InvalidArgument(
        "KafkaCluster name \"" + name + "\" has " + std::to_string(name.size()) +
        " characters; at most " + std::to_string(kMaxClusterNameLength) +
        " fit the object names built from it (\"<name>-zookeeper\" is a StatefulSet whose "
        "revision label must stay within 63 characters)");
  }
  bool charset_ok = true;
  for (char ch : name) charset_ok = charset_ok && (IsLowerAlnum(ch) || ch == '-');
  if (!charset_ok || !(name.front() >= 'a' && name.front() <= 'z') || !IsLowerAlnum(name.back())) {
    return Status::InvalidArgument(
        "KafkaCluster name \"" + name +
        "\" must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter "
        "and ending with a letter or digit): the operator names Services after it");
  }
  return Status::Ok();
}

std::string ZooKeeperConnect(const KafkaCluster& c) {
  const auto& zk = c.spec.zookeeper;
  std::string connect;
  if (zk.external) {
    connect = zk.external->connect;
  } else {
    const int32_t replicas = zk.managed ? zk.managed->replicas : 0;
    const std::string headless = internal::ServiceFqdn(c, ZooKeeperHeadlessName(c));
    for (int32_t ordinal = 0; ordinal < replicas; ++ordinal) {
      if (ordinal > 0) connect += ',';
      connect += ZooKeeperName(c) + "-" + std::to_string(ordinal) + "." + headless + ":" +
                 std::to_string(internal::kZooKeeperClientPort);
    }
  }
  return connect + zk.chroot;
}

std::string BootstrapAddress(const KafkaCluster& c) {
  return internal::ServiceFqdn(c, BootstrapServiceName(c)) + ":" +
         std::to_string(c.spec.listeners.internal.base_port);
}

std::string ExternalBootstrapAddress(const KafkaCluster& c, const std::vector<int32_t>& ids) {
  const auto& external = c.spec.listeners.external;
  if (!external) return "";
  std::string out;
  for (int32_t id : ids) {
    if (!out.empty()) out += ',';
    out += external->advertised_host + ":" + std::to_string(external->node_port_base + id);
  }
  return out;
}

std::string BrokerInternalAddress(const KafkaCluster& c, int32_t id) {
  return internal::ServiceFqdn(c, BrokerName(c, id)) + ":" +
         std::to_string(c.spec.listeners.internal.base_port + id);
}

}  // namespace sluice::operator_resources

#include "controller/api/validation.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "controller/api/defaults.h"
#include "controller/api/quantity.h"

namespace sluice::operator_api {
namespace {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string Range(int32_t low, int32_t high) {
  return std::to_string(low) + "-" + std::to_string(high);
}

std::string BrokerPath(size_t index) { return "spec.brokers[" + std::to_string(index) + "]"; }

// "broker 1" or "brokers 0, 1, 2".
std::string Brokers(const std::vector<int32_t>& ids) {
  std::string out = ids.size() == 1 ? "broker " : "brokers ";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  return out;
}

void CheckQuantity(const std::string& path, const std::string& text, const char* example,
                   std::vector<std::string>& problems) {
  if (text.empty()) {
    problems.push_back(path + " is empty; set a Kubernetes quantity such as " + example);
    return;
  }
  std::optional<long double> parsed = ParseQuantity(text);
  if (!parsed) {
    problems.push_back(path + " " + Quote(text) +
                       " is not a Kubernetes quantity; write a number with an optional suffix "
                       "such as " +
                       example + " (binary Ki Mi Gi Ti, decimal k M G T)");
  } else if (*parsed <= 0) {
    problems.push_back(path + " is " + text + "; a volume needs a size greater than zero");
  }
}

void CheckVolume(const std::string& path, const VolumeSpec& volume,
                 std::vector<std::string>& problems) {
  CheckQuantity(path + ".size", volume.size, "10Gi", problems);
  if (volume.storage_class_name && volume.storage_class_name->empty()) {
    problems.push_back(path +
                       ".storageClassName is empty; name a StorageClass, or leave the "
                       "field out to use the cluster's default class");
  }
}

void CheckResources(const std::string& path, const ResourcesSpec& resources,
                    std::vector<std::string>& problems) {
  if (!resources.value.is_object()) return;
  for (const auto& [kind, map] : resources.value.as_object()) {
    if (!map.is_object()) continue;
    for (const auto& [resource, quantity] : map.as_object()) {
      if (!quantity.is_string()) continue;  // a number is always a quantity
      if (!ParseQuantity(quantity.as_string())) {
        problems.push_back(path + "." + kind + "." + resource + " " + Quote(quantity.as_string()) +
                           " is not a Kubernetes quantity; write e.g. 500m or 2 for cpu, 1Gi "
                           "for memory");
      }
    }
  }
}

void CheckConfig(const std::string& path, const BrokerConfig& config,
                 std::vector<std::string>& problems) {
  for (const OperatorOwnedKey& owned : kOperatorOwnedKeys) {
    if (config.count(owned.key)) {
      problems.push_back(path + " sets " + owned.key + ", which the operator sets from " +
                         owned.set_by + "; remove it from " + path);
    }
  }
}

// `port` + every id up to `highest_id` must stay within [low, high].
void CheckPortRange(const std::string& path, int32_t port, int32_t highest_id, int32_t low,
                    int32_t high, const std::string& why_low, std::vector<std::string>& problems) {
  if (port < low || port > high) {
    problems.push_back(path + " is " + std::to_string(port) + "; it must be in " +
                       Range(low, high) + why_low);
  } else if (int64_t{port} + highest_id > high) {
    problems.push_back(path + " " + std::to_string(port) + " plus the highest broker id " +
                       std::to_string(highest_id) + " is " +
                       std::to_string(int64_t{port} + highest_id) + ", above " +
                       std::to_string(high) + "; lower " + path + " (broker i uses port " +
                       path.substr(path.rfind('.') + 1) + " + i)");
  }
}

void CheckPorts(const KafkaCluster& cluster, std::vector<std::string>& problems) {
  const KafkaClusterSpec& spec = cluster.spec;
  const int32_t highest = HighestBrokerId(cluster);
  const std::string unprivileged =
      " because the broker runs as a non-root user (uid 10001), which cannot listen on ports "
      "below 1024";
  const int32_t base = spec.listeners.internal.base_port;
  CheckPortRange("spec.listeners.internal.basePort", base, highest, kMinPort, kMaxPort,
                 unprivileged, problems);
  if (spec.admin_port < kMinPort || spec.admin_port > kMaxPort) {
    problems.push_back("spec.adminPort is " + std::to_string(spec.admin_port) + "; it must be in " +
                       Range(kMinPort, kMaxPort) + unprivileged);
  } else if (spec.admin_port >= base && int64_t{spec.admin_port} <= int64_t{base} + highest) {
    problems.push_back("spec.adminPort " + std::to_string(spec.admin_port) + " is also broker " +
                       std::to_string(spec.admin_port - base) +
                       "'s Kafka port (spec.listeners.internal.basePort " + std::to_string(base) +
                       " + " + std::to_string(spec.admin_port - base) +
                       "); choose an adminPort outside " + Range(base, base + highest));
  }
  if (!spec.listeners.external) return;
  const ExternalListenerSpec& external = *spec.listeners.external;
  const int32_t node_base = external.node_port_base;
  CheckPortRange("spec.listeners.external.nodePortBase", node_base, highest, kMinNodePort,
                 kMaxNodePort, " (the API server's default NodePort range)", problems);
  if (node_base == base) {
    problems.push_back(
        "spec.listeners.external.nodePortBase equals "
        "spec.listeners.internal.basePort (" +
        std::to_string(base) +
        "); each broker needs different ports for its internal and external "
        "listeners, so change one of them");
  }
  if (spec.admin_port >= node_base && int64_t{spec.admin_port} <= int64_t{node_base} + highest) {
    problems.push_back("spec.adminPort " + std::to_string(spec.admin_port) + " is also broker " +
                       std::to_string(spec.admin_port - node_base) +
                       "'s external port (spec.listeners.external.nodePortBase " +
                       std::to_string(node_base) + " + " +
                       std::to_string(spec.admin_port - node_base) +
                       "); choose an adminPort outside " + Range(node_base, node_base + highest));
  }
  if (external.advertised_host.empty()) {
    problems.push_back(
        "spec.listeners.external.advertisedHost is empty; set it to a node "
        "address external clients can reach (broker i is advertised as "
        "advertisedHost:nodePortBase+i)");
  }
}

void CheckBrokers(const KafkaClusterSpec& spec, std::vector<std::string>& problems) {
  if (spec.replicas < 0 || spec.replicas > kMaxReplicas) {
    problems.push_back("spec.replicas is " + std::to_string(spec.replicas) +
                       "; it must be between 0 and " + std::to_string(kMaxReplicas));
  }
  if (spec.replicas >= 0 && static_cast<size_t>(spec.replicas) < spec.brokers.size()) {
    problems.push_back(
        "spec.replicas is " + std::to_string(spec.replicas) + " but spec.brokers lists " +
        std::to_string(spec.brokers.size()) + " brokers; raise spec.replicas to at least " +
        std::to_string(spec.brokers.size()) + " or remove entries from spec.brokers");
  }
  std::set<int32_t> seen;
  std::set<int32_t> reported;
  for (size_t i = 0; i < spec.brokers.size(); ++i) {
    const BrokerOverride& broker = spec.brokers[i];
    const std::string path = BrokerPath(i);
    if (broker.id < 0) {
      problems.push_back(path + ".id is " + std::to_string(broker.id) +
                         "; broker ids must be 0 or greater");
    }
    if (!seen.insert(broker.id).second && reported.insert(broker.id).second) {
      problems.push_back("spec.brokers lists broker id " + std::to_string(broker.id) +
                         " more than once; merge the entries into one");
    }
    CheckConfig(path + ".config", broker.config, problems);
    if (broker.resources) CheckResources(path + ".resources", *broker.resources, problems);
    if (broker.storage) {
      CheckVolume(path + ".storage.data", broker.storage->data, problems);
      CheckVolume(path + ".storage.logs", broker.storage->logs, problems);
    }
  }
}

// host:port[,host:port...]; a host is a DNS name, an IPv4 address or a bracketed IPv6 address.
void CheckConnect(const std::string& connect, std::vector<std::string>& problems) {
  const std::string path = "spec.zookeeper.external.connect";
  if (connect.empty()) {
    problems.push_back(path +
                       " is empty; set it to the ensemble's host:port list, e.g. "
                       "zk-0.zk:2181,zk-1.zk:2181");
    return;
  }
  static const std::regex kHostPort(
      R"(([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5}))");
  size_t start = 0;
  while (true) {
    size_t comma = connect.find(',', start);
    std::string entry =
        connect.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::smatch match;
    std::string problem;
    if (entry.find('/') != std::string::npos) {
      problem = Quote(entry) + " has a path; put the chroot in spec.zookeeper.chroot instead";
    } else if (!std::regex_match(entry, match, kHostPort)) {
      problem = Quote(entry) + " is not host:port";
    } else if (int port = std::stoi(match[3].str()); port < 1 || port > 65535) {
      problem = Quote(entry) + " has port " + match[3].str() + ", outside 1-65535";
    }
    if (!problem.empty()) {
      problems.push_back(path + " " + Quote(connect) + " is malformed: " + problem +
                         "; write host:port[,host:port...], e.g. zk-0.zk:2181,zk-1.zk:2181");
      return;
    }
    if (comma == std::string::npos) return;
    start = comma + 1;
  }
}

void CheckZooKeeper(const ZooKeeperSpec& zookeeper, std::vector<std::string>& problems) {
  if (zookeeper.managed && zookeeper.external) {
    problems.push_back(
        "spec.zookeeper sets both managed and external; keep one: managed runs "
        "an ensemble for this cluster, external uses an existing one");
  } else if (!zookeeper.managed && !zookeeper.external) {
    problems.push_back(
        "spec.zookeeper sets neither managed nor external; set one (the "
        "default is a managed ensemble of 3)");
  }
  if (const auto& managed = zookeeper.managed) {
    int32_t n = managed->replicas;
    if (n != 1 && n != 3 && n != 5) {
      std::string why;
      if (n > 0 && n % 2 == 0) {
        why = ": an ensemble works while a majority is up, so " + std::to_string(n) +
              " members survive as many failures as " + std::to_string(n - 1) +
              " while adding one more member that can fail";
      } else if (n > 5) {
        why =
            ": every write waits for a majority, so more members slow writes down; 5 already "
            "survive two failures";
      } else {
        why = ": 1 is for trying things out, 3 survive one failure, 5 survive two";
      }
      problems.push_back("spec.zookeeper.managed.replicas is " + std::to_string(n) +
                         "; use 1, 3 or 5" + why);
    }
    if (managed->image.empty()) {
      problems.push_back(
          "spec.zookeeper.managed.image is empty; set a ZooKeeper image with the "
          "official image's interface, e.g. zookeeper:3.8");
    }
    CheckVolume("spec.zookeeper.managed.storage", managed->storage, problems);
    CheckResources("spec.zookeeper.managed.resources", managed->resources, problems);
  }
  if (zookeeper.external) CheckConnect(zookeeper.external->connect, problems);
  const std::string& chroot = zookeeper.chroot;
  if (!chroot.empty()) {
    const std::string path = "spec.zookeeper.chroot " + Quote(chroot);
    if (chroot[0] != '/') {
      problems.push_back(path + " must start with \"/\"; write " + Quote("/" + chroot));
    } else if (chroot.back() == '/') {
      problems.push_back(
          path + " must not end with \"/\"; write " +
          Quote(chroot.substr(0, chroot.find_last_not_of('/') + 1)) +
          (chroot.find_first_not_of('/') == std::string::npos ? " to use the ZooKeeper root" : ""));
    } else if (chroot.find("//") != std::string::npos) {
      problems.push_back(path +
                         " has an empty path segment (\"//\"); separate segments with "
                         "one \"/\"");
    }
  }
}

}  // namespace

int32_t HighestBrokerId(const KafkaCluster& cluster) {
  int32_t highest = std::max(cluster.spec.replicas - 1, 0);
  for (const BrokerOverride& broker : cluster.spec.brokers) highest = std::max(highest, broker.id);
  for (const BrokerStatus& broker : cluster.status.brokers) highest = std::max(highest, broker.id);
  return highest;
}

std::vector<std::string> Validate(const KafkaCluster& cluster) {
  const KafkaClusterSpec& spec = cluster.spec;
  std::vector<std::string> problems;
  CheckBrokers(spec, problems);
  if (spec.image.empty()) {
    problems.push_back("spec.image is empty; set a broker image, or leave the field out to use " +
                       DefaultBrokerImage());
  }
  if (spec.image_pull_policy != "Always" && spec.image_pull_policy != "IfNotPresent" &&
      spec.image_pull_policy != "Never") {
    problems.push_back("spec.imagePullPolicy is " + Quote(spec.image_pull_policy) +
                       "; use Always, IfNotPresent or Never");
  }
  CheckConfig("spec.config", spec.config, problems);
  CheckPorts(cluster, problems);
  CheckVolume("spec.storage.data", spec.storage.data, problems);
  CheckVolume("spec.storage.logs", spec.storage.logs, problems);
  CheckResources("spec.resources", spec.resources, problems);
  CheckZooKeeper(spec.zookeeper, problems);
  if (spec.healing.replace_after_seconds < kMinReplaceAfterSeconds) {
    problems.push_back("spec.healing.replaceAfterSeconds is " +
                       std::to_string(spec.healing.replace_after_seconds) +
                       "; it must be at least 30 so that a broker that is only restarting (a "
                       "rolling restart, a rescheduled pod) is not replaced and its partitions "
                       "moved");
  }
  if (spec.rack_awareness && spec.rack_awareness->topology_key.empty()) {
    problems.push_back(
        "spec.rackAwareness.topologyKey is empty; name the node label whose value "
        "is a broker's rack, e.g. topology.kubernetes.io/zone");
  }
  return problems;
}

namespace {

// The ids whose volumes may already exist: those in status, the pinned ones and 0..replicas-1.
std::set<int32_t> ExistingBrokerIds(const KafkaCluster& cluster) {
  std::set<int32_t> ids;
  for (const BrokerStatus& broker : cluster.status.brokers) ids.insert(broker.id);
  for (const BrokerOverride& broker : cluster.spec.brokers) ids.insert(broker.id);
  for (int32_t id = 0; id < std::min(cluster.spec.replicas, kMaxReplicas); ++id) ids.insert(id);
  return ids;
}

// The field that decides broker `id`'s volume `volume` ("data" or "logs") in `spec`.
std::string VolumeField(const KafkaClusterSpec& spec, int32_t id, const char* volume,
                        const char* field) {
  for (size_t i = 0; i < spec.brokers.size(); ++i) {
    if (spec.brokers[i].id != id || !spec.brokers[i].storage) continue;
    const StorageSpec& storage = *spec.brokers[i].storage;
    const VolumeSpec& v = std::string(volume) == "data" ? storage.data : storage.logs;
    bool set_here =
        std::string(field) == "size" ? !v.size.empty() : v.storage_class_name.has_value();
    if (set_here) return BrokerPath(i) + ".storage." + volume + "." + field;
  }
  return std::string("spec.storage.") + volume + "." + field;
}

std::string ClassName(const std::optional<std::string>& name) {
  return name ? Quote(*name) : "the cluster's default class";
}

}  // namespace

std::vector<std::string> ValidateUpdate(const KafkaCluster& old_cluster,
                                        const KafkaCluster& new_cluster) {
  const KafkaClusterSpec& before = old_cluster.spec;
  const KafkaClusterSpec& after = new_cluster.spec;
  std::vector<std::string> problems;

  // Grouped by (field, old value, new value) so that a cluster-wide change is one sentence.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<int32_t>> shrunk;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<int32_t>> reclassed;
  for (int32_t id : ExistingBrokerIds(old_cluster)) {
    StorageSpec old_storage = EffectiveStorage(before, id);
    StorageSpec new_storage = EffectiveStorage(after, id);
    for (const char* volume : {"data", "logs"}) {
      const bool data = std::string(volume) == "data";
      const VolumeSpec& old_volume = data ? old_storage.data : old_storage.logs;
      const VolumeSpec& new_volume = data ? new_storage.data : new_storage.logs;
      std::optional<long double> old_size = ParseQuantity(old_volume.size);
      std::optional<long double> new_size = ParseQuantity(new_volume.size);
      if (old_size && new_size && *new_size < *old_size) {
        shrunk[{VolumeField(after, id, volume, "size"), old_volume.size, new_volume.size}]
            .push_back(id);
      }
      if (old_volume.storage_class_name != new_volume.storage_class_name) {
        reclassed[{VolumeField(after, id, volume, "storageClassName"),
                   ClassName(old_volume.storage_class_name),
                   ClassName(new_volume.storage_class_name)}]
            .push_back(id);
      }
    }
  }
  for (const auto& [change, ids] : shrunk) {
    const auto& [field, from, to] = change;
    problems.push_back(
        field + ": shrinking from " + from + " to " + to + " is refused (" + Brokers(ids) +
        " already " + (ids.size() > 1 ? "have volumes" : "has a volume") + " of " + from +
        " and a PersistentVolumeClaim can only grow); set it back to at least " + from);
  }
  for (const auto& [change, ids] : reclassed) {
    const auto& [field, from, to] = change;
    problems.push_back(field + ": changing the storage class from " + from + " to " + to +
                       " is refused (" + Brokers(ids) + " already " +
                       (ids.size() > 1 ? "have volumes" : "has a volume") +
                       ", and a volume's class cannot change); set it "
                       "back, and to move brokers to other storage, add new brokers and remove "
                       "the old ones");
  }

  if (before.listeners.internal.base_port != after.listeners.internal.base_port) {
    problems.push_back("spec.listeners.internal.basePort: changing it from " +
                       std::to_string(before.listeners.internal.base_port) + " to " +
                       std::to_string(after.listeners.internal.base_port) +
                       " is refused: every broker's advertised address would change under "
                       "connected clients; set it back to " +
                       std::to_string(before.listeners.internal.base_port));
  }

  if (before.zookeeper.managed.has_value() != after.zookeeper.managed.has_value() ||
      before.zookeeper.external.has_value() != after.zookeeper.external.has_value()) {
    problems.push_back(
        "spec.zookeeper: switching between managed and external ZooKeeper is "
        "refused: the brokers would lose every topic, partition and offset the "
        "old ensemble holds; set it back, or create a new KafkaCluster and move "
        "the data");
  } else if (before.zookeeper.managed && after.zookeeper.managed) {
    const VolumeSpec& from = before.zookeeper.managed->storage;
    const VolumeSpec& to = after.zookeeper.managed->storage;
    const std::string refused =
        " is refused: a StatefulSet's volumeClaimTemplates cannot change; set it back to ";
    if (from.size != to.size) {
      problems.push_back("spec.zookeeper.managed.storage.size: changing it from " + from.size +
                         " to " + to.size + refused + from.size);
    }
    if (from.storage_class_name != to.storage_class_name) {
      problems.push_back("spec.zookeeper.managed.storage.storageClassName: changing it from " +
                         ClassName(from.storage_class_name) + " to " +
                         ClassName(to.storage_class_name) + refused +
                         ClassName(from.storage_class_name));
    }
  }
  if (before.zookeeper.chroot != after.zookeeper.chroot) {
    problems.push_back("spec.zookeeper.chroot: changing it from " + Quote(before.zookeeper.chroot) +
                       " to " + Quote(after.zookeeper.chroot) +
                       " is refused: the brokers would start over in an empty ZooKeeper path "
                       "and lose every topic and offset; set it back to " +
                       Quote(before.zookeeper.chroot));
  }
  return problems;
}

}  // namespace sluice::operator_api

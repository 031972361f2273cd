// Pure desired-state builders: a KafkaCluster (defaulted and valid) in, Kubernetes objects out.
//
// Nothing here talks to the API server or reads a clock, so the same input always gives the same
// bytes (the golden tests rely on it) and reconcile can compare desired with actual. Names,
// labels and the objects themselves follow controller/README.md ("Objects"). Every object carries
// the cluster's labels and an ownerReference to the KafkaCluster.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>

#include "controller/api/kafka_cluster.h"
#include "libs/base/status.h"

namespace sluice::operator_resources {

using operator_api::KafkaCluster;

// --- names and selectors -------------------------------------------------------------------
std::string ZooKeeperName(const KafkaCluster& c);           // C-zookeeper
std::string ZooKeeperHeadlessName(const KafkaCluster& c);   // C-zookeeper-headless
std::string ZooKeeperConfigMapName(const KafkaCluster& c);  // C-zookeeper-config
std::string BrokerName(const KafkaCluster& c,
                       int32_t id);  // C-broker-<id> (Pod, ConfigMap, Service)
std::string BrokerDataPvcName(const KafkaCluster& c, int32_t id);
std::string BrokerLogsPvcName(const KafkaCluster& c, int32_t id);
std::string BrokersHeadlessName(const KafkaCluster& c);   // C-brokers
std::string BootstrapServiceName(const KafkaCluster& c);  // C-bootstrap
std::string BrokersPdbName(const KafkaCluster& c);        // C-brokers
// "app.kubernetes.io/instance=C,app.kubernetes.io/component=broker" (and the zookeeper one).
std::string BrokerLabelSelector(const KafkaCluster& c);
std::string ZooKeeperLabelSelector(const KafkaCluster& c);
// Label key holding a broker's id on its Pod, ConfigMap, PVCs and Service.
inline constexpr const char* kBrokerIdLabel = "sluice.dev/broker-id";
// Annotation on a broker Pod: ConfigHash of the server.properties it was started with.
inline constexpr const char* kConfigHashAnnotation = "sluice.dev/config-hash";
// Label on a broker PVC: "data" or "logs", the volume it is.
inline constexpr const char* kVolumeLabel = "sluice.dev/volume";

// The longest cluster name (metadata.name) every object name above fits. The binding limit is
// the ZooKeeper StatefulSet: its pods carry the label controller-revision-hash = "<set name>-<hash
// of up to 10 chars>", a label value of at most 63 characters, so "C-zookeeper" may have 52 and C
// 42. With C <= 42 every name that must be a DNS-1035 label (Services, broker hostnames
// "C-broker-<id>" for any int32 id, "C-zookeeper-headless") stays within 63 characters.
inline constexpr std::size_t kMaxClusterNameLength = 42;
// OK when the cluster name is a DNS-1035 label (lower-case letters, digits and '-', starting
// with a letter, ending with a letter or digit; Service names must be) of at most
// kMaxClusterNameLength characters; otherwise InvalidArgument saying which rule it breaks.
Status ValidateClusterName(const std::string& name);

// --- addresses ---------------------------------------------------------------------------------
// The brokers' zookeeper.connect, chroot included.
std::string ZooKeeperConnect(const KafkaCluster& c);
// C-bootstrap.NS.svc.cluster.local:<basePort>
std::string BootstrapAddress(const KafkaCluster& c);
// advertisedHost:nodePortBase+id,... for the given ids; "" without an external listener.
std::string ExternalBootstrapAddress(const KafkaCluster& c, const std::vector<int32_t>& ids);
// C-broker-<id>.NS.svc.cluster.local:<basePort+id>, what the operator's admin client dials.
std::string BrokerInternalAddress(const KafkaCluster& c, int32_t id);

// --- ZooKeeper ---------------------------------------------------------------------------------
// The official image's ZOO_SERVERS for the managed ensemble, one entry per replica separated by
// spaces:
// "server.<ordinal+1>=C-zookeeper-<ordinal>.C-zookeeper-headless.NS.svc.cluster.local:2888:3888;2181".
std::string ZooKeeperServers(const KafkaCluster& c);
web::json::value ZooKeeperConfigMap(const KafkaCluster& c);
web::json::value ZooKeeperHeadlessService(const KafkaCluster& c);
web::json::value ZooKeeperClientService(const KafkaCluster& c);
web::json::value ZooKeeperStatefulSet(const KafkaCluster& c);
// pdb_api_version: "policy/v1" where the server has it, else "policy/v1beta1" (Kubernetes 1.20).
web::json::value ZooKeeperPodDisruptionBudget(const KafkaCluster& c,
                                              const std::string& pdb_api_version);

// --- brokers -----------------------------------------------------------------------------------
// The broker's server.properties: spec.config, then the broker's override, then the keys the
// operator owns (controller/README.md, plus sluice.admin.listener=0.0.0.0:<adminPort> so the
// probes find the admin port spec.adminPort names), in sorted key order, one "key=value" per
// line after a header comment. Owned keys present in the user's config are dropped.
// rack: the broker.rack value when rack awareness placed the broker in a zone.
std::string BrokerServerProperties(const KafkaCluster& c, int32_t id,
                                   const std::optional<std::string>& rack);
// Hex SHA-256 prefix (16 chars) of a server.properties text; a Pod whose annotation differs needs a
// restart.
std::string ConfigHash(const std::string& server_properties);
web::json::value BrokerConfigMap(const KafkaCluster& c, int32_t id,
                                 const std::optional<std::string>& rack);
web::json::value BrokerDataPvc(const KafkaCluster& c, int32_t id);
web::json::value BrokerLogsPvc(const KafkaCluster& c, int32_t id);
// zone: with rack awareness, a required node affinity topologyKey In [zone].
web::json::value BrokerPod(const KafkaCluster& c, int32_t id, const std::string& config_hash,
                           const std::optional<std::string>& zone);
web::json::value BrokerService(const KafkaCluster& c, int32_t id);
web::json::value BrokersHeadlessService(const KafkaCluster& c);
web::json::value BootstrapService(const KafkaCluster& c);
web::json::value BrokersPodDisruptionBudget(const KafkaCluster& c,
                                            const std::string& pdb_api_version);

// The ownerReference every object above carries.
web::json::value OwnerReference(const KafkaCluster& c);

}  // namespace sluice::operator_resources

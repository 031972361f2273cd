// Validation: every problem in a KafkaCluster, as sentences a person can act on.
//
// The CRD's OpenAPI schema already refuses wrong types, out-of-range numbers, unknown enum
// values and duplicate broker ids when the object is written; these functions repeat those
// checks (an operator may meet objects stored under an older CRD) and add the rules that span
// fields, which the 1.20 API server cannot express without CEL. The operator reports the result
// in the Ready/Degraded conditions and does not act on an invalid spec.
//
// Rules that need the running cluster (removing a broker would break min.insync.replicas) are
// decided in reconcile, not here.
#pragma once

#include <string>
#include <vector>

#include "controller/api/kafka_cluster.h"

namespace sluice::operator_api {

inline constexpr int32_t kMaxReplicas = 1000;
inline constexpr int32_t kMinPort = 1024;  // the broker runs as uid 10001: no privileged ports
inline constexpr int32_t kMaxPort = 65535;
inline constexpr int32_t kMinNodePort = 30000;  // the API server's default service-node-port-range
inline constexpr int32_t kMaxNodePort = 32767;
inline constexpr int32_t kMinReplaceAfterSeconds = 30;

// server.properties keys the operator writes itself, each with the spec field that decides it.
struct OperatorOwnedKey {
  const char* key;
  const char* set_by;
};
inline constexpr OperatorOwnedKey kOperatorOwnedKeys[] = {
    {"broker.id", "spec.replicas and spec.brokers[].id"},
    {"listeners", "spec.listeners"},
    {"advertised.listeners", "spec.listeners"},
    {"listener.security.protocol.map", "spec.listeners"},
    {"inter.broker.listener.name", "spec.listeners"},
    {"zookeeper.connect", "spec.zookeeper"},
    {"log.dirs", "spec.storage.data"},
    {"log.dir", "spec.storage.data"},
    {"port", "spec.listeners.internal.basePort"},
    {"host.name", "spec.listeners"},
    {"broker.rack", "spec.rackAwareness"},
    {"sluice.admin.listener", "spec.adminPort"},
};

// The highest broker id the spec and status imply: the last of ids 0..replicas-1, a pinned id
// or an id already in status. Port ranges are checked up to it.
int32_t HighestBrokerId(const KafkaCluster& cluster);

// Every problem in a defaulted cluster (WithDefaults), in a stable order; empty when valid.
std::vector<std::string> Validate(const KafkaCluster& cluster);

// The changes from `old_cluster` to `new_cluster` (both defaulted) that cannot be carried out
// on existing brokers: shrinking a volume, changing an existing volume's storage class, moving
// listeners.internal.basePort, changing the managed ZooKeeper's volume, the chroot, or
// switching between managed and external ZooKeeper. Empty when the update may proceed.
std::vector<std::string> ValidateUpdate(const KafkaCluster& old_cluster,
                                        const KafkaCluster& new_cluster);

}  // namespace sluice::operator_api

// The topic tool's argument formats and assignment checks, as Kafka 2.8 defines them
// (TopicCommand.parseReplicaAssignment, parseTopicConfigsToBeAdded,
// AdminZkClient.validateReplicaAssignment). Replica placement itself is
// broker/assignment/replica_assignment.h. Pure functions: the ZooKeeper and bootstrap paths of
// `sluice topics` both use them, and Kafka's error messages are reproduced word for word so a
// user sees what Kafka would have said.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/metadata/znodes.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::tools {

using metadata::ConfigMap;
using metadata::PartitionAssignment;

// --replica-assignment "0:1,1:2": comma-separated partitions, each a colon-separated broker
// list, numbered from 0. Errors: a non-number, an empty list, duplicates ("Partition replica
// lists may not contain duplicate entries: 1"), or lists of different lengths ("Partition 1
// has different replication factor: 0,1,2").
Result<PartitionAssignment> ParseReplicaAssignment(const std::string& text);

// --config k=v values: each must split on '=' (spaces around it ignored) into exactly two
// parts; every key must be a topic config and every value valid for it (broker/config's
// topic_config.h: "Unknown topic config name: k").
Result<ConfigMap> ParseTopicConfigs(const std::vector<std::string>& entries);
// --delete-config names: each a known topic config.
Result<std::vector<std::string>> ParseTopicConfigNames(const std::vector<std::string>& names);

// Kafka's checks of a manual assignment against the cluster (AdminZkClient
// .validateReplicaAssignment): every partition has `replication_factor` distinct replicas, each a
// live broker. `replication_factor` nullopt: any, but the same for every partition.
Status ValidateReplicaAssignment(const PartitionAssignment& assignment,
                                 std::optional<size_t> replication_factor,
                                 const std::vector<BrokerId>& live_brokers);

// "1,2,3" (Kafka prints replica lists with mkString(",")).
std::string JoinIds(const std::vector<BrokerId>& ids);

}  // namespace sluice::tools

// Replica placement and the topic tool's argument formats, as Kafka 2.8 defines them
// (kafka.admin.AdminUtils.assignReplicasToBrokers, TopicCommand.parseReplicaAssignment and
// parseTopicConfigsToBeAdded). Pure functions: the ZooKeeper and bootstrap paths of
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

// Kafka's rack-unaware placement. With brokers sorted by id, partition p's first replica is
// brokers[(p + start) % n]; the other replicas follow at a shift of
// 1 + (replica_shift + j) % (n - 1) from it, and replica_shift grows by one every n partitions,
// so that replica sets of consecutive rounds differ (spreading follower load when a broker
// fails). `start_index`/`replica_shift` default to a random index, as Kafka's do, so two
// topics created one after the other do not both lead on broker 0; tests pin them.
// Partition ids start at `first_partition` (adding partitions continues the numbering).
//
// Errors (InvalidArgument, Kafka's messages): partitions <= 0 "Number of partitions must be
// larger than 0.", replication_factor <= 0 "Replication factor must be larger than 0.", more
// replicas than brokers "Replication factor: R larger than available brokers: N.".
Result<PartitionAssignment> AssignReplicasToBrokers(std::vector<BrokerId> brokers,
                                                    int32_t partitions,
                                                    int32_t replication_factor,
                                                    std::optional<int32_t> start_index = {},
                                                    int32_t first_partition = 0,
                                                    std::optional<int32_t> replica_shift = {});

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

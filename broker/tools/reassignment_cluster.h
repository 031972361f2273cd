// What `sluice reassign-partitions` needs from a cluster, behind one interface with the two
// implementations Kafka 2.8's ReassignPartitionsCommand has:
//   AdminReassignmentCluster (--bootstrap-server)  Metadata, ListPartitionReassignments (46) and
//                                                  AlterPartitionReassignments (45) through the
//                                                  brokers (the controller for 45/46);
//   ZookeeperReassignmentCluster (--zookeeper)     reads /brokers/ids, /brokers/topics/<t> and
//                                                  /admin/reassign_partitions, and starts a
//                                                  reassignment by creating that znode for the
//                                                  controller broker to act on.
// The command logic (reassign_partitions_command.h) is written once against this interface, so
// tests drive it with a fake cluster.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/assignment/replica_assignment.h"
#include "broker/tools/reassignment_json.h"
#include "libs/base/status.h"

namespace sluice::tools {

// One reassignment the controller is carrying out (Kafka's PartitionReassignment).
struct OngoingReassignment {
  std::vector<BrokerId> replicas;  // current replica set, adding ones included
  std::vector<BrokerId> adding;
  std::vector<BrokerId> removing;
};

class ReassignmentCluster {
 public:
  virtual ~ReassignmentCluster() = default;

  // True for --zookeeper (Kafka prints warnings and offers fewer actions there).
  virtual bool via_zookeeper() const = 0;

  // Registered brokers with their racks, sorted by id.
  virtual Result<std::vector<assignment::BrokerRack>> Brokers() = 0;

  // The replicas of every partition of those of `topics` that exist (missing topics are simply
  // absent; callers decide whether that is an error).
  virtual Result<PartitionReplicas> ReplicaAssignment(const std::set<std::string>& topics) = 0;

  // Reassignments in progress. Over ZooKeeper: the partitions of /admin/reassign_partitions,
  // with their current replicas.
  virtual Result<std::map<TopicPartition, OngoingReassignment>> Ongoing() = 0;

  // Starts the reassignments (`targets` values) or cancels them (nullopt). Returns the
  // partitions the cluster refused, with its message. Over ZooKeeper only starting is possible,
  // and only when no reassignment znode exists (Conflict otherwise).
  virtual Result<std::map<TopicPartition, std::string>> Alter(
      const std::map<TopicPartition, std::optional<std::vector<BrokerId>>>& targets) = 0;
};

Result<std::unique_ptr<ReassignmentCluster>> ConnectAdminReassignmentCluster(
    const std::string& bootstrap);
Result<std::unique_ptr<ReassignmentCluster>> ConnectZookeeperReassignmentCluster(
    const std::string& connect);

}  // namespace sluice::tools

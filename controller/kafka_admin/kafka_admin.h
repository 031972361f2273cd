// What the operator asks of a running Sluice (or Kafka) cluster, over the Kafka protocol.
//
// KafkaAdmin is an interface so that reconcile decisions can be tested with GoogleMock;
// NewKafkaAdmin returns the implementation on libs/kafka/client that talks to real brokers.
// The pure planning functions (who moves where, is a restart or removal safe) are in balancer.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::kafka_admin {

struct PartitionState {
  std::string topic;
  int32_t partition = 0;
  int32_t leader = -1;            // -1: offline
  std::vector<int32_t> replicas;  // assignment order; replicas[0] is the preferred leader
  std::vector<int32_t> isr;
  // Set while a reassignment of this partition is in progress (ListPartitionReassignments).
  std::vector<int32_t> adding;
  std::vector<int32_t> removing;
  friend bool operator==(const PartitionState&, const PartitionState&) = default;
};

struct TopicState {
  std::string name;
  bool internal = false;
  int32_t min_insync_replicas = 1;  // the topic's effective min.insync.replicas
  std::vector<PartitionState> partitions;
  friend bool operator==(const TopicState&, const TopicState&) = default;
};

struct ClusterState {
  std::vector<int32_t> live_brokers;  // registered in ZooKeeper (Metadata's broker list), sorted
  int32_t controller_id = -1;         // the controller broker, restarted last in a roll
  std::vector<TopicState> topics;     // every topic, internal ones included
  friend bool operator==(const ClusterState&, const ClusterState&) = default;
};

// A partition's new replica list (the first is the preferred leader).
struct Move {
  std::string topic;
  int32_t partition = 0;
  std::vector<int32_t> target_replicas;
  friend bool operator==(const Move&, const Move&) = default;
};

class KafkaAdmin {
 public:
  virtual ~KafkaAdmin() = default;
  // Metadata for all topics + DescribeConfigs(min.insync.replicas) + ListPartitionReassignments.
  virtual Result<ClusterState> Describe() = 0;
  // AlterPartitionReassignments. Per-partition errors come back as one Status naming them.
  virtual Status Reassign(const std::vector<Move>& moves) = 0;
  // ElectLeaders(PREFERRED) for the given partitions; all partitions when empty.
  virtual Status ElectPreferredLeaders(
      const std::vector<std::pair<std::string, int32_t>>& partitions) = 0;
};

// bootstrap: "host:port[,host:port]". Each call connects afresh (the operator's calls are rare and
// the brokers it talks to come and go), with timeout bounding every request.
std::unique_ptr<KafkaAdmin> NewKafkaAdmin(std::string bootstrap, std::chrono::milliseconds timeout);

}  // namespace sluice::kafka_admin

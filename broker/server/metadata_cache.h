// The broker's view of the cluster, from which it answers Metadata and DescribeCluster and
// finds partition leaders: live brokers and their endpoints, the controller broker, and every
// topic's partitions with leader, leader epoch, replicas and ISR.
//
// Filled by the controller broker's UpdateMetadata requests (handlers/update_metadata.cc), as
// Kafka's MetadataCache is: each request replaces the live brokers and the controller id and
// upserts (or, for leader -2, removes) the partition states it carries. The cluster id comes
// from ZooKeeper at start. Controller-epoch fencing is not here: the ReplicaManager keeps the
// one latest controller epoch for LeaderAndIsr, StopReplica and UpdateMetadata alike. Thread-safe:
// readers get copies under a shared lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/kafka/protocol/wire_types.h"

namespace sluice::server {

struct BrokerEndpoint {
  BrokerId id{-1};
  std::string listener;  // e.g. PLAINTEXT
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionMetadata {
  int32_t partition = 0;
  int32_t leader = -1;  // -1: no leader
  int32_t leader_epoch = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> offline_replicas;  // replicas whose log dir is offline (UpdateMetadata v4+)
};

// Kafka's LeaderAndIsr.LeaderDuringDelete: an UpdateMetadata partition state with this leader
// says the topic is being deleted; the cache drops the partition.
inline constexpr int32_t kLeaderDuringDelete = -2;

// One UpdateMetadata request, decoded (handlers/update_metadata.cc builds it from any version).
struct MetadataUpdate {
  int32_t controller_id = -1;
  std::vector<BrokerEndpoint> live_brokers;  // every endpoint of every live broker
  struct Partition {
    std::string topic;
    std::optional<kafka::Uuid> topic_id;  // v7+, when not the zero UUID
    PartitionMetadata state;              // state.leader == kLeaderDuringDelete: remove it
  };
  std::vector<Partition> partitions;
};

struct TopicMetadata {
  std::string name;
  kafka::Uuid topic_id;
  bool is_internal = false;
  std::map<int32_t, PartitionMetadata> partitions;
};

class MetadataCache {
 public:
  void SetClusterId(std::string cluster_id);
  std::string cluster_id() const;
  void SetController(int32_t controller_id);
  int32_t controller_id() const;  // -1 when unknown

  void SetBrokers(std::vector<BrokerEndpoint> brokers);
  std::vector<BrokerEndpoint> brokers() const;
  std::optional<BrokerEndpoint> broker(int32_t id) const;

  // Kafka's MetadataCache.updateMetadata: replaces the live brokers and the controller id, then
  // applies each partition state in order (a deleted partition's topic goes when its last
  // partition does). Returns the topics that disappeared.
  std::vector<std::string> Apply(const MetadataUpdate& update);

  // Adds the topic when missing; replaces the partition's metadata.
  void UpsertPartition(const std::string& topic, const PartitionMetadata& partition);
  void SetTopicId(const std::string& topic, const kafka::Uuid& topic_id);
  void RemoveTopic(const std::string& topic);

  std::optional<TopicMetadata> topic(const std::string& name) const;
  std::vector<TopicMetadata> topics() const;
  std::vector<std::string> topic_names() const;
  std::optional<PartitionMetadata> partition(const std::string& topic, int32_t partition) const;

 private:
  mutable std::shared_mutex mu_;
  std::string cluster_id_;                       // GUARDED_BY(mu_)
  int32_t controller_id_ = -1;                   // GUARDED_BY(mu_)
  std::vector<BrokerEndpoint> brokers_;          // GUARDED_BY(mu_)
  std::map<std::string, TopicMetadata> topics_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::server

// The broker's view of the cluster, from which it answers Metadata and DescribeCluster and
// finds partition leaders: live brokers and their endpoints, the controller broker, and every
// topic's partitions with leader, leader epoch, replicas and ISR.
//
// Filled from ZooKeeper (broker registrations, topic and partition-state znodes) as the
// metadata layer reports changes. Thread-safe: readers get copies under a shared lock.
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
  std::string cluster_id_;                      // GUARDED_BY(mu_)
  int32_t controller_id_ = -1;                  // GUARDED_BY(mu_)
  std::vector<BrokerEndpoint> brokers_;         // GUARDED_BY(mu_)
  std::map<std::string, TopicMetadata> topics_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::server

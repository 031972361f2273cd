// ControllerContext: the controller broker's view of the cluster (Kafka's ControllerContext),
// rebuilt from ZooKeeper at each fail-over and kept current by the controller's events.
//
// Thread safety: none; only the controller's event thread touches it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/znodes.h"

namespace sluice::metadata {

struct ControllerContext {
  struct Topic {
    TopicAssignment assignment;  // replicas (incl. adding), adding and removing replicas
    int32_t zk_version = 0;      // of /brokers/topics/<t>
  };
  // A partition reassignment in progress (KIP-455): the target replica set and where it came
  // from (/admin/reassign_partitions entries are removed from that znode when they complete).
  struct Reassignment {
    std::vector<BrokerId> target;
    bool from_zk_node = false;
  };

  std::map<BrokerId, LiveBroker> live_brokers;  // registered, including those shutting down
  std::set<BrokerId> shutting_down;             // asked for a controlled shutdown
  std::map<std::string, Topic> topics;
  std::map<TopicPartitionName, PartitionState> states;  // partitions with a state znode
  std::map<TopicPartitionName, Reassignment> reassignments;

  // Topic deletion (Kafka's TopicDeletionManager): topics queued, and per topic the replicas
  // (brokers) whose StopReplica(delete) has not yet succeeded, and those with one in flight.
  std::set<std::string> topics_to_delete;
  std::map<std::string, std::set<BrokerId>> deletion_pending;
  std::map<std::string, std::set<BrokerId>> deletion_in_flight;

  void Clear() { *this = ControllerContext(); }

  // Live brokers not shutting down: those that may lead or join an ISR.
  std::set<BrokerId> OnlineBrokers() const {
    std::set<BrokerId> out;
    for (const auto& [id, broker] : live_brokers) {
      if (!shutting_down.contains(id)) out.insert(id);
    }
    return out;
  }
  bool IsLive(BrokerId id) const { return live_brokers.contains(id); }

  // The partition's full replica list (preferred leader first), or nullptr if unknown.
  const std::vector<BrokerId>* Replicas(const TopicPartitionName& tp) const {
    auto topic = topics.find(tp.first);
    if (topic == topics.end()) return nullptr;
    auto it = topic->second.assignment.partitions.find(tp.second);
    return it == topic->second.assignment.partitions.end() ? nullptr : &it->second;
  }
  std::vector<BrokerId> AddingReplicas(const TopicPartitionName& tp) const {
    return Lookup(tp, &TopicAssignment::adding_replicas);
  }
  std::vector<BrokerId> RemovingReplicas(const TopicPartitionName& tp) const {
    return Lookup(tp, &TopicAssignment::removing_replicas);
  }
  const PartitionState* State(const TopicPartitionName& tp) const {
    auto it = states.find(tp);
    return it == states.end() ? nullptr : &it->second;
  }
  std::vector<TopicPartitionName> AllPartitions() const {
    std::vector<TopicPartitionName> out;
    for (const auto& [name, topic] : topics) {
      for (const auto& [partition, replicas] : topic.assignment.partitions) {
        out.emplace_back(name, partition);
      }
    }
    return out;
  }

 private:
  std::vector<BrokerId> Lookup(const TopicPartitionName& tp,
                               PartitionAssignment TopicAssignment::*field) const {
    auto topic = topics.find(tp.first);
    if (topic == topics.end()) return {};
    const PartitionAssignment& map = topic->second.assignment.*field;
    auto it = map.find(tp.second);
    return it == map.end() ? std::vector<BrokerId>{} : it->second;
  }
};

}  // namespace sluice::metadata

// Pure planning over a ClusterState: where partitions should move, and whether a broker may be
// restarted or removed without breaking a topic's promises. No I/O; reconcile calls these with
// what KafkaAdmin::Describe returned and hands the moves to KafkaAdmin::Reassign.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "controller/kafka_admin/kafka_admin.h"

namespace sluice::kafka_admin {

// Moves that take every replica off `leaving` onto the other brokers in `brokers` (the brokers
// that stay, leaving excluded), keeping each partition's replication factor, never placing two
// replicas on one broker, preferring the least-loaded broker, and keeping the preferred leader
// on a staying replica where the partition had one. Empty when nothing is on `leaving`.
std::vector<Move> PlanDrain(const ClusterState& state, const std::set<int32_t>& leaving,
                            const std::vector<int32_t>& brokers);

// Moves that even out replicas per broker and preferred leaders per broker over `brokers`
// (e.g. after new brokers joined), moving as few replicas as it can: stops when every broker's
// replica count is within one of the mean and likewise for preferred leaders.
std::vector<Move> PlanRebalance(const ClusterState& state, const std::vector<int32_t>& brokers);

// Moves that put `replacement` wherever `dead` was a replica (same position in the list), for a
// broker replaced by a new id after it stayed gone or lost its volume.
std::vector<Move> PlanReplace(const ClusterState& state, int32_t dead, int32_t replacement);

// Why removing `leaving` (leaving the other brokers in `brokers`) would break a topic: a topic
// whose replication factor exceeds the brokers that stay, or whose min.insync.replicas does.
// Empty when the removal is safe. Each entry is a sentence naming the topic and the numbers.
std::vector<std::string> RemovalBlockers(const ClusterState& state,
                                         const std::set<int32_t>& leaving,
                                         const std::vector<int32_t>& brokers);

// Why restarting `broker` now would drop a partition below min.insync.replicas (Strimzi's
// KafkaAvailability rule): a partition hosted on `broker` whose ISR is below min.insync.replicas,
// or equal to it with `broker` in the ISR. Partitions with replicas <= min.insync.replicas are
// ignored for both conditions (they cannot survive any restart anyway). Empty when safe.
std::vector<std::string> RestartBlockers(const ClusterState& state, int32_t broker);

// Replicas, current leaderships and under-replicated partitions per broker, for status.
struct BrokerLoad {
  int32_t replicas = 0;
  int32_t leaders = 0;           // partitions it currently leads
  int32_t under_replicated = 0;  // partitions it leads whose ISR is smaller than their replicas
};
std::map<int32_t, BrokerLoad> LoadPerBroker(const ClusterState& state);

}  // namespace sluice::kafka_admin

// Replica placement, exactly Kafka 2.8's AdminUtils.assignReplicasToBrokers (rack-unaware and
// rack-aware) and AdminZkClient.getBrokerMetadatas' rack modes. Pure functions, no I/O.
//
// Goals (Kafka's): spread replicas evenly over brokers; for the partitions led by one broker,
// spread their followers over the other brokers; with rack information, put each partition's
// replicas on different racks when possible.
//
// Rack-unaware, with the brokers sorted by id and n of them: partition p's first replica is
// brokers[(p + start) % n]; follower j sits at a distance 1 + (shift + j) % (n - 1) after it, and
// `shift` grows by one each time p wraps round the brokers (p % n == 0), so that consecutive
// rounds do not repeat the same replica sets (Kafka's scaladoc example, 5 brokers, start 0):
//     p0 [0,1,2] p1 [1,2,3] ... p4 [4,0,1]   then   p5 [0,2,3] p6 [1,3,4] ... p9 [4,1,2]
// Rack-aware: the same walk over a rack-alternated broker list (racks sorted by name, brokers
// within a rack sorted by id: rack1 {0,1} rack2 {3} rack3 {2} -> 0,3,2,1); a follower candidate is
// skipped while its rack already holds a replica and some rack holds none, or while the broker
// already holds one and some broker holds none.
//
// `start` and `shift` are random unless `fixed_start_index` >= 0 (then both equal it), so two
// topics created one after the other do not both lead on the same broker.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::assignment {

// Kafka's BrokerMetadata: a broker id and its broker.rack, if configured.
struct BrokerRack {
  BrokerId id;
  std::optional<std::string> rack;
  bool operator==(const BrokerRack&) const = default;
};

// partition -> replicas, preferred leader first (the layout of /brokers/topics/<t>).
using ReplicaAssignment = std::map<PartitionId, std::vector<BrokerId>>;

// Places `partitions` partitions numbered from max(0, start_partition_id), each with
// `replication_factor` distinct replicas. `brokers` may come in any order (they are sorted by id
// first, as every Kafka caller passes them) and must have distinct ids.
//
// Errors, InvalidArgument with Kafka's messages:
//   partitions <= 0          "Number of partitions must be larger than 0."
//   replication_factor <= 0  "Replication factor must be larger than 0."
//   more replicas than brokers "Replication factor: 3 larger than available brokers: 2."
//   some brokers with a rack, some without
//       "Not all brokers have rack information for replica rack aware assignment."
//   duplicate broker ids     "Duplicate broker id 3 in the broker list."
Result<ReplicaAssignment> AssignReplicasToBrokers(std::vector<BrokerRack> brokers,
                                                  int32_t partitions, int32_t replication_factor,
                                                  int32_t fixed_start_index = -1,
                                                  int32_t start_partition_id = -1);

// Convenience for callers without rack information (every broker rack-less).
Result<ReplicaAssignment> AssignReplicasToBrokers(const std::vector<BrokerId>& brokers,
                                                  int32_t partitions, int32_t replication_factor,
                                                  int32_t fixed_start_index = -1,
                                                  int32_t start_partition_id = -1);

// Kafka's RackAwareMode: how a caller treats the brokers' rack information.
enum class RackAwareMode {
  kDisabled,  // ignore racks (--disable-rack-aware)
  kEnforced,  // use racks; partial rack information is an error (the tools' default)
  kSafe,      // use racks when every broker has one, else ignore them
};

// AdminZkClient.getBrokerMetadatas' filter: the brokers with racks kept or dropped per `mode`,
// sorted by id. kEnforced with partial information fails with Kafka's message "Not all brokers
// have rack information. Add --disable-rack-aware in command line to make replica assignment
// without rack information.".
Result<std::vector<BrokerRack>> ApplyRackAwareMode(std::vector<BrokerRack> brokers,
                                                   RackAwareMode mode);

// Kafka's getRackAlternatedBrokerList: racks in name order, taking the next broker (by id) of
// each rack in turn: rack1 {0,1,2} rack2 {3,4,5} rack3 {6,7,8} -> 0,3,6,1,4,7,2,5,8. Brokers
// without a rack are ignored. Exposed for tests and for tools that explain a placement.
std::vector<BrokerId> RackAlternatedBrokerList(const std::vector<BrokerRack>& brokers);

}  // namespace sluice::assignment

// Kafka's "range" assignor (RangeAssignor), run by the group leader: for each topic, the
// members subscribed to it, sorted (by group instance id when a member has one, else by member
// id), get contiguous ranges of the topic's partitions in order; the first
// (partitions % members) members get one extra partition.
//   e.g. 7 partitions, members c0 c1 c2 -> c0: 0,1,2  c1: 3,4  c2: 5,6
// Pure function; topics missing from `partition_counts` (not in metadata) are skipped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/kafka/client/consumer_protocol.h"

namespace sluice::kafka::client {

inline constexpr const char kRangeAssignorName[] = "range";

struct GroupMemberSubscription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Subscription subscription;
};

// Every member appears in the result (possibly with an empty assignment).
std::map<std::string, Assignment> RangeAssign(
    const std::vector<GroupMemberSubscription>& members,
    const std::map<std::string, int32_t>& partition_counts);

}  // namespace sluice::kafka::client

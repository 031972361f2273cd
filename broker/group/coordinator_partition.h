// Which __consumer_offsets partition (and so which coordinator) owns a group.
//
// Kafka: partition = Utils.abs(groupId.hashCode) % offsets.topic.num.partitions, with Java's
// String.hashCode (s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in int32 arithmetic)
// and Utils.abs mapping INT32_MIN to 0. Every broker and client library that finds
// coordinators agrees on this, so a group keeps its partition across implementations.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::group {

inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

// Java's String.hashCode of the string whose UTF-8 bytes are `utf8` (decoded to UTF-16; a
// malformed byte counts as U+FFFD, as Java's decoder would make it).
int32_t JavaStringHashCode(std::string_view utf8);

// REQUIRES: partition_count > 0.
int32_t CoordinatorPartitionFor(std::string_view group_id, int32_t partition_count);

}  // namespace sluice::group

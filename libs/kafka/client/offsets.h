// Offsets of partitions and groups: ListOffsets (log start / log end / by time), OffsetFetch and
// OffsetCommit. Used by Consumer and GroupConsumer, and by the tools (consumer-groups
// --describe shows LOG-END-OFFSET from ListOffsets and CURRENT-OFFSET from OffsetFetch;
// --reset-offsets commits with CommitOffsets outside any generation).
//
// Thread safety: free functions over a thread-safe Client.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/types.h"

namespace sluice::kafka::client {

// ListOffsets for each partition, sent to each partition's leader (grouped per leader), retrying
// with a metadata refresh on NOT_LEADER_OR_FOLLOWER / LEADER_NOT_AVAILABLE / UNKNOWN_LEADER_EPOCH.
// Any other partition error fails the call, naming the partition and the error.
// For a timestamp with no later record Kafka answers offset -1; that is returned as is.
Result<std::map<TopicPartition, Offset>> ListOffsets(Client& client,
                                                     const std::vector<TopicPartition>& partitions,
                                                     OffsetSpec spec,
                                                     IsolationLevel isolation =
                                                         IsolationLevel::kReadUncommitted);

// A group's committed offset for one partition.
struct CommittedOffset {
  Offset offset{-1};  // -1: nothing committed
  LeaderEpoch leader_epoch{-1};
  std::optional<std::string> metadata;
};

// OffsetFetch from the group's coordinator (found with FindCoordinator, re-found on
// NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS, with retries).
// `partitions` nullopt asks for every partition the group has committed (OffsetFetch v2+).
// Partitions without a commit are returned with offset -1 when they were asked for, and are
// absent otherwise. A group-level error (e.g. GROUP_AUTHORIZATION_FAILED) fails the call.
Result<std::map<TopicPartition, CommittedOffset>> FetchCommittedOffsets(
    Client& client, const std::string& group_id,
    const std::optional<std::vector<TopicPartition>>& partitions);

// Who commits: a group member (generation and member id from JoinGroup) or, with the defaults,
// nobody in particular (generation -1, empty member id): what admin tools and simple consumers
// send. The coordinator refuses the latter while the group has active members.
struct CommitIdentity {
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

// OffsetCommit to the group's coordinator (re-found as above). Fails with the first partition
// error, naming the partition and the error (e.g. ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
// REBALANCE_IN_PROGRESS — the Status message carries the Kafka name, see errors.h).
Status CommitOffsets(Client& client, const std::string& group_id,
                     const std::map<TopicPartition, Offset>& offsets,
                     const CommitIdentity& identity = {});

}  // namespace sluice::kafka::client

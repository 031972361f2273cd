// One consumer group as its coordinator holds it: state, generation, members and their
// protocols, the chosen protocol and leader, and the group's committed offsets (Kafka's
// GroupMetadata + MemberMetadata).
//
// States and their transitions (anything else is a bug, asserted in TransitionTo):
//
//   Empty ---------------------> PreparingRebalance <----------------------+
//     ^                            |      ^      |                         |
//     | (rebalance ends with       |      |      | (all members joined,    |
//     |  no members)               v      |      v  or rebalance timeout)  |
//     +------------------------ (join completes) CompletingRebalance ------+
//                                                |  (leader's SyncGroup)   |
//                                                v                         |
//                                              Stable ---------------------+
//   Dead: from any state, when the group is deleted, expires or moves away.
//
// The coordinator (group_coordinator.h) owns every Group and guards it with its lock: Group
// itself is not thread-safe. Parked JoinGroup/SyncGroup answers live in the members as
// callbacks; whoever clears one must invoke it (an unanswered request stalls its connection,
// whose responses go out in order).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/group/offsets_records.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::group {

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

// Kafka's names ("Empty", "PreparingRebalance", ...), as ListGroups and DescribeGroups show them.
const char* GroupStateName(GroupState state);
std::optional<GroupState> ParseGroupState(const std::string& name);  // case-insensitive

struct JoinGroupResult {
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::vector<uint8_t> metadata;
  };
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader_id;
  std::string member_id;
  std::vector<Member> members;  // only for the leader
};
using JoinCallback = std::function<void(JoinGroupResult)>;

struct SyncGroupResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<uint8_t> assignment;
};
using SyncCallback = std::function<void(SyncGroupResult)>;

struct MemberProtocol {
  std::string name;
  std::vector<uint8_t> metadata;
  bool operator==(const MemberProtocol&) const = default;
};

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<MemberProtocol> protocols;  // in the member's order of preference
  std::vector<uint8_t> assignment;

  JoinCallback awaiting_join;  // set while a JoinGroup is parked
  SyncCallback awaiting_sync;  // set while a SyncGroup is parked
  // A member that joined in the current rebalance for the first time; it has 5 minutes
  // (Kafka's NewMemberJoinTimeoutMs) rather than its session timeout to complete the join.
  bool is_new = false;
  bool heartbeat_satisfied = false;
  // Bumped whenever the session timer is re-armed; a timer whose epoch is stale does nothing.
  uint64_t heartbeat_epoch = 0;

  bool awaiting_join_now() const { return static_cast<bool>(awaiting_join); }
  bool awaiting_sync_now() const { return static_cast<bool>(awaiting_sync); }
  // Kafka's hasSatisfiedHeartbeat: members waiting in a rebalance count as alive, except new
  // ones, which must finish joining within their deadline.
  bool HasSatisfiedHeartbeat() const;
  // The metadata this member gave for `protocol`; nullptr when it does not support it.
  const std::vector<uint8_t>* MetadataFor(const std::string& protocol) const;
  // Same protocols with the same metadata, in the same order.
  bool Matches(const std::vector<MemberProtocol>& protocols) const;
};

class Group {
 public:
  Group(std::string id, GroupState state, int64_t now_ms);

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  bool Is(GroupState s) const { return state_ == s; }
  void TransitionTo(GroupState next, int64_t now_ms);
  int64_t state_timestamp_ms() const { return state_timestamp_ms_; }
  void set_state_timestamp_ms(int64_t ms) { state_timestamp_ms_ = ms; }

  int32_t generation() const { return generation_; }
  void set_generation(int32_t g) { generation_ = g; }
  const std::optional<std::string>& protocol_type() const { return protocol_type_; }
  void set_protocol_type(std::optional<std::string> t) { protocol_type_ = std::move(t); }
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  void set_protocol_name(std::optional<std::string> p) { protocol_name_ = std::move(p); }
  const std::optional<std::string>& leader_id() const { return leader_id_; }
  void set_leader_id(std::optional<std::string> l) { leader_id_ = std::move(l); }
  bool IsLeader(const std::string& member_id) const { return leader_id_ == member_id; }

  // --- members ---
  bool Has(const std::string& member_id) const { return members_.count(member_id) > 0; }
  Member* Get(const std::string& member_id);
  std::map<std::string, Member>& members() { return members_; }
  const std::map<std::string, Member>& members() const { return members_; }
  size_t size() const { return members_.size(); }
  // Adds a member (the first one sets the group's protocol type and becomes leader).
  // REQUIRES: SupportsProtocols(member.protocol_type, member's protocol names).
  void Add(Member member);
  // Removes a member and its static registration; a removed leader is succeeded by the
  // first remaining member. The caller answers its parked callbacks first.
  void Remove(const std::string& member_id);
  // Renames a static member to `new_member_id` (a rejoin replaced it), keeping its assignment.
  void ReplaceStaticMember(const std::string& instance_id, const std::string& old_member_id,
                           const std::string& new_member_id);

  // Members that have a generated id (KIP-394) but have not joined with it yet.
  std::set<std::string>& pending_members() { return pending_members_; }
  bool IsPendingMember(const std::string& member_id) const {
    return pending_members_.count(member_id) > 0;
  }

  // Static membership (KIP-345): group.instance.id -> member id.
  std::optional<std::string> StaticMemberId(const std::string& instance_id) const;
  bool HasStaticMember(const std::string& instance_id) const {
    return static_members_.count(instance_id) > 0;
  }
  // True when `instance_id` is registered to a member id other than `member_id`: the caller
  // is an old incarnation that a newer one replaced (FENCED_INSTANCE_ID).
  bool IsStaticMemberFenced(const std::string& member_id,
                            const std::optional<std::string>& instance_id) const;

  // --- rebalance ---
  // Kafka's supportsProtocols: an Empty group accepts any non-empty type and protocol list;
  // otherwise the type must match and one of the protocols must be supported by every member.
  bool SupportsProtocols(const std::string& protocol_type,
                         const std::vector<std::string>& protocol_names) const;
  // The protocol every member supports that most members list first among those (each member
  // votes for its most preferred candidate); ties go to the candidate listed first by the
  // member with the smallest id. REQUIRES: at least one member, a common protocol.
  std::string SelectProtocol() const;
  bool CanRebalance() const;  // Stable, CompletingRebalance or Empty
  int NumAwaitingJoin() const;
  // Every member rejoined and no KIP-394 member is still pending.
  bool AllMembersJoined() const;
  // The largest rebalance timeout of the members (0 when there are none).
  int32_t RebalanceTimeoutMs() const;
  // When the leader has not rejoined, hands leadership to a member that has; false when none
  // has (the rebalance must wait).
  bool MaybeElectNewJoinedLeader();
  // Ends a rebalance: the next generation, its protocol and CompletingRebalance, or Empty when
  // no member is left.
  void InitNextGeneration(int64_t now_ms);
  // The members' metadata for the chosen protocol, for the leader's JoinGroup response.
  std::vector<JoinGroupResult::Member> CurrentMemberMetadata() const;

  // Topics the members subscribe to, decoded from "consumer" protocol metadata at each new
  // generation; nullopt when unknown (another protocol type or undecodable bytes).
  const std::optional<std::set<std::string>>& subscribed_topics() const {
    return subscribed_topics_;
  }
  void ComputeSubscribedTopics();
  bool IsSubscribedToTopic(const std::string& topic) const;

  // The GroupMetadataValue this group is stored as.
  StoredGroup ToStored() const;

  // Parked joins of the initial rebalance: when set the rebalance is held back by
  // group.initial.rebalance.delay.ms steps while new members keep arriving.
  bool new_member_added = false;
  bool initial_delay_active = false;
  int32_t initial_delay_remaining_ms = 0;
  // Bumped whenever a rebalance timer is armed or the rebalance completes.
  uint64_t rebalance_epoch = 0;

  // --- offsets ---
  using TopicPartitionKey = std::pair<std::string, int32_t>;
  std::map<TopicPartitionKey, CommittedOffset>& offsets() { return offsets_; }
  const std::map<TopicPartitionKey, CommittedOffset>& offsets() const { return offsets_; }
  // Per partition, the coordinator's sequence number of the last append (commit or tombstone)
  // whose outcome the offsets above reflect: a commit completing after a later append to the
  // same partition (completions may arrive out of order) must not overwrite its result.
  std::map<TopicPartitionKey, uint64_t> offset_append_seqs;

 private:
  std::string id_;
  GroupState state_;
  int64_t state_timestamp_ms_;
  int32_t generation_ = 0;
  std::optional<std::string> protocol_type_;
  std::optional<std::string> protocol_name_;
  std::optional<std::string> leader_id_;
  std::map<std::string, Member> members_;
  std::set<std::string> pending_members_;
  std::map<std::string, std::string> static_members_;
  std::optional<std::set<std::string>> subscribed_topics_;
  std::map<TopicPartitionKey, CommittedOffset> offsets_;
};

}  // namespace sluice::group

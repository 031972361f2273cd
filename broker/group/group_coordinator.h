// The group coordinator (Kafka 2.8's GroupCoordinator + GroupMetadataManager): the classic
// consumer-group protocol for the groups whose __consumer_offsets partition this broker
// leads, and their committed offsets.
//
// Membership: JoinGroup parks until the rebalance completes (every member rejoined, or the
// rebalance timeout passed, or - for a new group - group.initial.rebalance.delay.ms without
// newcomers); the leader's SyncGroup assignment is handed to every member's parked SyncGroup;
// heartbeats keep members alive, and a member silent for its session timeout is removed,
// which starts a rebalance. Static members (group.instance.id) keep their identity across
// restarts; an old incarnation is fenced.
//
// Persistence: offsets and group metadata are records in the group's __consumer_offsets
// partition (offsets_records.h); an answer that reports them stored is sent only once the
// append is committed (replicated to the ISR, as Kafka's acks=-1). The append itself happens
// under the lock (so the records' order is the order of the state changes); waiting for the
// commit does not: the coordinator answers from the log's callback, re-taking the lock. A
// committed offset becomes visible (OffsetFetch) only then. Deleting groups and offsets, and
// offset expiry, change the state at once and append tombstones without waiting for their
// commit (Kafka's cleanupGroupMetadata appends them with acks=0: a lost tombstone is
// written again by the next retention pass). Becoming leader of a partition replays it
// (COORDINATOR_LOAD_IN_PROGRESS meanwhile); groups of partitions led elsewhere get NOT_COORDINATOR.
//
// Errors are Kafka's error codes: the coordinator's answers are the group protocol's own.
//
// Thread-safety: every method may be called from any thread. One mutex guards all groups; the
// leader append runs under it, the wait for the commit never does. Callbacks (parked
// JoinGroup/SyncGroup answers, commit answers) are invoked after the mutex is released, on the
// thread of whichever request, timer or log completion completed them.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/group/group.h"
#include "broker/group/group_config.h"
#include "broker/group/offsets_log.h"
#include "broker/group/scheduler.h"

namespace sluice::group {

struct JoinGroupParams {
  std::string group_id;
  std::string member_id;  // "" on a first join
  std::optional<std::string> group_instance_id;
  bool require_known_member_id = false;  // JoinGroup v4+ (KIP-394)
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<MemberProtocol> protocols;
};

struct SyncGroupParams {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;                 // v5+
  std::optional<std::string> protocol_name;                 // v5+
  std::map<std::string, std::vector<uint8_t>> assignments;  // from the leader only
};

struct MemberIdentity {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveGroupResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;  // group-level
  struct MemberError {
    MemberIdentity member;
    kafka::ErrorCode error = kafka::ErrorCode::kNone;
  };
  std::vector<MemberError> members;
};

struct OffsetCommitParams {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int32_t generation_id = -1;  // -1: a commit outside group management
  struct Partition {
    std::string topic;
    int32_t partition = 0;
    CommittedOffset offset;
  };
  std::vector<Partition> partitions;
};

struct PartitionError {
  std::string topic;
  int32_t partition = 0;
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
};

struct OffsetFetchResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;  // group-level
  struct Partition {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = -1;  // -1: nothing committed
    int32_t leader_epoch = -1;
    std::string metadata;
    kafka::ErrorCode error = kafka::ErrorCode::kNone;
  };
  std::vector<Partition> partitions;
};

struct TopicPartitions {
  std::string topic;
  std::vector<int32_t> partitions;
};

struct OffsetDeleteResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;  // group-level
  std::vector<PartitionError> partitions;
};

struct GroupOverview {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

struct ListGroupsResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::vector<GroupOverview> groups;
};

struct GroupDescription {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol;  // only while Stable
  struct MemberDescription {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    std::vector<uint8_t> metadata;    // only while Stable
    std::vector<uint8_t> assignment;  // only while Stable
  };
  std::vector<MemberDescription> members;
};

class GroupCoordinator {
 public:
  GroupCoordinator(GroupConfig config, OffsetsLog& log, Scheduler& scheduler);
  ~GroupCoordinator();

  // Starts the periodic offset retention pass.
  void Start();
  // Answers every parked request with NOT_COORDINATOR and refuses further work with
  // COORDINATOR_NOT_AVAILABLE. Idempotent.
  void Stop();

  const GroupConfig& config() const { return config_; }
  // The __consumer_offsets partition that owns `group_id`.
  int32_t PartitionFor(const std::string& group_id) const;
  // The topic's actual partition count, once known (it wins over the configured one, as in
  // Kafka, which reads it from ZooKeeper).
  void SetOffsetsTopicPartitionCount(int32_t count);

  // This broker became the leader of __consumer_offsets partition `partition`: load it (in the
  // background; COORDINATOR_LOAD_IN_PROGRESS until done).
  void OnBecomeLeader(int32_t partition);
  // This broker no longer leads `partition`: drop its groups (parked requests get
  // NOT_COORDINATOR).
  void OnResign(int32_t partition);
  // Loads `partition` now, on the caller's thread (OnBecomeLeader schedules this).
  void LoadPartition(int32_t partition);

  // --- membership ---
  void JoinGroup(JoinGroupParams params, JoinCallback done);
  void SyncGroup(SyncGroupParams params, SyncCallback done);
  kafka::ErrorCode Heartbeat(const std::string& group_id, const std::string& member_id,
                             const std::optional<std::string>& group_instance_id,
                             int32_t generation_id);
  LeaveGroupResult LeaveGroup(const std::string& group_id,
                              const std::vector<MemberIdentity>& members);

  // --- offsets ---
  using CommitCallback = std::function<void(std::vector<PartitionError>)>;
  // Answers through `done` (never on the caller's stack while the lock is held) once the
  // offsets are committed or refused; one entry per partition of `params`.
  void CommitOffsets(const OffsetCommitParams& params, CommitCallback done);
  // `partitions` nullopt: every committed offset of the group.
  OffsetFetchResult FetchOffsets(const std::string& group_id,
                                 const std::optional<std::vector<TopicPartitions>>& partitions);
  OffsetDeleteResult DeleteOffsets(const std::string& group_id,
                                   const std::vector<TopicPartitions>& partitions);
  // One retention pass (offsets.retention.minutes); returns the number of offsets removed.
  int RemoveExpiredOffsets();

  // --- administration ---
  // `states` empty: every state (names as GroupStateName, case-insensitive).
  ListGroupsResult ListGroups(const std::vector<std::string>& states);
  GroupDescription DescribeGroup(const std::string& group_id);
  kafka::ErrorCode DeleteGroup(const std::string& group_id);

 private:
  // Holds the coordinator's mutex; on destruction releases it and then runs the callbacks the
  // section deferred, so that no callback ever runs under the lock.
  class Section {
   public:
    explicit Section(GroupCoordinator& c) : c_(c), lock_(c.mu_) {}
    ~Section() {
      std::vector<std::function<void()>> callbacks;
      callbacks.swap(c_.deferred_);
      lock_.unlock();
      for (auto& cb : callbacks) cb();
    }

   private:
    GroupCoordinator& c_;
    std::unique_lock<std::mutex> lock_;
  };
  enum class Api {
    kJoin,
    kSync,
    kHeartbeat,
    kLeave,
    kCommit,
    kFetch,
    kDeleteOffsets,
    kDescribe,
    kDeleteGroups
  };

  // REQUIRES: mu_ held, for everything below.
  kafka::ErrorCode ValidateGroupStatus(const std::string& group_id, Api api) const;
  std::shared_ptr<Group> FindGroup(const std::string& group_id) const;
  void Defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }
  int64_t Now() { return scheduler_.NowMs(); }

  void DoUnknownJoin(Group& group, JoinGroupParams params, JoinCallback done);
  void DoKnownJoin(Group& group, JoinGroupParams params, JoinCallback done);
  void DoStaticJoin(Group& group, const std::string& new_member_id, JoinGroupParams params,
                    JoinCallback done);
  void AddMemberAndRebalance(Group& group, const std::string& member_id,
                             const JoinGroupParams& params, JoinCallback done);
  void UpdateMemberAndRebalance(Group& group, Member& member, std::vector<MemberProtocol> protocols,
                                JoinCallback done);
  void MaybePrepareRebalance(Group& group);
  void PrepareRebalance(Group& group);
  void ArmJoinTimer(Group& group, int32_t delay_ms);
  void OnJoinTimer(const std::string& group_id, uint64_t epoch);
  // Completes the rebalance when everyone has joined (Kafka's DelayedJoin.tryComplete).
  void MaybeCompleteJoin(Group& group);
  void CompleteJoin(Group& group);
  void ResetAndPropagateAssignmentError(Group& group, kafka::ErrorCode error);
  void SetAndPropagateAssignment(Group& group);
  void ArmHeartbeat(Group& group, Member& member, int32_t timeout_ms);
  void OnHeartbeatTimer(const std::string& group_id, const std::string& member_id, uint64_t epoch);
  void ArmPendingMemberExpiry(Group& group, const std::string& member_id, int32_t timeout_ms);
  void RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id);
  // Answers whatever `member` has parked with `error`.
  void AnswerParked(Member& member, kafka::ErrorCode error);
  // Appends the group's metadata record; `done` gets the error to answer with (kNone once
  // committed) and runs later, without the lock (take a Section in it).
  void StoreGroup(const Group& group, std::function<void(kafka::ErrorCode)> done);
  void AppendRecords(const std::string& group_id, std::vector<OffsetsRecord> records,
                     bool for_offsets, std::function<void(kafka::ErrorCode)> done);
  // Appends tombstones without waiting for their commit (a failure is only logged).
  void AppendTombstones(const std::string& group_id, std::vector<OffsetsRecord> records);
  // Removes the group (tombstones for it and its offsets), leaving it Dead.
  void DeleteGroupRecords(Group& group);
  // The loaded group `group` is still this coordinator's (not unloaded or replaced since).
  bool StillCoordinated(const std::shared_ptr<Group>& group) const;
  void ScheduleRetention();

  const GroupConfig config_;
  OffsetsLog& log_;
  Scheduler& scheduler_;
  std::atomic<int32_t> partition_count_;

  std::mutex mu_;
  bool active_ = true;                                    // GUARDED_BY(mu_)
  std::set<int32_t> owned_partitions_;                    // GUARDED_BY(mu_)
  std::map<int32_t, uint64_t> loading_partitions_;        // GUARDED_BY(mu_): partition -> epoch
  uint64_t load_epoch_ = 0;                               // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Group>> groups_;  // GUARDED_BY(mu_)
  // Numbers offset appends (commits and tombstones) in log order; see Group::offset_append_seqs.
  uint64_t offset_append_seq_ = 0;               // GUARDED_BY(mu_)
  std::vector<std::function<void()>> deferred_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::group

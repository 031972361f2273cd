#include "broker/group/group_coordinator.h"

#include <gtest/gtest.h>

#include <memory>

#include "broker/group/consumer_protocol.h"
#include "broker/group/group_test_util.h"

namespace sluice::group {
namespace {

using kafka::ErrorCode;
using testing::ManualScheduler;
using testing::MemoryOffsetsLog;

constexpr int32_t kPartitions = 4;
constexpr int32_t kSession = 10000;
constexpr int32_t kRebalance = 30000;

template <typename T>
struct Slot {
  std::shared_ptr<std::optional<T>> value = std::make_shared<std::optional<T>>();
  std::function<void(T)> callback() {
    return [v = value](T r) { *v = std::move(r); };
  }
  bool ready() const { return value->has_value(); }
  const T& operator*() const { return **value; }
  const T* operator->() const { return &**value; }
};

class CoordinatorTest : public ::testing::Test {
 protected:
  CoordinatorTest() { Restart(0); }

  // A fresh coordinator over the same log (a broker restart), leading every partition.
  void Restart(int32_t initial_delay_ms) {
    clock_.RunDue();  // nothing posted may outlive the old coordinator
    if (coordinator_) coordinator_->Stop();
    GroupConfig config;
    config.offsets_topic_num_partitions = kPartitions;
    config.group_initial_rebalance_delay_ms = initial_delay_ms;
    config.offsets_retention_ms = 60000;
    coordinator_ = std::make_unique<GroupCoordinator>(config, log_, clock_);
    for (int32_t p = 0; p < kPartitions; ++p) coordinator_->OnBecomeLeader(p);
    clock_.RunDue();
  }

  JoinGroupParams JoinParams(const std::string& group, const std::string& member_id = "",
                             std::vector<std::string> protocols = {"range"}) {
    JoinGroupParams p;
    p.group_id = group;
    p.member_id = member_id;
    p.client_id = "client";
    p.client_host = "/127.0.0.1";
    p.session_timeout_ms = kSession;
    p.rebalance_timeout_ms = kRebalance;
    p.protocol_type = "consumer";
    for (auto& name : protocols) p.protocols.push_back({name, EncodeSubscriptionV0({"topic"})});
    return p;
  }

  Slot<JoinGroupResult> Join(JoinGroupParams params) {
    Slot<JoinGroupResult> slot;
    coordinator_->JoinGroup(std::move(params), slot.callback());
    return slot;
  }

  Slot<SyncGroupResult> Sync(const std::string& group, int32_t generation,
                             const std::string& member,
                             std::map<std::string, std::vector<uint8_t>> assignments = {}) {
    SyncGroupParams p;
    p.group_id = group;
    p.generation_id = generation;
    p.member_id = member;
    p.assignments = std::move(assignments);
    Slot<SyncGroupResult> slot;
    coordinator_->SyncGroup(std::move(p), slot.callback());
    clock_.RunDue();  // the leader's assignment is stored first
    return slot;
  }

  // One member joins and syncs an empty group; returns its member id (generation 1).
  std::string JoinAlone(const std::string& group) {
    auto join = Join(JoinParams(group));
    clock_.RunDue();
    EXPECT_TRUE(join.ready());
    EXPECT_EQ(join->error, ErrorCode::kNone);
    auto sync = Sync(group, join->generation_id, join->member_id, {{join->member_id, {7}}});
    EXPECT_TRUE(sync.ready());
    return join->member_id;
  }

  Slot<std::vector<PartitionError>> StartCommit(const std::string& group, const std::string& member,
                                                int32_t generation, int64_t offset,
                                                std::string metadata = "") {
    OffsetCommitParams p;
    p.group_id = group;
    p.member_id = member;
    p.generation_id = generation;
    p.partitions.push_back({"topic", 0, {offset, -1, std::move(metadata), clock_.NowMs(), {}}});
    Slot<std::vector<PartitionError>> slot;
    coordinator_->CommitOffsets(p, slot.callback());
    return slot;
  }

  // A commit whose append the log completes at once.
  std::vector<PartitionError> Commit(const std::string& group, const std::string& member,
                                     int32_t generation, int64_t offset,
                                     std::string metadata = "") {
    auto slot = StartCommit(group, member, generation, offset, std::move(metadata));
    clock_.RunDue();
    EXPECT_TRUE(slot.ready());
    return slot.ready() ? *slot : std::vector<PartitionError>{};
  }

  int64_t Fetched(const std::string& group) {
    auto r = coordinator_->FetchOffsets(group, std::vector<TopicPartitions>{{"topic", {0}}});
    EXPECT_EQ(r.error, ErrorCode::kNone);
    return r.partitions.at(0).offset;
  }

  ManualScheduler clock_;
  MemoryOffsetsLog log_{clock_};
  std::unique_ptr<GroupCoordinator> coordinator_;
};

// --- JoinGroup / SyncGroup -------------------------------------------------------------------

TEST_F(CoordinatorTest, SingleMemberBecomesLeaderOfGenerationOne) {
  auto join = Join(JoinParams("g"));
  EXPECT_FALSE(join.ready());  // parked until the (zero) initial delay passes
  clock_.RunDue();
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kNone);
  EXPECT_EQ(join->generation_id, 1);
  EXPECT_EQ(join->protocol_name, "range");
  EXPECT_EQ(join->leader_id, join->member_id);
  EXPECT_EQ(join->member_id.rfind("client-", 0), 0u);
  ASSERT_EQ(join->members.size(), 1u);
  auto sync = Sync("g", 1, join->member_id, {{join->member_id, {1, 2, 3}}});
  ASSERT_TRUE(sync.ready());
  EXPECT_EQ(sync->error, ErrorCode::kNone);
  EXPECT_EQ(sync->assignment, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "Stable");
}

TEST_F(CoordinatorTest, MemberIdRequiredThenJoinWithTheGivenId) {
  auto params = JoinParams("g");
  params.require_known_member_id = true;
  auto first = Join(params);
  ASSERT_TRUE(first.ready());
  EXPECT_EQ(first->error, ErrorCode::kMemberIdRequired);
  ASSERT_FALSE(first->member_id.empty());
  params.member_id = first->member_id;
  auto second = Join(params);
  clock_.RunDue();
  ASSERT_TRUE(second.ready());
  EXPECT_EQ(second->error, ErrorCode::kNone);
  EXPECT_EQ(second->member_id, first->member_id);
}

TEST_F(CoordinatorTest, SecondMemberTriggersRebalanceAndLeaderAssignsBoth) {
  const std::string a = JoinAlone("g");
  auto join_b = Join(JoinParams("g"));
  EXPECT_FALSE(join_b.ready());
  EXPECT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 1), ErrorCode::kRebalanceInProgress);
  auto join_a = Join(JoinParams("g", a));
  ASSERT_TRUE(join_a.ready());  // everyone joined: completes at once
  ASSERT_TRUE(join_b.ready());
  EXPECT_EQ(join_a->generation_id, 2);
  EXPECT_EQ(join_a->leader_id, a);
  EXPECT_EQ(join_a->members.size(), 2u);
  EXPECT_TRUE(join_b->members.empty());  // only the leader gets the member list
  const std::string b = join_b->member_id;
  auto sync_b = Sync("g", 2, b);
  EXPECT_FALSE(sync_b.ready());  // waits for the leader
  auto sync_a = Sync("g", 2, a, {{a, {1}}, {b, {2}}});
  ASSERT_TRUE(sync_a.ready());
  ASSERT_TRUE(sync_b.ready());
  EXPECT_EQ(sync_a->assignment, (std::vector<uint8_t>{1}));
  EXPECT_EQ(sync_b->assignment, (std::vector<uint8_t>{2}));
  EXPECT_EQ(coordinator_->Heartbeat("g", b, std::nullopt, 2), ErrorCode::kNone);
}

TEST_F(CoordinatorTest, MissingAssignmentsAreEmpty) {
  const std::string a = JoinAlone("g");
  auto join_b = Join(JoinParams("g"));
  auto join_a = Join(JoinParams("g", a));
  auto sync_b = Sync("g", 2, join_b->member_id);
  auto sync_a = Sync("g", 2, a, {{a, {1}}});
  ASSERT_TRUE(sync_b.ready());
  EXPECT_EQ(sync_b->error, ErrorCode::kNone);
  EXPECT_TRUE(sync_b->assignment.empty());
}

TEST_F(CoordinatorTest, InconsistentProtocolIsRefused) {
  JoinAlone("g");
  auto join = Join(JoinParams("g", "", {"sticky"}));
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kInconsistentGroupProtocol);
  auto other_type = JoinParams("g");
  other_type.protocol_type = "connect";
  auto join2 = Join(other_type);
  ASSERT_TRUE(join2.ready());
  EXPECT_EQ(join2->error, ErrorCode::kInconsistentGroupProtocol);
  auto empty = JoinParams("h", "", {});
  auto join3 = Join(empty);
  ASSERT_TRUE(join3.ready());
  EXPECT_EQ(join3->error, ErrorCode::kInconsistentGroupProtocol);
}

TEST_F(CoordinatorTest, FailedFirstJoinLeavesNoGroupBehind) {
  auto join = Join(JoinParams("fresh", "", {}));
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kInconsistentGroupProtocol);
  EXPECT_TRUE(coordinator_->ListGroups({}).groups.empty());
}

TEST_F(CoordinatorTest, SessionTimeoutOutsideBoundsIsRefused) {
  auto params = JoinParams("g");
  params.session_timeout_ms = 100;
  auto join = Join(params);
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kInvalidSessionTimeout);
  params.session_timeout_ms = 1800001;
  auto join2 = Join(params);
  EXPECT_EQ(join2->error, ErrorCode::kInvalidSessionTimeout);
}

TEST_F(CoordinatorTest, EmptyGroupIdIsInvalidForJoin) {
  auto join = Join(JoinParams(""));
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kInvalidGroupId);
}

TEST_F(CoordinatorTest, UnknownMemberIdOnAnUnknownGroup) {
  auto join = Join(JoinParams("g", "ghost"));
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kUnknownMemberId);
}

TEST_F(CoordinatorTest, InitialRebalanceDelayGathersNewcomers) {
  Restart(3000);
  auto a = Join(JoinParams("g"));
  clock_.Advance(2000);
  auto b = Join(JoinParams("g"));  // extends the delay by another 3 s
  clock_.Advance(1500);
  EXPECT_FALSE(a.ready());
  clock_.Advance(3000);
  ASSERT_TRUE(a.ready());
  ASSERT_TRUE(b.ready());
  EXPECT_EQ(a->generation_id, 1);
  EXPECT_EQ(b->generation_id, 1);
}

TEST_F(CoordinatorTest, RebalanceTimeoutDropsMembersThatDidNotRejoin) {
  const std::string a = JoinAlone("g");
  auto join_b = Join(JoinParams("g"));
  clock_.Advance(kRebalance);
  ASSERT_TRUE(join_b.ready());
  EXPECT_EQ(join_b->generation_id, 2);
  EXPECT_EQ(join_b->leader_id, join_b->member_id);  // a is gone, b leads
  EXPECT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 2), ErrorCode::kUnknownMemberId);
}

TEST_F(CoordinatorTest, SyncErrors) {
  const std::string a = JoinAlone("g");
  EXPECT_EQ(Sync("g", 5, a)->error, ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Sync("g", 1, "ghost")->error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Sync("nope", 1, a)->error, ErrorCode::kUnknownMemberId);
  // Stable: a repeated SyncGroup gets the assignment again.
  auto again = Sync("g", 1, a);
  EXPECT_EQ(again->error, ErrorCode::kNone);
  EXPECT_EQ(again->assignment, (std::vector<uint8_t>{7}));
  // During a rebalance.
  auto join_b = Join(JoinParams("g"));
  EXPECT_EQ(Sync("g", 1, a)->error, ErrorCode::kRebalanceInProgress);
}

// --- Heartbeat and session expiry ------------------------------------------------------------

TEST_F(CoordinatorTest, HeartbeatErrors) {
  const std::string a = JoinAlone("g");
  EXPECT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 1), ErrorCode::kNone);
  EXPECT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 0), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(coordinator_->Heartbeat("g", "ghost", std::nullopt, 1), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(coordinator_->Heartbeat("nope", a, std::nullopt, 1), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(coordinator_->Heartbeat("", a, std::nullopt, 1), ErrorCode::kInvalidGroupId);
}

TEST_F(CoordinatorTest, SilentMemberExpiresAndItsPartitionsMove) {
  const std::string a = JoinAlone("g");
  auto join_b = Join(JoinParams("g"));
  auto join_a = Join(JoinParams("g", a));
  const std::string b = join_b->member_id;
  Sync("g", 2, b);
  Sync("g", 2, a, {{a, {1}}, {b, {2}}});
  // b keeps heartbeating, a falls silent.
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(3000);
    EXPECT_EQ(coordinator_->Heartbeat("g", b, std::nullopt, 2),
              i < 3 ? ErrorCode::kNone : ErrorCode::kRebalanceInProgress);
  }
  auto rejoin_b = Join(JoinParams("g", b));
  ASSERT_TRUE(rejoin_b.ready());
  EXPECT_EQ(rejoin_b->generation_id, 3);
  EXPECT_EQ(rejoin_b->leader_id, b);
  EXPECT_EQ(rejoin_b->members.size(), 1u);
}

TEST_F(CoordinatorTest, HeartbeatsKeepAMemberAlive) {
  const std::string a = JoinAlone("g");
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(kSession - 1000);
    ASSERT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 1), ErrorCode::kNone);
  }
}

// --- LeaveGroup ------------------------------------------------------------------------------

TEST_F(CoordinatorTest, LeaveGroupBatchReportsEachMember) {
  const std::string a = JoinAlone("g");
  auto result = coordinator_->LeaveGroup("g", {{a, std::nullopt}, {"ghost", std::nullopt}});
  EXPECT_EQ(result.error, ErrorCode::kNone);
  ASSERT_EQ(result.members.size(), 2u);
  EXPECT_EQ(result.members[0].error, ErrorCode::kNone);
  EXPECT_EQ(result.members[1].error, ErrorCode::kUnknownMemberId);
  // The group rebalances to empty.
  clock_.Advance(kRebalance);
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "Empty");
}

TEST_F(CoordinatorTest, LeaveDuringRebalanceCompletesItForTheOthers) {
  const std::string a = JoinAlone("g");
  auto join_b = Join(JoinParams("g"));
  EXPECT_FALSE(join_b.ready());
  coordinator_->LeaveGroup("g", {{a, std::nullopt}});
  ASSERT_TRUE(join_b.ready());
  EXPECT_EQ(join_b->leader_id, join_b->member_id);
}

// --- static membership -----------------------------------------------------------------------

TEST_F(CoordinatorTest, StaticMemberRejoinFencesTheOldIncarnationWithoutRebalance) {
  auto params = JoinParams("g");
  params.group_instance_id = "instance-1";
  auto first = Join(params);
  clock_.RunDue();
  const std::string old_id = first->member_id;
  Sync("g", 1, old_id, {{old_id, {5}}});
  auto second = Join(params);    // restarted process, same instance id, no member id
  EXPECT_FALSE(second.ready());  // until the new member id is stored
  clock_.RunDue();
  ASSERT_TRUE(second.ready());
  EXPECT_EQ(second->error, ErrorCode::kNone);
  EXPECT_EQ(second->generation_id, 1);  // no rebalance
  EXPECT_NE(second->member_id, old_id);
  EXPECT_EQ(coordinator_->Heartbeat("g", old_id, std::string("instance-1"), 1),
            ErrorCode::kFencedInstanceId);
  auto sync = Sync("g", 1, second->member_id);
  EXPECT_EQ(sync->assignment, (std::vector<uint8_t>{5}));
}

// --- offsets ---------------------------------------------------------------------------------

TEST_F(CoordinatorTest, MemberCommitsAndFetches) {
  const std::string a = JoinAlone("g");
  auto errors = Commit("g", a, 1, 42, "meta");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error, ErrorCode::kNone);
  EXPECT_EQ(Fetched("g"), 42);
  auto all = coordinator_->FetchOffsets("g", std::nullopt);
  ASSERT_EQ(all.partitions.size(), 1u);
  EXPECT_EQ(all.partitions[0].metadata, "meta");
}

TEST_F(CoordinatorTest, CommitChecksMembershipAndGeneration) {
  const std::string a = JoinAlone("g");
  EXPECT_EQ(Commit("g", "ghost", 1, 1)[0].error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Commit("g", "", -1, 1)[0].error, ErrorCode::kUnknownMemberId);  // group has members
  EXPECT_EQ(Commit("g", a, 7, 1)[0].error, ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Commit("unknown-group", "x", 3, 1)[0].error, ErrorCode::kIllegalGeneration);
  // In CompletingRebalance a valid member must wait.
  auto join_b = Join(JoinParams("g"));
  Join(JoinParams("g", a));
  EXPECT_EQ(Commit("g", a, 2, 1)[0].error, ErrorCode::kRebalanceInProgress);
}

TEST_F(CoordinatorTest, SimpleCommitOutsideGroupManagement) {
  EXPECT_EQ(Commit("simple", "", -1, 10)[0].error, ErrorCode::kNone);
  EXPECT_EQ(Fetched("simple"), 10);
  EXPECT_EQ(coordinator_->DescribeGroup("simple").state, "Empty");
}

TEST_F(CoordinatorTest, OversizedMetadataIsRefusedPerPartition) {
  EXPECT_EQ(Commit("simple", "", -1, 10, std::string(4097, 'x'))[0].error,
            ErrorCode::kOffsetMetadataTooLarge);
  EXPECT_EQ(Commit("simple", "", -1, 10, std::string(4096, 'x'))[0].error, ErrorCode::kNone);
}

TEST_F(CoordinatorTest, FetchForUnknownGroupOrPartitionIsMinusOne) {
  EXPECT_EQ(Fetched("nobody"), -1);
  Commit("simple", "", -1, 10);
  auto r = coordinator_->FetchOffsets("simple", std::vector<TopicPartitions>{{"topic", {0, 1}}});
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[1].offset, -1);
  EXPECT_EQ(r.partitions[1].error, ErrorCode::kNone);
}

TEST_F(CoordinatorTest, FailedAppendIsNotAcknowledged) {
  log_.fail_appends = true;
  EXPECT_EQ(Commit("simple", "", -1, 10)[0].error, ErrorCode::kNotCoordinator);
  log_.fail_appends = false;
  EXPECT_EQ(Fetched("simple"), -1);
}

// --- commits that complete later (replication) ----------------------------------------------

TEST_F(CoordinatorTest, CommitIsAnsweredAndVisibleOnlyOnceCommitted) {
  const std::string a = JoinAlone("g");
  log_.hold_commits = true;
  auto commit = StartCommit("g", a, 1, 42);
  clock_.RunDue();
  EXPECT_FALSE(commit.ready());
  EXPECT_EQ(log_.held.size(), 1u);
  EXPECT_EQ(Fetched("g"), -1);  // pending: not yet the group's offset
  // The coordinator is not blocked meanwhile.
  EXPECT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 1), ErrorCode::kNone);
  log_.CompleteHeld(Status::Ok());
  ASSERT_TRUE(commit.ready());
  ASSERT_EQ(commit->size(), 1u);
  EXPECT_EQ((*commit)[0].error, ErrorCode::kNone);
  EXPECT_EQ(Fetched("g"), 42);
}

TEST_F(CoordinatorTest, CommitThatTimesOutIsNotVisible) {
  Commit("simple", "", -1, 5);
  log_.hold_commits = true;
  auto commit = StartCommit("simple", "", -1, 9);
  log_.CompleteHeld(Status::Timeout("the ISR did not replicate it"));
  ASSERT_TRUE(commit.ready());
  EXPECT_EQ((*commit)[0].error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(Fetched("simple"), 5);
}

TEST_F(CoordinatorTest, CommitVerdictsMapToKafkasErrors) {
  log_.hold_commits = true;
  const std::vector<std::pair<Status, ErrorCode>> cases = {
      {Status::Unavailable("NOT_ENOUGH_REPLICAS"), ErrorCode::kCoordinatorNotAvailable},
      {Status::NotFound("NOT_LEADER_OR_FOLLOWER"), ErrorCode::kNotCoordinator},
      {Status::IoError("KAFKA_STORAGE_ERROR"), ErrorCode::kNotCoordinator},
      {Status::OutOfRange("RECORD_LIST_TOO_LARGE"), ErrorCode::kInvalidCommitOffsetSize},
      {Status::Internal("?"), ErrorCode::kUnknownServerError},
  };
  for (const auto& [verdict, expected] : cases) {
    auto commit = StartCommit("simple", "", -1, 1);
    log_.CompleteHeld(verdict);
    ASSERT_TRUE(commit.ready());
    EXPECT_EQ((*commit)[0].error, expected) << verdict.ToString();
  }
  EXPECT_EQ(Fetched("simple"), -1);
  // A failed commit leaves no group behind.
  EXPECT_TRUE(coordinator_->ListGroups({}).groups.empty());
}

TEST_F(CoordinatorTest, CommitCompletingAfterResignIsAnsweredByItsVerdict) {
  log_.hold_commits = true;
  auto committed = StartCommit("simple", "", -1, 7);
  auto refused = StartCommit("simple", "", -1, 8);
  const int32_t p = coordinator_->PartitionFor("simple");
  coordinator_->OnResign(p);
  EXPECT_FALSE(committed.ready());
  log_.CompleteHeld(Status::Ok());  // the HW passed it before the leadership moved
  ASSERT_TRUE(committed.ready());
  EXPECT_EQ((*committed)[0].error, ErrorCode::kNone);
  log_.CompleteHeld(Status::NotFound("no longer the leader"));
  ASSERT_TRUE(refused.ready());
  EXPECT_EQ((*refused)[0].error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(coordinator_->FetchOffsets("simple", std::nullopt).error, ErrorCode::kNotCoordinator);
  EXPECT_TRUE(coordinator_->ListGroups({}).groups.empty());
}

TEST_F(CoordinatorTest, CommitCompletingAfterAReloadLeavesTheLoadedGroupAlone) {
  Commit("simple", "", -1, 5);
  log_.hold_commits = true;
  auto late = StartCommit("simple", "", -1, 9);
  log_.partitions[coordinator_->PartitionFor("simple")].pop_back();  // truncated away
  const int32_t p = coordinator_->PartitionFor("simple");
  coordinator_->OnResign(p);
  coordinator_->OnBecomeLeader(p);
  clock_.RunDue();
  log_.CompleteHeld(Status::Ok());
  ASSERT_TRUE(late.ready());
  EXPECT_EQ(Fetched("simple"), 5);  // what the log says, not the stale completion
}

TEST_F(CoordinatorTest, OutOfOrderCompletionsKeepTheLastCommit) {
  log_.hold_commits = true;
  auto first = StartCommit("simple", "", -1, 5);
  auto second = StartCommit("simple", "", -1, 7);
  log_.CompleteHeld(Status::Ok(), 1);
  log_.CompleteHeld(Status::Ok(), 0);
  ASSERT_TRUE(first.ready() && second.ready());
  EXPECT_EQ(Fetched("simple"), 7);
}

TEST_F(CoordinatorTest, OffsetDeleteWinsOverAnEarlierPendingCommit) {
  Commit("simple", "", -1, 5);
  log_.hold_commits = true;
  auto pending = StartCommit("simple", "", -1, 9);
  EXPECT_EQ(coordinator_->DeleteOffsets("simple", {{"topic", {0}}}).error, ErrorCode::kNone);
  log_.CompleteHeld(Status::Ok());
  ASSERT_TRUE(pending.ready());
  EXPECT_EQ(Fetched("simple"), -1);
}

TEST_F(CoordinatorTest, LeaderSyncIsAnsweredOnceTheAssignmentIsCommitted) {
  auto join = Join(JoinParams("g"));
  clock_.RunDue();
  ASSERT_TRUE(join.ready());
  log_.hold_commits = true;
  auto sync = Sync("g", join->generation_id, join->member_id, {{join->member_id, {7}}});
  EXPECT_FALSE(sync.ready());
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "CompletingRebalance");
  log_.CompleteHeld(Status::Ok());
  ASSERT_TRUE(sync.ready());
  EXPECT_EQ(sync->error, ErrorCode::kNone);
  EXPECT_EQ(sync->assignment, (std::vector<uint8_t>{7}));
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "Stable");
}

TEST_F(CoordinatorTest, LeaderSyncWhoseStoreTimesOutRebalances) {
  auto join = Join(JoinParams("g"));
  clock_.RunDue();
  ASSERT_TRUE(join.ready());
  log_.hold_commits = true;
  auto sync = Sync("g", join->generation_id, join->member_id, {{join->member_id, {7}}});
  log_.CompleteHeld(Status::Timeout("not replicated"));
  ASSERT_TRUE(sync.ready());
  EXPECT_EQ(sync->error, ErrorCode::kRebalanceInProgress);  // Kafka's storeGroup mapping
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "PreparingRebalance");
}

// --- persistence -----------------------------------------------------------------------------

TEST_F(CoordinatorTest, OffsetsAndGroupSurviveARestart) {
  const std::string a = JoinAlone("g");
  Commit("g", a, 1, 99);
  Commit("simple", "", -1, 5);
  Restart(0);
  EXPECT_EQ(Fetched("g"), 99);
  EXPECT_EQ(Fetched("simple"), 5);
  auto d = coordinator_->DescribeGroup("g");
  EXPECT_EQ(d.state, "Stable");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, a);
  EXPECT_EQ(d.members[0].assignment, (std::vector<uint8_t>{7}));
  // The member carries on with its generation.
  EXPECT_EQ(coordinator_->Heartbeat("g", a, std::nullopt, 1), ErrorCode::kNone);
}

TEST_F(CoordinatorTest, LoadedMembersThatNeverComeBackExpire) {
  JoinAlone("g");
  Restart(0);
  clock_.Advance(kSession + 1);
  clock_.Advance(kRebalance + 1);
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "Empty");
}

TEST_F(CoordinatorTest, LoadingAnswersLoadInProgressThenServes) {
  Commit("simple", "", -1, 5);
  const int32_t p = coordinator_->PartitionFor("simple");
  coordinator_->OnBecomeLeader(p);
  EXPECT_EQ(coordinator_->FetchOffsets("simple", std::nullopt).error,
            ErrorCode::kCoordinatorLoadInProgress);
  clock_.RunDue();
  EXPECT_EQ(Fetched("simple"), 5);
}

TEST_F(CoordinatorTest, GroupsOfPartitionsLedElsewhereAreNotCoordinated) {
  const int32_t p = coordinator_->PartitionFor("g");
  coordinator_->OnResign(p);
  EXPECT_EQ(Commit("g", "", -1, 1)[0].error, ErrorCode::kNotCoordinator);
  auto join = Join(JoinParams("g"));
  EXPECT_EQ(join->error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(coordinator_->DescribeGroup("g").error, ErrorCode::kNotCoordinator);
}

TEST_F(CoordinatorTest, ResignAnswersParkedJoinsWithNotCoordinator) {
  auto params = JoinParams("g");
  Restart(5000);
  auto join = Join(params);
  EXPECT_FALSE(join.ready());
  coordinator_->OnResign(coordinator_->PartitionFor("g"));
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kNotCoordinator);
}

// --- administration --------------------------------------------------------------------------

TEST_F(CoordinatorTest, DeleteGroupsRefusesNonEmptyAndTombstonesEmpty) {
  const std::string a = JoinAlone("g");
  Commit("g", a, 1, 3);
  EXPECT_EQ(coordinator_->DeleteGroup("g"), ErrorCode::kNonEmptyGroup);
  EXPECT_EQ(coordinator_->DeleteGroup("nope"), ErrorCode::kGroupIdNotFound);
  coordinator_->LeaveGroup("g", {{a, std::nullopt}});
  clock_.RunDue();
  ASSERT_EQ(coordinator_->DescribeGroup("g").state, "Empty");
  EXPECT_EQ(coordinator_->DeleteGroup("g"), ErrorCode::kNone);
  EXPECT_EQ(Fetched("g"), -1);
  Restart(0);
  EXPECT_EQ(Fetched("g"), -1);  // the tombstones won
  EXPECT_EQ(coordinator_->DescribeGroup("g").state, "Dead");
}

TEST_F(CoordinatorTest, OffsetDeleteRefusesSubscribedTopics) {
  const std::string a = JoinAlone("g");  // subscribes to "topic"
  Commit("g", a, 1, 3);
  OffsetCommitParams other;
  other.group_id = "g";
  other.member_id = a;
  other.generation_id = 1;
  other.partitions.push_back({"old-topic", 0, {8, -1, "", clock_.NowMs(), {}}});
  coordinator_->CommitOffsets(other, [](std::vector<PartitionError>) {});
  clock_.RunDue();
  auto result = coordinator_->DeleteOffsets("g", {{"topic", {0}}, {"old-topic", {0}}});
  EXPECT_EQ(result.error, ErrorCode::kNone);
  ASSERT_EQ(result.partitions.size(), 2u);
  EXPECT_EQ(result.partitions[0].error, ErrorCode::kGroupSubscribedToTopic);
  EXPECT_EQ(result.partitions[1].error, ErrorCode::kNone);
  EXPECT_EQ(coordinator_->FetchOffsets("g", std::nullopt).partitions.size(), 1u);
  EXPECT_EQ(coordinator_->DeleteOffsets("nope", {{"topic", {0}}}).error,
            ErrorCode::kGroupIdNotFound);
}

TEST_F(CoordinatorTest, ListGroupsFiltersByState) {
  JoinAlone("stable-group");
  Commit("simple", "", -1, 1);
  EXPECT_EQ(coordinator_->ListGroups({}).groups.size(), 2u);
  auto empty = coordinator_->ListGroups({"Empty"});
  ASSERT_EQ(empty.groups.size(), 1u);
  EXPECT_EQ(empty.groups[0].group_id, "simple");
  auto stable = coordinator_->ListGroups({"stable"});
  ASSERT_EQ(stable.groups.size(), 1u);
  EXPECT_EQ(stable.groups[0].protocol_type, "consumer");
}

TEST_F(CoordinatorTest, DescribeShowsMetadataOnlyWhileStable) {
  const std::string a = JoinAlone("g");
  auto stable = coordinator_->DescribeGroup("g");
  EXPECT_EQ(stable.protocol, "range");
  ASSERT_EQ(stable.members.size(), 1u);
  EXPECT_FALSE(stable.members[0].metadata.empty());
  EXPECT_EQ(stable.members[0].client_host, "/127.0.0.1");
  Join(JoinParams("g"));
  auto rebalancing = coordinator_->DescribeGroup("g");
  EXPECT_EQ(rebalancing.state, "PreparingRebalance");
  EXPECT_EQ(rebalancing.protocol, "");
  EXPECT_TRUE(rebalancing.members[0].metadata.empty());
  EXPECT_EQ(coordinator_->DescribeGroup("nope").state, "Dead");
}

// --- retention -------------------------------------------------------------------------------

TEST_F(CoordinatorTest, ExpiredOffsetsOfEmptyGroupsAreRemoved) {
  Commit("simple", "", -1, 1);
  clock_.Advance(59000);
  EXPECT_EQ(coordinator_->RemoveExpiredOffsets(), 0);
  clock_.Advance(1000);
  EXPECT_EQ(coordinator_->RemoveExpiredOffsets(), 1);
  EXPECT_EQ(Fetched("simple"), -1);
  EXPECT_TRUE(coordinator_->ListGroups({}).groups.empty());  // no offsets left: the group is gone
  Restart(0);
  EXPECT_EQ(Fetched("simple"), -1);
}

TEST_F(CoordinatorTest, OffsetsOfSubscribedTopicsDoNotExpireWhileTheGroupIsActive) {
  const std::string a = JoinAlone("g");
  Commit("g", a, 1, 3);
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(5000);
    coordinator_->Heartbeat("g", a, std::nullopt, 1);
  }
  EXPECT_EQ(coordinator_->RemoveExpiredOffsets(), 0);
  EXPECT_EQ(Fetched("g"), 3);
}

}  // namespace
}  // namespace sluice::group

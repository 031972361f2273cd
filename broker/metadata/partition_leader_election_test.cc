// The election rules, one edge case per test.
#include "broker/metadata/partition_leader_election.h"

#include <gtest/gtest.h>

namespace sluice::metadata {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int> ids) {
  std::vector<BrokerId> out;
  for (int id : ids) out.emplace_back(id);
  return out;
}

std::set<BrokerId> Set(std::initializer_list<int> ids) {
  auto v = Ids(ids);
  return {v.begin(), v.end()};
}

PartitionState State(int leader, int epoch, std::initializer_list<int> isr, int zk_version = 7) {
  PartitionState state;
  state.leader = BrokerId(leader);
  state.leader_epoch = LeaderEpoch(epoch);
  state.isr = Ids(isr);
  state.controller_epoch = ControllerEpoch(3);
  state.zk_version = zk_version;
  return state;
}

TEST(OfflineElection, PicksFirstLiveIsrMemberInAssignmentOrder) {
  auto result =
      ElectOfflinePartitionLeader(Ids({1, 2, 3}), State(1, 4, {3, 2, 1}), Set({2, 3}), false);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(2));  // assignment order, not ISR order
  EXPECT_EQ(result->state.leader_epoch, LeaderEpoch(5));
  EXPECT_EQ(result->state.isr, Ids({3, 2}));  // dead members leave the ISR
  EXPECT_EQ(result->state.zk_version, 7);
  EXPECT_FALSE(result->unclean);
}

TEST(OfflineElection, NoLiveIsrMemberAndUncleanDisabledElectsNobody) {
  EXPECT_FALSE(ElectOfflinePartitionLeader(Ids({1, 2, 3}), State(1, 4, {1}), Set({2, 3}), false));
}

TEST(OfflineElection, UncleanElectsFirstLiveReplicaWithIsrOfItself) {
  auto result = ElectOfflinePartitionLeader(Ids({1, 3, 2}), State(1, 4, {1}), Set({2, 3}), true);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(3));
  EXPECT_EQ(result->state.isr, Ids({3}));
  EXPECT_TRUE(result->unclean);
}

TEST(OfflineElection, UncleanIsNotUsedWhenACleanLeaderExists) {
  auto result = ElectOfflinePartitionLeader(Ids({1, 2, 3}), State(1, 0, {1, 3}), Set({2, 3}), true);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(3));
  EXPECT_FALSE(result->unclean);
}

TEST(OfflineElection, NothingOnlineElectsNobodyEvenUnclean) {
  EXPECT_FALSE(ElectOfflinePartitionLeader(Ids({1, 2}), State(1, 0, {1, 2}), Set({}), true));
}

TEST(ReassignElection, PicksFromTargetReplicasOnly) {
  // Reassigning [1,2] -> [3,4]: 1 is alive and in the ISR but not a target.
  auto result =
      ElectReassignedPartitionLeader(Ids({4, 3}), State(1, 2, {1, 2, 3, 4}), Set({1, 2, 3, 4}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(4));
  EXPECT_EQ(result->state.isr, Ids({1, 2, 3, 4}));  // unchanged: removal shrinks it later
  EXPECT_EQ(result->state.leader_epoch, LeaderEpoch(3));
}

TEST(ReassignElection, TargetNotYetInIsrElectsNobody) {
  EXPECT_FALSE(ElectReassignedPartitionLeader(Ids({3}), State(1, 2, {1, 2}), Set({1, 2, 3})));
}

TEST(PreferredElection, ElectsTheFirstAssignedReplica) {
  auto result = ElectPreferredReplicaLeader(Ids({2, 1}), State(1, 5, {1, 2}), Set({1, 2}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(2));
  EXPECT_EQ(result->state.leader_epoch, LeaderEpoch(6));
  EXPECT_EQ(result->state.isr, Ids({1, 2}));
}

TEST(PreferredElection, PreferredOutOfIsrOrDeadElectsNobody) {
  EXPECT_FALSE(ElectPreferredReplicaLeader(Ids({2, 1}), State(1, 5, {1}), Set({1, 2})));
  EXPECT_FALSE(ElectPreferredReplicaLeader(Ids({2, 1}), State(1, 5, {1, 2}), Set({1})));
  EXPECT_FALSE(ElectPreferredReplicaLeader({}, State(1, 5, {1}), Set({1})));
}

TEST(ControlledShutdownElection, SkipsShuttingDownBrokersAndShrinksThemOutOfIsr) {
  auto result = ElectControlledShutdownLeader(Ids({1, 2, 3}), State(1, 0, {1, 2, 3}),
                                              Set({1, 2, 3}), Set({1, 2}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(3));
  EXPECT_EQ(result->state.isr, Ids({3}));
}

TEST(ControlledShutdownElection, NoOtherIsrMemberElectsNobody) {
  EXPECT_FALSE(ElectControlledShutdownLeader(Ids({1, 2}), State(1, 0, {1}), Set({1, 2}), Set({1})));
}

TEST(RemoveFromIsr, FollowerLeavesAndLeaderStays) {
  auto result = RemoveReplicaFromIsr(State(1, 3, {1, 2}), BrokerId(2));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, BrokerId(1));
  EXPECT_EQ(result->state.isr, Ids({1}));
  EXPECT_EQ(result->state.leader_epoch, LeaderEpoch(4));
}

TEST(RemoveFromIsr, RemovingTheLeaderLeavesNoLeader) {
  auto result = RemoveReplicaFromIsr(State(1, 3, {1, 2}), BrokerId(1));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, kNoLeader);
  EXPECT_EQ(result->state.isr, Ids({2}));
}

TEST(RemoveFromIsr, LastIsrMemberIsKeptWithNoLeader) {
  auto result = RemoveReplicaFromIsr(State(1, 3, {1}), BrokerId(1));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->state.leader, kNoLeader);
  EXPECT_EQ(result->state.isr, Ids({1}));
}

TEST(RemoveFromIsr, NotInIsrChangesNothing) {
  EXPECT_FALSE(RemoveReplicaFromIsr(State(1, 3, {1}), BrokerId(2)));
}

}  // namespace
}  // namespace sluice::metadata

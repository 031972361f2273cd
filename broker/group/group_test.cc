#include "broker/group/group.h"

#include <gtest/gtest.h>

#include "broker/group/consumer_protocol.h"

namespace sluice::group {
namespace {

Member MakeMember(const std::string& id, std::vector<std::string> protocols,
                  std::optional<std::string> instance = std::nullopt) {
  Member m;
  m.member_id = id;
  m.group_instance_id = std::move(instance);
  m.protocol_type = "consumer";
  for (auto& p : protocols) m.protocols.push_back({p, EncodeSubscriptionV0({"t-" + id})});
  return m;
}

TEST(Group, StateNamesAreKafkas) {
  EXPECT_STREQ(GroupStateName(GroupState::kCompletingRebalance), "CompletingRebalance");
  EXPECT_EQ(ParseGroupState("stable"), GroupState::kStable);
  EXPECT_EQ(ParseGroupState("PreparingRebalance"), GroupState::kPreparingRebalance);
  EXPECT_FALSE(ParseGroupState("AwaitingSync"));
}

TEST(Group, EmptyGroupAcceptsAnyNonEmptyProtocolList) {
  Group g("g", GroupState::kEmpty, 0);
  EXPECT_TRUE(g.SupportsProtocols("consumer", {"range"}));
  EXPECT_FALSE(g.SupportsProtocols("", {"range"}));
  EXPECT_FALSE(g.SupportsProtocols("consumer", {}));
}

TEST(Group, NonEmptyGroupNeedsSameTypeAndACommonProtocol) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(MakeMember("a", {"range", "roundrobin"}));
  g.TransitionTo(GroupState::kPreparingRebalance, 0);
  EXPECT_TRUE(g.SupportsProtocols("consumer", {"roundrobin"}));
  EXPECT_FALSE(g.SupportsProtocols("consumer", {"sticky"}));
  EXPECT_FALSE(g.SupportsProtocols("connect", {"range"}));
}

TEST(Group, FirstMemberIsLeaderAndLeadershipPassesOnRemoval) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(MakeMember("b", {"range"}));
  g.Add(MakeMember("a", {"range"}));
  EXPECT_TRUE(g.IsLeader("b"));
  g.Remove("b");
  EXPECT_TRUE(g.IsLeader("a"));
  g.Remove("a");
  EXPECT_FALSE(g.leader_id());
}

TEST(Group, SelectProtocolIsTheMostVotedCommonProtocol) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(MakeMember("a", {"sticky", "range", "roundrobin"}));
  g.Add(MakeMember("b", {"roundrobin", "range"}));
  g.Add(MakeMember("c", {"roundrobin", "range"}));
  // Common: range, roundrobin. Votes: a -> range, b -> roundrobin, c -> roundrobin.
  EXPECT_EQ(g.SelectProtocol(), "roundrobin");
}

TEST(Group, AllMembersJoinedWaitsForPendingMembersToo) {
  Group g("g", GroupState::kEmpty, 0);
  Member a = MakeMember("a", {"range"});
  a.awaiting_join = [](JoinGroupResult) {};
  g.Add(std::move(a));
  EXPECT_TRUE(g.AllMembersJoined());
  g.pending_members().insert("x");
  EXPECT_FALSE(g.AllMembersJoined());
}

TEST(Group, StaticMemberReplacementKeepsAssignmentAndFencesOldId) {
  Group g("g", GroupState::kEmpty, 0);
  Member a = MakeMember("a", {"range"}, "inst");
  a.assignment = {1, 2};
  g.Add(std::move(a));
  g.ReplaceStaticMember("inst", "a", "a2");
  EXPECT_FALSE(g.Has("a"));
  ASSERT_TRUE(g.Has("a2"));
  EXPECT_EQ(g.Get("a2")->assignment, (std::vector<uint8_t>{1, 2}));
  EXPECT_TRUE(g.IsLeader("a2"));
  EXPECT_TRUE(g.IsStaticMemberFenced("a", std::string("inst")));
  EXPECT_FALSE(g.IsStaticMemberFenced("a2", std::string("inst")));
  EXPECT_FALSE(g.IsStaticMemberFenced("a", std::nullopt));
}

TEST(Group, NextGenerationDecodesConsumerSubscriptions) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(MakeMember("a", {"range"}));
  g.Add(MakeMember("b", {"range"}));
  g.TransitionTo(GroupState::kPreparingRebalance, 0);
  g.InitNextGeneration(5);
  EXPECT_EQ(g.generation(), 1);
  EXPECT_EQ(g.state(), GroupState::kCompletingRebalance);
  EXPECT_EQ(g.protocol_name(), "range");
  EXPECT_TRUE(g.IsSubscribedToTopic("t-a"));
  EXPECT_TRUE(g.IsSubscribedToTopic("t-b"));
  EXPECT_FALSE(g.IsSubscribedToTopic("other"));
}

TEST(Group, NextGenerationWithoutMembersIsEmpty) {
  Group g("g", GroupState::kEmpty, 0);
  g.TransitionTo(GroupState::kPreparingRebalance, 0);
  g.InitNextGeneration(5);
  EXPECT_EQ(g.state(), GroupState::kEmpty);
  EXPECT_EQ(g.generation(), 1);
  EXPECT_FALSE(g.protocol_name());
  EXPECT_EQ(g.state_timestamp_ms(), 5);
}

}  // namespace
}  // namespace sluice::group

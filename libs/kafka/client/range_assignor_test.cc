#include "libs/kafka/client/range_assignor.h"

#include <gtest/gtest.h>

namespace sluice::kafka::client {
namespace {

GroupMemberSubscription Member(std::string id, std::vector<std::string> topics,
                               std::optional<std::string> instance = std::nullopt) {
  return GroupMemberSubscription{std::move(id), std::move(instance),
                                 Subscription{std::move(topics), std::nullopt, {}}};
}

using Partitions = std::vector<int32_t>;

TEST(RangeAssign, SevenPartitionsOverThreeMembersGivesTheFirstTheExtra) {
  auto result = RangeAssign({Member("c2", {"t"}), Member("c0", {"t"}), Member("c1", {"t"})},
                            {{"t", 7}});
  EXPECT_EQ(result["c0"].partitions["t"], (Partitions{0, 1, 2}));
  EXPECT_EQ(result["c1"].partitions["t"], (Partitions{3, 4}));
  EXPECT_EQ(result["c2"].partitions["t"], (Partitions{5, 6}));
}

TEST(RangeAssign, EachTopicIsRangedSeparately) {
  // Kafka's documented example: t0 and t1 with 3 partitions each, two consumers.
  auto result = RangeAssign({Member("C0", {"t0", "t1"}), Member("C1", {"t0", "t1"})},
                            {{"t0", 3}, {"t1", 3}});
  EXPECT_EQ(result["C0"].partitions["t0"], (Partitions{0, 1}));
  EXPECT_EQ(result["C0"].partitions["t1"], (Partitions{0, 1}));
  EXPECT_EQ(result["C1"].partitions["t0"], (Partitions{2}));
  EXPECT_EQ(result["C1"].partitions["t1"], (Partitions{2}));
}

TEST(RangeAssign, MoreMembersThanPartitionsLeavesTheLastEmpty) {
  auto result = RangeAssign({Member("a", {"t"}), Member("b", {"t"}), Member("c", {"t"})},
                            {{"t", 2}});
  EXPECT_EQ(result["a"].partitions["t"], (Partitions{0}));
  EXPECT_EQ(result["b"].partitions["t"], (Partitions{1}));
  ASSERT_TRUE(result.count("c"));
  EXPECT_TRUE(result["c"].partitions.empty());
}

TEST(RangeAssign, OnlySubscribersOfATopicShareIt) {
  auto result = RangeAssign({Member("a", {"x"}), Member("b", {"x", "y"})}, {{"x", 2}, {"y", 2}});
  EXPECT_EQ(result["a"].partitions["x"], (Partitions{0}));
  EXPECT_EQ(result["b"].partitions["x"], (Partitions{1}));
  EXPECT_EQ(result["b"].partitions["y"], (Partitions{0, 1}));
  EXPECT_FALSE(result["a"].partitions.count("y"));
}

TEST(RangeAssign, TopicsMissingFromMetadataAreSkipped) {
  auto result = RangeAssign({Member("a", {"gone", "t"})}, {{"t", 1}});
  EXPECT_EQ(result["a"].partitions.size(), 1u);
  EXPECT_EQ(result["a"].partitions["t"], (Partitions{0}));
}

TEST(RangeAssign, StaticMembersSortByInstanceIdAndComeFirst) {
  auto result = RangeAssign({Member("m-a", {"t"}), Member("m-z", {"t"}, "i-1"),
                             Member("m-b", {"t"}, "i-0")},
                            {{"t", 3}});
  EXPECT_EQ(result["m-b"].partitions["t"], (Partitions{0}));  // instance i-0
  EXPECT_EQ(result["m-z"].partitions["t"], (Partitions{1}));  // instance i-1
  EXPECT_EQ(result["m-a"].partitions["t"], (Partitions{2}));  // dynamic last
}

TEST(RangeAssign, NoMembersNoAssignments) {
  EXPECT_TRUE(RangeAssign({}, {{"t", 3}}).empty());
}

TEST(RangeAssign, EveryPartitionAssignedExactlyOnce) {
  std::vector<GroupMemberSubscription> members;
  for (int i = 0; i < 4; ++i) members.push_back(Member("m" + std::to_string(i), {"t"}));
  auto result = RangeAssign(members, {{"t", 10}});
  std::vector<int> count(10, 0);
  for (auto& [member, a] : result) {
    for (int32_t p : a.partitions["t"]) ++count[p];
  }
  for (int c : count) EXPECT_EQ(c, 1);
}

}  // namespace
}  // namespace sluice::kafka::client

#include "broker/tools/topic_description.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sluice::tools {
namespace {

PartitionDescription Partition(int32_t id, std::optional<int32_t> leader,
                               std::vector<int32_t> replicas, std::vector<int32_t> isr) {
  PartitionDescription p;
  p.partition = PartitionId(id);
  if (leader) p.leader = BrokerId(*leader);
  for (int32_t r : replicas) p.replicas.emplace_back(r);
  for (int32_t r : isr) p.isr.emplace_back(r);
  return p;
}

TopicDescription Sports() {
  TopicDescription t;
  t.name = "sports";
  t.partitions = {Partition(0, 0, {0}, {0}), Partition(1, 0, {0}, {0})};
  return t;
}

std::string Print(const std::vector<TopicDescription>& topics, DescribeFilter filter,
                  std::set<BrokerId> live = {BrokerId(0), BrokerId(1)}) {
  std::ostringstream out;
  PrintDescriptions(topics, filter, live, out);
  return out.str();
}

TEST(TopicLineTest, Kafka28FormatWithoutTopicId) {
  EXPECT_EQ(FormatTopicLine(Sports()),
            "Topic: sports\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: ");
}

TEST(TopicLineTest, TopicIdAndConfigsInOrder) {
  TopicDescription t = Sports();
  t.topic_id = "csoCe4FmT1-q-j0JNHlVgA";
  t.configs = {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}};
  EXPECT_EQ(FormatTopicLine(t),
            "Topic: sports\tTopicId: csoCe4FmT1-q-j0JNHlVgA\tPartitionCount: 2\t"
            "ReplicationFactor: 1\tConfigs: retention.ms=1000,cleanup.policy=compact");
}

TEST(TopicLineTest, MarkedForDeletionEndsBothLines) {
  TopicDescription t = Sports();
  t.marked_for_deletion = true;
  EXPECT_TRUE(FormatTopicLine(t).ends_with("\tMarkedForDeletion: true"));
  EXPECT_TRUE(FormatPartitionLine(t, t.partitions[0]).ends_with("\tMarkedForDeletion: true"));
}

TEST(TopicLineTest, TopicWithoutPartitionsHasReplicationFactorZero) {
  TopicDescription t;
  t.name = "empty";
  EXPECT_EQ(FormatTopicLine(t), "Topic: empty\tPartitionCount: 0\tReplicationFactor: 0\tConfigs: ");
}

TEST(PartitionLineTest, Kafka28Format) {
  TopicDescription t = Sports();
  EXPECT_EQ(FormatPartitionLine(t, Partition(1, 2, {2, 0, 1}, {2, 0})),
            "\tTopic: sports\tPartition: 1\tLeader: 2\tReplicas: 2,0,1\tIsr: 2,0");
}

TEST(PartitionLineTest, NoLeaderPrintsNone) {
  TopicDescription t = Sports();
  EXPECT_EQ(FormatPartitionLine(t, Partition(0, std::nullopt, {1}, {})),
            "\tTopic: sports\tPartition: 0\tLeader: none\tReplicas: 1\tIsr: ");
}

TEST(PartitionLineTest, ReassignmentShowsAddingAndRemoving) {
  TopicDescription t = Sports();
  PartitionDescription p = Partition(0, 0, {0, 1}, {0});
  p.adding_replicas = {BrokerId(1)};
  p.removing_replicas = {BrokerId(0)};
  EXPECT_EQ(FormatPartitionLine(t, p),
            "\tTopic: sports\tPartition: 0\tLeader: 0\tReplicas: 0,1\tIsr: 0"
            "\tAdding Replicas: 1\tRemoving Replicas: 0");
  t.partitions = {p};
  // Adding replicas do not count towards the replication factor yet.
  EXPECT_NE(FormatTopicLine(t).find("ReplicationFactor: 1"), std::string::npos);
}

TEST(PrintDescriptionsTest, TopicLineThenEveryPartition) {
  EXPECT_EQ(Print({Sports()}, {}),
            "Topic: sports\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \n"
            "\tTopic: sports\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\n"
            "\tTopic: sports\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\n");
}

TEST(PrintDescriptionsTest, UnderReplicatedShowsOnlyThosePartitionsAndNoTopicLine) {
  TopicDescription t = Sports();
  t.partitions = {Partition(0, 0, {0, 1}, {0, 1}), Partition(1, 0, {0, 1}, {0})};
  EXPECT_EQ(Print({t}, {.under_replicated = true}),
            "\tTopic: sports\tPartition: 1\tLeader: 0\tReplicas: 0,1\tIsr: 0\n");
}

TEST(PrintDescriptionsTest, UnavailableMeansNoLeaderOrDeadLeader) {
  TopicDescription t = Sports();
  t.partitions = {Partition(0, 0, {0}, {0}), Partition(1, std::nullopt, {1}, {}),
                  Partition(2, 5, {5}, {5})};
  EXPECT_EQ(Print({t}, {.unavailable = true}),
            "\tTopic: sports\tPartition: 1\tLeader: none\tReplicas: 1\tIsr: \n"
            "\tTopic: sports\tPartition: 2\tLeader: 5\tReplicas: 5\tIsr: 5\n");
}

TEST(PrintDescriptionsTest, UnderAndAtMinIsr) {
  TopicDescription t = Sports();
  t.partitions = {Partition(0, 0, {0, 1, 2}, {0, 1, 2}), Partition(1, 0, {0, 1, 2}, {0, 1}),
                  Partition(2, 0, {0, 1, 2}, {0}), Partition(3, std::nullopt, {0, 1, 2}, {})};
  for (auto& p : t.partitions) p.min_isr = 2;
  EXPECT_EQ(Print({t}, {.under_min_isr = true}),
            "\tTopic: sports\tPartition: 2\tLeader: 0\tReplicas: 0,1,2\tIsr: 0\n"
            "\tTopic: sports\tPartition: 3\tLeader: none\tReplicas: 0,1,2\tIsr: \n");
  EXPECT_EQ(Print({t}, {.at_min_isr = true}),
            "\tTopic: sports\tPartition: 1\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1\n");
}

TEST(PrintDescriptionsTest, MinIsrUnknownMatchesOnlyLeaderlessPartitions) {
  TopicDescription t = Sports();
  t.partitions = {Partition(0, 0, {0}, {}), Partition(1, std::nullopt, {0}, {})};
  EXPECT_EQ(Print({t}, {.under_min_isr = true}),
            "\tTopic: sports\tPartition: 1\tLeader: none\tReplicas: 0\tIsr: \n");
  EXPECT_EQ(Print({t}, {.at_min_isr = true}), "");
}

TEST(PrintDescriptionsTest, TopicsWithOverridesPrintsOnlyTheirTopicLines) {
  TopicDescription plain = Sports();
  TopicDescription tuned = Sports();
  tuned.name = "tuned";
  tuned.configs = {{"retention.ms", "1000"}};
  EXPECT_EQ(Print({plain, tuned}, {.with_overrides = true}),
            "Topic: tuned\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=1000\n");
}

TEST(TopicFilterTest, NoPatternSelectsAllSorted) {
  auto f = TopicFilter::Create(std::nullopt, false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Select({"b", "a", "__consumer_offsets"}),
            (std::vector<std::string>{"__consumer_offsets", "a", "b"}));
}

TEST(TopicFilterTest, RegexMatchesWholeName) {
  auto f = TopicFilter::Create("sport.*", false);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches("sports"));
  EXPECT_FALSE(f->Matches("my-sports"));
  auto exact = TopicFilter::Create("sports", false);
  EXPECT_FALSE(exact->Matches("sports2"));
}

TEST(TopicFilterTest, DotMatchesAnyCharacterUnlessEscaped) {
  EXPECT_TRUE(TopicFilter::Create("a.b", false)->Matches("a_b"));
  EXPECT_FALSE(TopicFilter::Create("a\\.b", false)->Matches("a_b"));
}

TEST(TopicFilterTest, CommaMeansOrAndQuotesAreStripped) {
  auto f = TopicFilter::Create("\"a, b\"", false);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Select({"a", "b", "c"}), (std::vector<std::string>{"a", "b"}));
}

TEST(TopicFilterTest, ExcludeInternal) {
  auto f = TopicFilter::Create(std::nullopt, true);
  EXPECT_EQ(f->Select({"__consumer_offsets", "__transaction_state", "x"}),
            std::vector<std::string>{"x"});
}

TEST(TopicFilterTest, BadRegexIsAnError) {
  auto f = TopicFilter::Create("(", false);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("'('"), std::string::npos);
}

TEST(TopicNamesTest, CollisionCharsAndInternalTopics) {
  EXPECT_TRUE(HasCollisionChars("a.b"));
  EXPECT_TRUE(HasCollisionChars("a_b"));
  EXPECT_FALSE(HasCollisionChars("a-b"));
  EXPECT_TRUE(IsInternalTopic("__consumer_offsets"));
  EXPECT_FALSE(IsInternalTopic("__other"));
}

}  // namespace
}  // namespace sluice::tools

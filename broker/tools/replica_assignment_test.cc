#include "broker/tools/replica_assignment.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice::tools {
namespace {

std::vector<BrokerId> Brokers(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

std::vector<int32_t> Ids(const std::vector<BrokerId>& ids) {
  std::vector<int32_t> out;
  for (BrokerId id : ids) out.push_back(id.value());
  return out;
}

// Kafka's documented example (AdminUtils scaladoc): 5 brokers, 10 partitions, RF 3, start 0,
// shift 0:  p0 [0,1,2] p1 [1,2,3] p2 [2,3,4] p3 [3,4,0] p4 [4,0,1]
//           p5 [0,2,3] p6 [1,3,4] p7 [2,4,0] p8 [3,0,1] p9 [4,1,2]
TEST(AssignReplicasTest, MatchesKafkasDocumentedLayout) {
  auto a = AssignReplicasToBrokers(Brokers({0, 1, 2, 3, 4}), 10, 3, 0, 0, 0);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::vector<std::vector<int32_t>> expected = {
      {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
      {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2}};
  ASSERT_EQ(a->size(), expected.size());
  for (size_t p = 0; p < expected.size(); ++p) {
    EXPECT_EQ(Ids(a->at(PartitionId(static_cast<int32_t>(p)))), expected[p]) << "partition " << p;
  }
}

TEST(AssignReplicasTest, SingleBrokerGetsEveryPartition) {
  auto a = AssignReplicasToBrokers(Brokers({0}), 2, 1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Ids(a->at(PartitionId(0))), std::vector<int32_t>{0});
  EXPECT_EQ(Ids(a->at(PartitionId(1))), std::vector<int32_t>{0});
}

TEST(AssignReplicasTest, UnsortedBrokerIdsAreSortedFirst) {
  auto a = AssignReplicasToBrokers(Brokers({7, 3, 5}), 3, 1, 0, 0, 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Ids(a->at(PartitionId(0))), std::vector<int32_t>{3});
  EXPECT_EQ(Ids(a->at(PartitionId(1))), std::vector<int32_t>{5});
  EXPECT_EQ(Ids(a->at(PartitionId(2))), std::vector<int32_t>{7});
}

TEST(AssignReplicasTest, RandomStartStillGivesDistinctReplicasAndBalancedLeaders) {
  auto a = AssignReplicasToBrokers(Brokers({1, 2, 3}), 6, 3);
  ASSERT_TRUE(a.ok());
  std::map<int32_t, int> leaders;
  for (const auto& [p, replicas] : *a) {
    EXPECT_EQ(std::set<BrokerId>(replicas.begin(), replicas.end()).size(), 3u);
    ++leaders[replicas.front().value()];
  }
  for (const auto& [broker, count] : leaders) EXPECT_EQ(count, 2) << "broker " << broker;
}

TEST(AssignReplicasTest, AddedPartitionsContinueTheNumbering) {
  auto a = AssignReplicasToBrokers(Brokers({0, 1}), 2, 1, 0, 2, 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->begin()->first, PartitionId(2));
  EXPECT_EQ(a->rbegin()->first, PartitionId(3));
}

TEST(AssignReplicasTest, ZeroPartitionsIsKafkasError) {
  EXPECT_EQ(AssignReplicasToBrokers(Brokers({0}), 0, 1).status().message(),
            "Number of partitions must be larger than 0.");
}

TEST(AssignReplicasTest, ZeroReplicationFactorIsKafkasError) {
  EXPECT_EQ(AssignReplicasToBrokers(Brokers({0}), 1, 0).status().message(),
            "Replication factor must be larger than 0.");
}

TEST(AssignReplicasTest, MoreReplicasThanBrokersIsKafkasError) {
  EXPECT_EQ(AssignReplicasToBrokers(Brokers({0}), 2, 2).status().message(),
            "Replication factor: 2 larger than available brokers: 1.");
  EXPECT_EQ(AssignReplicasToBrokers({}, 1, 1).status().message(),
            "Replication factor: 1 larger than available brokers: 0.");
}

TEST(ParseReplicaAssignmentTest, CommaSeparatesPartitionsColonSeparatesReplicas) {
  auto a = ParseReplicaAssignment("0:1, 1 :2,2:0");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ(Ids(a->at(PartitionId(0))), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(Ids(a->at(PartitionId(1))), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(Ids(a->at(PartitionId(2))), (std::vector<int32_t>{2, 0}));
}

TEST(ParseReplicaAssignmentTest, SingleReplicaPerPartition) {
  auto a = ParseReplicaAssignment("0,0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->size(), 2u);
}

TEST(ParseReplicaAssignmentTest, DuplicateBrokerIsKafkasError) {
  EXPECT_EQ(ParseReplicaAssignment("1:1").status().message(),
            "Partition replica lists may not contain duplicate entries: 1");
}

TEST(ParseReplicaAssignmentTest, DifferentReplicationFactorIsKafkasError) {
  EXPECT_EQ(ParseReplicaAssignment("0:1,0:1:2").status().message(),
            "Partition 1 has different replication factor: 0,1,2");
}

TEST(ParseReplicaAssignmentTest, NonNumberIsNamed) {
  auto a = ParseReplicaAssignment("0:x");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("'x'"), std::string::npos);
  EXPECT_FALSE(ParseReplicaAssignment("0,,1").ok());
  EXPECT_FALSE(ParseReplicaAssignment("").ok());
}

TEST(ParseTopicConfigsTest, KeyValuePairsWithSpacesAroundEquals) {
  auto c = ParseTopicConfigs({"retention.ms = 1000", "cleanup.policy=compact"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->at("retention.ms"), "1000");
  EXPECT_EQ(c->at("cleanup.policy"), "compact");
}

TEST(ParseTopicConfigsTest, MissingOrExtraEqualsIsKafkasError) {
  const std::string expected =
      "Invalid topic config: all configs to be added must be in the format \"key=val\".";
  EXPECT_EQ(ParseTopicConfigs({"retention.ms"}).status().message(), expected);
  EXPECT_EQ(ParseTopicConfigs({"a=b=c"}).status().message(), expected);
}

TEST(ParseTopicConfigsTest, UnknownKeyIsNamed) {
  EXPECT_EQ(ParseTopicConfigs({"no.such.key=1"}).status().message(),
            "Unknown topic config name: no.such.key");
}

TEST(ParseTopicConfigsTest, InvalidValueIsRejected) {
  EXPECT_FALSE(ParseTopicConfigs({"retention.ms=soon"}).ok());
}

TEST(ParseTopicConfigNamesTest, UnknownNameIsRejected) {
  EXPECT_TRUE(ParseTopicConfigNames({"retention.ms"}).ok());
  EXPECT_EQ(ParseTopicConfigNames({"bogus"}).status().message(),
            "Unknown topic config name: bogus");
}

TEST(ValidateReplicaAssignmentTest, UnknownBrokerIsKafkasError) {
  PartitionAssignment a{{PartitionId(2), Brokers({0, 5})}};
  EXPECT_EQ(ValidateReplicaAssignment(a, 2, Brokers({0, 1})).message(),
            "Some brokers specified for partition id 2 are not available. Specified brokers: 0, "
            "5, available brokers: 0, 1.");
}

TEST(ValidateReplicaAssignmentTest, WrongReplicationFactorIsKafkasError) {
  PartitionAssignment a{{PartitionId(1), Brokers({0})}};
  EXPECT_EQ(ValidateReplicaAssignment(a, 2, Brokers({0, 1})).message(),
            "Inconsistent replication factor between partitions, partition 0 has 2 while "
            "partition 1 has 1 replicas.");
  EXPECT_TRUE(ValidateReplicaAssignment(a, std::nullopt, Brokers({0, 1})).ok());
}

}  // namespace
}  // namespace sluice::tools

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

// Placement itself (AssignReplicasToBrokers) is tested in broker/assignment.

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

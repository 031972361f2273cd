#include "broker/tools/reassignment_json.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int32_t> ids) {
  return std::vector<BrokerId>(ids.begin(), ids.end());
}

TEST(ParseTopicsToMoveJson, KafkasDocumentedExample) {
  auto topics =
      ParseTopicsToMoveJson(R"({"topics":[{"topic":"foo1"},{"topic":"foo2"}],"version":1})");
  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  EXPECT_EQ(*topics, (std::vector<std::string>{"foo1", "foo2"}));
}

TEST(ParseTopicsToMoveJson, VersionMayBeAbsentAndDuplicatesAreKept) {
  auto topics = ParseTopicsToMoveJson(R"({"topics":[{"topic":"a"},{"topic":"a"}]})");
  ASSERT_TRUE(topics.ok());
  EXPECT_EQ(topics->size(), 2u);
}

TEST(ParseTopicsToMoveJson, UnsupportedVersion) {
  EXPECT_EQ(ParseTopicsToMoveJson(R"({"version":2,"topics":[]})").status().message(),
            "Not supported version field value 2");
}

TEST(ParseTopicsToMoveJson, MalformedJsonIsNamed) {
  auto topics = ParseTopicsToMoveJson(R"({"topics":[{"topic":"a"})");
  ASSERT_FALSE(topics.ok());
  EXPECT_NE(topics.status().message().find("--topics-to-move-json-file"), std::string::npos);
  EXPECT_NE(topics.status().message().find("not a valid JSON"), std::string::npos);
}

TEST(ParseTopicsToMoveJson, EntryWithoutTopicIsNamed) {
  EXPECT_EQ(ParseTopicsToMoveJson(R"({"topics":[{"topic":"a"},{"name":"b"}]})").status().message(),
            "Invalid --topics-to-move-json-file: topics entry 1 has no \"topic\"");
}

TEST(ParseTopicsToMoveJson, TopicsMustBeAnArray) {
  EXPECT_FALSE(ParseTopicsToMoveJson(R"({"topics":"a"})").ok());
  EXPECT_FALSE(ParseTopicsToMoveJson(R"([1,2])").ok());
}

TEST(ParseReassignmentJson, WithAndWithoutLogDirs) {
  auto entries = ParseReassignmentJson(
      R"({"version":1,"partitions":[{"topic":"foo1","partition":0,"replicas":[5,6],)"
      R"("log_dirs":["any","any"]},{"topic":"foo1","partition":1,"replicas":[6]}]})");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].partition, (TopicPartition{"foo1", PartitionId(0)}));
  EXPECT_EQ((*entries)[0].replicas, Ids({5, 6}));
  EXPECT_EQ((*entries)[1].log_dirs, std::vector<std::string>{"any"});
}

TEST(ParseReassignmentJson, BadFieldsAreNamed) {
  EXPECT_EQ(
      ParseReassignmentJson(R"({"partitions":[{"topic":"t","replicas":[1]}]})").status().message(),
      "Invalid --reassignment-json-file: partitions entry 0 has no \"partition\"");
  EXPECT_EQ(
      ParseReassignmentJson(R"({"partitions":[{"topic":"t","partition":"0","replicas":[1]}]})")
          .status()
          .message(),
      "Invalid --reassignment-json-file: partitions entry 0 \"partition\" is not an integer");
  EXPECT_EQ(
      ParseReassignmentJson(R"({"partitions":[{"topic":"t","partition":0,"replicas":[1,"x"]}]})")
          .status()
          .message(),
      "Invalid --reassignment-json-file: partitions entry 0 (t-0) replica 1 is not an "
      "integer");
  EXPECT_EQ(
      ParseReassignmentJson(R"({"partitions":[{"topic":"t","partition":0}]})").status().message(),
      "Invalid --reassignment-json-file: partitions entry 0 (t-0) has no \"replicas\"");
  EXPECT_EQ(ParseReassignmentJson(
                R"({"partitions":[{"topic":"t","partition":4294967296,"replicas":[1]}]})")
                .status()
                .message(),
            "Invalid --reassignment-json-file: partitions entry 0 \"partition\" is out of range");
}

TEST(ParseReassignmentJson, LogDirsMustMatchReplicas) {
  EXPECT_EQ(
      ParseReassignmentJson(
          R"({"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any"]}]})")
          .status()
          .message(),
      "Size of replicas list 1,2 is different from size of log dirs list for partition t-0");
}

ReassignmentEntry Entry(std::string topic, int32_t p, std::vector<BrokerId> replicas) {
  ReassignmentEntry e;
  e.partition = {std::move(topic), PartitionId(p)};
  e.log_dirs.assign(replicas.size(), "any");
  e.replicas = std::move(replicas);
  return e;
}

TEST(ValidateReassignment, KafkasChecksInOrder) {
  EXPECT_EQ(ValidateReassignment({}).status().message(),
            "Partition reassignment list cannot be empty");
  EXPECT_EQ(ValidateReassignment({Entry("t", 0, {})}).status().message(),
            "Partition replica list cannot be empty");
  EXPECT_EQ(
      ValidateReassignment({Entry("t", 0, Ids({1})), Entry("t", 0, Ids({2}))}).status().message(),
      "Partition reassignment contains duplicate topic partitions: t-0");
  EXPECT_EQ(ValidateReassignment({Entry("t", 0, Ids({1, 2, 1})), Entry("u", 1, Ids({3, 3}))})
                .status()
                .message(),
            "Partition replica lists may not contain duplicate entries: t-0 contains multiple "
            "entries for 1. u-1 contains multiple entries for 3");
}

TEST(ValidateReassignment, RefusesLogDirMoves) {
  ReassignmentEntry e = Entry("t", 0, Ids({1}));
  e.log_dirs = {"/data/a"};
  auto r = ValidateReassignment({e});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/data/a"), std::string::npos);
}

TEST(ValidateReassignment, GoodInputIsSorted) {
  auto r = ValidateReassignment({Entry("b", 0, Ids({1})), Entry("a", 1, Ids({2, 3}))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->begin()->first, (TopicPartition{"a", PartitionId(1)}));
}

TEST(ParseBrokerList, NumbersDuplicatesAndGarbage) {
  EXPECT_EQ(*ParseBrokerList("5,6"), Ids({5, 6}));
  EXPECT_EQ(ParseBrokerList("1,2,1").status().message(),
            "Broker list contains duplicate entries: 1");
  EXPECT_EQ(ParseBrokerList("1,x").status().message(),
            "Invalid --broker-list '1,x': 'x' is not a broker id");
  EXPECT_FALSE(ParseBrokerList("").ok());
  EXPECT_FALSE(ParseBrokerList("1,").ok());
}

TEST(FormatReassignmentJson, ExactlyKafkasCompactForm) {
  PartitionReplicas a;
  a[{"foo2", PartitionId(0)}] = Ids({4, 2});
  a[{"foo1", PartitionId(1)}] = Ids({6});
  a[{"foo1", PartitionId(0)}] = Ids({5, 6});
  EXPECT_EQ(FormatReassignmentJson(a),
            R"({"version":1,"partitions":[{"topic":"foo1","partition":0,"replicas":[5,6],)"
            R"("log_dirs":["any","any"]},{"topic":"foo1","partition":1,"replicas":[6],)"
            R"("log_dirs":["any"]},{"topic":"foo2","partition":0,"replicas":[4,2],)"
            R"("log_dirs":["any","any"]}]})");
  EXPECT_EQ(FormatReassignmentJson({}), R"({"version":1,"partitions":[]})");
}

TEST(FormatReassignmentJson, RoundTripsThroughTheParser) {
  PartitionReplicas a;
  a[{"we\"ird", PartitionId(3)}] = Ids({1, 2, 3});
  auto parsed = ParseReassignmentJson(FormatReassignmentJson(a));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].partition.topic, "we\"ird");
  EXPECT_EQ((*parsed)[0].replicas, Ids({1, 2, 3}));
}

}  // namespace
}  // namespace sluice::tools

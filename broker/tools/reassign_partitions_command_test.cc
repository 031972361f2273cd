#include "broker/tools/reassign_partitions_command.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sluice::tools {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int32_t> ids) {
  return std::vector<BrokerId>(ids.begin(), ids.end());
}

// An in-memory cluster: brokers, replica sets, ongoing reassignments, and a log of writes.
class FakeCluster : public ReassignmentCluster {
 public:
  bool zookeeper = false;
  std::vector<assignment::BrokerRack> brokers;
  PartitionReplicas replicas;
  std::map<TopicPartition, OngoingReassignment> ongoing;
  std::map<TopicPartition, std::string> refuse;  // partitions Alter reports as failed
  std::vector<std::map<TopicPartition, std::optional<std::vector<BrokerId>>>> alters;

  bool via_zookeeper() const override { return zookeeper; }
  Result<std::vector<assignment::BrokerRack>> Brokers() override { return brokers; }
  Result<PartitionReplicas> ReplicaAssignment(const std::set<std::string>& topics) override {
    PartitionReplicas out;
    for (const auto& [tp, r] : replicas) {
      if (topics.contains(tp.topic)) out.emplace(tp, r);
    }
    return out;
  }
  Result<std::map<TopicPartition, OngoingReassignment>> Ongoing() override { return ongoing; }
  Result<std::map<TopicPartition, std::string>> Alter(
      const std::map<TopicPartition, std::optional<std::vector<BrokerId>>>& targets) override {
    alters.push_back(targets);
    std::map<TopicPartition, std::string> errors;
    for (const auto& [tp, message] : refuse) {
      if (targets.contains(tp)) errors[tp] = message;
    }
    return errors;
  }
};

FakeCluster ThreeBrokers() {
  FakeCluster c;
  c.brokers = {
      {BrokerId(0), std::nullopt}, {BrokerId(1), std::nullopt}, {BrokerId(2), std::nullopt}};
  c.replicas[{"foo", PartitionId(0)}] = Ids({0});
  c.replicas[{"foo", PartitionId(1)}] = Ids({1});
  c.replicas[{"bar", PartitionId(0)}] = Ids({2, 0});
  return c;
}

const char* kFooToTwoReplicas =
    R"({"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[0,1]},)"
    R"({"topic":"foo","partition":1,"replicas":[1,2]}]})";

TEST(GenerateAssignment, PrintsCurrentAndProposedLikeKafka) {
  FakeCluster c = ThreeBrokers();
  std::ostringstream out;
  Status st = GenerateAssignment(c, R"({"topics":[{"topic":"foo"},{"topic":"bar"}],"version":1})",
                                 "1,2", true, out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const std::string text = out.str();
  const std::string current =
      "Current partition replica assignment\n"
      R"({"version":1,"partitions":[{"topic":"bar","partition":0,"replicas":[2,0],"log_dirs":["any","any"]},)"
      R"({"topic":"foo","partition":0,"replicas":[0],"log_dirs":["any"]},)"
      R"({"topic":"foo","partition":1,"replicas":[1],"log_dirs":["any"]}]})"
      "\n\nProposed partition reassignment configuration\n";
  ASSERT_EQ(text.substr(0, current.size()), current);
  // The proposal keeps partition counts and replication factors and uses only brokers 1 and 2.
  auto proposed = ParseReassignmentJson(text.substr(current.size()));
  ASSERT_TRUE(proposed.ok()) << proposed.status().ToString();
  ASSERT_EQ(proposed->size(), 3u);
  for (const auto& e : *proposed) {
    EXPECT_EQ(e.replicas.size(), e.partition.topic == "bar" ? 2u : 1u);
    for (BrokerId b : e.replicas) EXPECT_TRUE(b == BrokerId(1) || b == BrokerId(2));
  }
  EXPECT_TRUE(c.alters.empty()) << "--generate changes nothing";
}

TEST(GenerateAssignment, BadInputIsRefused) {
  FakeCluster c = ThreeBrokers();
  std::ostringstream out;
  EXPECT_EQ(GenerateAssignment(c, R"({"topics":[{"topic":"nope"}]})", "0,1", true, out).message(),
            "Topic 'nope' does not exist.");
  EXPECT_EQ(GenerateAssignment(c, R"({"topics":[{"topic":"foo"}]})", "0,7", true, out).message(),
            "Unknown broker id 7 in --broker-list");
  EXPECT_EQ(GenerateAssignment(c, R"({"topics":[{"topic":"foo"},{"topic":"foo"}]})", "0", true, out)
                .message(),
            "List of topics to reassign contains duplicate entries: foo");
  EXPECT_EQ(GenerateAssignment(c, R"({"topics":[{"topic":"bar"}]})", "1", true, out).message(),
            "Replication factor: 2 larger than available brokers: 1.");
  EXPECT_EQ(out.str(), "");
}

TEST(GenerateAssignment, PartialRacksNeedDisableRackAware) {
  FakeCluster c = ThreeBrokers();
  c.brokers[0].rack = "r1";
  std::ostringstream out;
  EXPECT_EQ(GenerateAssignment(c, R"({"topics":[{"topic":"foo"}]})", "0,1", true, out).message(),
            "Not all brokers have rack information. Add --disable-rack-aware in command line to "
            "make replica assignment without rack information.");
  EXPECT_TRUE(GenerateAssignment(c, R"({"topics":[{"topic":"foo"}]})", "0,1", false, out).ok());
}

TEST(ExecuteAssignment, PrintsRollbackAndStarts) {
  FakeCluster c = ThreeBrokers();
  std::ostringstream out;
  Status st = ExecuteAssignment(c, kFooToTwoReplicas, false, out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(
      out.str(),
      "Current partition replica assignment\n\n"
      R"({"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[0],"log_dirs":["any"]},)"
      R"({"topic":"foo","partition":1,"replicas":[1],"log_dirs":["any"]}]})"
      "\n\nSave this to use as the --reassignment-json-file option during rollback\n"
      "Successfully started partition reassignments for foo-0,foo-1\n");
  ASSERT_EQ(c.alters.size(), 1u);
  EXPECT_EQ(c.alters[0].at({"foo", PartitionId(1)}), Ids({1, 2}));
}

TEST(ExecuteAssignment, SingularForOnePartition) {
  FakeCluster c = ThreeBrokers();
  std::ostringstream out;
  ASSERT_TRUE(
      ExecuteAssignment(c, R"({"partitions":[{"topic":"bar","partition":0,"replicas":[1,2]}]})",
                        false, out)
          .ok());
  EXPECT_NE(out.str().find("Successfully started partition reassignment for bar-0\n"),
            std::string::npos);
}

TEST(ExecuteAssignment, BadInputChangesNothing) {
  FakeCluster c = ThreeBrokers();
  std::ostringstream out;
  EXPECT_EQ(ExecuteAssignment(
                c, R"({"partitions":[{"topic":"foo","partition":0,"replicas":[0,5]}]})", false, out)
                .message(),
            "Unknown broker id 5");
  c.zookeeper = true;
  EXPECT_EQ(ExecuteAssignment(
                c, R"({"partitions":[{"topic":"foo","partition":0,"replicas":[5,6]}]})", false, out)
                .message(),
            "The proposed assignment contains non-existent brokerIDs: 5,6");
  c.zookeeper = false;
  EXPECT_EQ(ExecuteAssignment(c,
                              R"({"partitions":[{"topic":"foo","partition":9,"replicas":[0]},)"
                              R"({"topic":"gone","partition":0,"replicas":[0]}]})",
                              false, out)
                .message(),
            "The proposed assignment contains non-existent partitions: foo-9,gone-0");
  EXPECT_EQ(ExecuteAssignment(
                c, R"({"partitions":[{"topic":"foo","partition":0,"replicas":[1,1]}]})", false, out)
                .message(),
            "Partition replica lists may not contain duplicate entries: foo-0 contains multiple "
            "entries for 1");
  EXPECT_FALSE(ExecuteAssignment(c, "{not json", false, out).ok());
  EXPECT_TRUE(c.alters.empty());
  EXPECT_EQ(out.str(), "");
}

TEST(ExecuteAssignment, ExistingReassignmentNeedsAdditional) {
  FakeCluster c = ThreeBrokers();
  c.ongoing[{"bar", PartitionId(0)}] = {Ids({2, 0, 1}), Ids({1}), Ids({2})};
  std::ostringstream out;
  EXPECT_EQ(ExecuteAssignment(c, kFooToTwoReplicas, false, out).message(),
            kCannotExecuteBecauseOfExisting);
  EXPECT_TRUE(c.alters.empty());
  EXPECT_TRUE(ExecuteAssignment(c, kFooToTwoReplicas, true, out).ok());
  c.zookeeper = true;  // the znode allows one request at a time, --additional or not
  EXPECT_EQ(ExecuteAssignment(c, kFooToTwoReplicas, true, out).message(),
            kCannotExecuteBecauseOfExisting);
}

TEST(ExecuteAssignment, PartitionsTheClusterRefusesAreListed) {
  FakeCluster c = ThreeBrokers();
  c.refuse[{"foo", PartitionId(1)}] = "The partition has an invalid replica assignment.";
  std::ostringstream out;
  EXPECT_EQ(ExecuteAssignment(c, kFooToTwoReplicas, false, out).message(),
            "Error reassigning partition(s):\nfoo-1: The partition has an invalid replica "
            "assignment.");
}

TEST(VerifyAssignment, CompleteInProgressAndDiverged) {
  FakeCluster c = ThreeBrokers();
  c.replicas[{"foo", PartitionId(0)}] = Ids({0, 1});  // done
  c.ongoing[{"foo", PartitionId(1)}] = {Ids({1, 2}), Ids({2}), {}};
  std::ostringstream out;
  auto done = VerifyAssignment(
      c,
      R"({"partitions":[{"topic":"foo","partition":1,"replicas":[1,2]},)"
      R"({"topic":"foo","partition":0,"replicas":[0,1]},{"topic":"bar","partition":0,"replicas":[1]}]})",
      out);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_FALSE(*done);
  EXPECT_EQ(out.str(),
            "Status of partition reassignment:\n"
            "There is no active reassignment of partition bar-0, but replica set is 2,0 rather "
            "than 1.\n"
            "Reassignment of partition foo-0 is complete.\n"
            "Reassignment of partition foo-1 is still in progress.\n");
}

TEST(VerifyAssignment, AllCompleteAndZookeeperWarning) {
  FakeCluster c = ThreeBrokers();
  c.zookeeper = true;
  std::ostringstream out;
  auto done =
      VerifyAssignment(c, R"({"partitions":[{"topic":"foo","partition":0,"replicas":[0]}]})", out);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  EXPECT_EQ(out.str(),
            "Warning: because you are using the deprecated --zookeeper option, the results may be "
            "incomplete.  Use --bootstrap-server instead for more accurate results.\n"
            "Status of partition reassignment:\n"
            "Reassignment of partition foo-0 is complete.\n");
}

TEST(ListReassignments, NoneAndSome) {
  FakeCluster c = ThreeBrokers();
  std::ostringstream none;
  ASSERT_TRUE(ListReassignments(c, none).ok());
  EXPECT_EQ(none.str(), "No partition reassignments found.\n");
  c.ongoing[{"foo", PartitionId(0)}] = {Ids({0, 1, 2}), Ids({2}), Ids({0})};
  c.ongoing[{"bar", PartitionId(0)}] = {Ids({2, 0}), {}, {}};
  std::ostringstream some;
  ASSERT_TRUE(ListReassignments(c, some).ok());
  EXPECT_EQ(some.str(),
            "Current partition reassignments:\n"
            "bar-0: replicas: 2,0.\n"
            "foo-0: replicas: 0,1,2. adding: 2. removing: 0.\n");
}

TEST(CancelAssignment, CancelsOnlyActiveOnes) {
  FakeCluster c = ThreeBrokers();
  c.ongoing[{"foo", PartitionId(1)}] = {Ids({1, 2}), Ids({2}), {}};
  std::ostringstream out;
  ASSERT_TRUE(CancelAssignment(c, kFooToTwoReplicas, out).ok());
  EXPECT_EQ(out.str(),
            "Successfully cancelled partition reassignment for: foo-1\n"
            "None of the specified partition moves are active.\n");
  ASSERT_EQ(c.alters.size(), 1u);
  EXPECT_EQ(c.alters[0].size(), 1u);
  EXPECT_FALSE(c.alters[0].at({"foo", PartitionId(1)}).has_value());

  FakeCluster idle = ThreeBrokers();
  std::ostringstream quiet;
  ASSERT_TRUE(CancelAssignment(idle, kFooToTwoReplicas, quiet).ok());
  EXPECT_EQ(quiet.str(),
            "None of the specified partition reassignments are active.\n"
            "None of the specified partition moves are active.\n");
  EXPECT_TRUE(idle.alters.empty());
}

}  // namespace
}  // namespace sluice::tools

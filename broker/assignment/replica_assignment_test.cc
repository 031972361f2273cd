#include "broker/assignment/replica_assignment.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sluice::assignment {
namespace {

std::vector<BrokerId> Ids(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.emplace_back(id);
  return out;
}

std::vector<BrokerRack> Racks(const std::map<int32_t, std::string>& racks) {
  std::vector<BrokerRack> out;
  for (const auto& [id, rack] : racks) out.push_back({BrokerId(id), rack});
  return out;
}

std::map<int32_t, std::vector<int32_t>> Plain(const ReplicaAssignment& a) {
  std::map<int32_t, std::vector<int32_t>> out;
  for (const auto& [p, replicas] : a) {
    for (BrokerId b : replicas) out[p.value()].push_back(b.value());
  }
  return out;
}

// AdminUtils' scaladoc example: 5 brokers, 10 partitions, RF 3, fixed start 0.
TEST(AssignReplicasRackUnaware, MatchesKafkasDocumentedLayout) {
  auto a = AssignReplicasToBrokers(Ids({0, 1, 2, 3, 4}), 10, 3, 0, 0);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::map<int32_t, std::vector<int32_t>> expected = {
      {0, {0, 1, 2}}, {1, {1, 2, 3}}, {2, {2, 3, 4}}, {3, {3, 4, 0}}, {4, {4, 0, 1}},
      {5, {0, 2, 3}}, {6, {1, 3, 4}}, {7, {2, 4, 0}}, {8, {3, 0, 1}}, {9, {4, 1, 2}}};
  EXPECT_EQ(Plain(*a), expected);
}

// A fixed start index also fixes the initial shift (Kafka uses it for both).
TEST(AssignReplicasRackUnaware, FixedStartIndexIsAlsoTheFirstShift) {
  auto a = AssignReplicasToBrokers(Ids({0, 1, 2, 3}), 4, 2, 1, 0);
  ASSERT_TRUE(a.ok());
  // start 1, shift 1: follower at distance 1 + 1 % 3 = 2.
  const std::map<int32_t, std::vector<int32_t>> expected = {
      {0, {1, 3}}, {1, {2, 0}}, {2, {3, 1}}, {3, {0, 2}}};
  EXPECT_EQ(Plain(*a), expected);
}

TEST(AssignReplicasRackUnaware, BrokersAreSortedById) {
  auto a = AssignReplicasToBrokers(Ids({7, 3, 5}), 3, 1, 0, 0);
  ASSERT_TRUE(a.ok());
  const std::map<int32_t, std::vector<int32_t>> expected = {{0, {3}}, {1, {5}}, {2, {7}}};
  EXPECT_EQ(Plain(*a), expected);
}

// Adding partitions: numbering continues and the shift of later rounds applies (partition 5 is
// the start of round two with 5 brokers).
TEST(AssignReplicasRackUnaware, StartPartitionIdContinuesNumberingAndShift) {
  auto a = AssignReplicasToBrokers(Ids({0, 1, 2, 3, 4}), 2, 3, 0, 5);
  ASSERT_TRUE(a.ok());
  const std::map<int32_t, std::vector<int32_t>> expected = {{5, {0, 2, 3}}, {6, {1, 3, 4}}};
  EXPECT_EQ(Plain(*a), expected);
}

TEST(AssignReplicasRackUnaware, NegativeStartPartitionIdMeansZero) {
  auto a = AssignReplicasToBrokers(Ids({0, 1}), 2, 1, 0, -1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Plain(*a), (std::map<int32_t, std::vector<int32_t>>{{0, {0}}, {1, {1}}}));
}

TEST(AssignReplicasRackUnaware, SingleBrokerGetsEveryPartition) {
  auto a = AssignReplicasToBrokers(Ids({4}), 3, 1);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Plain(*a), (std::map<int32_t, std::vector<int32_t>>{{0, {4}}, {1, {4}}, {2, {4}}}));
}

TEST(AssignReplicasRackUnaware, RandomStartKeepsReplicasDistinctAndLeadersBalanced) {
  for (int run = 0; run < 50; ++run) {
    auto a = AssignReplicasToBrokers(Ids({1, 2, 3}), 6, 3);
    ASSERT_TRUE(a.ok());
    std::map<int32_t, int> leaders;
    for (const auto& [p, replicas] : *a) {
      EXPECT_EQ(std::set<BrokerId>(replicas.begin(), replicas.end()).size(), 3u);
      ++leaders[replicas.front().value()];
    }
    for (const auto& [broker, count] : leaders) EXPECT_EQ(count, 2) << "broker " << broker;
  }
}

TEST(AssignReplicasErrors, ZeroPartitions) {
  EXPECT_EQ(AssignReplicasToBrokers(Ids({0}), 0, 1).status().message(),
            "Number of partitions must be larger than 0.");
}

TEST(AssignReplicasErrors, ZeroReplicationFactor) {
  EXPECT_EQ(AssignReplicasToBrokers(Ids({0}), 1, 0).status().message(),
            "Replication factor must be larger than 0.");
}

TEST(AssignReplicasErrors, ReplicationFactorLargerThanBrokers) {
  auto a = AssignReplicasToBrokers(Ids({0, 1}), 1, 3);
  EXPECT_EQ(a.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(a.status().message(), "Replication factor: 3 larger than available brokers: 2.");
  EXPECT_EQ(AssignReplicasToBrokers(Ids({}), 1, 1).status().message(),
            "Replication factor: 1 larger than available brokers: 0.");
}

TEST(AssignReplicasErrors, PartialRackInformation) {
  std::vector<BrokerRack> brokers = {{BrokerId(0), "a"}, {BrokerId(1), std::nullopt}};
  EXPECT_EQ(AssignReplicasToBrokers(brokers, 1, 1).status().message(),
            "Not all brokers have rack information for replica rack aware assignment.");
}

TEST(AssignReplicasErrors, DuplicateBrokerIds) {
  EXPECT_EQ(AssignReplicasToBrokers(Ids({1, 2, 1}), 1, 1).status().message(),
            "Duplicate broker id 1 in the broker list.");
}

// Kafka's AdminRackAwareTest.testGetRackAlternatedBrokerListAndAssignReplicasToBrokers.
TEST(RackAlternatedBrokerList, AlternatesRacksInNameOrder) {
  auto racks =
      Racks({{0, "rack1"}, {1, "rack3"}, {2, "rack3"}, {3, "rack2"}, {4, "rack2"}, {5, "rack1"}});
  EXPECT_EQ(RackAlternatedBrokerList(racks), Ids({0, 3, 1, 5, 4, 2}));
  racks.pop_back();  // broker 5
  EXPECT_EQ(RackAlternatedBrokerList(racks), Ids({0, 3, 1, 4, 2}));
}

TEST(AssignReplicasRackAware, MatchesKafkasExample) {
  auto a = AssignReplicasToBrokers(
      Racks({{0, "rack1"}, {1, "rack3"}, {2, "rack3"}, {3, "rack2"}, {4, "rack2"}, {5, "rack1"}}),
      7, 3, 0, 0);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const std::map<int32_t, std::vector<int32_t>> expected = {
      {0, {0, 3, 1}}, {1, {3, 1, 5}}, {2, {1, 5, 4}}, {3, {5, 4, 2}},
      {4, {4, 2, 0}}, {5, {2, 0, 3}}, {6, {0, 4, 2}}};
  EXPECT_EQ(Plain(*a), expected);
}

// With as many replicas as racks, every partition has one replica in each rack, and leaders and
// replicas are spread evenly (Kafka's testAssignmentWithRackAware invariants).
TEST(AssignReplicasRackAware, OneReplicaPerRackAndEvenSpread) {
  const std::map<int32_t, std::string> mapping = {{0, "rack1"}, {1, "rack2"}, {2, "rack2"},
                                                  {3, "rack3"}, {4, "rack3"}, {5, "rack1"}};
  for (int run = 0; run < 30; ++run) {
    auto a = AssignReplicasToBrokers(Racks(mapping), 6, 3);
    ASSERT_TRUE(a.ok());
    std::map<int32_t, int> leaders, replicas_per_broker;
    for (const auto& [p, replicas] : *a) {
      std::set<std::string> racks;
      for (BrokerId b : replicas) {
        racks.insert(mapping.at(b.value()));
        ++replicas_per_broker[b.value()];
      }
      EXPECT_EQ(racks.size(), 3u) << "partition " << p.value();
      ++leaders[replicas.front().value()];
    }
    for (const auto& [b, n] : leaders) EXPECT_EQ(n, 1) << "broker " << b;
    for (const auto& [b, n] : replicas_per_broker) EXPECT_EQ(n, 3) << "broker " << b;
  }
}

// More replicas than racks: every rack gets at least one, no broker gets two.
TEST(AssignReplicasRackAware, MoreReplicasThanRacksStillDistinctBrokers) {
  const std::map<int32_t, std::string> mapping = {{0, "a"}, {1, "a"}, {2, "b"}, {3, "b"}, {4, "a"}};
  for (int run = 0; run < 30; ++run) {
    auto a = AssignReplicasToBrokers(Racks(mapping), 10, 4);
    ASSERT_TRUE(a.ok());
    for (const auto& [p, replicas] : *a) {
      std::set<BrokerId> distinct(replicas.begin(), replicas.end());
      EXPECT_EQ(distinct.size(), 4u);
      std::set<std::string> racks;
      for (BrokerId b : replicas) racks.insert(mapping.at(b.value()));
      EXPECT_EQ(racks.size(), 2u);
    }
  }
}

// Fewer replicas than racks: at most one replica per rack.
TEST(AssignReplicasRackAware, FewerReplicasThanRacksAtMostOnePerRack) {
  const std::map<int32_t, std::string> mapping = {{0, "r1"}, {1, "r2"}, {2, "r3"},
                                                  {3, "r4"}, {4, "r1"}, {5, "r2"}};
  auto a = AssignReplicasToBrokers(Racks(mapping), 12, 2, 2, 0);
  ASSERT_TRUE(a.ok());
  for (const auto& [p, replicas] : *a) {
    EXPECT_NE(mapping.at(replicas[0].value()), mapping.at(replicas[1].value()));
  }
}

TEST(ApplyRackAwareMode, EnforcedRejectsPartialRacks) {
  std::vector<BrokerRack> brokers = {{BrokerId(1), "a"}, {BrokerId(0), std::nullopt}};
  auto r = ApplyRackAwareMode(brokers, RackAwareMode::kEnforced);
  EXPECT_EQ(r.status().message(),
            "Not all brokers have rack information. Add --disable-rack-aware in command line to "
            "make replica assignment without rack information.");
}

TEST(ApplyRackAwareMode, SafeDropsPartialRacksAndSorts) {
  std::vector<BrokerRack> brokers = {{BrokerId(1), "a"}, {BrokerId(0), std::nullopt}};
  auto r = ApplyRackAwareMode(brokers, RackAwareMode::kSafe);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r,
            (std::vector<BrokerRack>{{BrokerId(0), std::nullopt}, {BrokerId(1), std::nullopt}}));
}

TEST(ApplyRackAwareMode, KeepsCompleteRacksUnlessDisabled) {
  std::vector<BrokerRack> brokers = {{BrokerId(0), "a"}, {BrokerId(1), "b"}};
  EXPECT_EQ(*ApplyRackAwareMode(brokers, RackAwareMode::kEnforced), brokers);
  EXPECT_EQ(*ApplyRackAwareMode(brokers, RackAwareMode::kSafe), brokers);
  auto disabled = ApplyRackAwareMode(brokers, RackAwareMode::kDisabled);
  ASSERT_TRUE(disabled.ok());
  EXPECT_FALSE((*disabled)[0].rack.has_value());
  EXPECT_FALSE((*disabled)[1].rack.has_value());
}

}  // namespace
}  // namespace sluice::assignment

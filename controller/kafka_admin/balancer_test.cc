// The balancer's planning functions over hand-made and Kafka-assigned layouts, plus seeded
// random layouts checked against the invariants every plan must keep.
#include "controller/kafka_admin/balancer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "broker/assignment/replica_assignment.h"

namespace sluice::kafka_admin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Replicas = std::vector<int32_t>;

// A topic whose partition p has replicas[p], every replica in sync, the first one leading.
TopicState MakeTopic(const std::string& name, const std::vector<Replicas>& replicas,
                     int32_t min_isr = 1) {
  TopicState topic;
  topic.name = name;
  topic.min_insync_replicas = min_isr;
  for (size_t p = 0; p < replicas.size(); ++p) {
    PartitionState partition;
    partition.topic = name;
    partition.partition = static_cast<int32_t>(p);
    partition.replicas = replicas[p];
    partition.isr = replicas[p];
    partition.leader = replicas[p].empty() ? -1 : replicas[p][0];
    topic.partitions.push_back(std::move(partition));
  }
  return topic;
}

// Kafka's own placement (AdminUtils.assignReplicasToBrokers, fixed start) as replica lists.
std::vector<Replicas> KafkaLayout(const std::vector<int32_t>& brokers, int32_t partitions,
                                  int32_t replication_factor, int32_t start = 0) {
  std::vector<BrokerId> ids(brokers.begin(), brokers.end());
  auto assigned = assignment::AssignReplicasToBrokers(ids, partitions, replication_factor, start);
  EXPECT_TRUE(assigned.ok()) << assigned.status().message();
  std::vector<Replicas> out;
  for (const auto& [partition, replicas] : *assigned) {
    Replicas list;
    for (BrokerId id : replicas) list.push_back(id.value());
    out.push_back(list);
  }
  return out;
}

ClusterState MakeState(const std::vector<int32_t>& brokers, std::vector<TopicState> topics) {
  ClusterState state;
  state.live_brokers = brokers;
  state.controller_id = brokers.empty() ? -1 : brokers[0];
  state.topics = std::move(topics);
  return state;
}

// The layout after the moves complete (what the controller broker would write).
ClusterState Apply(ClusterState state, const std::vector<Move>& moves) {
  for (const Move& move : moves) {
    bool found = false;
    for (TopicState& topic : state.topics) {
      for (PartitionState& partition : topic.partitions) {
        if (topic.name != move.topic || partition.partition != move.partition) continue;
        partition.replicas = move.target_replicas;
        partition.isr = move.target_replicas;
        partition.leader = move.target_replicas[0];
        partition.adding.clear();
        partition.removing.clear();
        found = true;
      }
    }
    EXPECT_TRUE(found) << "a move for an unknown partition " << move.topic << "-" << move.partition;
  }
  return state;
}

// Replicas on each of `brokers` (others are not counted).
std::map<int32_t, int32_t> ReplicaCounts(const ClusterState& state,
                                         const std::vector<int32_t>& brokers) {
  std::map<int32_t, int32_t> counts;
  for (int32_t id : brokers) counts[id] = 0;
  for (const auto& topic : state.topics) {
    for (const auto& partition : topic.partitions) {
      for (int32_t id : partition.replicas) {
        if (counts.contains(id)) ++counts[id];
      }
    }
  }
  return counts;
}

std::map<int32_t, int32_t> PreferredLeaderCounts(const ClusterState& state,
                                                 const std::vector<int32_t>& brokers) {
  std::map<int32_t, int32_t> counts;
  for (int32_t id : brokers) counts[id] = 0;
  for (const auto& topic : state.topics) {
    for (const auto& partition : topic.partitions) ++counts[partition.replicas.at(0)];
  }
  return counts;
}

int32_t Spread(const std::map<int32_t, int32_t>& counts) {
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (const auto& [id, count] : counts) {
    lo = std::min(lo, count);
    hi = std::max(hi, count);
  }
  return hi - lo;
}

// (partition, broker) pairs that are new after the moves: the replicas that must copy data.
int32_t ReplicasAdded(const ClusterState& before, const ClusterState& after) {
  int32_t added = 0;
  for (size_t t = 0; t < before.topics.size(); ++t) {
    for (size_t p = 0; p < before.topics[t].partitions.size(); ++p) {
      const Replicas& old_list = before.topics[t].partitions[p].replicas;
      for (int32_t id : after.topics[t].partitions[p].replicas) {
        if (std::find(old_list.begin(), old_list.end(), id) == old_list.end()) ++added;
      }
    }
  }
  return added;
}

// The invariants of every plan: one move per partition at most, for known partitions, with a
// changed list, no broker twice, and the partition's replication factor unchanged.
void ExpectWellFormed(const ClusterState& state, const std::vector<Move>& moves) {
  std::set<std::pair<std::string, int32_t>> seen;
  for (const Move& move : moves) {
    EXPECT_TRUE(seen.insert({move.topic, move.partition}).second)
        << "two moves for " << move.topic << "-" << move.partition;
    const PartitionState* found = nullptr;
    for (const auto& topic : state.topics) {
      for (const auto& partition : topic.partitions) {
        if (topic.name == move.topic && partition.partition == move.partition) found = &partition;
      }
    }
    ASSERT_NE(found, nullptr) << move.topic << "-" << move.partition;
    Replicas settled;
    for (int32_t id : found->replicas) {
      if (std::find(found->removing.begin(), found->removing.end(), id) == found->removing.end())
        settled.push_back(id);
    }
    EXPECT_EQ(move.target_replicas.size(), settled.size())
        << "replication factor changed for " << move.topic << "-" << move.partition;
    EXPECT_NE(move.target_replicas, settled) << "a move that changes nothing";
    std::set<int32_t> unique(move.target_replicas.begin(), move.target_replicas.end());
    EXPECT_EQ(unique.size(), move.target_replicas.size())
        << "duplicate replica in the move of " << move.topic << "-" << move.partition;
  }
}

// ---- PlanDrain ------------------------------------------------------------------------------

struct DrainCase {
  int32_t brokers;
  int32_t replication_factor;
};

class DrainTest : public ::testing::TestWithParam<DrainCase> {};

TEST_P(DrainTest, MovesEverythingOffKeepsFactorAndSpreadsEvenly) {
  const DrainCase c = GetParam();
  std::vector<int32_t> brokers;
  for (int32_t id = 0; id < c.brokers; ++id) brokers.push_back(id);
  const int32_t leaving = 2;
  std::vector<int32_t> staying;
  for (int32_t id : brokers)
    if (id != leaving) staying.push_back(id);

  ClusterState before =
      MakeState(brokers, {MakeTopic("events", KafkaLayout(brokers, 12, c.replication_factor)),
                          MakeTopic("logs", KafkaLayout(brokers, 7, c.replication_factor, 1)),
                          MakeTopic("single", KafkaLayout(brokers, 5, 1))});
  const std::vector<Move> moves = PlanDrain(before, {leaving}, staying);
  ExpectWellFormed(before, moves);
  const ClusterState after = Apply(before, moves);

  const auto counts = ReplicaCounts(after, staying);
  EXPECT_EQ(ReplicaCounts(after, brokers).at(leaving), 0) << "broker 2 still hosts replicas";
  EXPECT_LE(Spread(counts), 1) << "replicas per staying broker are uneven";
  // Only the replicas that were on the leaving broker copy data.
  EXPECT_EQ(ReplicasAdded(before, after), ReplicaCounts(before, brokers).at(leaving));
  // Preferred leaders stay where they were unless they were on the leaving broker, and then go
  // to a replica that already held the data.
  for (size_t t = 0; t < before.topics.size(); ++t) {
    for (size_t p = 0; p < before.topics[t].partitions.size(); ++p) {
      const Replicas& old_list = before.topics[t].partitions[p].replicas;
      const Replicas& new_list = after.topics[t].partitions[p].replicas;
      if (old_list[0] != leaving) {
        EXPECT_EQ(new_list[0], old_list[0]) << before.topics[t].name << "-" << p;
      } else if (old_list.size() > 1) {
        EXPECT_NE(std::find(old_list.begin(), old_list.end(), new_list[0]), old_list.end())
            << before.topics[t].name << "-" << p << ": the new preferred leader has no data";
      }
    }
  }
  EXPECT_LE(Spread(PreferredLeaderCounts(after, staying)), 2);
  // Draining again plans nothing, and the same input always gives the same plan.
  EXPECT_THAT(PlanDrain(after, {leaving}, staying), IsEmpty());
  EXPECT_EQ(PlanDrain(before, {leaving}, staying), moves);
}

INSTANTIATE_TEST_SUITE_P(Layouts, DrainTest,
                         ::testing::Values(DrainCase{3, 2}, DrainCase{4, 3}, DrainCase{4, 2},
                                           DrainCase{5, 3}, DrainCase{5, 2}),
                         [](const auto& info) {
                           return std::to_string(info.param.brokers) + "Brokers_Rf" +
                                  std::to_string(info.param.replication_factor);
                         });

TEST(PlanDrain, ExactMovesOnASmallLayout) {
  // Broker 2 leaves. Staying loads: 0 and 1 hold 2 replicas each, 3 holds 1.
  const ClusterState state =
      MakeState({0, 1, 2, 3}, {MakeTopic("t", {{2, 0}, {1, 2}, {0, 1}, {2, 3}}, 1)});
  const std::vector<Move> moves = PlanDrain(state, {2}, {0, 1, 3});
  // t-0: the preferred leader 2 leaves, so 0 (holding the data) leads, and 3, the least
  //      loaded, takes the freed place (loads 0:2 1:2 3:2).
  // t-1: 0 and 3 tie at 2 replicas; the lower id wins (0:3 1:2 3:2).
  // t-3: 3 holds the data and leads; 1 (2 replicas) beats 0 (3) for the freed place.
  EXPECT_THAT(moves, ElementsAre(Move{"t", 0, {0, 3}}, Move{"t", 1, {1, 0}}, Move{"t", 3, {3, 1}}));
}

TEST(PlanDrain, NothingOnTheLeavingBrokerPlansNothing) {
  const ClusterState state = MakeState({0, 1, 2, 3}, {MakeTopic("t", {{0, 1}, {1, 3}}, 1)});
  EXPECT_THAT(PlanDrain(state, {2}, {0, 1, 3}), IsEmpty());
}

TEST(PlanDrain, BrokerListMayIncludeTheLeavingBroker) {
  const ClusterState state =
      MakeState({0, 1, 2, 3}, {MakeTopic("t", KafkaLayout({0, 1, 2, 3}, 8, 2))});
  EXPECT_EQ(PlanDrain(state, {2}, {0, 1, 2, 3}), PlanDrain(state, {2}, {0, 1, 3}));
}

TEST(PlanDrain, RefusesNothingButNeverShrinksAPartition) {
  // RF 3 on 3 brokers cannot lose one: those partitions stay as they are (RemovalBlockers
  // says why); the RF 2 topic still moves off broker 2.
  const ClusterState state = MakeState({0, 1, 2}, {MakeTopic("three", KafkaLayout({0, 1, 2}, 3, 3)),
                                                   MakeTopic("two", {{2, 0}, {1, 2}})});
  const std::vector<Move> moves = PlanDrain(state, {2}, {0, 1});
  EXPECT_THAT(moves, ElementsAre(Move{"two", 0, {0, 1}}, Move{"two", 1, {1, 0}}));
  EXPECT_THAT(RemovalBlockers(state, {2}, {0, 1}),
              ElementsAre("topic three has replication factor 3 but only 2 brokers would remain"));
}

TEST(PlanDrain, PartitionWhollyOnLeavingBrokersGetsNewReplicas) {
  const ClusterState state =
      MakeState({0, 1, 2, 3}, {MakeTopic("t", {{2}, {3, 2}, {0}}), MakeTopic("u", {{1}})});
  // Brokers 2 and 3 leave. Load before: 0 -> 1 replica (t-2), 1 -> 1 (u-0).
  const std::vector<Move> moves = PlanDrain(state, {2, 3}, {0, 1});
  EXPECT_THAT(moves, ElementsAre(Move{"t", 0, {0}}, Move{"t", 1, {1, 0}}));
}

TEST(PlanDrain, BuildsOnAReassignmentInProgress) {
  // t-0 is moving from [2,0] to [1,0]: Metadata lists [1,0,2], removing [2]. Draining 2 has
  // nothing left to do for it.
  ClusterState state = MakeState({0, 1, 2}, {MakeTopic("t", {{1, 0, 2}, {2, 1}})});
  state.topics[0].partitions[0].adding = {1};
  state.topics[0].partitions[0].removing = {2};
  EXPECT_THAT(PlanDrain(state, {2}, {0, 1}), ElementsAre(Move{"t", 1, {1, 0}}));
}

// ---- PlanRebalance --------------------------------------------------------------------------

TEST(PlanRebalance, TwoNewBrokersGetTheirShareWithTheFewestMoves) {
  // 12 partitions, RF 3, on brokers 0-2 (every broker holds every partition); 3 and 4 join.
  const ClusterState before =
      MakeState({0, 1, 2, 3, 4}, {MakeTopic("orders", KafkaLayout({0, 1, 2}, 12, 3), 2)});
  const std::vector<int32_t> all = {0, 1, 2, 3, 4};
  const std::vector<Move> moves = PlanRebalance(before, all);
  ExpectWellFormed(before, moves);
  const ClusterState after = Apply(before, moves);

  // 36 replicas over 5 brokers: 7 or 8 each (within one of the mean, 7.2).
  for (const auto& [id, count] : ReplicaCounts(after, all)) {
    EXPECT_GE(count, 7) << "broker " << id;
    EXPECT_LE(count, 8) << "broker " << id;
  }
  // 12 preferred leaders over 5 brokers: 2 or 3 each.
  for (const auto& [id, count] : PreferredLeaderCounts(after, all)) {
    EXPECT_GE(count, 2) << "broker " << id;
    EXPECT_LE(count, 3) << "broker " << id;
  }
  // The fewest data moves: the new brokers need 7 replicas each, so 14 replicas are copied.
  EXPECT_EQ(ReplicasAdded(before, after), 14);
  // A balanced cluster plans nothing more; the plan is deterministic.
  EXPECT_THAT(PlanRebalance(after, all), IsEmpty());
  EXPECT_EQ(PlanRebalance(before, all), moves);
}

TEST(PlanRebalance, LeadershipOnlyImbalanceReordersWithoutMovingData) {
  // Every partition prefers broker 0; the replica sets are already even.
  const ClusterState before =
      MakeState({0, 1, 2}, {MakeTopic("t", std::vector<Replicas>(6, Replicas{0, 1, 2}))});
  const std::vector<Move> moves = PlanRebalance(before, {0, 1, 2});
  ExpectWellFormed(before, moves);
  const ClusterState after = Apply(before, moves);
  EXPECT_EQ(ReplicasAdded(before, after), 0);
  EXPECT_THAT(PreferredLeaderCounts(after, {0, 1, 2}),
              (std::map<int32_t, int32_t>{{0, 2}, {1, 2}, {2, 2}}));
  EXPECT_EQ(moves.size(), 4u) << "only the partitions whose leader had to change move";
}

TEST(PlanRebalance, BalancedKafkaLayoutPlansNothing) {
  const ClusterState state =
      MakeState({0, 1, 2, 3, 4}, {MakeTopic("t", KafkaLayout({0, 1, 2, 3, 4}, 10, 3))});
  EXPECT_THAT(PlanRebalance(state, {0, 1, 2, 3, 4}), IsEmpty());
}

TEST(PlanRebalance, LeavesBrokersOutsideTheListAlone) {
  // Broker 9 is not in the list: its replica stays; 0..2 even out among themselves.
  const ClusterState before =
      MakeState({0, 1, 2, 9}, {MakeTopic("t", {{0, 9}, {0, 1}, {0, 1}, {0, 1}})});
  const std::vector<Move> moves = PlanRebalance(before, {0, 1, 2});
  ExpectWellFormed(before, moves);
  const ClusterState after = Apply(before, moves);
  EXPECT_EQ(ReplicaCounts(after, {0, 1, 2, 9}).at(9), 1);
  EXPECT_LE(Spread(ReplicaCounts(after, {0, 1, 2})), 1);
}

// ---- PlanReplace ----------------------------------------------------------------------------

TEST(PlanReplace, NewBrokerTakesTheDeadOnesPositions) {
  const ClusterState state =
      MakeState({0, 1, 2},
                {MakeTopic("a", {{1, 0, 2}, {0, 2, 1}, {2, 1, 0}, {0, 1}}), MakeTopic("b", {{1}})});
  EXPECT_THAT(PlanReplace(state, 1, 7),
              ElementsAre(Move{"a", 0, {7, 0, 2}}, Move{"a", 1, {0, 2, 7}}, Move{"a", 2, {2, 7, 0}},
                          Move{"a", 3, {0, 7}}, Move{"b", 0, {7}}));
}

TEST(PlanReplace, PartitionAlreadyOnTheReplacementIsLeftAlone) {
  const ClusterState state = MakeState({0, 1, 7}, {MakeTopic("a", {{1, 7}, {1, 0}})});
  EXPECT_THAT(PlanReplace(state, 1, 7), ElementsAre(Move{"a", 1, {7, 0}}));
}

// ---- RemovalBlockers ------------------------------------------------------------------------

TEST(RemovalBlockers, ReplicationFactorAboveTheBrokersThatStay) {
  const ClusterState state = MakeState({0, 1, 2}, {MakeTopic("t", KafkaLayout({0, 1, 2}, 4, 3))});
  EXPECT_THAT(RemovalBlockers(state, {2}, {0, 1, 2}),
              ElementsAre("topic t has replication factor 3 but only 2 brokers would remain"));
  // The same whether or not the list names the leaving broker.
  EXPECT_EQ(RemovalBlockers(state, {2}, {0, 1}), RemovalBlockers(state, {2}, {0, 1, 2}));
}

TEST(RemovalBlockers, MinInsyncReplicasAboveTheBrokersThatStay) {
  const ClusterState state =
      MakeState({0, 1, 2, 3}, {MakeTopic("strict", KafkaLayout({0, 1, 2, 3}, 4, 2), 3),
                               MakeTopic("ok", KafkaLayout({0, 1, 2, 3}, 4, 2), 2)});
  EXPECT_THAT(
      RemovalBlockers(state, {2, 3}, {0, 1, 2, 3}),
      ElementsAre("topic strict has min.insync.replicas 3 but only 2 brokers would remain"));
  EXPECT_THAT(RemovalBlockers(state, {3}, {0, 1, 2, 3}), IsEmpty());
}

TEST(RemovalBlockers, EveryTopicAndReasonInNameOrder) {
  const ClusterState state =
      MakeState({0, 1, 2}, {MakeTopic("zeta", KafkaLayout({0, 1, 2}, 2, 3), 3),
                            MakeTopic("alpha", KafkaLayout({0, 1, 2}, 2, 2)),
                            MakeTopic("one", KafkaLayout({0, 1, 2}, 2, 1))});
  EXPECT_THAT(RemovalBlockers(state, {1, 2}, {0, 1, 2}),
              ElementsAre("topic alpha has replication factor 2 but only 1 broker would remain",
                          "topic zeta has replication factor 3 but only 1 broker would remain",
                          "topic zeta has min.insync.replicas 3 but only 1 broker would remain"));
}

TEST(RemovalBlockers, SafeRemovalHasNone) {
  const ClusterState state =
      MakeState({0, 1, 2, 3, 4}, {MakeTopic("t", KafkaLayout({0, 1, 2, 3, 4}, 10, 3), 2)});
  EXPECT_THAT(RemovalBlockers(state, {3, 4}, {0, 1, 2, 3, 4}), IsEmpty());
}

// ---- RestartBlockers (Strimzi's KafkaAvailability rule) -------------------------------------

ClusterState OnePartition(Replicas replicas, Replicas isr, int32_t min_isr) {
  ClusterState state = MakeState({0, 1, 2, 3}, {MakeTopic("t", {replicas}, min_isr)});
  state.topics[0].partitions[0].isr = std::move(isr);
  return state;
}

TEST(RestartBlockers, FullIsrIsSafe) {
  const ClusterState state = OnePartition({0, 1, 2}, {0, 1, 2}, 2);
  for (int32_t broker : {0, 1, 2, 3}) EXPECT_THAT(RestartBlockers(state, broker), IsEmpty());
}

TEST(RestartBlockers, IsrAtMinimumBlocksItsMembersOnly) {
  const ClusterState state = OnePartition({0, 1, 2}, {0, 1}, 2);
  EXPECT_THAT(RestartBlockers(state, 0),
              ElementsAre("partition t-0 would fall below min.insync.replicas 2 if broker 0 "
                          "restarted (ISR [0,1])"));
  EXPECT_THAT(RestartBlockers(state, 1), ::testing::SizeIs(1));
  // Broker 2 is out of sync already: restarting it takes nothing from the ISR.
  EXPECT_THAT(RestartBlockers(state, 2), IsEmpty());
  EXPECT_THAT(RestartBlockers(state, 3), IsEmpty());
}

TEST(RestartBlockers, IsrBelowMinimumBlocksEveryReplica) {
  const ClusterState state = OnePartition({0, 1, 2}, {0}, 2);
  EXPECT_THAT(RestartBlockers(state, 1),
              ElementsAre("partition t-0 is already under min.insync.replicas 2 (ISR [0]); broker "
                          "1 holds a replica and may be the first to catch up"));
  EXPECT_THAT(RestartBlockers(state, 0), ::testing::SizeIs(1));
  EXPECT_THAT(RestartBlockers(state, 2), ::testing::SizeIs(1));
  EXPECT_THAT(RestartBlockers(state, 3), IsEmpty()) << "broker 3 hosts no replica";
}

TEST(RestartBlockers, NoMoreReplicasThanMinimumIsIgnored) {
  // Strimzi skips these: any restart makes them unavailable for acks=all, waiting cannot help.
  EXPECT_THAT(RestartBlockers(OnePartition({0, 1}, {0}, 2), 1), IsEmpty());
  EXPECT_THAT(RestartBlockers(OnePartition({0, 1}, {0, 1}, 2), 0), IsEmpty());
  EXPECT_THAT(RestartBlockers(OnePartition({0, 1, 2}, {0, 1, 2}, 3), 0), IsEmpty());
  EXPECT_THAT(RestartBlockers(OnePartition({0}, {0}, 1), 0), IsEmpty());
}

TEST(RestartBlockers, MinimumOfOneWithALoneInSyncLeader) {
  const ClusterState state = OnePartition({0, 1, 2}, {1}, 1);
  EXPECT_THAT(RestartBlockers(state, 1), ::testing::SizeIs(1)) << "the only in-sync replica";
  EXPECT_THAT(RestartBlockers(state, 0), IsEmpty());
}

TEST(RestartBlockers, OfflinePartitionWithEmptyIsrBlocksItsReplicas) {
  ClusterState state = OnePartition({0, 1, 2}, {}, 1);
  state.topics[0].partitions[0].leader = -1;
  EXPECT_THAT(RestartBlockers(state, 2), ::testing::SizeIs(1));
}

TEST(RestartBlockers, NamesEveryBlockingPartition) {
  ClusterState state = MakeState(
      {0, 1, 2}, {MakeTopic("a", {{0, 1, 2}, {1, 2, 0}}, 2), MakeTopic("b", {{2, 0, 1}}, 2)});
  state.topics[0].partitions[0].isr = {0, 1};
  state.topics[1].partitions[0].isr = {0, 2};
  const auto blockers = RestartBlockers(state, 0);
  ASSERT_EQ(blockers.size(), 2u);
  EXPECT_THAT(blockers[0], ::testing::HasSubstr("partition a-0"));
  EXPECT_THAT(blockers[1], ::testing::HasSubstr("partition b-0"));
}

// ---- LoadPerBroker --------------------------------------------------------------------------

TEST(LoadPerBroker, CountsReplicasLeadersAndUnderReplicated) {
  ClusterState state = MakeState({0, 1, 2, 3}, {MakeTopic("t", {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}),
                                                MakeTopic("u", {{0, 1}, {1}})});
  state.topics[0].partitions[1].isr = {1, 2};  // led by 1, under-replicated
  state.topics[0].partitions[2].leader = 0;    // 0 leads though 2 is preferred
  state.topics[1].partitions[1].leader = -1;   // offline: nobody leads it
  state.topics[1].partitions[1].isr = {};
  const auto load = LoadPerBroker(state);
  ASSERT_EQ(load.size(), 4u);
  EXPECT_EQ(load.at(0).replicas, 4);
  EXPECT_EQ(load.at(0).leaders, 3);
  EXPECT_EQ(load.at(0).under_replicated, 0);
  EXPECT_EQ(load.at(1).replicas, 5);
  EXPECT_EQ(load.at(1).leaders, 1);
  EXPECT_EQ(load.at(1).under_replicated, 1);
  EXPECT_EQ(load.at(2).replicas, 3);
  EXPECT_EQ(load.at(2).leaders, 0);
  EXPECT_EQ(load.at(3).replicas, 0) << "a live broker with nothing still has an entry";
}

// ---- properties over random layouts ---------------------------------------------------------

struct RandomCluster {
  ClusterState state;
  std::vector<int32_t> brokers;
};

RandomCluster RandomLayout(std::mt19937& rng) {
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomCluster out;
  const int broker_count = uniform(2, 8);
  for (int32_t id = 0; static_cast<int>(out.brokers.size()) < broker_count; ++id) {
    if (uniform(0, 3) != 0) out.brokers.push_back(id);  // ids with gaps, as after replacements
  }
  std::vector<TopicState> topics;
  const int topic_count = uniform(1, 5);
  for (int t = 0; t < topic_count; ++t) {
    const int rf = uniform(1, std::min(4, broker_count));
    std::vector<Replicas> partitions;
    for (int p = uniform(1, 20); p > 0; --p) {
      Replicas shuffled = out.brokers;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      shuffled.resize(rf);
      partitions.push_back(shuffled);
    }
    TopicState topic = MakeTopic("topic-" + std::to_string(t), partitions, uniform(1, rf));
    for (auto& partition : topic.partitions) {
      partition.isr.resize(uniform(0, rf));  // some out of sync
    }
    topics.push_back(std::move(topic));
  }
  out.state = MakeState(out.brokers, std::move(topics));
  return out;
}

TEST(BalancerProperties, RandomLayoutsKeepTheInvariants) {
  std::mt19937 rng(20240611);  // fixed: a failure replays
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const RandomCluster cluster = RandomLayout(rng);
    const ClusterState& state = cluster.state;

    // Drain a random non-empty proper subset.
    std::set<int32_t> leaving;
    std::vector<int32_t> staying;
    for (int32_t id : cluster.brokers) {
      if (std::uniform_int_distribution<int>(0, 2)(rng) == 0 &&
          leaving.size() + 1 < cluster.brokers.size()) {
        leaving.insert(id);
      } else {
        staying.push_back(id);
      }
    }
    if (leaving.empty()) leaving.insert(staying.back()), staying.pop_back();
    const std::vector<Move> drain = PlanDrain(state, leaving, staying);
    ExpectWellFormed(state, drain);
    EXPECT_EQ(PlanDrain(state, leaving, staying), drain) << "not deterministic";
    const ClusterState drained = Apply(state, drain);
    const bool blocked = !RemovalBlockers(state, leaving, cluster.brokers).empty();
    for (const auto& topic : drained.topics) {
      for (const auto& partition : topic.partitions) {
        for (int32_t id : partition.replicas) {
          // A replica stays on a leaving broker only where the factor cannot be kept, and
          // RemovalBlockers then names the topic.
          if (leaving.contains(id)) {
            EXPECT_TRUE(blocked) << topic.name << "-" << partition.partition
                                 << " keeps a replica on leaving broker " << id;
            EXPECT_GT(partition.replicas.size(), staying.size());
          }
        }
      }
    }
    if (!blocked) {
      for (int32_t id : leaving) EXPECT_EQ(ReplicaCounts(drained, cluster.brokers).at(id), 0);
    }

    // Rebalance over the brokers plus a new one: replicas end within one of each other.
    std::vector<int32_t> grown = cluster.brokers;
    grown.push_back(cluster.brokers.back() + 1);
    const std::vector<Move> rebalance = PlanRebalance(state, grown);
    ExpectWellFormed(state, rebalance);
    EXPECT_EQ(PlanRebalance(state, grown), rebalance) << "not deterministic";
    const ClusterState rebalanced = Apply(state, rebalance);
    EXPECT_LE(Spread(ReplicaCounts(rebalanced, grown)), 1);
    EXPECT_THAT(PlanRebalance(rebalanced, grown), IsEmpty()) << "a second pass still moves";

    // Replace a random broker with a fresh id.
    const int32_t dead =
        cluster.brokers[std::uniform_int_distribution<size_t>(0, cluster.brokers.size() - 1)(rng)];
    const std::vector<Move> replace = PlanReplace(state, dead, 100);
    ExpectWellFormed(state, replace);
    const ClusterState replaced = Apply(state, replace);
    EXPECT_EQ(ReplicaCounts(replaced, cluster.brokers).at(dead), 0);
    EXPECT_EQ(ReplicaCounts(replaced, {100}).at(100),
              ReplicaCounts(state, cluster.brokers).at(dead));
  }
}

}  // namespace
}  // namespace sluice::kafka_admin

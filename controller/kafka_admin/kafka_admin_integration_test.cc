// KafkaAdmin (NewKafkaAdmin) and the balancer against real brokers. e2e/tests/
// test_operator_kafka_admin.py starts ZooKeeper and three sluice-broker processes, creates the
// topics, and runs one test of this binary per step (--gtest_filter), checking the cluster
// itself (ZooKeeper, data directories, records) between the steps. The environment says where
// the cluster is and what it should look like:
//   SLUICE_BOOTSTRAP          host:port[,host:port...] (required by every test but
//                             UnreachableBootstrapNamesEveryAddress)
//   SLUICE_ADMIN_TIMEOUT_MS   NewKafkaAdmin's timeout (default 10000)
//   SLUICE_EXPECT_BROKERS     the live broker ids, e.g. "0,1,2"
//   SLUICE_EXPECT_TOPICS      name:partitions:replication-factor:min.insync.replicas,
//   comma-separated SLUICE_DRAIN_BROKER       the broker DrainBroker empties
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "controller/kafka_admin/balancer.h"
#include "controller/kafka_admin/kafka_admin.h"

namespace sluice::kafka_admin {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr auto kSettleTimeout = seconds(120);

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

milliseconds AdminTimeout() {
  const std::string text = Env("SLUICE_ADMIN_TIMEOUT_MS");
  return milliseconds(text.empty() ? 10000 : std::stoll(text));
}

std::vector<int32_t> ExpectedBrokers() {
  std::vector<int32_t> ids;
  for (const std::string& id : Split(Env("SLUICE_EXPECT_BROKERS"), ','))
    ids.push_back(std::stoi(id));
  return ids;
}

struct ExpectedTopic {
  std::string name;
  size_t partitions;
  size_t replication_factor;
  int32_t min_insync_replicas;
};

std::vector<ExpectedTopic> ExpectedTopics() {
  std::vector<ExpectedTopic> topics;
  for (const std::string& entry : Split(Env("SLUICE_EXPECT_TOPICS"), ',')) {
    const std::vector<std::string> fields = Split(entry, ':');
    EXPECT_EQ(fields.size(), 4u) << "SLUICE_EXPECT_TOPICS entry '" << entry << "'";
    if (fields.size() != 4) continue;
    topics.push_back(
        {fields[0], std::stoul(fields[1]), std::stoul(fields[2]), std::stoi(fields[3])});
  }
  return topics;
}

std::string Ids(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return "[" + out + "]";
}

std::string Describe(const ClusterState& state) {
  std::ostringstream out;
  out << "brokers " << Ids(state.live_brokers) << " controller " << state.controller_id << "\n";
  for (const TopicState& topic : state.topics) {
    for (const PartitionState& p : topic.partitions) {
      out << "  " << topic.name << "-" << p.partition << " leader " << p.leader << " replicas "
          << Ids(p.replicas) << " isr " << Ids(p.isr) << " adding " << Ids(p.adding) << " removing "
          << Ids(p.removing) << "\n";
    }
  }
  return out.str();
}

std::string Describe(const std::vector<Move>& moves) {
  std::ostringstream out;
  for (const Move& move : moves) {
    out << "  " << move.topic << "-" << move.partition << " -> " << Ids(move.target_replicas)
        << "\n";
  }
  return out.str();
}

class KafkaAdminAgainstBrokers : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = Env("SLUICE_BOOTSTRAP");
    ASSERT_FALSE(bootstrap_.empty()) << "set SLUICE_BOOTSTRAP to the cluster's brokers "
                                        "(e2e/tests/test_operator_kafka_admin.py does)";
    admin_ = NewKafkaAdmin(bootstrap_, AdminTimeout());
  }

  ClusterState MustDescribe() {
    Result<ClusterState> state = admin_->Describe();
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *state : ClusterState{};
  }

  // Describes until `done` holds (every reassignment finished, say); fails naming `what` and
  // the last state when it does not within kSettleTimeout.
  template <typename Done>
  ClusterState WaitFor(Done done, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + kSettleTimeout;
    std::string last;
    for (;;) {
      Result<ClusterState> state = admin_->Describe();
      if (state.ok()) {
        if (done(*state)) return *state;
        last = Describe(*state);
      } else {
        last = state.status().ToString();
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "timed out waiting for " << what << "; last seen:\n" << last;
        return state.ok() ? *state : ClusterState{};
      }
      std::this_thread::sleep_for(milliseconds(500));
    }
  }

  // Every move's target is the partition's replica list, no reassignment is listed, and the
  // ISR is full: the moves are done.
  static bool Settled(const ClusterState& state, const std::vector<Move>& moves) {
    for (const TopicState& topic : state.topics) {
      for (const PartitionState& p : topic.partitions) {
        if (!p.adding.empty() || !p.removing.empty() || p.isr.size() != p.replicas.size()) {
          return false;
        }
        for (const Move& move : moves) {
          if (move.topic == topic.name && move.partition == p.partition &&
              move.target_replicas != p.replicas) {
            return false;
          }
        }
      }
    }
    return true;
  }

  std::string bootstrap_;
  std::unique_ptr<KafkaAdmin> admin_;
};

TEST_F(KafkaAdminAgainstBrokers, Describe) {
  const ClusterState state = MustDescribe();
  SCOPED_TRACE(Describe(state));
  EXPECT_EQ(state.live_brokers, ExpectedBrokers());
  EXPECT_THAT(state.live_brokers, ::testing::Contains(state.controller_id));
  const std::vector<ExpectedTopic> expected = ExpectedTopics();
  ASSERT_FALSE(expected.empty()) << "set SLUICE_EXPECT_TOPICS";
  for (const ExpectedTopic& want : expected) {
    auto topic = std::find_if(state.topics.begin(), state.topics.end(),
                              [&](const TopicState& t) { return t.name == want.name; });
    ASSERT_NE(topic, state.topics.end()) << "topic " << want.name << " not described";
    EXPECT_FALSE(topic->internal);
    EXPECT_EQ(topic->min_insync_replicas, want.min_insync_replicas) << want.name;
    ASSERT_EQ(topic->partitions.size(), want.partitions) << want.name;
    for (size_t i = 0; i < topic->partitions.size(); ++i) {
      const PartitionState& p = topic->partitions[i];
      EXPECT_EQ(p.topic, want.name);
      EXPECT_EQ(p.partition, static_cast<int32_t>(i)) << "partitions in order";
      EXPECT_EQ(p.replicas.size(), want.replication_factor) << want.name << "-" << i;
      EXPECT_THAT(p.replicas, ::testing::Contains(p.leader)) << want.name << "-" << i;
      EXPECT_THAT(p.isr, ::testing::UnorderedElementsAreArray(p.replicas)) << want.name << "-" << i;
      EXPECT_TRUE(p.adding.empty() && p.removing.empty());
    }
  }
  // The balancer's view of the same state: every replica counted once.
  int32_t replicas = 0;
  for (const auto& [id, load] : LoadPerBroker(state)) replicas += load.replicas;
  size_t expected_replicas = 0;
  for (const TopicState& topic : state.topics) {
    for (const PartitionState& p : topic.partitions) expected_replicas += p.replicas.size();
  }
  EXPECT_EQ(static_cast<size_t>(replicas), expected_replicas);
}

// SLUICE_BOOTSTRAP starts with a broker that is stopped or paused: Describe falls through to the
// next one and still sees every topic. ISR and leaders are not checked (a stopped broker's
// partitions are under-replicated), nor the brokers when SLUICE_EXPECT_BROKERS is empty (a
// paused broker stays registered until its ZooKeeper session expires).
TEST_F(KafkaAdminAgainstBrokers, DescribeThroughFailingBootstrap) {
  const ClusterState state = MustDescribe();
  SCOPED_TRACE(Describe(state));
  const std::vector<int32_t> brokers = ExpectedBrokers();
  if (!brokers.empty()) {
    EXPECT_EQ(state.live_brokers, brokers);
  }
  EXPECT_THAT(state.live_brokers, ::testing::Contains(state.controller_id));
  const std::vector<ExpectedTopic> expected = ExpectedTopics();
  ASSERT_FALSE(expected.empty()) << "set SLUICE_EXPECT_TOPICS";
  for (const ExpectedTopic& want : expected) {
    auto topic = std::find_if(state.topics.begin(), state.topics.end(),
                              [&](const TopicState& t) { return t.name == want.name; });
    ASSERT_NE(topic, state.topics.end()) << "topic " << want.name << " not described";
    EXPECT_EQ(topic->min_insync_replicas, want.min_insync_replicas) << want.name;
    ASSERT_EQ(topic->partitions.size(), want.partitions) << want.name;
    for (const PartitionState& p : topic->partitions) {
      EXPECT_EQ(p.replicas.size(), want.replication_factor) << want.name << "-" << p.partition;
    }
  }
}

TEST_F(KafkaAdminAgainstBrokers, DrainBroker) {
  const std::string drain_text = Env("SLUICE_DRAIN_BROKER");
  ASSERT_FALSE(drain_text.empty()) << "set SLUICE_DRAIN_BROKER";
  const int32_t leaving = std::stoi(drain_text);
  const ClusterState before = MustDescribe();
  std::vector<int32_t> staying;
  for (int32_t id : before.live_brokers)
    if (id != leaving) staying.push_back(id);

  EXPECT_THAT(RemovalBlockers(before, {leaving}, before.live_brokers), ::testing::IsEmpty());
  const std::vector<Move> moves = PlanDrain(before, {leaving}, staying);
  ASSERT_FALSE(moves.empty()) << "broker " << leaving << " hosts nothing:\n" << Describe(before);
  std::cerr << "[drain] " << moves.size() << " moves off broker " << leaving << ":\n"
            << Describe(moves);
  const Status reassigned = admin_->Reassign(moves);
  ASSERT_TRUE(reassigned.ok()) << reassigned.ToString();

  const ClusterState after =
      WaitFor([&](const ClusterState& s) { return Settled(s, moves); }, "the drain to finish");
  SCOPED_TRACE(Describe(after));
  for (const TopicState& topic : after.topics) {
    const TopicState* old_topic = nullptr;
    for (const TopicState& t : before.topics)
      if (t.name == topic.name) old_topic = &t;
    ASSERT_NE(old_topic, nullptr);
    for (const PartitionState& p : topic.partitions) {
      EXPECT_THAT(p.replicas, ::testing::Not(::testing::Contains(leaving)))
          << topic.name << "-" << p.partition;
      EXPECT_NE(p.leader, leaving);
      EXPECT_EQ(p.replicas.size(), old_topic->partitions.at(p.partition).replicas.size())
          << "replication factor of " << topic.name << "-" << p.partition;
    }
  }
  EXPECT_EQ(LoadPerBroker(after)[leaving].replicas, 0);
}

TEST_F(KafkaAdminAgainstBrokers, Rebalance) {
  const ClusterState before = MustDescribe();
  const std::vector<Move> moves = PlanRebalance(before, before.live_brokers);
  ASSERT_FALSE(moves.empty()) << "nothing to rebalance:\n" << Describe(before);
  std::cerr << "[rebalance] " << moves.size() << " moves over " << Ids(before.live_brokers) << ":\n"
            << Describe(moves);
  const Status reassigned = admin_->Reassign(moves);
  ASSERT_TRUE(reassigned.ok()) << reassigned.ToString();
  const ClusterState moved =
      WaitFor([&](const ClusterState& s) { return Settled(s, moves); }, "the rebalance to finish");

  // Replicas and preferred leaders within one of each other over every live broker.
  std::map<int32_t, int32_t> replicas, preferred;
  for (int32_t id : moved.live_brokers) replicas[id] = preferred[id] = 0;
  for (const TopicState& topic : moved.topics) {
    for (const PartitionState& p : topic.partitions) {
      for (int32_t id : p.replicas) ++replicas[id];
      ++preferred[p.replicas.at(0)];
    }
  }
  auto spread = [](const std::map<int32_t, int32_t>& counts) {
    auto [lo, hi] = std::minmax_element(counts.begin(), counts.end(),
                                        [](auto& a, auto& b) { return a.second < b.second; });
    return hi->second - lo->second;
  };
  EXPECT_LE(spread(replicas), 1) << Describe(moved);
  EXPECT_LE(spread(preferred), 1) << Describe(moved);
  EXPECT_THAT(PlanRebalance(moved, moved.live_brokers), ::testing::IsEmpty());
}

// Some partitions are led by a replica that is not their first (the suite restarts a preferred
// leader with auto.leader.rebalance.enable=false). A preferred election for one named partition
// moves only that one; one for all partitions fixes the rest; a second, by name, has nothing to
// do (ELECTION_NOT_NEEDED counts as success).
TEST_F(KafkaAdminAgainstBrokers, ElectPreferredLeaders) {
  const ClusterState before = MustDescribe();
  std::vector<std::pair<std::string, int32_t>> not_preferred, all;
  for (const TopicState& topic : before.topics) {
    for (const PartitionState& p : topic.partitions) {
      all.emplace_back(topic.name, p.partition);
      if (p.leader != p.replicas.at(0)) not_preferred.emplace_back(topic.name, p.partition);
    }
  }
  ASSERT_GE(not_preferred.size(), 2u) << "the suite should have moved leadership away from "
                                         "preferred replicas first:\n"
                                      << Describe(before);
  std::cerr << "[elect] " << not_preferred.size() << " partitions led by a non-preferred replica\n";
  auto preferred_leads = [](const ClusterState& s, const std::string& topic, int32_t partition) {
    for (const TopicState& t : s.topics) {
      for (const PartitionState& p : t.partitions) {
        if (t.name == topic && p.partition == partition) return p.leader == p.replicas.at(0);
      }
    }
    return false;
  };

  const auto [first_topic, first_partition] = not_preferred.front();
  const Status one = admin_->ElectPreferredLeaders({not_preferred.front()});
  ASSERT_TRUE(one.ok()) << one.ToString();
  const ClusterState after_one = WaitFor(
      [&](const ClusterState& s) { return preferred_leads(s, first_topic, first_partition); },
      first_topic + "-" + std::to_string(first_partition) + " to be led by its preferred replica");
  for (size_t i = 1; i < not_preferred.size(); ++i) {
    EXPECT_FALSE(preferred_leads(after_one, not_preferred[i].first, not_preferred[i].second))
        << "an election for one partition moved " << not_preferred[i].first << "-"
        << not_preferred[i].second << " too";
  }

  const Status elected = admin_->ElectPreferredLeaders({});
  ASSERT_TRUE(elected.ok()) << elected.ToString();
  WaitFor(
      [&](const ClusterState& s) {
        for (const auto& [topic, partition] : all) {
          if (!preferred_leads(s, topic, partition)) return false;
        }
        return true;
      },
      "every partition to be led by its preferred replica");
  const Status again = admin_->ElectPreferredLeaders(all);
  EXPECT_TRUE(again.ok()) << again.ToString();
}

TEST_F(KafkaAdminAgainstBrokers, RefusalsNamePartitions) {
  const ClusterState state = MustDescribe();
  ASSERT_FALSE(state.topics.empty());
  const TopicState& topic = state.topics.front();
  const Status reassigned = admin_->Reassign({Move{topic.name, 0, {state.live_brokers[0], 4242}}});
  ASSERT_FALSE(reassigned.ok());
  EXPECT_THAT(reassigned.message(), HasSubstr(topic.name + "-0"));
  EXPECT_THAT(reassigned.message(), HasSubstr("INVALID_REPLICA_ASSIGNMENT"));
  EXPECT_THAT(reassigned.message(), HasSubstr("4242"));
  std::cerr << "[refused] " << reassigned.ToString() << "\n";

  const Status elected = admin_->ElectPreferredLeaders({{"no-such-topic", 3}});
  ASSERT_FALSE(elected.ok());
  EXPECT_THAT(elected.message(), HasSubstr("no-such-topic-3"));
  EXPECT_THAT(elected.message(), HasSubstr("UNKNOWN_TOPIC_OR_PARTITION"));
  std::cerr << "[refused] " << elected.ToString() << "\n";

  const Status empty = admin_->Reassign({Move{topic.name, 0, {}}});
  EXPECT_EQ(empty.code(), Status::Code::kInvalidArgument);
  // Nothing changed.
  EXPECT_EQ(MustDescribe(), state);
}

// A loopback port with nothing listening: bound, then closed.
int32_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(KafkaAdminBootstrap, UnreachableBootstrapNamesEveryAddress) {
  const std::string first = "127.0.0.1:" + std::to_string(ClosedPort());
  const std::string second = "127.0.0.1:" + std::to_string(ClosedPort());
  auto admin = NewKafkaAdmin(first + "," + second, milliseconds(2000));
  Result<ClusterState> state = admin->Describe();
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), Status::Code::kUnavailable);
  EXPECT_THAT(state.status().message(), HasSubstr(first));
  EXPECT_THAT(state.status().message(), HasSubstr(second));
  EXPECT_THAT(state.status().message(), HasSubstr("Metadata"));
  std::cerr << state.status().ToString() << "\n";

  const Status reassigned = admin->Reassign({Move{"t", 0, {1}}});
  EXPECT_FALSE(reassigned.ok());
  EXPECT_THAT(reassigned.message(), HasSubstr("Reassign"));
  EXPECT_THAT(reassigned.message(), HasSubstr(first));
  // Nothing to do needs no cluster.
  EXPECT_TRUE(admin->Reassign({}).ok());
}

}  // namespace
}  // namespace sluice::kafka_admin

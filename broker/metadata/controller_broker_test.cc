// ControllerBroker against a real ZooKeeper server: election, partition states for new topics
// (also topics written straight into ZooKeeper), deletion on/off, restart, fail-over, expiry.
#include "broker/metadata/controller_broker.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <variant>

#include "broker/metadata/zk_test_fixture.h"

namespace sluice::metadata {
namespace {

using test::WaitUntil;

// A channel that records what the controller sends and answers every command with success
// (or, for StopReplica, with `stop_replica_error` while set).
class RecordingChannel : public ControllerChannel {
 public:
  struct Sent {
    BrokerId to;
    ControllerCommand command;
  };
  void AddBroker(const LiveBroker& broker) override {
    std::lock_guard lock(mu_);
    brokers_.insert(broker.registration.id);
  }
  void RemoveBroker(BrokerId broker) override {
    std::lock_guard lock(mu_);
    brokers_.erase(broker);
  }
  void Send(BrokerId broker, ControllerCommand command,
            ControllerResponseCallback on_response) override {
    ControllerCommandResponse response;
    {
      std::lock_guard lock(mu_);
      if (!brokers_.contains(broker)) return;
      if (std::holds_alternative<StopReplicaCommand>(command)) {
        response.error_code = stop_replica_error_;
      }
      sent_.push_back({broker, command});
    }
    if (on_response) on_response(response);
  }
  void Shutdown() override {
    std::lock_guard lock(mu_);
    brokers_.clear();
  }
  void set_stop_replica_error(int16_t error) {
    std::lock_guard lock(mu_);
    stop_replica_error_ = error;
  }
  std::vector<Sent> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // LeaderAndIsr partition states sent to `to` for topic-partition.
  std::vector<ControllerPartitionState> LeaderAndIsrTo(int to, const std::string& topic,
                                                       int partition) const {
    std::vector<ControllerPartitionState> out;
    for (const Sent& s : sent()) {
      const auto* lai = std::get_if<LeaderAndIsrCommand>(&s.command);
      if (lai == nullptr || s.to != BrokerId(to)) continue;
      for (const auto& p : lai->partitions) {
        if (p.topic == topic && p.partition == PartitionId(partition)) out.push_back(p);
      }
    }
    return out;
  }
  std::vector<StopReplicaPartition> StopReplicaTo(int to) const {
    std::vector<StopReplicaPartition> out;
    for (const Sent& s : sent()) {
      const auto* sr = std::get_if<StopReplicaCommand>(&s.command);
      if (sr == nullptr || s.to != BrokerId(to)) continue;
      out.insert(out.end(), sr->partitions.begin(), sr->partitions.end());
    }
    return out;
  }
  int UpdateMetadataCount(int to) const {
    int n = 0;
    for (const Sent& s : sent()) {
      if (std::holds_alternative<UpdateMetadataCommand>(s.command) && s.to == BrokerId(to)) ++n;
    }
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::set<BrokerId> brokers_;
  std::vector<Sent> sent_;
  int16_t stop_replica_error_ = 0;
};

// One broker: its ZooKeeper session, controller-broker role and the channel its role uses when
// it is the controller, torn down in order.
struct TestBroker {
  std::unique_ptr<ZkClient> zk;
  std::shared_ptr<RecordingChannel> channel = std::make_shared<RecordingChannel>();
  std::unique_ptr<ControllerBroker> role;
};

// A ControllerChannel forwarding to a shared RecordingChannel (the factory hands out owners).
class ForwardingChannel : public ControllerChannel {
 public:
  explicit ForwardingChannel(std::shared_ptr<RecordingChannel> target) : target_(target) {}
  void AddBroker(const LiveBroker& b) override { target_->AddBroker(b); }
  void RemoveBroker(BrokerId b) override { target_->RemoveBroker(b); }
  void Send(BrokerId b, ControllerCommand c, ControllerResponseCallback cb) override {
    target_->Send(b, std::move(c), std::move(cb));
  }
  void Shutdown() override { target_->Shutdown(); }

 private:
  std::shared_ptr<RecordingChannel> target_;
};

std::vector<BrokerId> Ids(std::initializer_list<int> ids) {
  std::vector<BrokerId> out;
  for (int id : ids) out.emplace_back(id);
  return out;
}

class ControllerBrokerTest : public ZkTest {
 protected:
  void SetUp() override {
    ZkTest::SetUp();
    if (HasFatalFailure()) return;
    admin_zk_ = Connect();
    ASSERT_TRUE(admin_zk_);
    admin_ = std::make_unique<KafkaZkClient>(*admin_zk_);
  }

  std::unique_ptr<TestBroker> StartBroker(int id, bool delete_topic_enable = true) {
    auto broker = std::make_unique<TestBroker>();
    broker->zk = Connect();
    if (!broker->zk) return nullptr;
    ControllerBrokerOptions options;
    options.registration.id = BrokerId(id);
    options.registration.endpoints = {{"PLAINTEXT", "127.0.0.1", 9090 + id, "PLAINTEXT"}};
    options.delete_topic_enable = delete_topic_enable;
    options.auto_leader_rebalance_enable = false;
    std::shared_ptr<RecordingChannel> channel = broker->channel;
    options.channel_factory = [channel] { return std::make_unique<ForwardingChannel>(channel); };
    broker->role = std::make_unique<ControllerBroker>(*broker->zk, options);
    Status started = broker->role->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    return started.ok() ? std::move(broker) : nullptr;
  }

  // Stops the role and closes the session, as a broker shutting down.
  static void StopBroker(std::unique_ptr<TestBroker>& broker) {
    broker->role.reset();
    broker->zk.reset();
    broker.reset();
  }

  bool HasState(const std::string& topic, int partition) {
    return admin_->GetPartitionState(topic, PartitionId(partition)).ok();
  }

  std::unique_ptr<ZkClient> admin_zk_;
  std::unique_ptr<KafkaZkClient> admin_;
};

TEST_F(ControllerBrokerTest, FirstBrokerRegistersAndBecomesControllerWithEpochOne) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  EXPECT_EQ(broker->role->controller_epoch(), ControllerEpoch(1));
  EXPECT_EQ(broker->role->controller_id(), BrokerId(1));
  EXPECT_EQ(broker->role->cluster_id().size(), 22u);
  auto registration = admin_zk_->Get("/brokers/ids/1");
  ASSERT_TRUE(registration.ok());
  EXPECT_EQ(broker->role->broker_epoch(), registration->stat.czxid);
  EXPECT_EQ(*admin_->GetControllerId(), BrokerId(1));
}

TEST_F(ControllerBrokerTest, DuplicateBrokerIdFailsToStart) {
  auto first = StartBroker(1);
  ASSERT_TRUE(first);
  auto zk = Connect();
  ControllerBrokerOptions options;
  options.registration.id = BrokerId(1);
  ControllerBroker second(*zk, options);
  Status started = second.Start();
  EXPECT_EQ(started.code(), Status::Code::kAlreadyExists);
  EXPECT_NE(started.message().find("broker.id 1 is already registered"), std::string::npos)
      << started.ToString();
}

TEST_F(ControllerBrokerTest, NewTopicGetsPartitionStatesAndLeaderAndIsrWithIsNew) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  PartitionAssignment assignment{{PartitionId(0), Ids({1})}, {PartitionId(1), Ids({1})}};
  ASSERT_TRUE(admin_->CreateTopic("orders", assignment, {}).ok());

  ASSERT_TRUE(WaitUntil([&] { return !broker->channel->LeaderAndIsrTo(1, "orders", 1).empty(); }));
  auto sent = broker->channel->LeaderAndIsrTo(1, "orders", 0);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].leader, BrokerId(1));
  EXPECT_EQ(sent[0].leader_epoch, LeaderEpoch(0));
  EXPECT_EQ(sent[0].isr, Ids({1}));
  EXPECT_EQ(sent[0].replicas, Ids({1}));
  EXPECT_TRUE(sent[0].is_new);
  EXPECT_EQ(sent[0].controller_epoch, ControllerEpoch(1));
  EXPECT_EQ(admin_zk_->Get("/brokers/topics/orders/partitions/0/state")->data,
            R"({"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1]})");
  EXPECT_GE(broker->channel->UpdateMetadataCount(1), 1);
}

TEST_F(ControllerBrokerTest, TopicWrittenStraightIntoZooKeeperGetsStates) {
  // What `kafka-topics.sh --zookeeper ... --create` (Kafka <= 2.x) does: write the topic znode
  // only, leaving partition states to the controller.
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  ASSERT_TRUE(admin_zk_
                  ->Create("/brokers/topics/legacy",
                           R"({"version":1,"partitions":{"0":[1],"1":[1],"2":[1]}})",
                           CreateMode::kPersistent)
                  .ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("legacy", 2); }));
  for (int p = 0; p < 3; ++p) EXPECT_TRUE(HasState("legacy", p)) << p;
}

TEST_F(ControllerBrokerTest, AddedPartitionsGetStates) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  ASSERT_TRUE(admin_->AddPartitions("t", {{PartitionId(1), Ids({1})}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return !broker->channel->LeaderAndIsrTo(1, "t", 1).empty(); }));
  EXPECT_TRUE(broker->channel->LeaderAndIsrTo(1, "t", 1)[0].is_new);
}

TEST_F(ControllerBrokerTest, PartitionWithoutLiveReplicaWaitsForItsBrokerToRegister) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  ASSERT_TRUE(admin_->CreateTopic("elsewhere", {{PartitionId(0), Ids({2, 3})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return broker->role->idle(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(HasState("elsewhere", 0));

  auto broker3 = StartBroker(3);
  ASSERT_TRUE(broker3);
  ASSERT_TRUE(WaitUntil([&] { return HasState("elsewhere", 0); }));
  auto state = admin_->GetPartitionState("elsewhere", PartitionId(0));
  EXPECT_EQ(state->leader, BrokerId(3));
  EXPECT_EQ(state->isr, Ids({3}));
  ASSERT_TRUE(
      WaitUntil([&] { return !broker->channel->LeaderAndIsrTo(3, "elsewhere", 0).empty(); }));
  EXPECT_TRUE(broker->channel->LeaderAndIsrTo(1, "elsewhere", 0).empty());  // not a replica
}

TEST_F(ControllerBrokerTest, DeletionWaitsForStopReplicaResponsesThenRemovesTheZNodes) {
  auto broker = StartBroker(1, /*delete_topic_enable=*/true);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(admin_->CreateTopic("doomed", {{PartitionId(0), Ids({1})}}, {{"a", "b"}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("doomed", 0); }));
  broker->channel->set_stop_replica_error(56);  // KAFKA_STORAGE_ERROR: the replica stays
  ASSERT_TRUE(admin_->MarkTopicForDeletion("doomed").ok());
  ASSERT_TRUE(WaitUntil([&] { return !broker->channel->StopReplicaTo(1).empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(admin_zk_->Exists("/brokers/topics/doomed")->has_value());
  auto stops = broker->channel->StopReplicaTo(1);
  EXPECT_TRUE(stops[0].delete_partition);
  EXPECT_EQ(stops[0].leader_epoch, LeaderEpoch(-2));

  broker->channel->set_stop_replica_error(0);  // the retry succeeds
  ASSERT_TRUE(WaitUntil([&] { return admin_->GetTopicDeletions()->empty(); }));
  EXPECT_FALSE(admin_zk_->Exists("/brokers/topics/doomed")->has_value());
  EXPECT_FALSE(admin_zk_->Exists("/config/topics/doomed")->has_value());

  // The name can be used again, and the new topic starts at leader epoch 0.
  ASSERT_TRUE(admin_->CreateTopic("doomed", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("doomed", 0); }));
  EXPECT_EQ(admin_->GetPartitionState("doomed", PartitionId(0))->leader_epoch, LeaderEpoch(0));
}

TEST_F(ControllerBrokerTest, DeletionWithADeadReplicaStaysPendingUntilItReturns) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1, 2})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  StopBroker(broker2);
  ASSERT_TRUE(
      WaitUntil([&] { return admin_->GetPartitionState("t", PartitionId(0))->isr == Ids({1}); }));
  ASSERT_TRUE(admin_->MarkTopicForDeletion("t").ok());
  ASSERT_TRUE(WaitUntil([&] { return !broker->channel->StopReplicaTo(1).empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(admin_zk_->Exists("/brokers/topics/t")->has_value());  // broker 2 must delete too

  broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(WaitUntil([&] { return !admin_zk_->Exists("/brokers/topics/t")->has_value(); }));
  EXPECT_FALSE(broker->channel->StopReplicaTo(2).empty());
}

TEST_F(ControllerBrokerTest, DeletionDisabledDropsTheRequestAndKeepsTheTopic) {
  auto broker = StartBroker(1, /*delete_topic_enable=*/false);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(admin_->CreateTopic("kept", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("kept", 0); }));
  ASSERT_TRUE(admin_->MarkTopicForDeletion("kept").ok());
  ASSERT_TRUE(WaitUntil([&] { return admin_->GetTopicDeletions()->empty(); }));
  EXPECT_TRUE(admin_zk_->Exists("/brokers/topics/kept")->has_value());
  EXPECT_TRUE(HasState("kept", 0));
  EXPECT_TRUE(broker->channel->StopReplicaTo(1).empty());
}

TEST_F(ControllerBrokerTest, BrokerFailureMovesLeadershipAndShrinksTheIsr) {
  auto first = StartBroker(1);
  ASSERT_TRUE(first);
  ASSERT_TRUE(WaitUntil([&] { return first->role->is_active_controller(); }));
  auto second = StartBroker(2);
  auto third = StartBroker(3);
  ASSERT_TRUE(second && third);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({2, 3, 1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  EXPECT_EQ(admin_->GetPartitionState("t", PartitionId(0))->leader, BrokerId(2));

  StopBroker(second);
  ASSERT_TRUE(WaitUntil(
      [&] { return admin_->GetPartitionState("t", PartitionId(0))->leader == BrokerId(3); }));
  auto state = admin_->GetPartitionState("t", PartitionId(0));
  EXPECT_EQ(state->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(state->isr, Ids({3, 1}));
  ASSERT_TRUE(WaitUntil([&] {
    auto sent = first->channel->LeaderAndIsrTo(1, "t", 0);
    return !sent.empty() && sent.back().leader == BrokerId(3);
  }));

  // The leader dies again: the remaining ISR member leads.
  StopBroker(third);
  ASSERT_TRUE(WaitUntil(
      [&] { return admin_->GetPartitionState("t", PartitionId(0))->leader == BrokerId(1); }));
  EXPECT_EQ(admin_->GetPartitionState("t", PartitionId(0))->isr, Ids({1}));
  EXPECT_EQ(admin_->GetPartitionState("t", PartitionId(0))->leader_epoch, LeaderEpoch(2));
}

TEST_F(ControllerBrokerTest, IsrChangeNotificationsAreReadBroadcastAndDeleted) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1, 2})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  ASSERT_TRUE(WaitUntil([&] { return broker->role->idle(); }));
  // The leader shrinks the ISR itself (as replication's ZkIsrWriter does), then notifies.
  auto state = *admin_->GetPartitionState("t", PartitionId(0));
  state.isr = Ids({1});
  ASSERT_TRUE(admin_->SetPartitionState("t", PartitionId(0), state).ok());
  int before = broker->channel->UpdateMetadataCount(2);
  ASSERT_TRUE(admin_->CreateIsrChangeNotification({{"t", PartitionId(0)}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return admin_->GetIsrChangeNotifications()->empty(); }));
  ASSERT_TRUE(WaitUntil([&] { return broker->channel->UpdateMetadataCount(2) > before; }));
  bool found = false;
  for (const auto& s : broker->channel->sent()) {
    const auto* um = std::get_if<UpdateMetadataCommand>(&s.command);
    if (um == nullptr) continue;
    for (const auto& p : um->partitions) {
      if (p.topic == "t" && p.isr == Ids({1})) found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ControllerBrokerTest, ControlledShutdownMovesLeadershipAndAnswersRemaining) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(admin_
                  ->CreateTopic("t",
                                {{PartitionId(0), Ids({2, 1})},
                                 {PartitionId(1), Ids({1, 2})},
                                 {PartitionId(2), Ids({2})}},
                                {})
                  .ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 2); }));
  ASSERT_TRUE(WaitUntil([&] { return broker->role->idle(); }));

  std::mutex mu;
  std::optional<std::pair<kafka::ErrorCode, ControllerBroker::PartitionList>> answer;
  broker->role->ControlledShutdown(2, broker2->role->broker_epoch(),
                                   [&](kafka::ErrorCode error, ControllerBroker::PartitionList r) {
                                     std::lock_guard lock(mu);
                                     answer.emplace(error, r);
                                   });
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return answer.has_value();
  }));
  EXPECT_EQ(answer->first, kafka::ErrorCode::kNone);
  EXPECT_TRUE(answer->second.empty());  // t-2 has one replica: not counted (Kafka's rule)
  auto p0 = admin_->GetPartitionState("t", PartitionId(0));
  EXPECT_EQ(p0->leader, BrokerId(1));
  EXPECT_EQ(p0->isr, Ids({1}));
  EXPECT_EQ(admin_->GetPartitionState("t", PartitionId(1))->isr, Ids({1}));
  // Both replicas on the stopping broker are stopped (so neither fetches and rejoins an ISR),
  // without an epoch check and keeping their logs.
  auto stops = broker->channel->StopReplicaTo(2);
  ASSERT_EQ(stops.size(), 2u);
  std::set<int32_t> stopped;
  for (const auto& stop : stops) {
    stopped.insert(stop.partition.value());
    EXPECT_FALSE(stop.delete_partition);
    EXPECT_EQ(stop.leader_epoch, LeaderEpoch(-1));
  }
  EXPECT_EQ(stopped, (std::set<int32_t>{0, 1}));

  // A stale broker epoch and a non-controller are refused.
  answer.reset();
  broker->role->ControlledShutdown(2, broker2->role->broker_epoch() - 1,
                                   [&](kafka::ErrorCode error, ControllerBroker::PartitionList r) {
                                     std::lock_guard lock(mu);
                                     answer.emplace(error, r);
                                   });
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return answer.has_value();
  }));
  EXPECT_EQ(answer->first, kafka::ErrorCode::kStaleBrokerEpoch);
  answer.reset();
  broker2->role->ControlledShutdown(2, -1,
                                    [&](kafka::ErrorCode error, ControllerBroker::PartitionList r) {
                                      std::lock_guard lock(mu);
                                      answer.emplace(error, r);
                                    });
  EXPECT_EQ(answer->first, kafka::ErrorCode::kNotController);
}

TEST_F(ControllerBrokerTest, ReassignmentValidationAndCompletion) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));

  std::mutex mu;
  std::vector<ReassignmentOutcome> outcomes;
  bool done = false;
  broker->role->AlterPartitionReassignments({{"t", 0, std::vector<int32_t>{2}},
                                             {"t", 7, std::vector<int32_t>{1}},
                                             {"t", 0, std::vector<int32_t>{}},
                                             {"t", 0, std::vector<int32_t>{1, 1}},
                                             {"t", 0, std::vector<int32_t>{9}}},
                                            [&](std::vector<ReassignmentOutcome> out) {
                                              std::lock_guard lock(mu);
                                              outcomes = out;
                                              done = true;
                                            });
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return done;
  }));
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_EQ(outcomes[0].error, kafka::ErrorCode::kNone);
  EXPECT_EQ(outcomes[1].error, kafka::ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(outcomes[2].error, kafka::ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(outcomes[3].error, kafka::ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(outcomes[4].error, kafka::ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(outcomes[4].message, "Unknown broker id 9");

  // Phase U: RS = [2,1], adding 2, removing 1; broker 2 is told to host a replica.
  auto assignment = admin_->GetTopicAssignment("t");
  EXPECT_EQ(assignment->assignment.partitions.at(PartitionId(0)), Ids({2, 1}));
  EXPECT_EQ(assignment->assignment.adding_replicas.at(PartitionId(0)), Ids({2}));
  EXPECT_EQ(assignment->assignment.removing_replicas.at(PartitionId(0)), Ids({1}));
  ASSERT_TRUE(WaitUntil([&] { return !broker->channel->LeaderAndIsrTo(2, "t", 0).empty(); }));

  std::vector<OngoingReassignment> ongoing;
  done = false;
  broker->role->ListPartitionReassignments(
      std::nullopt, [&](kafka::ErrorCode, std::vector<OngoingReassignment> r) {
        std::lock_guard lock(mu);
        ongoing = r;
        done = true;
      });
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return done;
  }));
  ASSERT_EQ(ongoing.size(), 1u);
  EXPECT_EQ(ongoing[0].adding, std::vector<int32_t>{2});

  // Broker 2 catches up: the leader adds it to the ISR and notifies; phase B follows.
  auto state = *admin_->GetPartitionState("t", PartitionId(0));
  state.isr = Ids({1, 2});
  ASSERT_TRUE(admin_->SetPartitionState("t", PartitionId(0), state).ok());
  ASSERT_TRUE(admin_->CreateIsrChangeNotification({{"t", PartitionId(0)}}).ok());
  ASSERT_TRUE(WaitUntil([&] {
    auto a = admin_->GetTopicAssignment("t");
    return a.ok() && a->assignment.partitions.at(PartitionId(0)) == Ids({2});
  }));
  auto final_state = admin_->GetPartitionState("t", PartitionId(0));
  EXPECT_EQ(final_state->leader, BrokerId(2));
  EXPECT_EQ(final_state->isr, Ids({2}));
  EXPECT_TRUE(admin_->GetTopicAssignment("t")->assignment.adding_replicas.empty());
  ASSERT_TRUE(WaitUntil([&] { return !broker->channel->StopReplicaTo(1).empty(); }));
  EXPECT_TRUE(broker->channel->StopReplicaTo(1).back().delete_partition);
}

TEST_F(ControllerBrokerTest, ReassignZNodeIsExecutedAndDeletedWhenDone) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1, 2})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  // Target [2,1] is in the ISR already: completes at once (a reorder).
  ASSERT_TRUE(
      admin_->CreatePartitionReassignmentRequest({{{"t", PartitionId(0)}, Ids({2, 1})}}).ok());
  ASSERT_TRUE(
      WaitUntil([&] { return !admin_zk_->Exists("/admin/reassign_partitions")->has_value(); }));
  EXPECT_EQ(admin_->GetTopicAssignment("t")->assignment.partitions.at(PartitionId(0)), Ids({2, 1}));
}

TEST_F(ControllerBrokerTest, PreferredLeaderElection) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({2, 1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));  // 2 is down: 1 leads
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->idle(); }));
  std::mutex mu;
  std::vector<ElectionOutcome> outcomes;
  bool done = false;
  auto elect = [&] {
    done = false;
    broker->role->ElectLeaders(0, ControllerBroker::PartitionList{{"t", 0}, {"nope", 0}},
                               [&](std::vector<ElectionOutcome> out) {
                                 std::lock_guard lock(mu);
                                 outcomes = out;
                                 done = true;
                               });
    return WaitUntil([&] {
      std::lock_guard lock(mu);
      return done;
    });
  };
  // 2 is not in the ISR yet.
  ASSERT_TRUE(elect());
  EXPECT_EQ(outcomes[0].error, kafka::ErrorCode::kPreferredLeaderNotAvailable);
  EXPECT_EQ(outcomes[1].error, kafka::ErrorCode::kUnknownTopicOrPartition);
  auto state = *admin_->GetPartitionState("t", PartitionId(0));
  state.isr = Ids({1, 2});
  ASSERT_TRUE(admin_->SetPartitionState("t", PartitionId(0), state).ok());
  ASSERT_TRUE(admin_->CreateIsrChangeNotification({{"t", PartitionId(0)}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return admin_->GetIsrChangeNotifications()->empty(); }));
  ASSERT_TRUE(elect());
  EXPECT_EQ(outcomes[0].error, kafka::ErrorCode::kNone);
  EXPECT_EQ(admin_->GetPartitionState("t", PartitionId(0))->leader, BrokerId(2));
  ASSERT_TRUE(elect());
  EXPECT_EQ(outcomes[0].error, kafka::ErrorCode::kElectionNotNeeded);
}

TEST_F(ControllerBrokerTest, RestartedBrokerGetsLeaderAndIsrForWhatItHosts) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  auto broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({2})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  StopBroker(broker2);
  ASSERT_TRUE(WaitUntil(
      [&] { return admin_->GetPartitionState("t", PartitionId(0))->leader == kNoLeader; }));
  size_t before = broker->channel->LeaderAndIsrTo(2, "t", 0).size();
  broker2 = StartBroker(2);
  ASSERT_TRUE(broker2);
  // Clean election: 2 is the last ISR member, so it leads again with a new epoch.
  ASSERT_TRUE(WaitUntil(
      [&] { return admin_->GetPartitionState("t", PartitionId(0))->leader == BrokerId(2); }));
  ASSERT_TRUE(
      WaitUntil([&] { return broker->channel->LeaderAndIsrTo(2, "t", 0).size() > before; }));
  EXPECT_EQ(broker->channel->LeaderAndIsrTo(2, "t", 0).back().leader, BrokerId(2));
}

TEST_F(ControllerBrokerTest, WhenTheControllerGoesAnotherBrokerTakesOverAndMovesLeadership) {
  auto first = StartBroker(1);
  ASSERT_TRUE(first);
  ASSERT_TRUE(WaitUntil([&] { return first->role->is_active_controller(); }));
  auto second = StartBroker(2);
  ASSERT_TRUE(second);
  ASSERT_TRUE(WaitUntil([&] { return second->role->controller_id() == BrokerId(1); }));
  EXPECT_FALSE(second->role->is_active_controller());

  ASSERT_TRUE(admin_->CreateTopic("shared", {{PartitionId(0), Ids({1, 2})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("shared", 0); }));
  EXPECT_EQ(admin_->GetPartitionState("shared", PartitionId(0))->isr, Ids({1, 2}));

  StopBroker(first);
  ASSERT_TRUE(WaitUntil([&] { return second->role->is_active_controller(); }));
  EXPECT_EQ(second->role->controller_epoch(), ControllerEpoch(2));
  ASSERT_TRUE(WaitUntil([&] {
    auto sent = second->channel->LeaderAndIsrTo(2, "shared", 0);
    return !sent.empty() && sent.back().leader == BrokerId(2);
  }));
  auto state = admin_->GetPartitionState("shared", PartitionId(0));
  EXPECT_EQ(state->leader, BrokerId(2));
  EXPECT_EQ(state->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(state->isr, Ids({2}));
  EXPECT_EQ(state->controller_epoch, ControllerEpoch(2));
  EXPECT_GE(second->channel->UpdateMetadataCount(2), 1);
}

TEST_F(ControllerBrokerTest, AFencedWriteThatFailsMakesTheControllerStepDownAndReElect) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  // The epoch moves on behind the controller's back (as when a successor was elected).
  ASSERT_TRUE(admin_zk_->Set("/controller_epoch", "9", kAnyVersion).ok());
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1})}}, {}).ok());
  // Its fenced write fails; it resigns, gives up /controller, wins again with epoch 10.
  ASSERT_TRUE(WaitUntil([&] { return HasState("t", 0); }));
  EXPECT_EQ(admin_->GetPartitionState("t", PartitionId(0))->controller_epoch, ControllerEpoch(10));
  EXPECT_EQ(broker->role->controller_epoch(), ControllerEpoch(10));
  EXPECT_TRUE(broker->role->is_active_controller());
}

TEST_F(ControllerBrokerTest, SessionExpiryReRegistersAndReElects) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  int64_t old_epoch = broker->role->broker_epoch();

  Expire(*broker->zk);
  ASSERT_TRUE(WaitUntil([&] {
    return broker->role->broker_epoch() != old_epoch && broker->role->is_active_controller();
  }));
  EXPECT_EQ(broker->role->controller_epoch(), ControllerEpoch(2));
  EXPECT_EQ(admin_zk_->Get("/brokers/ids/1")->stat.ephemeral_owner, broker->zk->session_id());

  // Watches were re-armed on the new session: a new topic still gets its states.
  ASSERT_TRUE(admin_->CreateTopic("after", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("after", 0); }));
}

}  // namespace
}  // namespace sluice::metadata

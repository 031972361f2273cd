// ControllerBroker against a real ZooKeeper server: election, partition states for new topics
// (also topics written straight into ZooKeeper), deletion on/off, restart, fail-over, expiry.
#include "broker/metadata/controller_broker.h"

#include <gtest/gtest.h>

#include <mutex>
#include <tuple>

#include "broker/metadata/zk_test_fixture.h"

namespace sluice::metadata {
namespace {

using test::WaitUntil;

struct Leadership {
  std::string topic;
  int partition;
  int epoch;
  std::vector<BrokerId> replicas;
  bool operator==(const Leadership&) const = default;
};

class RecordingListener : public LeadershipListener {
 public:
  void OnBecomeLeader(const std::string& topic, PartitionId partition, LeaderEpoch epoch,
                      const std::vector<BrokerId>& replicas) override {
    std::lock_guard lock(mu_);
    leaderships_.push_back({topic, partition.value(), epoch.value(), replicas});
  }
  void OnTopicDeleted(const std::string& topic) override {
    std::lock_guard lock(mu_);
    deleted_.push_back(topic);
  }
  std::vector<Leadership> leaderships() const {
    std::lock_guard lock(mu_);
    return leaderships_;
  }
  std::vector<std::string> deleted() const {
    std::lock_guard lock(mu_);
    return deleted_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Leadership> leaderships_;
  std::vector<std::string> deleted_;
};

// One broker: its ZooKeeper session, listener and controller-broker role, torn down in order.
struct TestBroker {
  std::unique_ptr<ZkClient> zk;
  RecordingListener listener;
  std::unique_ptr<ControllerBroker> role;
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
    broker->role = std::make_unique<ControllerBroker>(*broker->zk, options, broker->listener);
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
  RecordingListener listener;
  ControllerBrokerOptions options;
  options.registration.id = BrokerId(1);
  ControllerBroker second(*zk, options, listener);
  Status started = second.Start();
  EXPECT_EQ(started.code(), Status::Code::kAlreadyExists);
  EXPECT_NE(started.message().find("broker.id 1 is already registered"), std::string::npos)
      << started.ToString();
}

TEST_F(ControllerBrokerTest, NewTopicGetsPartitionStatesAndTheLocalBrokerLeads) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(WaitUntil([&] { return broker->role->is_active_controller(); }));
  PartitionAssignment assignment{{PartitionId(0), Ids({1})}, {PartitionId(1), Ids({1})}};
  ASSERT_TRUE(admin_->CreateTopic("orders", assignment, {}).ok());

  ASSERT_TRUE(WaitUntil([&] { return broker->listener.leaderships().size() == 2; }));
  EXPECT_EQ(broker->listener.leaderships()[0], (Leadership{"orders", 0, 0, Ids({1})}));
  EXPECT_EQ(broker->listener.leaderships()[1], (Leadership{"orders", 1, 0, Ids({1})}));
  EXPECT_EQ(admin_zk_->Get("/brokers/topics/orders/partitions/0/state")->data,
            R"({"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1]})");
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
  ASSERT_TRUE(WaitUntil([&] { return broker->listener.leaderships().size() == 3; }));
  for (int p = 0; p < 3; ++p) EXPECT_TRUE(HasState("legacy", p)) << p;
}

TEST_F(ControllerBrokerTest, AddedPartitionsGetStates) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return broker->listener.leaderships().size() == 1; }));
  ASSERT_TRUE(admin_->AddPartitions("t", {{PartitionId(1), Ids({1})}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return broker->listener.leaderships().size() == 2; }));
  EXPECT_EQ(broker->listener.leaderships()[1], (Leadership{"t", 1, 0, Ids({1})}));
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
  EXPECT_TRUE(broker->listener.leaderships().empty());  // broker 1 leads nothing
}

TEST_F(ControllerBrokerTest, DeletionEnabledRemovesTheTopicAndTellsTheBroker) {
  auto broker = StartBroker(1, /*delete_topic_enable=*/true);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(admin_->CreateTopic("doomed", {{PartitionId(0), Ids({1})}}, {{"a", "b"}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return HasState("doomed", 0); }));
  ASSERT_TRUE(admin_->MarkTopicForDeletion("doomed").ok());
  ASSERT_TRUE(WaitUntil([&] { return broker->listener.deleted().size() == 1; }));
  EXPECT_EQ(broker->listener.deleted()[0], "doomed");
  ASSERT_TRUE(WaitUntil([&] { return admin_->GetTopicDeletions()->empty(); }));
  EXPECT_FALSE(admin_zk_->Exists("/brokers/topics/doomed")->has_value());
  EXPECT_FALSE(admin_zk_->Exists("/config/topics/doomed")->has_value());

  // The name can be used again, and the new topic gets a fresh leadership at epoch 0.
  ASSERT_TRUE(admin_->CreateTopic("doomed", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return broker->listener.leaderships().size() == 2; }));
  EXPECT_EQ(broker->listener.leaderships()[1], (Leadership{"doomed", 0, 0, Ids({1})}));
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
  EXPECT_TRUE(broker->listener.deleted().empty());
}

TEST_F(ControllerBrokerTest, RestartedBrokerReportsItsLeadershipsBeforeStartReturns) {
  auto broker = StartBroker(1);
  ASSERT_TRUE(broker);
  ASSERT_TRUE(admin_->CreateTopic("t", {{PartitionId(0), Ids({1})}}, {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return broker->listener.leaderships().size() == 1; }));
  StopBroker(broker);

  auto restarted = StartBroker(1);
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->listener.leaderships(), (std::vector<Leadership>{{"t", 0, 0, Ids({1})}}));
  ASSERT_TRUE(WaitUntil([&] { return restarted->role->is_active_controller(); }));
  EXPECT_EQ(restarted->role->controller_epoch(), ControllerEpoch(2));
  ASSERT_TRUE(WaitUntil([&] { return restarted->role->idle(); }));
  EXPECT_EQ(restarted->listener.leaderships().size(), 1u);  // not reported twice
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
  ASSERT_TRUE(WaitUntil([&] { return first->listener.leaderships().size() == 1; }));
  EXPECT_EQ(admin_->GetPartitionState("shared", PartitionId(0))->isr, Ids({1, 2}));

  StopBroker(first);
  ASSERT_TRUE(WaitUntil([&] { return second->role->is_active_controller(); }));
  EXPECT_EQ(second->role->controller_epoch(), ControllerEpoch(2));
  ASSERT_TRUE(WaitUntil([&] { return second->listener.leaderships().size() == 1; }));
  EXPECT_EQ(second->listener.leaderships()[0], (Leadership{"shared", 0, 1, Ids({1, 2})}));
  auto state = admin_->GetPartitionState("shared", PartitionId(0));
  EXPECT_EQ(state->leader, BrokerId(2));
  EXPECT_EQ(state->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(state->isr, Ids({2}));
  EXPECT_EQ(state->controller_epoch, ControllerEpoch(2));
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

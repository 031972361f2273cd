// KafkaZkClient against a real ZooKeeper server.
#include "broker/metadata/kafka_zk_client.h"

#include <gtest/gtest.h>

#include <atomic>

#include "broker/metadata/zk_test_fixture.h"

namespace sluice::metadata {
namespace {

using Code = Status::Code;
using test::WaitUntil;

BrokerRegistration Broker(int id, int port = 9092) {
  BrokerRegistration broker;
  broker.id = BrokerId(id);
  broker.endpoints = {{"PLAINTEXT", "host-" + std::to_string(id), port, "PLAINTEXT"}};
  broker.timestamp_ms = 1;
  return broker;
}

PartitionAssignment Assignment(std::initializer_list<std::vector<int>> partitions) {
  PartitionAssignment out;
  int p = 0;
  for (const auto& replicas : partitions) {
    auto& ids = out[PartitionId(p++)];
    for (int r : replicas) ids.emplace_back(r);
  }
  return out;
}

class KafkaZkClientTest : public ZkTest {
 protected:
  void SetUp() override {
    ZkTest::SetUp();
    if (HasFatalFailure()) return;
    zk_ = Connect();
    ASSERT_TRUE(zk_);
    kafka_ = std::make_unique<KafkaZkClient>(*zk_);
    ASSERT_TRUE(kafka_->EnsurePersistentPaths().ok());
  }
  std::unique_ptr<ZkClient> zk_;
  std::unique_ptr<KafkaZkClient> kafka_;
};

TEST_F(KafkaZkClientTest, EnsurePersistentPathsCreatesKafkasTreeIdempotently) {
  ASSERT_TRUE(kafka_->EnsurePersistentPaths().ok());
  for (const std::string& path : PersistentZkPaths()) {
    EXPECT_TRUE(zk_->Exists(path)->has_value()) << path;
  }
}

TEST_F(KafkaZkClientTest, ClusterIdIsCreatedOnceAndThenStable) {
  auto first = kafka_->GetOrCreateClusterId();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 22u);
  EXPECT_TRUE(Uuid::FromBase64Url(*first).ok());
  auto other = Connect();
  KafkaZkClient other_kafka(*other);
  EXPECT_EQ(*other_kafka.GetOrCreateClusterId(), *first);
  EXPECT_EQ(zk_->Get("/cluster/id")->data, R"({"version":"1","id":")" + *first + R"("})");
}

TEST_F(KafkaZkClientTest, RegisterBrokerReturnsCzxidAsEpochAndRefusesATakenId) {
  auto epoch = kafka_->RegisterBroker(Broker(1));
  ASSERT_TRUE(epoch.ok()) << epoch.status().ToString();
  auto node = zk_->Get("/brokers/ids/1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*epoch, node->stat.czxid);
  EXPECT_EQ(node->stat.ephemeral_owner, zk_->session_id());
  EXPECT_EQ(node->data, BrokerIdZNode::Encode(Broker(1)));

  // Same session again: fine (a retry after a lost answer).
  EXPECT_EQ(*kafka_->RegisterBroker(Broker(1)), *epoch);

  auto other = Connect();
  KafkaZkClient second(*other);
  auto taken = second.RegisterBroker(Broker(1, 9999));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(taken.status().message(),
            "broker.id 1 is already registered in ZooKeeper at /brokers/ids/1 by host-1:9092");
}

TEST_F(KafkaZkClientTest, RegistrationDisappearsWithTheSession) {
  auto other = Connect();
  KafkaZkClient second(*other);
  ASSERT_TRUE(second.RegisterBroker(Broker(2)).ok());
  ASSERT_TRUE(kafka_->RegisterBroker(Broker(1)).ok());
  auto live = kafka_->GetLiveBrokers();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 2u);
  EXPECT_EQ((*live)[0].id, BrokerId(1));
  EXPECT_EQ((*live)[1].endpoints[0].host, "host-2");
  other.reset();
  EXPECT_EQ(*kafka_->GetLiveBrokerIds(), std::vector<BrokerId>{BrokerId(1)});
  // After the session is gone the id is free again.
  auto third = Connect();
  EXPECT_TRUE(KafkaZkClient(*third).RegisterBroker(Broker(2)).ok());
}

TEST_F(KafkaZkClientTest, ControllerElectionOneWinsEpochIncrementsOtherTakesOver) {
  auto zk2 = Connect();
  KafkaZkClient kafka2(*zk2);

  auto first = kafka_->TryElectController(BrokerId(1));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->elected);
  EXPECT_EQ(first->controller_id, BrokerId(1));
  EXPECT_EQ(first->epoch, ControllerEpoch(1));
  EXPECT_EQ(zk_->Get("/controller_epoch")->data, "1");

  auto second = kafka2.TryElectController(BrokerId(2));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->elected);
  EXPECT_EQ(second->controller_id, BrokerId(1));
  EXPECT_EQ(second->epoch, ControllerEpoch(1));

  // The winner's own retry is recognised as its own.
  auto again = kafka_->TryElectController(BrokerId(1));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->elected);

  std::atomic<bool> controller_changed{false};
  ASSERT_EQ(*kafka2.GetControllerId([&](const WatchEvent&) { controller_changed = true; }),
            BrokerId(1));
  kafka_.reset();
  zk_.reset();  // the winner's session closes: /controller goes
  ASSERT_TRUE(WaitUntil([&] { return controller_changed.load(); }));
  EXPECT_FALSE(kafka2.GetControllerId()->has_value());

  auto takeover = kafka2.TryElectController(BrokerId(2));
  ASSERT_TRUE(takeover.ok());
  EXPECT_TRUE(takeover->elected);
  EXPECT_EQ(takeover->epoch, ControllerEpoch(2));
  EXPECT_EQ(zk2->Get("/controller_epoch")->data, "2");
  auto controller = zk2->Get("/controller");
  ASSERT_TRUE(controller.ok());
  EXPECT_EQ(controller->stat.ephemeral_owner, zk2->session_id());
  EXPECT_EQ(ControllerZNode::Decode(controller->data)->broker_id, BrokerId(2));
}

TEST_F(KafkaZkClientTest, CreateTopicWritesConfigThenAssignmentAndIsVisibleToAWatcher) {
  auto watcher_zk = Connect();
  KafkaZkClient watcher(*watcher_zk);
  std::atomic<bool> fired{false};
  ASSERT_TRUE(watcher.GetAllTopics([&](const WatchEvent&) { fired = true; })->empty());

  ASSERT_TRUE(
      kafka_->CreateTopic("orders", Assignment({{1, 2}, {2, 1}}), {{"retention.ms", "1000"}}).ok());
  ASSERT_TRUE(WaitUntil([&] { return fired.load(); }));
  EXPECT_EQ(*watcher.GetAllTopics(), std::vector<std::string>{"orders"});
  auto assignment = watcher.GetTopicAssignment("orders");
  ASSERT_TRUE(assignment.ok());
  EXPECT_EQ(assignment->assignment.partitions, Assignment({{1, 2}, {2, 1}}));
  EXPECT_TRUE(assignment->assignment.topic_id.has_value());
  EXPECT_EQ(zk_->Get("/config/topics/orders")->data,
            R"({"version":1,"config":{"retention.ms":"1000"}})");
  EXPECT_EQ(*kafka_->GetTopicConfig("orders"), (ConfigMap{{"retention.ms", "1000"}}));

  EXPECT_EQ(kafka_->CreateTopic("orders", Assignment({{1}}), {}).code(), Code::kAlreadyExists);
}

TEST_F(KafkaZkClientTest, CreateTopicValidatesNameAndAssignment) {
  EXPECT_EQ(kafka_->CreateTopic("bad/name", Assignment({{1}}), {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(kafka_->CreateTopic("..", Assignment({{1}}), {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(kafka_->CreateTopic(std::string(250, 'a'), Assignment({{1}}), {}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(kafka_->CreateTopic("t", {}, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(kafka_->CreateTopic("t", Assignment({{1, 1}}), {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(kafka_->CreateTopic("t", Assignment({{}}), {}).code(), Code::kInvalidArgument);
  PartitionAssignment gap{{PartitionId(1), {BrokerId(1)}}};
  EXPECT_EQ(kafka_->CreateTopic("t", gap, {}).code(), Code::kInvalidArgument);
  EXPECT_FALSE(zk_->Exists("/brokers/topics/t")->has_value());
}

TEST_F(KafkaZkClientTest, AddPartitionsExtendsAndKeepsTheTopicId) {
  ASSERT_TRUE(kafka_->CreateTopic("t", Assignment({{1}}), {}).ok());
  auto before = kafka_->GetTopicAssignment("t");
  PartitionAssignment more{{PartitionId(1), {BrokerId(1)}}, {PartitionId(2), {BrokerId(1)}}};
  ASSERT_TRUE(kafka_->AddPartitions("t", more).ok());
  auto after = kafka_->GetTopicAssignment("t");
  EXPECT_EQ(after->assignment.partitions.size(), 3u);
  EXPECT_EQ(after->assignment.topic_id, before->assignment.topic_id);
  EXPECT_EQ(after->zk_version, before->zk_version + 1);
  // Re-adding an existing partition number is refused.
  EXPECT_EQ(kafka_->AddPartitions("t", more).code(), Code::kInvalidArgument);
  EXPECT_EQ(kafka_->AddPartitions("nope", more).code(), Code::kNotFound);
}

TEST_F(KafkaZkClientTest, PartitionStateUpdatesAreConditionalOnZkVersion) {
  ASSERT_TRUE(kafka_->CreateTopic("t", Assignment({{1, 2}}), {}).ok());
  PartitionState state;
  state.leader = BrokerId(1);
  state.isr = {BrokerId(1), BrokerId(2)};
  state.controller_epoch = ControllerEpoch(1);
  ASSERT_TRUE(kafka_->CreatePartitionState("t", PartitionId(0), state).ok());
  EXPECT_EQ(kafka_->CreatePartitionState("t", PartitionId(0), state).code(), Code::kAlreadyExists);

  auto read = kafka_->GetPartitionState("t", PartitionId(0));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->zk_version, 0);
  EXPECT_EQ(read->isr, state.isr);

  PartitionState shrunk = *read;
  shrunk.isr = {BrokerId(1)};
  auto version = kafka_->SetPartitionState("t", PartitionId(0), shrunk);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);

  // A writer holding the old version loses.
  PartitionState stale = *read;
  stale.leader = BrokerId(2);
  auto lost = kafka_->SetPartitionState("t", PartitionId(0), stale);
  EXPECT_EQ(lost.status().code(), Code::kConflict) << lost.status().ToString();
  EXPECT_EQ(kafka_->GetPartitionState("t", PartitionId(0))->leader, BrokerId(1));

  auto states = kafka_->GetPartitionStates("t");
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->at(PartitionId(0)).isr, std::vector<BrokerId>{BrokerId(1)});
}

TEST_F(KafkaZkClientTest, ControllerFencedWritesFailAfterANewerControllerWasElected) {
  ASSERT_TRUE(kafka_->CreateTopic("t", Assignment({{1}}), {}).ok());
  auto election = kafka_->TryElectController(BrokerId(1));
  ASSERT_TRUE(election.ok() && election->elected);
  int32_t fence = election->epoch_zk_version;
  PartitionState state;
  state.leader = BrokerId(1);
  state.isr = {BrokerId(1)};
  ASSERT_TRUE(kafka_->CreatePartitionState("t", PartitionId(0), state, fence).ok());

  // Another controller takes over (the epoch znode moves on).
  ASSERT_TRUE(zk_->Delete("/controller").ok());
  auto zk2 = Connect();
  ASSERT_TRUE(KafkaZkClient(*zk2).TryElectController(BrokerId(2))->elected);

  auto read = kafka_->GetPartitionState("t", PartitionId(0));
  auto stale = kafka_->SetPartitionState("t", PartitionId(0), *read, fence);
  EXPECT_EQ(stale.status().code(), Code::kConflict);
  EXPECT_NE(stale.status().message().find("controller moved"), std::string::npos);
  EXPECT_EQ(kafka_->GetPartitionState("t", PartitionId(0))->zk_version, 0);
}

TEST_F(KafkaZkClientTest, SetTopicConfigWritesAChangeNotification) {
  ASSERT_TRUE(kafka_->CreateTopic("t", Assignment({{1}}), {}).ok());
  ASSERT_TRUE(kafka_->SetTopicConfig("t", {{"cleanup.policy", "compact"}}).ok());
  EXPECT_EQ(*kafka_->GetTopicConfig("t"), (ConfigMap{{"cleanup.policy", "compact"}}));
  auto changes = zk_->GetChildren("/config/changes");
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0], "config_change_0000000000");
  EXPECT_EQ(zk_->Get("/config/changes/" + (*changes)[0])->data,
            R"({"version":2,"entity_path":"topics/t"})");
  EXPECT_TRUE(kafka_->GetTopicConfig("unknown")->empty());
}

TEST_F(KafkaZkClientTest, TopicDeletionZNodes) {
  EXPECT_EQ(kafka_->MarkTopicForDeletion("t").code(), Code::kNotFound);
  ASSERT_TRUE(kafka_->CreateTopic("t", Assignment({{1}}), {{"a", "b"}}).ok());
  PartitionState state;
  state.leader = BrokerId(1);
  state.isr = {BrokerId(1)};
  ASSERT_TRUE(kafka_->CreatePartitionState("t", PartitionId(0), state).ok());
  ASSERT_TRUE(kafka_->MarkTopicForDeletion("t").ok());
  EXPECT_EQ(kafka_->MarkTopicForDeletion("t").code(), Code::kAlreadyExists);
  EXPECT_EQ(*kafka_->GetTopicDeletions(), std::vector<std::string>{"t"});

  ASSERT_TRUE(kafka_->DeleteTopicZNodes("t").ok());
  EXPECT_FALSE(zk_->Exists("/brokers/topics/t")->has_value());
  EXPECT_FALSE(zk_->Exists("/config/topics/t")->has_value());
  EXPECT_TRUE(kafka_->GetTopicDeletions()->empty());
  EXPECT_TRUE(kafka_->DeleteTopicZNodes("t").ok());  // nothing left: still fine
}

}  // namespace
}  // namespace sluice::metadata

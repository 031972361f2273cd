// ReplicaManager: the controller's orders (epoch fencing, leader/follower transitions,
// StopReplica) and, with two ReplicaManagers in one process, real replication through the
// fetcher. The fetchers reach the leader through an in-process LeaderEndpoint that answers from
// the leader's ReplicaManager the way the server's Fetch / OffsetForLeaderEpoch / ListOffsets
// handlers do; the network path (Connection to a real broker) is covered by the e2e tests.
#include "broker/replication/replica_manager.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "broker/replication/test_fakes.h"
#include "broker/storage/test_util.h"
#include "libs/base/clock.h"
#include "tests/support/wait.h"

namespace sluice::replication {
namespace {

using kafka::ErrorCode;
using testing::ClientBatch;

// Answers a follower's requests from the leader broker's ReplicaManager.
class InProcessEndpoint : public LeaderEndpoint {
 public:
  explicit InProcessEndpoint(ReplicaManager* leader) : leader_(leader) {}

  Result<kafka::FetchResponse> Fetch(const kafka::FetchRequest& request) override {
    kafka::FetchResponse response;
    bool any_data = false;
    for (const auto& topic : request.topics) {
      auto& out_topic = response.responses.emplace_back();
      out_topic.topic = topic.topic;
      for (const auto& p : topic.partitions) {
        auto& out = out_topic.partitions.emplace_back();
        out.partition_index = p.partition;
        auto partition = leader_->Get({topic.topic, PartitionId(p.partition)});
        ErrorCode error = Fence(partition, p.current_leader_epoch);
        if (error == ErrorCode::kNone) {
          auto read = partition->ReadRecords(request.replica_id, Offset(p.fetch_offset),
                                             p.partition_max_bytes, true, WallClockNow());
          if (!read.ok()) {
            error = read.status().code() == Status::Code::kOutOfRange
                        ? ErrorCode::kOffsetOutOfRange
                        : ErrorCode::kNotLeaderOrFollower;
          } else {
            out.high_watermark = read->high_watermark.value();
            out.log_start_offset = read->log_start_offset.value();
            any_data = any_data || !read->records.empty();
            out.records = std::move(read->records);
          }
        }
        out.error_code = kafka::Code(error);
      }
    }
    // The leader would hold an empty fetch for max_wait_ms; a short pause keeps the loop calm.
    if (!any_data) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return response;
  }

  Result<kafka::OffsetForLeaderEpochResponse> OffsetForLeaderEpoch(
      const kafka::OffsetForLeaderEpochRequest& request) override {
    kafka::OffsetForLeaderEpochResponse response;
    for (const auto& topic : request.topics) {
      auto& out_topic = response.topics.emplace_back();
      out_topic.topic = topic.topic;
      for (const auto& p : topic.partitions) {
        auto& out = out_topic.partitions.emplace_back();
        out.partition = p.partition;
        auto partition = leader_->Get({topic.topic, PartitionId(p.partition)});
        ErrorCode error = Fence(partition, p.current_leader_epoch);
        if (error == ErrorCode::kNone) {
          auto [epoch, end] = partition->EndOffsetForEpoch(p.leader_epoch);
          out.leader_epoch = epoch;
          out.end_offset = end.value();
        }
        out.error_code = kafka::Code(error);
      }
    }
    return response;
  }

  Result<kafka::ListOffsetsResponse> ListOffsets(
      const kafka::ListOffsetsRequest& request) override {
    kafka::ListOffsetsResponse response;
    for (const auto& topic : request.topics) {
      auto& out_topic = response.topics.emplace_back();
      out_topic.name = topic.name;
      for (const auto& p : topic.partitions) {
        auto& out = out_topic.partitions.emplace_back();
        out.partition_index = p.partition_index;
        auto partition = leader_->Get({topic.name, PartitionId(p.partition_index)});
        ErrorCode error = Fence(partition, p.current_leader_epoch);
        if (error == ErrorCode::kNone) {
          out.offset = p.timestamp == -2 ? partition->log().LogStartOffset().value()
                                         : partition->log().LogEndOffset().value();
        }
        out.error_code = kafka::Code(error);
      }
    }
    return response;
  }

  void Close() override {}

 private:
  static ErrorCode Fence(const std::shared_ptr<Partition>& partition, int32_t current_epoch) {
    if (partition == nullptr || !partition->is_leader()) return ErrorCode::kNotLeaderOrFollower;
    if (current_epoch >= 0 && current_epoch < partition->leader_epoch()) {
      return ErrorCode::kFencedLeaderEpoch;
    }
    if (current_epoch > partition->leader_epoch()) return ErrorCode::kUnknownLeaderEpoch;
    return ErrorCode::kNone;
  }

  ReplicaManager* leader_;
};

// One broker: its own log dir, LogManager and ReplicaManager.
struct Broker {
  Broker(int32_t id, std::map<int32_t, Broker*>* all) : id(id) {
    auto opened = storage::LogManager::Open({dir.path()}, BrokerId(id), "",
                                            storage::testing::SmallConfig(), TimestampMs(0));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    logs = std::move(*opened);
    ReplicaManagerOptions options;
    options.broker_id = id;
    options.replica_lag_time_max_ms = 10'000;
    options.replica_fetch_backoff_ms = 50;
    options.leader_endpoint_factory = [all](const BrokerAddress& leader) {
      return std::make_unique<InProcessEndpoint>(all->at(leader.id)->replicas.get());
    };
    replicas =
        std::make_unique<ReplicaManager>(options, *logs, writer, listener, [](const std::string&) {
          return PartitionConfig{storage::testing::SmallConfig(), 1};
        });
    replicas->Start();
  }
  ~Broker() { replicas->Stop(); }

  int32_t id;
  storage::testing::TempDir dir;
  testing::FakeIsrWriter writer;
  testing::RecordingListener listener;
  std::unique_ptr<storage::LogManager> logs;
  std::unique_ptr<ReplicaManager> replicas;
};

class ReplicaManagerTest : public ::testing::Test {
 protected:
  // Fetchers call into other brokers: stop every broker before destroying any.
  void TearDown() override {
    for (auto& broker : brokers_) broker->replicas->Stop();
  }

  Broker& Add(int32_t id) {
    auto broker = std::make_unique<Broker>(id, &all_);
    all_[id] = broker.get();
    brokers_.push_back(std::move(broker));
    return *brokers_.back();
  }

  LeaderAndIsrPartitionState State(int32_t leader, int32_t epoch, std::vector<int32_t> isr,
                                   std::vector<int32_t> replicas = {1, 2}) {
    LeaderAndIsrPartitionState state;
    state.tp = tp_;
    state.controller_epoch = 1;
    state.leader = leader;
    state.leader_epoch = epoch;
    state.isr = std::move(isr);
    state.replicas = std::move(replicas);
    return state;
  }

  static std::vector<BrokerAddress> Live(std::vector<int32_t> ids) {
    std::vector<BrokerAddress> out;
    for (int32_t id : ids) out.push_back({id, "in-process", 9092 + id});
    return out;
  }

  LeaderAndIsrResult Send(Broker& broker, const LeaderAndIsrPartitionState& state,
                          int32_t controller_epoch = 1) {
    return broker.replicas->BecomeLeaderOrFollower(0, controller_epoch, {state}, Live({1, 2, 3}));
  }

  static std::vector<uint8_t> LogBytes(Broker& broker, const storage::TopicPartition& tp) {
    auto partition = broker.replicas->Get(tp);
    std::vector<uint8_t> all;
    Offset next(0);
    const Offset end = partition->log().LogEndOffset();
    while (next < end) {
      auto read = partition->log().Read(next, 1 << 20, end, true);
      if (!read.ok() || read->records.empty()) break;
      all.insert(all.end(), read->records.begin(), read->records.end());
      // Advance past everything read: the last batch's last offset + 1.
      auto batches = kafka::SplitRecordBatches(read->records);
      auto last = kafka::ParseRecordBatchHeader(batches->back());
      next = Offset(last->last_offset() + 1);
    }
    return all;
  }

  std::map<int32_t, Broker*> all_;
  std::vector<std::unique_ptr<Broker>> brokers_;
  storage::TopicPartition tp_{"orders", PartitionId(0)};
};

TEST_F(ReplicaManagerTest, StaleControllerEpochRefusesTheWholeRequest) {
  Broker& b1 = Add(1);
  EXPECT_EQ(Send(b1, State(1, 1, {1}), /*controller_epoch=*/5).error, ErrorCode::kNone);
  auto stale = Send(b1, State(1, 2, {1}), /*controller_epoch=*/4);
  EXPECT_EQ(stale.error, ErrorCode::kStaleControllerEpoch);
  EXPECT_EQ(b1.replicas->Get(tp_)->leader_epoch(), 1);
  EXPECT_FALSE(b1.replicas->AcceptControllerEpoch(4));
  EXPECT_TRUE(b1.replicas->AcceptControllerEpoch(5));
  EXPECT_EQ(b1.replicas->controller_epoch(), 5);
}

TEST_F(ReplicaManagerTest, LeaderEpochMustGrowAndTheBrokerMustBeAReplica) {
  Broker& b1 = Add(1);
  auto first = Send(b1, State(1, 3, {1}));
  EXPECT_EQ(first.partitions.at(tp_), ErrorCode::kNone);
  EXPECT_EQ(Send(b1, State(1, 3, {1})).partitions.at(tp_), ErrorCode::kStaleControllerEpoch);
  EXPECT_EQ(Send(b1, State(1, 2, {1})).partitions.at(tp_), ErrorCode::kStaleControllerEpoch);
  auto other = State(2, 1, {2}, {2, 3});
  other.tp = {"elsewhere", PartitionId(0)};
  EXPECT_EQ(Send(b1, other).partitions.at(other.tp), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(b1.replicas->Get(other.tp), nullptr);
  EXPECT_EQ(b1.replicas->LeaderCount(), 1u);
  EXPECT_EQ(b1.listener.events(), (std::vector<std::string>{"leader orders-0 3"}));
}

TEST_F(ReplicaManagerTest, FollowerReplicatesJoinsTheIsrAndCommitsAcksAll) {
  Broker& b1 = Add(1);
  Broker& b2 = Add(2);
  ASSERT_EQ(Send(b1, State(1, 1, {1})).partitions.at(tp_), ErrorCode::kNone);
  ASSERT_EQ(Send(b2, State(1, 1, {1})).partitions.at(tp_), ErrorCode::kNone);
  EXPECT_EQ(b2.replicas->fetchers().LeaderFor(tp_)->id, 1);
  auto leader = b1.replicas->Get(tp_);
  auto follower = b2.replicas->Get(tp_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(leader->AppendAsLeader(ClientBatch(2), 1, WallClockNow()).ok());
  }
  ASSERT_TRUE(test::WaitUntil([&] { return leader->isr().size() == 2; }, std::chrono::seconds(10)));
  EXPECT_EQ(b1.writer.writes().back().isr, (std::vector<int32_t>{1, 2}));
  auto outcome = leader->AppendAsLeader(ClientBatch(3), -1, WallClockNow());
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.info.last_offset, Offset(12));
  ASSERT_TRUE(test::WaitUntil(
      [&] { return leader->CheckAcksAll(outcome.info.last_offset) == ErrorCode::kNone; },
      std::chrono::seconds(10)));
  ASSERT_TRUE(test::WaitUntil([&] { return follower->log().HighWatermark() == Offset(13); },
                              std::chrono::seconds(10)));
  EXPECT_EQ(LogBytes(b1, tp_), LogBytes(b2, tp_));
  EXPECT_EQ(follower->log().LatestEpoch(), 1);
}

TEST_F(ReplicaManagerTest, DivergedOldLeaderTruncatesToTheNewLeadersLog) {
  Broker& b1 = Add(1);
  Broker& b2 = Add(2);
  ASSERT_EQ(Send(b1, State(1, 1, {1, 2})).partitions.at(tp_), ErrorCode::kNone);
  ASSERT_EQ(Send(b2, State(1, 1, {1, 2})).partitions.at(tp_), ErrorCode::kNone);
  auto p1 = b1.replicas->Get(tp_);
  auto p2 = b2.replicas->Get(tp_);
  ASSERT_TRUE(p1->AppendAsLeader(ClientBatch(5), 1, WallClockNow()).ok());
  ASSERT_TRUE(test::WaitUntil([&] { return p2->log().LogEndOffset() == Offset(5); },
                              std::chrono::seconds(10)));
  // Broker 2 takes over at epoch 2 (broker 1 is cut off and still writes, uncommitted).
  ASSERT_EQ(Send(b2, State(2, 2, {2})).partitions.at(tp_), ErrorCode::kNone);
  ASSERT_TRUE(p1->AppendAsLeader(ClientBatch(3), 1, WallClockNow()).ok());
  ASSERT_TRUE(p2->AppendAsLeader(ClientBatch(4), 1, WallClockNow()).ok());
  EXPECT_EQ(p1->log().LogEndOffset(), Offset(8));
  EXPECT_EQ(p2->log().LogEndOffset(), Offset(9));
  // Broker 1 comes back as follower: OffsetForLeaderEpoch(1) -> (1, 5): drop 5-7, fetch 5-8.
  ASSERT_EQ(Send(b1, State(2, 2, {2})).partitions.at(tp_), ErrorCode::kNone);
  ASSERT_TRUE(test::WaitUntil([&] { return p1->log().LogEndOffset() == Offset(9); },
                              std::chrono::seconds(10)));
  EXPECT_EQ(LogBytes(b1, tp_), LogBytes(b2, tp_));
  EXPECT_EQ(p1->log().EndOffsetForEpoch(1), (std::pair<int32_t, Offset>{1, Offset(5)}));
  EXPECT_EQ(b1.listener.events().back(), "follower orders-0 2");
}

TEST_F(ReplicaManagerTest, LeaderNotLiveMeansNoFetcherButNoLeadershipEither) {
  Broker& b2 = Add(2);
  auto result = b2.replicas->BecomeLeaderOrFollower(0, 1, {State(1, 1, {1})}, Live({3}));
  EXPECT_EQ(result.partitions.at(tp_), ErrorCode::kNone);
  EXPECT_FALSE(b2.replicas->Get(tp_)->is_leader());
  EXPECT_FALSE(b2.replicas->fetchers().LeaderFor(tp_).has_value());
}

TEST_F(ReplicaManagerTest, StopReplicaFencesOldEpochsAndDeletesLogs) {
  Broker& b1 = Add(1);
  ASSERT_EQ(Send(b1, State(1, 4, {1})).partitions.at(tp_), ErrorCode::kNone);
  const auto dir = b1.replicas->Get(tp_)->log().dir();
  auto fenced = b1.replicas->StopReplicas(0, 1, {{tp_, 4, true}});
  EXPECT_EQ(fenced.partitions.at(tp_), ErrorCode::kFencedLeaderEpoch);
  EXPECT_NE(b1.replicas->Get(tp_), nullptr);
  EXPECT_EQ(b1.replicas->StopReplicas(0, 0, {{tp_, 5, true}}).error,
            ErrorCode::kStaleControllerEpoch);
  auto stopped = b1.replicas->StopReplicas(0, 1, {{tp_, -2, true}});
  EXPECT_EQ(stopped.partitions.at(tp_), ErrorCode::kNone);
  EXPECT_EQ(b1.replicas->Get(tp_), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(b1.listener.events().back(), "delete orders-0");
  // Unknown partitions are fine (the log may have been removed already).
  auto again = b1.replicas->StopReplicas(0, 1, {{tp_, -1, true}});
  EXPECT_EQ(again.partitions.at(tp_), ErrorCode::kNone);
}

TEST_F(ReplicaManagerTest, StopWithoutDeleteStopsFetchingButKeepsThePartition) {
  Broker& b1 = Add(1);
  Broker& b2 = Add(2);
  ASSERT_EQ(Send(b1, State(1, 1, {1})).partitions.at(tp_), ErrorCode::kNone);
  ASSERT_EQ(Send(b2, State(1, 1, {1})).partitions.at(tp_), ErrorCode::kNone);
  ASSERT_TRUE(b2.replicas->fetchers().LeaderFor(tp_).has_value());
  auto stopped = b2.replicas->StopReplicas(0, 1, {{tp_, 2, false}});
  EXPECT_EQ(stopped.partitions.at(tp_), ErrorCode::kNone);
  EXPECT_NE(b2.replicas->Get(tp_), nullptr);
  EXPECT_FALSE(b2.replicas->fetchers().LeaderFor(tp_).has_value());
  EXPECT_EQ(b2.replicas->fetchers().fetcher_count(), 0u);
}

}  // namespace
}  // namespace sluice::replication

#include "broker/server/delayed_produce.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

namespace sluice::server {
namespace {

using kafka::ErrorCode;

// High watermarks and decisions per partition, as Partition::CheckAcksAll would give them.
class FakePartitions {
 public:
  void SetHighWatermark(const std::string& key, int64_t hw) {
    std::lock_guard lock(mu_);
    hw_[key] = hw;
  }
  void SetError(const std::string& key, ErrorCode error) {
    std::lock_guard lock(mu_);
    errors_[key] = error;
  }
  DelayedProduce::CheckAcks Checker() {
    return [this](const std::string& topic, int32_t partition,
                  Offset last_offset) -> std::optional<ErrorCode> {
      std::lock_guard lock(mu_);
      const std::string key = topic + "-" + std::to_string(partition);
      if (auto e = errors_.find(key); e != errors_.end()) return e->second;
      if (hw_[key] > last_offset.value()) return ErrorCode::kNone;
      return std::nullopt;
    };
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> hw_;
  std::map<std::string, ErrorCode> errors_;
};

// A response for topic "t" with partitions 0 and 1 appended at base offsets 10 and 20, and
// partition 2 already failed (UNKNOWN_TOPIC_OR_PARTITION, not waiting).
kafka::ProduceResponse TwoWaitingOneFailed() {
  kafka::ProduceResponse response;
  auto& topic = response.responses.emplace_back();
  topic.name = "t";
  for (int32_t p : {0, 1, 2}) {
    auto& out = topic.partition_responses.emplace_back();
    out.index = p;
    out.base_offset = p == 2 ? -1 : 10 * (p + 1);
    out.error_code = p == 2 ? kafka::Code(ErrorCode::kUnknownTopicOrPartition) : 0;
  }
  return response;
}

std::vector<DelayedProduce::Waiting> WaitingFor(int64_t last0, int64_t last1) {
  return {{0, 0, Offset(last0)}, {0, 1, Offset(last1)}};
}

class DelayedProduceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  // Parks a DelayedProduce for partitions t-0 (last offset 14) and t-1 (last offset 24).
  void Park(std::chrono::milliseconds timeout) {
    auto op =
        std::make_shared<DelayedProduce>(TwoWaitingOneFailed(), WaitingFor(14, 24),
                                         partitions_.Checker(), [this](kafka::ProduceResponse r) {
                                           std::lock_guard lock(mu_);
                                           responses_.push_back(std::move(r));
                                           cv_.notify_all();
                                         });
    purgatory_.TryCompleteElseWatch(op, {"t-0", "t-1"}, timeout);
  }
  size_t Responses() {
    std::lock_guard lock(mu_);
    return responses_.size();
  }
  kafka::ProduceResponse WaitForResponse() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [this] { return !responses_.empty(); });
    EXPECT_EQ(responses_.size(), 1u);
    return responses_.empty() ? kafka::ProduceResponse() : responses_.front();
  }
  static int16_t ErrorOf(const kafka::ProduceResponse& r, int32_t partition) {
    return r.responses.at(0).partition_responses.at(partition).error_code;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::thread thread_;
  Purgatory purgatory_{io_};
  FakePartitions partitions_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<kafka::ProduceResponse> responses_;
};

TEST_F(DelayedProduceTest, AnswersAtOnceWhenEverythingIsAlreadyCommitted) {
  partitions_.SetHighWatermark("t-0", 15);
  partitions_.SetHighWatermark("t-1", 25);
  Park(std::chrono::seconds(10));
  auto r = WaitForResponse();
  EXPECT_EQ(ErrorOf(r, 0), 0);
  EXPECT_EQ(ErrorOf(r, 1), 0);
  EXPECT_EQ(ErrorOf(r, 2), kafka::Code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(r.responses[0].partition_responses[1].base_offset, 20);
  EXPECT_EQ(purgatory_.watching(), 0u);
}

TEST_F(DelayedProduceTest, WaitsUntilTheLastPartitionIsCommitted) {
  Park(std::chrono::seconds(10));
  EXPECT_EQ(purgatory_.watching(), 2u);
  partitions_.SetHighWatermark("t-0", 14);  // the last offset itself is not committed yet
  purgatory_.CheckAndComplete("t-0");
  EXPECT_EQ(Responses(), 0u);
  partitions_.SetHighWatermark("t-0", 15);
  purgatory_.CheckAndComplete("t-0");
  EXPECT_EQ(Responses(), 0u);  // t-1 still waits
  partitions_.SetHighWatermark("t-1", 100);
  purgatory_.CheckAndComplete("t-1");
  auto r = WaitForResponse();
  EXPECT_EQ(ErrorOf(r, 0), 0);
  EXPECT_EQ(ErrorOf(r, 1), 0);
}

TEST_F(DelayedProduceTest, TimeoutAnswersRequestTimedOutOnlyForUncommittedPartitions) {
  const auto start = std::chrono::steady_clock::now();
  Park(std::chrono::milliseconds(100));
  partitions_.SetHighWatermark("t-0", 15);
  purgatory_.CheckAndComplete("t-0");
  auto r = WaitForResponse();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(ErrorOf(r, 0), 0);
  EXPECT_EQ(ErrorOf(r, 1), kafka::Code(ErrorCode::kRequestTimedOut));
  EXPECT_EQ(ErrorOf(r, 2), kafka::Code(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(DelayedProduceTest, LostLeadershipAndShrunkIsrAreReportedPerPartition) {
  Park(std::chrono::seconds(10));
  partitions_.SetError("t-0", ErrorCode::kNotLeaderOrFollower);
  purgatory_.CheckAndComplete("t-0");
  EXPECT_EQ(Responses(), 0u);
  partitions_.SetError("t-1", ErrorCode::kNotEnoughReplicasAfterAppend);
  purgatory_.CheckAndComplete("t-1");
  auto r = WaitForResponse();
  EXPECT_EQ(ErrorOf(r, 0), kafka::Code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(ErrorOf(r, 1), kafka::Code(ErrorCode::kNotEnoughReplicasAfterAppend));
}

TEST_F(DelayedProduceTest, ConcurrentNotifiersSendOneResponse) {
  for (int i = 0; i < 50; ++i) {
    responses_.clear();
    partitions_.SetHighWatermark("t-0", 0);
    partitions_.SetHighWatermark("t-1", 0);
    Park(std::chrono::seconds(10));
    partitions_.SetHighWatermark("t-0", 15);
    partitions_.SetHighWatermark("t-1", 25);
    std::thread a([this] { purgatory_.CheckAndComplete("t-0"); });
    std::thread b([this] { purgatory_.CheckAndComplete("t-1"); });
    a.join();
    b.join();
    EXPECT_EQ(Responses(), 1u);
  }
}

}  // namespace
}  // namespace sluice::server

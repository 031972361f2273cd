#include "broker/server/purgatory.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::server {
namespace {

// Completes when `*ready` is true; counts completions.
class Waiter : public DelayedOperation {
 public:
  Waiter(std::atomic<bool>* ready, std::atomic<int>* completions)
      : ready_(ready), completions_(completions) {}
  bool TryComplete() override { return ready_->load() && ForceComplete(); }
  void OnComplete() override { ++*completions_; }

 private:
  std::atomic<bool>* ready_;
  std::atomic<int>* completions_;
};

class PurgatoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::thread thread_;
  Purgatory purgatory_{io_};
};

TEST_F(PurgatoryTest, CompletesImmediatelyWhenReady) {
  std::atomic<bool> ready{true};
  std::atomic<int> completions{0};
  purgatory_.TryCompleteElseWatch(std::make_shared<Waiter>(&ready, &completions), {"t-0"},
                                  std::chrono::seconds(10));
  EXPECT_EQ(completions, 1);
  EXPECT_EQ(purgatory_.watching(), 0u);
}

TEST_F(PurgatoryTest, CompletesOnNotifyExactlyOnce) {
  std::atomic<bool> ready{false};
  std::atomic<int> completions{0};
  purgatory_.TryCompleteElseWatch(std::make_shared<Waiter>(&ready, &completions),
                                  {"t-0", "t-1"}, std::chrono::seconds(10));
  EXPECT_EQ(completions, 0);
  EXPECT_EQ(purgatory_.watching(), 2u);  // one operation, watched under two keys
  purgatory_.CheckAndComplete("t-1");
  EXPECT_EQ(completions, 0);  // notified but not ready
  ready = true;
  purgatory_.CheckAndComplete("t-0");
  purgatory_.CheckAndComplete("t-1");
  EXPECT_EQ(completions, 1);
  EXPECT_EQ(purgatory_.watching(), 0u);
}

TEST_F(PurgatoryTest, ExpiresAtTheDeadline) {
  std::atomic<bool> ready{false};
  std::atomic<int> completions{0};
  const auto start = std::chrono::steady_clock::now();
  purgatory_.TryCompleteElseWatch(std::make_shared<Waiter>(&ready, &completions), {"t-0"},
                                  std::chrono::milliseconds(50));
  while (completions == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(completions, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

TEST_F(PurgatoryTest, NotifyRacingWithExpiryCompletesOnce) {
  std::atomic<int> completions{0};
  std::atomic<bool> ready{true};
  for (int i = 0; i < 200; ++i) {
    std::atomic<bool> not_yet{false};
    purgatory_.TryCompleteElseWatch(std::make_shared<Waiter>(&not_yet, &completions), {"k"},
                                    std::chrono::milliseconds(1));
    not_yet = true;
    purgatory_.CheckAndComplete("k");
  }
  // Wait for the timers of any that did not complete through the notify.
  const auto start = std::chrono::steady_clock::now();
  while (completions < 200 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(completions, 200);
}

}  // namespace
}  // namespace sluice::server

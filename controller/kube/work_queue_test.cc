// GoogleTest before cpprestsdk: cpprest defines a macro U() that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/work_queue.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, DeduplicatesQueuedKeysInFifoOrder) {
  WorkQueue queue;
  queue.Add("a");
  queue.Add("b");
  queue.Add("a");
  EXPECT_EQ(queue.Len(), 2u);
  EXPECT_EQ(*queue.Get(), "a");
  EXPECT_EQ(*queue.Get(), "b");
  EXPECT_EQ(queue.Len(), 0u);
  EXPECT_FALSE(queue.GetFor(20ms).has_value());
}

TEST(WorkQueue, KeyAddedWhileProcessingComesBackOnlyAfterDone) {
  WorkQueue queue;
  queue.Add("a");
  std::string key = *queue.Get();
  queue.Add("a");  // changed again while a worker has it
  queue.Add("a");
  EXPECT_EQ(queue.Len(), 0u);  // not handed to a second worker
  EXPECT_FALSE(queue.GetFor(30ms).has_value());
  queue.Done(key);
  EXPECT_EQ(queue.Len(), 1u);  // once, however often it was added
  EXPECT_EQ(*queue.GetFor(100ms), "a");
  queue.Done("a");
  EXPECT_FALSE(queue.GetFor(30ms).has_value());
}

TEST(WorkQueue, NeverTwoWorkersOnOneKeyUnderLoad) {
  WorkQueue queue;
  std::mutex mutex;
  std::set<std::string> busy;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.Get()) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (!busy.insert(*key).second) overlap = true;
        }
        std::this_thread::sleep_for(200us);
        {
          std::lock_guard<std::mutex> lock(mutex);
          busy.erase(*key);
        }
        ++processed;
        queue.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) queue.Add("k" + std::to_string(i % 5));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (queue.Len() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(50ms);
  queue.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap.load());
  EXPECT_GE(processed.load(), 5);
  EXPECT_LT(processed.load(), 2000);  // dedup collapsed most adds
}

TEST(WorkQueue, AddAfterDelaysAndKeepsTheEarliestTime) {
  WorkQueue queue;
  auto start = std::chrono::steady_clock::now();
  queue.AddAfter("late", 300ms);
  queue.AddAfter("late", 80ms);   // earlier wins
  queue.AddAfter("late", 500ms);  // later is ignored
  EXPECT_EQ(queue.Len(), 0u);
  std::optional<std::string> key = queue.GetFor(2s);
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, "late");
  EXPECT_GE(waited, 75ms);
  EXPECT_LT(waited, 290ms);
  queue.Done("late");
  EXPECT_FALSE(queue.GetFor(600ms).has_value());  // the 300/500 ms entries were merged away
}

TEST(ExponentialRateLimiter, DoublesPerKeyFromBaseToCapAndForgets) {
  ExponentialRateLimiter limiter(5ms, 1000s);
  EXPECT_EQ(limiter.When("a"), 5ms);
  EXPECT_EQ(limiter.When("a"), 10ms);
  EXPECT_EQ(limiter.When("a"), 20ms);
  EXPECT_EQ(limiter.When("b"), 5ms);  // per key
  EXPECT_EQ(limiter.NumRequeues("a"), 3);
  for (int i = 0; i < 40; ++i) limiter.When("a");
  EXPECT_EQ(limiter.When("a"), std::chrono::milliseconds(1000s));
  limiter.Forget("a");
  EXPECT_EQ(limiter.NumRequeues("a"), 0);
  EXPECT_EQ(limiter.When("a"), 5ms);
}

TEST(WorkQueue, AddRateLimitedBacksOffUntilForget) {
  WorkQueue queue(20ms, 1000ms);
  queue.AddRateLimited("x");  // 20 ms
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(queue.GetFor(1s).has_value());
  queue.Done("x");
  queue.AddRateLimited("x");  // 40 ms
  queue.AddRateLimited("y");  // 20 ms: y overtakes x
  EXPECT_EQ(*queue.GetFor(1s), "y");
  EXPECT_EQ(*queue.GetFor(1s), "x");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 35ms);
  EXPECT_EQ(queue.NumRequeues("x"), 2);
  queue.Forget("x");
  EXPECT_EQ(queue.NumRequeues("x"), 0);
}

TEST(WorkQueue, ShutDownWakesBlockedWorkersAndRefusesNewKeys) {
  WorkQueue queue;
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = queue.Get(); });
  std::this_thread::sleep_for(30ms);
  queue.ShutDown();
  worker.join();
  EXPECT_FALSE(got.has_value());
  EXPECT_TRUE(queue.ShuttingDown());
  queue.Add("late");
  EXPECT_EQ(queue.Len(), 0u);
}

}  // namespace
}  // namespace sluice::kube

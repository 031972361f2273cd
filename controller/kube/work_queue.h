// A rate-limited work queue of string keys ("ns/name"), with client-go's workqueue guarantees:
//
//  * a key queued several times before a worker takes it is processed once (dedup);
//  * a key is never processed by two workers at once: Add while it is being processed marks it
//    dirty, and Done puts it back in the queue, so the latest state is always looked at again;
//  * AddAfter(delay) queues a key later (a requeue after a timed wait);
//  * AddRateLimited backs off per key exponentially (5 ms * 2^failures, at most 1000 s) until
//    Forget(key) after a success.
//
// Worker loop:  while (auto key = queue.Get()) { Status s = Sync(*key);
//                 if (s.ok()) queue.Forget(*key); else queue.AddRateLimited(*key);
//                 queue.Done(*key); }
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sluice::kube {

// Per-key exponential backoff: base * 2^(failures so far), capped at max.
class ExponentialRateLimiter {
 public:
  explicit ExponentialRateLimiter(std::chrono::milliseconds base = std::chrono::milliseconds(5),
                                  std::chrono::milliseconds max = std::chrono::milliseconds(1000 *
                                                                                            1000));
  // The delay for this failure of `key`; counts the failure.
  std::chrono::milliseconds When(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

 private:
  const std::chrono::milliseconds base_;
  const std::chrono::milliseconds max_;
  mutable std::mutex mutex_;
  std::map<std::string, int> failures_;
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WorkQueue(std::chrono::milliseconds backoff_base = std::chrono::milliseconds(5),
                     std::chrono::milliseconds backoff_max = std::chrono::milliseconds(1000 *
                                                                                       1000));
  ~WorkQueue();  // ShutDown and join the delay thread
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready; nullopt at once after ShutDown (keys still queued are dropped:
  // the operator is exiting, and the next leader re-lists everything anyway).
  std::optional<std::string> Get();
  // Get with a deadline: nullopt on timeout or shutdown.
  std::optional<std::string> GetFor(std::chrono::milliseconds timeout);
  // The worker finished `key` (successfully or not): required after every Get.
  void Done(const std::string& key);

  void ShutDown();
  bool ShuttingDown() const;
  size_t Len() const;  // keys waiting (not processing, not delayed)

 private:
  void DelayLoop();
  void AddLocked(const std::string& key);

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable delayed_changed_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be queued again after Done
  std::set<std::string> processing_;  // taken by a worker, not Done yet
  // Delayed adds: time -> keys; for each key only its earliest time is kept.
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, Clock::time_point> delayed_at_;
  bool shutting_down_ = false;
  ExponentialRateLimiter limiter_;
  std::thread delay_thread_;
};

}  // namespace sluice::kube

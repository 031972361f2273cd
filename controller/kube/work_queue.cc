#include "controller/kube/work_queue.h"

#include <algorithm>
#include <cmath>

namespace sluice::kube {

ExponentialRateLimiter::ExponentialRateLimiter(std::chrono::milliseconds base,
                                               std::chrono::milliseconds max)
    : base_(base), max_(max) {}

std::chrono::milliseconds ExponentialRateLimiter::When(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  int exponent = failures_[key]++;
  // Doubles overflow nowhere near the cap, so compute in double and clamp.
  double delay = static_cast<double>(base_.count()) * std::pow(2.0, std::min(exponent, 62));
  if (delay >= static_cast<double>(max_.count())) return max_;
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

void ExponentialRateLimiter::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  failures_.erase(key);
}

int ExponentialRateLimiter::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

WorkQueue::WorkQueue(std::chrono::milliseconds backoff_base, std::chrono::milliseconds backoff_max)
    : limiter_(backoff_base, backoff_max) {
  delay_thread_ = std::thread([this] { DelayLoop(); });
}

WorkQueue::~WorkQueue() {
  ShutDown();
  if (delay_thread_.joinable()) delay_thread_.join();
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key) > 0) return;
  dirty_.insert(key);
  if (processing_.count(key) > 0) return;  // Done will queue it again
  queue_.push_back(key);
  ready_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay <= std::chrono::milliseconds::zero()) return Add(key);
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutting_down_) return;
  const Clock::time_point at = Clock::now() + delay;
  auto existing = delayed_at_.find(key);
  if (existing != delayed_at_.end()) {
    if (existing->second <= at) return;  // already due earlier
    auto range = delayed_.equal_range(existing->second);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == key) {
        delayed_.erase(it);
        break;
      }
    }
  }
  delayed_.emplace(at, key);
  delayed_at_[key] = at;
  delayed_changed_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_.When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return limiter_.NumRequeues(key); }

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait(lock, [this] { return shutting_down_ || !queue_.empty(); });
  if (shutting_down_) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

std::optional<std::string> WorkQueue::GetFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!ready_.wait_for(lock, timeout, [this] { return shutting_down_ || !queue_.empty(); })) {
    return std::nullopt;
  }
  if (shutting_down_) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  processing_.erase(key);
  if (dirty_.count(key) > 0 && !shutting_down_) {
    queue_.push_back(key);
    ready_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mutex_);
  shutting_down_ = true;
  ready_.notify_all();
  delayed_changed_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void WorkQueue::DelayLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!shutting_down_) {
    if (delayed_.empty()) {
      delayed_changed_.wait(lock);
      continue;
    }
    const Clock::time_point next = delayed_.begin()->first;
    if (Clock::now() < next) {
      delayed_changed_.wait_until(lock, next);
      continue;
    }
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayed_at_.erase(key);
    AddLocked(key);
  }
}

}  // namespace sluice::kube

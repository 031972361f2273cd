// EventQueue<E>: a single consumer thread processing events in order, with optional delay.
//
// Kafka's controller works the same way (ControllerEventManager): ZooKeeper watches and session
// changes only enqueue events; one thread handles them, so handlers never race each other.
//
// Watch callbacks hold the queue by shared_ptr, so a callback that fires after the owner is gone
// pushes into a closed queue, which drops it. Thread safety: Push/Close from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace sluice::metadata {

template <typename Event>
class EventQueue {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the consumer thread, which calls `handler` for each event.
  static std::shared_ptr<EventQueue> Start(std::function<void(const Event&)> handler) {
    auto queue = std::shared_ptr<EventQueue>(new EventQueue(std::move(handler)));
    queue->thread_ = std::thread([raw = queue.get()] { raw->Run(); });
    return queue;
  }

  ~EventQueue() { Close(); }

  void Push(Event event, std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      // Same-deadline events keep their push order (sequence number breaks ties).
      pending_.emplace(std::make_pair(Clock::now() + delay, next_sequence_++), std::move(event));
    }
    cv_.notify_one();
  }

  // Drops pending events, waits for the running handler and joins the thread. Must not be called
  // from the handler itself. Idempotent.
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      pending_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  // True when nothing is pending (ready or delayed) and no handler runs.
  bool Idle() const {
    std::lock_guard lock(mu_);
    return pending_.empty() && !busy_;
  }

 private:
  explicit EventQueue(std::function<void(const Event&)> handler) : handler_(std::move(handler)) {}

  void Run() {
    std::unique_lock lock(mu_);
    while (!closed_) {
      if (pending_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = pending_.begin();
      if (first->first.first > Clock::now()) {
        cv_.wait_until(lock, first->first.first);
        continue;
      }
      Event event = std::move(first->second);
      pending_.erase(first);
      busy_ = true;
      lock.unlock();
      handler_(event);
      lock.lock();
      busy_ = false;
    }
  }

  std::function<void(const Event&)> handler_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<Clock::time_point, uint64_t>, Event> pending_;
  uint64_t next_sequence_ = 0;
  bool busy_ = false;
  bool closed_ = false;
  std::thread thread_;
};

}  // namespace sluice::metadata

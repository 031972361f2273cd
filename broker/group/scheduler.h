// Time for the group coordinator: the wall clock (commit timestamps, offset expiry) and
// one-shot timers (session timeouts, rebalance timeouts, the initial rebalance delay, the
// offset retention pass). Timers never block a thread: the broker runs them on the network
// io_context like the purgatory's; tests drive a manual clock.
//
// Timers cannot be cancelled: the coordinator gives each an epoch and ignores stale ones,
// which keeps the races between a timer and a request (on different threads) in one place,
// under the coordinator's lock.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "libs/base/asio.h"

namespace sluice::group {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() = 0;
  // Runs `task` once, `delay` from now, on some thread other than the caller's stack.
  virtual void RunAfter(std::chrono::milliseconds delay, std::function<void()> task) = 0;
};

// Timers on an io_context. After Shutdown() pending tasks are dropped when they fire.
// Thread-safe.
class AsioScheduler : public Scheduler {
 public:
  explicit AsioScheduler(boost::asio::io_context& io) : io_(io) {}
  ~AsioScheduler() override { Shutdown(); }

  int64_t NowMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void RunAfter(std::chrono::milliseconds delay, std::function<void()> task) override {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait(
        [timer, alive = alive_, task = std::move(task)](const boost::system::error_code&) {
          if (alive->load()) task();
        });
  }
  void Shutdown() { alive_->store(false); }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace sluice::group

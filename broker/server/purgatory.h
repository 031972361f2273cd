// The purgatory: requests that must wait (a Fetch below min.bytes, later a Produce with
// acks=all waiting for followers) park here, never on a thread. Each waiting operation watches
// keys (partitions); whoever changes a partition calls CheckAndComplete(key), and a timer
// completes the operation at its deadline with whatever it has.
//
// Invariant: an operation's OnComplete runs exactly once, whichever of TryComplete (from a
// notifier's thread) or the timer (on the io_context) gets there first; ForceComplete decides
// the race with an atomic flag.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "libs/base/asio.h"

namespace sluice::server {

class DelayedOperation : public std::enable_shared_from_this<DelayedOperation> {
 public:
  virtual ~DelayedOperation() = default;
  // Checks whether the operation can finish now; if so, calls ForceComplete() and returns true.
  virtual bool TryComplete() = 0;
  // Finishes the operation (sends the response). Called exactly once.
  virtual void OnComplete() = 0;

  // Returns true for the one caller that wins the right to complete.
  bool ForceComplete() {
    bool expected = false;
    if (!completed_.compare_exchange_strong(expected, true)) return false;
    if (timer_) {
      // The cancellation races harmlessly with expiry: the loser sees completed_ set.
      timer_->cancel();
    }
    OnComplete();
    return true;
  }
  bool completed() const { return completed_.load(); }

 private:
  friend class Purgatory;
  std::atomic<bool> completed_{false};
  std::shared_ptr<boost::asio::steady_timer> timer_;
};

class Purgatory {
 public:
  explicit Purgatory(boost::asio::io_context& io) : io_(io) {}

  // Completes `op` now if it can; otherwise watches `keys` until it can or `timeout` passes.
  void TryCompleteElseWatch(const std::shared_ptr<DelayedOperation>& op,
                            const std::vector<std::string>& keys,
                            std::chrono::milliseconds timeout);
  // Re-checks the operations watching `key` (call after the partition changed).
  void CheckAndComplete(const std::string& key);
  // Number of operations still watching (for metrics and tests).
  size_t watching() const;

 private:
  boost::asio::io_context& io_;
  mutable std::mutex mu_;
  // GUARDED_BY(mu_): completed operations are pruned lazily on each check.
  std::unordered_map<std::string, std::vector<std::weak_ptr<DelayedOperation>>> watchers_;
};

}  // namespace sluice::server

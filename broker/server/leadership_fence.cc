#include "broker/server/leadership_fence.h"

#include <Poco/Logger.h>

namespace sluice::server {

namespace {

Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

int64_t Millis(LeadershipFence::Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

LeadershipFence::LeadershipFence(
    std::chrono::milliseconds session_timeout,
    std::function<std::optional<Clock::time_point>()> disconnected_since,
    std::chrono::milliseconds tick)
    : stall_threshold_(session_timeout / 2),
      after_stall_(session_timeout / 3),
      disconnect_threshold_(session_timeout / 3),
      tick_(tick),
      disconnected_since_(std::move(disconnected_since)),
      last_tick_(Clock::now().time_since_epoch().count()) {
  thread_ = std::thread([this] { Run(); });
}

LeadershipFence::~LeadershipFence() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeadershipFence::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, tick_, [this] { return stopping_; })) {
    const Clock::time_point now = Clock::now();
    const Clock::time_point last{Clock::duration(last_tick_.load())};
    if (now - last > stall_threshold_) {
      fenced_after_stall_until_ = now + after_stall_;
      StateChangeLog().warning(
          "This broker was stalled for %?d ms (more than half of zookeeper.session.timeout.ms): "
          "it may have lost its ZooKeeper session and its leaderships; not acting as a leader "
          "for %?d ms or, if the session expired, until the controller's metadata arrives",
          Millis(now - last), Millis(after_stall_));
    }
    last_tick_.store(now.time_since_epoch().count());
  }
}

std::optional<std::string> LeadershipFence::Reason(Clock::time_point now) const {
  const Clock::time_point last{Clock::duration(last_tick_.load())};
  if (now - last > stall_threshold_) {
    return "this broker was stalled for " + std::to_string(Millis(now - last)) +
           " ms and may have lost its ZooKeeper session";
  }
  {
    std::lock_guard lock(mu_);
    if (expired_broker_epoch_) {
      return "this broker's ZooKeeper session expired; waiting for the controller's metadata";
    }
    if (now < fenced_after_stall_until_) {
      return "this broker was stalled and may have lost its ZooKeeper session";
    }
  }
  if (disconnected_since_) {
    if (std::optional<Clock::time_point> since = disconnected_since_();
        since && now - *since > disconnect_threshold_) {
      return "this broker has been disconnected from ZooKeeper for " +
             std::to_string(Millis(now - *since)) + " ms";
    }
  }
  return std::nullopt;
}

void LeadershipFence::OnSessionExpired(int64_t broker_epoch) {
  std::lock_guard lock(mu_);
  expired_broker_epoch_ = broker_epoch;
  StateChangeLog().warning(
      "ZooKeeper session expired (registration with broker epoch %?d): not acting as a leader "
      "until the controller's metadata for the new registration arrives",
      broker_epoch);
}

void LeadershipFence::OnControllerMetadata(int64_t request_broker_epoch,
                                           int64_t current_broker_epoch) {
  std::lock_guard lock(mu_);
  if (!expired_broker_epoch_) return;
  // Only the controller's word on the new registration counts: the broker re-registered (a new
  // epoch) and the request was addressed to that registration.
  if (current_broker_epoch <= *expired_broker_epoch_) return;
  if (request_broker_epoch >= 0 && request_broker_epoch < current_broker_epoch) return;
  StateChangeLog().information(
      "The controller's metadata for broker epoch %?d arrived: acting on the controller's "
      "leaderships again",
      current_broker_epoch);
  expired_broker_epoch_.reset();
}

}  // namespace sluice::server

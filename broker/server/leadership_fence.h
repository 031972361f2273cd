// Whether this broker may act as a partition leader towards clients right now.
//
// A leader learns that it lost leadership from the controller's LeaderAndIsr. A broker that lost
// its ZooKeeper session (frozen longer than zookeeper.session.timeout.ms, or cut off from
// ZooKeeper) gets none while it is out of touch: the controller has dropped it from the live
// brokers and elected other leaders, yet its own Partitions and MetadataCache still name it
// leader. Answering clients from that stale state sends them back to it (its Metadata names it
// leader), and an idempotent producer whose sequence numbers moved on at the new leader then
// gets OUT_OF_ORDER_SEQUENCE_NUMBER from the stale one, which librdkafka treats as fatal. So
// while the session may be gone the broker answers Produce with NOT_LEADER_OR_FOLLOWER and
// leaves itself out of Metadata answers (LEADER_NOT_AVAILABLE), and clients refresh their
// metadata from another broker. The fence is up:
//   * while the process looks stalled: no tick of the fence's own thread for longer than half
//     the session timeout (checked by the caller, so it holds the moment a frozen process thaws,
//     before any ZooKeeper event), and for a further third of the session timeout after a stall,
//     long enough for the ZooKeeper client to report an expired session;
//   * while the ZooKeeper client has been disconnected for over a third of the session timeout
//     (it drops the connection after two thirds of silence, so the server may have expired the
//     session by then);
//   * from a session expiry until the controller's UpdateMetadata for the new registration
//     (its broker epoch at least the one registered after the expiry) has arrived.
// Thread-safe. The destructor stops the fence's thread; the callbacks given must stay usable
// until then or until the broker stops taking requests, whichever is later for their use.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sluice::server {

class LeadershipFence {
 public:
  using Clock = std::chrono::steady_clock;
  // `disconnected_since`: ZkClient::disconnected_since (nullopt while connected).
  LeadershipFence(std::chrono::milliseconds session_timeout,
                  std::function<std::optional<Clock::time_point>()> disconnected_since,
                  std::chrono::milliseconds tick = std::chrono::milliseconds(100));
  ~LeadershipFence();
  LeadershipFence(const LeadershipFence&) = delete;
  LeadershipFence& operator=(const LeadershipFence&) = delete;

  // Why this broker must not act as a leader now; nullopt when it may.
  std::optional<std::string> Reason(Clock::time_point now = Clock::now()) const;

  // The ZooKeeper session expired; `broker_epoch` is the registration that went with it.
  void OnSessionExpired(int64_t broker_epoch);
  // An UpdateMetadata from the controller carrying `request_broker_epoch` (-1: not sent) arrived
  // while this broker's registration is `current_broker_epoch`.
  void OnControllerMetadata(int64_t request_broker_epoch, int64_t current_broker_epoch);

 private:
  void Run();

  const Clock::duration stall_threshold_;
  const Clock::duration after_stall_;
  const Clock::duration disconnect_threshold_;
  const Clock::duration tick_;
  const std::function<std::optional<Clock::time_point>()> disconnected_since_;
  std::atomic<Clock::rep> last_tick_;  // Clock::time_point::time_since_epoch().count()

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                         // GUARDED_BY(mu_)
  Clock::time_point fenced_after_stall_until_{};  // GUARDED_BY(mu_)
  std::optional<int64_t> expired_broker_epoch_;   // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace sluice::server

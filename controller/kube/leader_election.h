// Leader election on a coordination.k8s.io/v1 Lease, the client-go algorithm
// (tools/leaderelection): only the elected replica of the operator reconciles.
//
//  * TryAcquireOrRenew: GET the Lease (create it if missing). If another holder's record has not
//    changed for lease_duration by OUR clock (never trusting the other node's renewTime against
//    our wall clock), take it over; otherwise wait. Writes are PUTs with the read resourceVersion,
//    so of two candidates only one wins (the other gets 409).
//  * Acquiring sets acquireTime and increments leaseTransitions; renewing keeps both.
//  * The leader renews every retry_period; if no renewal succeeded for renew_deadline it stops
//    leading (on_stopped_leading: the operator exits, as client-go users do).
//  * Stop() while leading releases the Lease (holderIdentity cleared) so a successor need not
//    wait for expiry.
// Not fencing: two leaders may briefly overlap; destructive steps must re-check IsLeader().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "controller/kube/client.h"

namespace sluice::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per replica: the pod name (+ a random suffix)
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_stop = true;
  // Called on the elector's thread; must return quickly (start the work elsewhere).
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& identity)> on_new_leader;
  // Clocks, injectable for tests. `now` measures the local "unchanged for" time; `wall` makes
  // the MicroTime fields written into the Lease.
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<std::chrono::system_clock::time_point()> wall;
};

class LeaderElector {
 public:
  // Refuses a config breaking lease_duration > renew_deadline > 1.2 * retry_period.
  static Result<std::unique_ptr<LeaderElector>> Create(Client& client, LeaderElectionConfig config);

  // Blocks: campaigns until leader (or Stop), then renews until leadership is lost or Stop().
  // Returns true if it was leader at some point.
  bool Run();
  // Makes Run return soon (releasing the Lease if leading). Thread-safe, idempotent.
  void Stop();
  bool IsLeader() const { return leader_.load(); }
  // The holder last observed in the Lease ("" if none).
  std::string ObservedLeader() const;

  // One attempt; true when this replica holds the Lease afterwards. Public for tests.
  bool TryAcquireOrRenew();
  // Clears holderIdentity if we hold it. Public for tests.
  Status Release();

 private:
  LeaderElector(Client& client, LeaderElectionConfig config);
  bool WaitUnlessStopped(std::chrono::milliseconds delay);
  std::chrono::milliseconds Jittered(std::chrono::milliseconds base);

  Client& client_;
  LeaderElectionConfig config_;
  std::atomic<bool> leader_{false};
  mutable std::mutex mutex_;
  std::condition_variable stop_changed_;
  bool stopping_ = false;
  // The last Lease spec seen and when (local clock) it was first seen in that form.
  std::string observed_spec_;
  std::string observed_holder_;
  std::string observed_rv_;
  std::chrono::steady_clock::time_point observed_time_;
  web::json::value observed_lease_;
};

}  // namespace sluice::kube

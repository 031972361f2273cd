// ReconcileLoop: what the elected operator runs, client-go's controller pattern.
//
//   informers, one per watched namespace and kind:
//     KafkaClusters                                       -> key "ns/name"
//     Pods, PVCs labelled managed-by=sluice-operator      -> "ns/<label
//     app.kubernetes.io/instance>"
//   -> the rate-limited WorkQueue (dedups keys; never hands one key to two workers)
//   -> N workers calling reconcile(ns, name):
//        result.error        -> AddRateLimited (per-key exponential backoff)
//        result.requeue_after -> Forget + AddAfter
//        otherwise           -> Forget
//   plus a resync thread that enqueues every known cluster every `resync` (level-triggered: a
//   missed or coalesced event is repaired at the latest one resync later).
//
// Metrics (in the given registry): sluice_operator_reconcile_total{result="ok|error|requeue"},
// sluice_operator_reconcile_duration_seconds (histogram). Depth and cluster count are read through
// QueueDepth()/ClusterCount().
//
// Lifecycle: construct (nothing runs), Start() once, Stop() once (idempotent; also from the
// destructor). Stop shuts the queue down, so idle workers return at once and a worker in the
// middle of a pass finishes that pass; then the resync thread and the informers stop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/kube/client.h"
#include "controller/kube/informer.h"
#include "controller/kube/work_queue.h"
#include "controller/reconcile/cluster_reconciler.h"
#include "libs/base/metrics.h"

namespace sluice::operator_app {

inline constexpr const char* kManagedBySelector = "app.kubernetes.io/managed-by=sluice-operator";
inline constexpr const char* kInstanceLabel = "app.kubernetes.io/instance";

using ReconcileFn =
    std::function<reconcile::ReconcileResult(const std::string& ns, const std::string& name)>;

struct ReconcileLoopOptions {
  std::vector<std::string> namespaces{""};  // {""} = all namespaces
  int workers = 2;
  std::chrono::seconds resync{60};
  // Per-key backoff after failed passes: 5 ms doubling up to 5 min (client-go's 1000 s cap is
  // long for an operator whose failures are mostly a broker or the API server restarting).
  std::chrono::milliseconds backoff_base{5};
  std::chrono::milliseconds backoff_max{300000};
  kube::InformerOptions
      informer_template;                  // timeouts/backoff; ns and selector are set per informer
  metrics::Registry* registry = nullptr;  // required; must outlive the loop
};

class ReconcileLoop {
 public:
  ReconcileLoop(kube::Client& client, ReconcileFn reconcile, ReconcileLoopOptions options);
  ~ReconcileLoop();
  ReconcileLoop(const ReconcileLoop&) = delete;
  ReconcileLoop& operator=(const ReconcileLoop&) = delete;

  void Start();
  void Stop();

  bool Started() const { return started_.load(); }
  // Every informer has listed once.
  bool Synced() const;
  // Empty when healthy; else why not (stopping, a worker or the resync thread gone).
  std::string Unhealthy() const;
  size_t QueueDepth() const { return queue_.Len(); }
  // KafkaClusters in the informers' caches.
  size_t ClusterCount() const;
  // Finished passes (for logs and tests).
  uint64_t Passes() const { return passes_.load(); }

 private:
  void EnqueueCluster(const web::json::value& cluster);
  void EnqueueOwner(const web::json::value& object);
  void WorkerLoop();
  void ResyncLoop();

  const ReconcileFn reconcile_;
  const ReconcileLoopOptions options_;
  kube::WorkQueue queue_;
  std::vector<std::unique_ptr<kube::Informer>> cluster_informers_;
  std::vector<std::unique_ptr<kube::Informer>> owned_informers_;  // Pods and PVCs
  std::vector<std::thread> workers_;
  std::thread resync_thread_;

  std::mutex lifecycle_mutex_;  // Start/Stop
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> live_workers_{0};
  std::atomic<bool> resync_alive_{false};
  std::atomic<uint64_t> passes_{0};
  std::mutex resync_mutex_;
  std::condition_variable resync_wake_;

  metrics::Counter* ok_total_;
  metrics::Counter* error_total_;
  metrics::Counter* requeue_total_;
  metrics::Histogram* duration_;
};

}  // namespace sluice::operator_app

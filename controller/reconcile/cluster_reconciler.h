// ClusterReconciler: one level-triggered pass over one KafkaCluster.
//
// Each Reconcile(ns, name) reads the world (the KafkaCluster, the objects it owns, the nodes when
// rack awareness is on, and the cluster as Kafka sees it through KafkaAdmin), builds the desired
// objects with controller/resources, applies only the differences, moves the broker state
// machine one step, and writes status through /status when (and only when) it changed. Nothing
// is remembered between passes except what is in the API server: a fresh reconciler (a restarted
// operator) continues exactly where the last one stopped.
//
// A spec that fails Validate, or an edit that ValidateUpdate refuses against
// status.lastAppliedSpec (the spec of the last pass that acted), sets Ready=False (InvalidSpec,
// InvalidUpdate) and Degraded, posts one Warning Event and touches nothing else; a pass that
// acts records its spec as lastAppliedSpec in the status it writes anyway.
//
// Broker state machine (status.brokers[].phase), see controller/README.md:
//
//   (new id) -> Pending -> Running <-> Failed
//   Running/Failed --(spec no longer wants it, RemovalBlockers empty)--> Draining -> Removing ->
//   gone Running/Failed --(gone past healing.replaceAfterSeconds, or data volume lost)--> Replacing
//        (a new id is added; once it runs, PlanReplace moves the dead broker's replicas) ->
//        Removing
//
// Invariants the code keeps:
//   - Every phase change that starts something destructive (Draining, Replacing, Removing) and
//     every new broker id is written to status BEFORE the action, with the resourceVersion as a
//     precondition, so a crash or a lost leadership never reuses an id or forgets a drain.
//   - A failed Describe or Reassign is never taken as success: the pass stops short of every
//     destructive step and requeues with a Degraded condition.
//   - At most one broker pod is deleted for a rolling restart per pass, and only while every
//     desired broker is running, no reassignment is in progress and RestartBlockers is empty; the
//     controller broker goes last.
//
// Thread safety: a ClusterReconciler may be called from several workers at once for different
// clusters (the work queue never hands one key to two workers); it keeps no per-cluster state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/api/kafka_cluster.h"
#include "controller/kafka_admin/kafka_admin.h"
#include "controller/kube/client.h"
#include "libs/base/status.h"

namespace sluice::reconcile {

// What the work queue should do with the key after a pass.
struct ReconcileResult {
  // Run again after this long even if nothing changes (waiting on pods, reassignments, ZooKeeper).
  // nullopt: wait for the next watch event or periodic resync.
  std::optional<std::chrono::milliseconds> requeue_after;
  // Not OK: the pass failed (API server or Kafka unreachable, a write refused); the caller
  // requeues with its rate limiter's backoff. The message says what failed.
  Status error;
};

// Builds a KafkaAdmin for a bootstrap list "host:port[,host:port]".
using KafkaAdminFactory =
    std::function<std::unique_ptr<kafka_admin::KafkaAdmin>(const std::string& bootstrap)>;

// Wall-clock time for goneSince and condition transition times (injected so tests move it).
using Clock = std::function<std::chrono::system_clock::time_point()>;

// A Kubernetes Event about a KafkaCluster (main.cc posts it as an events.k8s.io/v1 Event whose
// regarding is the cluster and related the pod, when there is one).
struct ClusterEvent {
  std::string type;         // Normal | Warning
  std::string reason;       // CamelCase, e.g. RollingRestart, ScaleDownBlocked, Rebalanced
  std::string action;       // what the operator did or tried, e.g. DeletePod, Reassign
  std::string note;         // a sentence for people
  std::string related_pod;  // "" when no pod is concerned
};
using EventSink =
    std::function<void(const operator_api::KafkaCluster& cluster, const ClusterEvent& event)>;

// Deletes an external ZooKeeper chroot (and everything below it) when its cluster is deleted.
// connect is "host:port[,...]" without the chroot; chroot is "/path" (never "/").
using ChrootCleaner = std::function<Status(const std::string& connect, const std::string& chroot)>;

struct ReconcilerOptions {
  // Requeue intervals: while something is in motion (pods starting, ZooKeeper forming), while a
  // reassignment is running, and while something is blocked on the user or on Kafka.
  std::chrono::milliseconds progress_interval{5000};
  std::chrono::milliseconds reassignment_interval{10000};
  std::chrono::milliseconds blocked_interval{30000};
  // The PodDisruptionBudget kind the server serves (kube::DiscoverPodDisruptionBudget):
  // policy/v1beta1 on Kubernetes 1.20, policy/v1 from 1.21.
  kube::ResourceType pdb_type = kube::types::kPodDisruptionBudget;
  // Leader election is not fencing: asked before every step that records a decision or
  // deletes/moves something; false stops the pass. Null: always true (no leader election).
  std::function<bool()> may_act;
};

class ClusterReconciler {
 public:
  ClusterReconciler(kube::Client& client, KafkaAdminFactory admin_factory, Clock clock,
                    EventSink events, ChrootCleaner chroot_cleaner = nullptr,
                    ReconcilerOptions options = {});

  // One pass for the KafkaCluster ns/name. Never throws; a missing cluster is a no-op.
  ReconcileResult Reconcile(const std::string& ns, const std::string& name);

 private:
  struct Pass;  // the state of one pass (defined in the .cc)
  kube::Client& client_;
  KafkaAdminFactory admin_factory_;
  Clock clock_;
  EventSink events_;
  ChrootCleaner chroot_cleaner_;
  ReconcilerOptions options_;
};

// ChrootCleaner over broker/metadata's ZooKeeper client (zk_chroot.cc).
Status DeleteZooKeeperChroot(const std::string& connect, const std::string& chroot);

// RFC 3339 UTC ("2026-01-02T03:04:05Z") and back; nullopt for text that is not one.
std::string FormatRfc3339(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);

}  // namespace sluice::reconcile

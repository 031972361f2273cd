#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "controller/kube/fake_client.h"
#include "controller/operator/reconcile_loop.h"

namespace sluice::operator_app {
namespace {

using namespace std::chrono_literals;
using kube::FakeClient;

web::json::value Object(const std::string& api_version, const std::string& kind,
                        const std::string& name,
                        const std::map<std::string, std::string>& labels = {}) {
  web::json::value o = web::json::value::object();
  o["apiVersion"] = web::json::value::string(api_version);
  o["kind"] = web::json::value::string(kind);
  o["metadata"]["name"] = web::json::value::string(name);
  if (!labels.empty()) {
    web::json::value l = web::json::value::object();
    for (const auto& [k, v] : labels) l[k] = web::json::value::string(v);
    o["metadata"]["labels"] = l;
  }
  o["spec"] = web::json::value::object();
  return o;
}

web::json::value Cluster(const std::string& name) {
  return Object("sluice.dev/v1alpha1", "KafkaCluster", name);
}

web::json::value OwnedPod(const std::string& name, const std::string& instance) {
  std::map<std::string, std::string> labels{{"app.kubernetes.io/managed-by", "sluice-operator"}};
  if (!instance.empty()) labels["app.kubernetes.io/instance"] = instance;
  return Object("v1", "Pod", name, labels);
}

// Records every call of the reconcile function; what it returns is set per key.
class RecordingReconciler {
 public:
  reconcile::ReconcileResult operator()(const std::string& ns, const std::string& name) {
    std::string key = ns + "/" + name;
    std::lock_guard lock(mutex_);
    ++calls_[key];
    auto it = results_.find(key);
    return it == results_.end() ? reconcile::ReconcileResult{} : it->second;
  }
  void Set(const std::string& key, reconcile::ReconcileResult result) {
    std::lock_guard lock(mutex_);
    results_[key] = std::move(result);
  }
  int Calls(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(key);
    return it == calls_.end() ? 0 : it->second;
  }
  std::map<std::string, int> AllCalls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> calls_;
  std::map<std::string, reconcile::ReconcileResult> results_;
};

template <typename Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds timeout = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return predicate();
}

ReconcileLoopOptions Options(metrics::Registry& registry, std::vector<std::string> namespaces) {
  ReconcileLoopOptions options;
  options.namespaces = std::move(namespaces);
  options.workers = 2;
  options.resync = 3600s;
  options.backoff_base = 20ms;
  options.backoff_max = 200ms;
  options.informer_template.backoff_initial = 10ms;
  options.informer_template.backoff_max = 100ms;
  options.registry = &registry;
  return options;
}

TEST(ReconcileLoop, ClusterAndOwnedObjectEventsReachTheOwningClustersKey) {
  FakeClient client;
  ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "a", Cluster("demo")).ok());
  metrics::Registry registry;
  RecordingReconciler reconciler;
  ReconcileLoop loop(client, std::ref(reconciler), Options(registry, {""}));
  EXPECT_FALSE(loop.Synced());
  loop.Start();
  ASSERT_TRUE(WaitUntil([&] { return loop.Synced(); }));
  ASSERT_TRUE(WaitUntil([&] { return reconciler.Calls("a/demo") == 1; }));
  EXPECT_EQ(loop.ClusterCount(), 1u);

  // A pod of the cluster (instance label) enqueues the cluster, in the pod's namespace.
  ASSERT_TRUE(client.Create(kube::types::kPod, "a", OwnedPod("demo-broker-0", "demo")).ok());
  ASSERT_TRUE(WaitUntil([&] { return reconciler.Calls("a/demo") == 2; }));
  // A managed pod without the instance label names no cluster: nothing is enqueued for it.
  ASSERT_TRUE(client.Create(kube::types::kPod, "a", OwnedPod("stray", "")).ok());
  // A PVC of a cluster in another namespace (no KafkaCluster there yet) still enqueues its key:
  // the reconciler decides that a missing cluster is a no-op.
  auto pvc = Object("v1", "PersistentVolumeClaim", "other-broker-0-data",
                    {{"app.kubernetes.io/managed-by", "sluice-operator"},
                     {"app.kubernetes.io/instance", "other"}});
  ASSERT_TRUE(client.Create(kube::types::kPersistentVolumeClaim, "b", pvc).ok());
  ASSERT_TRUE(WaitUntil([&] { return reconciler.Calls("b/other") == 1; }));
  // A new cluster is seen too; its deletion enqueues it once more.
  ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "b", Cluster("second")).ok());
  ASSERT_TRUE(WaitUntil([&] { return reconciler.Calls("b/second") == 1; }));
  EXPECT_EQ(loop.ClusterCount(), 2u);
  ASSERT_TRUE(client.Delete(kube::types::kKafkaCluster, "b", "second", {}).ok());
  ASSERT_TRUE(WaitUntil([&] { return reconciler.Calls("b/second") == 2; }));
  ASSERT_TRUE(WaitUntil([&] { return loop.ClusterCount() == 1u; }));
  loop.Stop();

  for (const auto& [key, calls] : reconciler.AllCalls()) {
    EXPECT_TRUE(key == "a/demo" || key == "b/other" || key == "b/second") << key;
  }
  EXPECT_EQ(reconciler.Calls("a/demo"), 2);
}

TEST(ReconcileLoop, OneInformerPerWatchedNamespaceOnly) {
  FakeClient client;
  for (const char* ns : {"a", "b", "c"}) {
    ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, ns, Cluster("demo")).ok());
  }
  metrics::Registry registry;
  RecordingReconciler reconciler;
  ReconcileLoop loop(client, std::ref(reconciler), Options(registry, {"a", "c"}));
  loop.Start();
  ASSERT_TRUE(WaitUntil([&] { return loop.Synced(); }));
  ASSERT_TRUE(WaitUntil(
      [&] { return reconciler.Calls("a/demo") == 1 && reconciler.Calls("c/demo") == 1; }));
  ASSERT_TRUE(client.Create(kube::types::kPod, "b", OwnedPod("demo-broker-0", "demo")).ok());
  ASSERT_TRUE(client.Create(kube::types::kPod, "c", OwnedPod("demo-broker-0", "demo")).ok());
  ASSERT_TRUE(WaitUntil([&] { return reconciler.Calls("c/demo") == 2; }));
  loop.Stop();
  EXPECT_EQ(reconciler.Calls("b/demo"), 0);
  EXPECT_EQ(loop.ClusterCount(), 2u);
}

TEST(ReconcileLoop, ResultsDriveTheQueueAndTheCounters) {
  FakeClient client;
  for (const char* name : {"fine", "failing", "waiting"}) {
    ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "ns", Cluster(name)).ok());
  }
  metrics::Registry registry;
  RecordingReconciler reconciler;
  reconcile::ReconcileResult failing;
  failing.error = Status::Unavailable("broker unreachable");
  reconciler.Set("ns/failing", failing);
  reconcile::ReconcileResult waiting;
  waiting.requeue_after = 50ms;
  reconciler.Set("ns/waiting", waiting);

  ReconcileLoop loop(client, std::ref(reconciler), Options(registry, {"ns"}));
  loop.Start();
  // Errors back off and retry (20, 40, 80 ms ...); requeue_after comes back every 50 ms.
  ASSERT_TRUE(WaitUntil(
      [&] { return reconciler.Calls("ns/failing") >= 4 && reconciler.Calls("ns/waiting") >= 4; }));
  loop.Stop();
  // An ok pass with nothing changing is not repeated (the resync is an hour away).
  EXPECT_EQ(reconciler.Calls("ns/fine"), 1);

  const std::string text = registry.Render();
  EXPECT_NE(text.find("sluice_operator_reconcile_total{result=\"ok\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_operator_reconcile_total{result=\"error\"} " +
                      std::to_string(reconciler.Calls("ns/failing")) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_operator_reconcile_total{result=\"requeue\"} " +
                      std::to_string(reconciler.Calls("ns/waiting")) + "\n"),
            std::string::npos)
      << text;
  const int passes =
      reconciler.Calls("ns/fine") + reconciler.Calls("ns/failing") + reconciler.Calls("ns/waiting");
  EXPECT_NE(text.find("sluice_operator_reconcile_duration_seconds_count " + std::to_string(passes) +
                      "\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(loop.Passes(), static_cast<uint64_t>(passes));
}

TEST(ReconcileLoop, ResyncEnqueuesEveryKnownCluster) {
  FakeClient client;
  ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "ns", Cluster("one")).ok());
  ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "ns", Cluster("two")).ok());
  metrics::Registry registry;
  RecordingReconciler reconciler;
  auto options = Options(registry, {""});
  options.resync = 1s;
  ReconcileLoop loop(client, std::ref(reconciler), options);
  loop.Start();
  ASSERT_TRUE(WaitUntil(
      [&] { return reconciler.Calls("ns/one") >= 3 && reconciler.Calls("ns/two") >= 3; }, 6000ms));
  loop.Stop();
}

TEST(ReconcileLoop, StopLetsTheRunningPassFinishAndReportsUnhealthy) {
  FakeClient client;
  ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "ns", Cluster("slow")).ok());
  metrics::Registry registry;
  std::atomic<bool> in_pass{false};
  std::atomic<bool> pass_finished{false};
  ReconcileLoop loop(
      client,
      [&](const std::string&, const std::string&) {
        in_pass = true;
        std::this_thread::sleep_for(300ms);
        pass_finished = true;
        return reconcile::ReconcileResult{};
      },
      Options(registry, {""}));
  EXPECT_EQ(loop.Unhealthy(), "");  // not started (a standby) is healthy
  loop.Start();
  EXPECT_EQ(loop.Unhealthy(), "");
  ASSERT_TRUE(WaitUntil([&] { return in_pass.load(); }));
  auto started = std::chrono::steady_clock::now();
  loop.Stop();
  EXPECT_TRUE(pass_finished.load());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(loop.Unhealthy(), "stopping");
  loop.Stop();  // idempotent
}

TEST(ReconcileLoop, AThrowingReconcilerBacksOffInsteadOfKillingTheWorker) {
  FakeClient client;
  ASSERT_TRUE(client.Create(kube::types::kKafkaCluster, "ns", Cluster("bad")).ok());
  metrics::Registry registry;
  std::atomic<int> calls{0};
  ReconcileLoop loop(
      client,
      [&](const std::string&, const std::string&) -> reconcile::ReconcileResult {
        ++calls;
        throw std::runtime_error("boom");
      },
      Options(registry, {""}));
  loop.Start();
  ASSERT_TRUE(WaitUntil([&] { return calls >= 3; }));
  EXPECT_EQ(loop.Unhealthy(), "");
  loop.Stop();
}

}  // namespace
}  // namespace sluice::operator_app

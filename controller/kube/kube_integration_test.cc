// controller/kube against a real kube-apiserver + etcd (started by e2e/tests/test_kube_client.py,
// which sets KUBECONFIG; SLUICE_KUBE_CONTEXT picks a context other than the current one).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "controller/kube/config.h"
#include "controller/kube/events.h"
#include "controller/kube/informer.h"
#include "controller/kube/leader_election.h"
#include "controller/kube/meta.h"
#include "controller/kube/rest_client.h"

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;
using web::json::value;

value Parse(const std::string& text) { return value::parse(text); }

class KubeIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* kubeconfig = std::getenv("KUBECONFIG");
    ASSERT_TRUE(kubeconfig != nullptr && *kubeconfig != '\0')
        << "KUBECONFIG must point at a test cluster (e2e/tests/test_kube_client.py sets it)";
    const char* context = std::getenv("SLUICE_KUBE_CONTEXT");
    Result<ClusterConfig> config = LoadKubeconfig(kubeconfig, context ? context : "");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = *config;
    Result<std::unique_ptr<RestClient>> client = RestClient::Create(config_);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    // A namespace per test: tests never see each other's objects.
    ns_ = "t-" + std::to_string(std::random_device()() % 1000000000);
    value namespace_object = Parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})");
    namespace_object["metadata"]["name"] = value::string(ns_);
    Result<value> created = client_->Create(kNamespace, "", namespace_object);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  value ConfigMap(const std::string& name, const std::string& data_value) {
    value object = Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{}})");
    object["metadata"]["name"] = value::string(name);
    object["metadata"]["labels"]["app"] = value::string("kube-it");
    object["data"]["v"] = value::string(data_value);
    return object;
  }

  const ResourceType kNamespace{"", "v1", "Namespace", "namespaces", false};
  ClusterConfig config_;
  std::unique_ptr<RestClient> client_;
  std::string ns_;
};

TEST_F(KubeIntegration, ConfigMapCrudAndConflicts) {
  Result<value> created = client_->Create(types::kConfigMap, ns_, ConfigMap("a", "1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(NameOf(*created), "a");
  EXPECT_EQ(NamespaceOf(*created), ns_);
  EXPECT_FALSE(ResourceVersionOf(*created).empty());

  Result<value> again = client_->Create(types::kConfigMap, ns_, ConfigMap("a", "1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists) << again.status().ToString();
  EXPECT_NE(again.status().message().find("HTTP 409 POST /api/v1/namespaces/" + ns_),
            std::string::npos)
      << again.status().message();

  Result<value> got = client_->Get(types::kConfigMap, ns_, "a");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->at("data").at("v").as_string(), "1");

  value updated_object = *got;
  updated_object["data"]["v"] = value::string("2");
  Result<value> updated = client_->Update(types::kConfigMap, ns_, updated_object);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->at("data").at("v").as_string(), "2");
  EXPECT_NE(ResourceVersionOf(*updated), ResourceVersionOf(*got));

  // The copy read before the update is stale now: 409 Conflict, not AlreadyExists.
  value stale = *got;
  stale["data"]["v"] = value::string("3");
  Result<value> conflict = client_->Update(types::kConfigMap, ns_, stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), Status::Code::kConflict) << conflict.status().ToString();

  // RetryOnConflict re-reads and wins on the second attempt.
  int attempts = 0;
  Status retried = RetryOnConflict([&]() -> Status {
    ++attempts;
    value copy = attempts == 1 ? stale : client_->Get(types::kConfigMap, ns_, "a").value();
    copy["data"]["v"] = value::string("4");
    Result<value> r = client_->Update(types::kConfigMap, ns_, copy);
    return r.ok() ? Status::Ok() : r.status();
  });
  EXPECT_TRUE(retried.ok()) << retried.ToString();
  EXPECT_EQ(attempts, 2);

  Result<value> patched = client_->MergePatch(
      types::kConfigMap, ns_, "a",
      Parse(R"({"data":{"w":"x","v":null},"metadata":{"annotations":{"k":"v"}}})"));
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_FALSE(patched->at("data").has_field("v"));
  EXPECT_EQ(patched->at("data").at("w").as_string(), "x");
  EXPECT_EQ(AnnotationsOf(*patched).at("k"), "v");
  EXPECT_EQ(LabelsOf(*patched).at("app"), "kube-it");

  Result<value> invalid = client_->Create(types::kConfigMap, ns_, ConfigMap("Not_Valid", "1"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(invalid.status().message().find("Not_Valid"), std::string::npos)
      << invalid.status().message();

  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  Status precondition = client_->Delete(types::kConfigMap, ns_, "a", wrong_uid);
  EXPECT_EQ(precondition.code(), Status::Code::kConflict) << precondition.ToString();

  DeleteOptions right_uid;
  right_uid.precondition_uid = UidOf(*patched);
  right_uid.propagation = PropagationPolicy::kBackground;
  EXPECT_TRUE(client_->Delete(types::kConfigMap, ns_, "a", right_uid).ok());
  Result<value> gone = client_->Get(types::kConfigMap, ns_, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(client_->Delete(types::kConfigMap, ns_, "a", {}).code(), Status::Code::kNotFound);
}

TEST_F(KubeIntegration, ListPagingAndSelectors) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        client_->Create(types::kConfigMap, ns_, ConfigMap("p" + std::to_string(i), "x")).ok());
  }
  value other = ConfigMap("other", "x");
  other["metadata"]["labels"]["app"] = value::string("else");
  ASSERT_TRUE(client_->Create(types::kConfigMap, ns_, other).ok());

  ListOptions paged;
  paged.label_selector = "app=kube-it";
  paged.limit = 2;
  Result<ObjectList> list = client_->List(types::kConfigMap, ns_, paged);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->items.size(), 5u);  // 3 pages of 2, 2, 1 followed with `continue`
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(NameOf(list->items[i]), "p" + std::to_string(i));
    EXPECT_EQ(list->items[i].at("kind").as_string(), "ConfigMap");
  }
  EXPECT_FALSE(list->resource_version.empty());

  ListOptions set_based;
  set_based.label_selector = "app in (else,nothing)";
  Result<ObjectList> selected = client_->List(types::kConfigMap, ns_, set_based);
  ASSERT_TRUE(selected.ok()) << selected.status().ToString();
  ASSERT_EQ(selected->items.size(), 1u);
  EXPECT_EQ(NameOf(selected->items[0]), "other");

  ListOptions by_field;
  by_field.field_selector = "metadata.name=p3";
  Result<ObjectList> field = client_->List(types::kConfigMap, ns_, by_field);
  ASSERT_TRUE(field.ok()) << field.status().ToString();
  ASSERT_EQ(field->items.size(), 1u);

  // All namespaces: ours are among them.
  Result<ObjectList> all = client_->List(types::kConfigMap, "", paged);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_GE(all->items.size(), 5u);
}

TEST_F(KubeIntegration, WatchSeesAddedModifiedDeletedInOrder) {
  Result<ObjectList> start = client_->List(types::kConfigMap, ns_, {});
  ASSERT_TRUE(start.ok());
  std::vector<std::pair<WatchEvent::Type, std::string>> seen;
  std::mutex mutex;
  ListOptions options;
  options.resource_version = start->resource_version;
  Status watch_status;
  auto started = std::chrono::steady_clock::now();
  std::thread watcher([&] {
    watch_status = client_->Watch(types::kConfigMap, ns_, options, 30s, [&](const WatchEvent& e) {
      std::lock_guard<std::mutex> lock(mutex);
      if (e.type == WatchEvent::Type::kBookmark) return true;
      // Only the test's own object: kube-controller-manager puts kube-root-ca.crt into every
      // namespace, and that may arrive during the watch.
      if (NameOf(e.object) != "w") return true;
      seen.emplace_back(
          e.type, NameOf(e.object) + "=" +
                      (e.object.has_field("data") ? e.object.at("data").at("v").as_string() : ""));
      return !(e.type == WatchEvent::Type::kDeleted);
    });
  });
  std::this_thread::sleep_for(300ms);
  Result<value> created = client_->Create(types::kConfigMap, ns_, ConfigMap("w", "1"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(
      client_->MergePatch(types::kConfigMap, ns_, "w", Parse(R"({"data":{"v":"2"}})")).ok());
  ASSERT_TRUE(client_->Delete(types::kConfigMap, ns_, "w", {}).ok());
  watcher.join();
  // The handler's `false` on DELETED ended it, long before the 30 s server timeout: events were
  // read as they arrived, not when the body ended.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_TRUE(watch_status.ok()) << watch_status.ToString();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(WatchEvent::Type::kAdded, std::string("w=1")));
  EXPECT_EQ(seen[1], std::make_pair(WatchEvent::Type::kModified, std::string("w=2")));
  EXPECT_EQ(seen[2], std::make_pair(WatchEvent::Type::kDeleted, std::string("w=2")));
}

TEST_F(KubeIntegration, WatchStopsWhenCancelledOrServerTimesOut) {
  Result<ObjectList> start = client_->List(types::kConfigMap, ns_, {});
  ASSERT_TRUE(start.ok());
  ListOptions options;
  options.resource_version = start->resource_version;

  // The server ends the stream after timeoutSeconds: OK.
  auto t0 = std::chrono::steady_clock::now();
  Status ended =
      client_->Watch(types::kConfigMap, ns_, options, 2s, [](const WatchEvent&) { return true; });
  EXPECT_TRUE(ended.ok()) << ended.ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 1500ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 20s);

  // The caller's token ends an idle watch at once.
  pplx::cancellation_token_source cancel;
  options.cancel = cancel.get_token();
  Status cancelled;
  auto t1 = std::chrono::steady_clock::now();
  std::thread watcher([&] {
    cancelled = client_->Watch(types::kConfigMap, ns_, options, 60s,
                               [](const WatchEvent&) { return true; });
  });
  std::this_thread::sleep_for(500ms);
  cancel.cancel();
  watcher.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 5s);
  EXPECT_EQ(cancelled.code(), Status::Code::kUnavailable) << cancelled.ToString();
}

const char* kCrd = R"j({
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.kubetest.sluice.dev"},
  "spec": {
    "group": "kubetest.sluice.dev", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "subresources": {"status": {}},
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"},
                                                     "observedGeneration": {"type": "integer"}}}}}}}]}})j";

TEST_F(KubeIntegration, CustomResourceStatusSubresource) {
  const ResourceType crd_type{"apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                              "customresourcedefinitions", false};
  Result<value> crd = client_->Create(crd_type, "", Parse(kCrd));
  ASSERT_TRUE(crd.ok() || crd.status().code() == Status::Code::kAlreadyExists)
      << crd.status().ToString();
  // Wait for Established before using the new kind.
  bool established = false;
  for (int i = 0; i < 100 && !established; ++i) {
    Result<value> got = client_->Get(crd_type, "", "widgets.kubetest.sluice.dev");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (got->has_field("status") && got->at("status").has_field("conditions") &&
        got->at("status").at("conditions").is_array()) {
      for (const value& c : got->at("status").at("conditions").as_array()) {
        if (c.has_field("type") && c.has_field("status") &&
            c.at("type").as_string() == "Established" && c.at("status").as_string() == "True") {
          established = true;
        }
      }
    }
    if (!established) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(established);
  const ResourceType widget{"kubetest.sluice.dev", "v1", "Widget", "widgets", true};
  value object = Parse(R"({"apiVersion":"kubetest.sluice.dev/v1","kind":"Widget",
      "metadata":{"name":"w1"},"spec":{"size":1},"status":{"ready":true}})");
  Result<value> created = Status::Unavailable("not tried");
  for (int i = 0; i < 50; ++i) {  // discovery of a fresh CRD can lag Established briefly
    created = client_->Create(widget, ns_, object);
    if (created.ok() || created.status().code() != Status::Code::kNotFound) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE(created->has_field("status"));  // the main endpoint ignores .status
  EXPECT_EQ(GenerationOf(*created), 1);

  value with_status = *created;
  with_status["status"]["ready"] = value::boolean(true);
  with_status["status"]["observedGeneration"] = value::number(1);
  with_status["spec"]["size"] = value::number(99);  // ignored by /status
  Result<value> status_written = client_->UpdateStatus(widget, ns_, with_status);
  ASSERT_TRUE(status_written.ok()) << status_written.status().ToString();
  EXPECT_TRUE(status_written->at("status").at("ready").as_bool());
  EXPECT_EQ(status_written->at("spec").at("size").as_integer(), 1);
  EXPECT_EQ(GenerationOf(*status_written), 1);  // status writes do not bump generation

  // A stale status write is a conflict like any PUT.
  Result<value> stale = client_->UpdateStatus(widget, ns_, with_status);
  EXPECT_EQ(stale.status().code(), Status::Code::kConflict) << stale.status().ToString();

  Result<value> patched_status =
      client_->MergePatchStatus(widget, ns_, "w1", Parse(R"({"status":{"ready":false}})"));
  ASSERT_TRUE(patched_status.ok()) << patched_status.status().ToString();
  EXPECT_FALSE(patched_status->at("status").at("ready").as_bool());
  EXPECT_EQ(patched_status->at("status").at("observedGeneration").as_integer(), 1);

  Result<value> spec_patched =
      client_->MergePatch(widget, ns_, "w1", Parse(R"({"spec":{"size":2}})"));
  ASSERT_TRUE(spec_patched.ok()) << spec_patched.status().ToString();
  EXPECT_EQ(GenerationOf(*spec_patched), 2);
  EXPECT_TRUE(client_->Delete(widget, ns_, "w1", {}).ok());
}

// Secrets are served without the watch cache (the fixture starts kube-apiserver with
// --watch-cache-sizes=secrets#0), so a watch reads etcd's history, which etcdctl compacts here.
TEST_F(KubeIntegration, WatchFromEtcdCompactedVersionIsOutOfRange) {
  const char* endpoints = std::getenv("SLUICE_ETCD_ENDPOINTS");
  ASSERT_TRUE(endpoints != nullptr && *endpoints != '\0')
      << "SLUICE_ETCD_ENDPOINTS must name the test cluster's etcd (the e2e fixture sets it)";
  const ResourceType secret{"", "v1", "Secret", "secrets", true};
  value object = Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{}})");
  Result<value> created = client_->Create(secret, ns_, object);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string old_rv = ResourceVersionOf(*created);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        client_
            ->MergePatch(secret, ns_, "s",
                         Parse("{\"metadata\":{\"labels\":{\"n\":\"" + std::to_string(i) + "\"}}}"))
            .ok());
  }
  Result<value> latest = client_->Get(secret, ns_, "s");
  ASSERT_TRUE(latest.ok());
  const std::string command = std::string("ETCDCTL_API=3 etcdctl --endpoints=") + endpoints +
                              " compact " + ResourceVersionOf(*latest) + " >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ListOptions options;
  options.resource_version = old_rv;
  int events = 0;
  Status status =
      client_->Watch(secret, ns_, options, 10s, [&](const WatchEvent&) { return ++events < 100; });
  EXPECT_EQ(status.code(), Status::Code::kOutOfRange) << status.ToString();
  EXPECT_EQ(events, 0);
  // The informer's answer to that: list again and watch from the fresh RV.
  Result<ObjectList> relisted = client_->List(secret, ns_, {});
  ASSERT_TRUE(relisted.ok());
  options.resource_version = relisted->resource_version;
  Status fresh = client_->Watch(secret, ns_, options, 1s, [](const WatchEvent&) { return true; });
  EXPECT_TRUE(fresh.ok()) << fresh.ToString();
}

TEST_F(KubeIntegration, InformerTracksTheRealServer) {
  ASSERT_TRUE(client_->Create(types::kConfigMap, ns_, ConfigMap("i1", "1")).ok());
  InformerOptions options;
  options.ns = ns_;
  options.label_selector = "app=kube-it";
  options.list_page_size = 1;
  Informer informer(*client_, types::kConfigMap, options);
  std::atomic<int> deletes{0};
  InformerHandlers handlers;
  handlers.on_delete = [&](const value&) { ++deletes; };
  informer.AddHandlers(handlers);
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  EXPECT_TRUE(informer.Get(ns_, "i1").has_value());
  ASSERT_TRUE(client_->Create(types::kConfigMap, ns_, ConfigMap("i2", "1")).ok());
  ASSERT_TRUE(client_->Delete(types::kConfigMap, ns_, "i1", {}).ok());
  for (int i = 0; i < 100 && (deletes.load() < 1 || !informer.Get(ns_, "i2")); ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(deletes.load(), 1);
  EXPECT_TRUE(informer.Get(ns_, "i2").has_value());
  EXPECT_FALSE(informer.Get(ns_, "i1").has_value());
  auto t0 = std::chrono::steady_clock::now();
  informer.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(KubeIntegration, LeaseElectionBetweenTwoElectors) {
  auto make = [&](const std::string& identity) {
    LeaderElectionConfig config;
    config.lease_namespace = ns_;
    config.lease_name = "sluice-operator";
    config.identity = identity;
    config.lease_duration = 3s;
    config.renew_deadline = 2s;
    config.retry_period = 500ms;
    config.release_on_stop = false;  // the first "crashes": its successor must wait for expiry
    return LeaderElector::Create(*client_, config).value();
  };
  auto first = make("replica-a");
  auto second = make("replica-b");
  std::thread run_first([&] { first->Run(); });
  for (int i = 0; i < 100 && !first->IsLeader(); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(first->IsLeader());
  std::thread run_second([&] { second->Run(); });
  std::this_thread::sleep_for(4s);  // longer than the lease: the first keeps renewing
  EXPECT_TRUE(first->IsLeader());
  EXPECT_FALSE(second->IsLeader());
  Result<value> lease = client_->Get(types::kLease, ns_, "sluice-operator");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->at("spec").at("holderIdentity").as_string(), "replica-a");
  const std::string acquired = lease->at("spec").at("acquireTime").as_string();
  EXPECT_NE(lease->at("spec").at("renewTime").as_string(), acquired);

  auto stopped_at = std::chrono::steady_clock::now();
  first->Stop();  // stops renewing without releasing
  run_first.join();
  for (int i = 0; i < 200 && !second->IsLeader(); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(second->IsLeader());
  EXPECT_GE(std::chrono::steady_clock::now() - stopped_at, 2s);  // waited for expiry
  lease = client_->Get(types::kLease, ns_, "sluice-operator");
  EXPECT_EQ(lease->at("spec").at("holderIdentity").as_string(), "replica-b");
  EXPECT_EQ(lease->at("spec").at("leaseTransitions").as_integer(), 1);
  second->Stop();
  run_second.join();
}

TEST_F(KubeIntegration, EventsAreCreatedAndSeriesAggregated) {
  Result<value> regarding = client_->Create(types::kConfigMap, ns_, ConfigMap("ev", "1"));
  ASSERT_TRUE(regarding.ok());
  EventRecorderOptions options;
  options.reporting_instance = "sluice-operator-test";
  EventRecorder recorder(*client_, options);
  recorder.Record(*regarding, EventType::kNormal, "Configured", "Update", "config written");
  recorder.Record(*regarding, EventType::kNormal, "Configured", "Update", "config written");
  recorder.Record(*regarding, EventType::kWarning, "Failed", "Update", std::string(3000, 'n'));
  ASSERT_TRUE(recorder.Flush(10s));
  Result<ObjectList> events = client_->List(types::kEvent, ns_, {});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->items.size(), 2u);
  for (const value& e : events->items) {
    EXPECT_EQ(e.at("regarding").at("name").as_string(), "ev");
    EXPECT_EQ(e.at("regarding").at("uid").as_string(), UidOf(*regarding));
    EXPECT_EQ(e.at("reportingController").as_string(), "sluice.dev/operator");
    if (e.at("reason").as_string() == "Configured") {
      EXPECT_EQ(e.at("series").at("count").as_integer(), 2);
    } else {
      EXPECT_EQ(e.at("type").as_string(), "Warning");
      EXPECT_LE(e.at("note").as_string().size(), 1024u);
    }
  }
}

TEST_F(KubeIntegration, DiscoveryAndClientErrors) {
  Result<ResourceType> pdb = DiscoverPodDisruptionBudget(*client_);
  ASSERT_TRUE(pdb.ok()) << pdb.status().ToString();
  EXPECT_EQ(pdb->ApiVersion(), "policy/v1beta1");  // 1.20 has no policy/v1
  ListOptions none;
  EXPECT_TRUE(client_->List(*pdb, ns_, none).ok());
  Result<value> version = client_->GetPath("/version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->at("gitVersion").as_string().rfind("v1.20", 0), 0u);

  // A client with no credentials is rejected with a message saying so.
  ClusterConfig anonymous = config_;
  anonymous.token.clear();
  anonymous.token_file.clear();
  anonymous.client_cert_file.clear();
  anonymous.client_key_file.clear();
  anonymous.client_cert_data.clear();
  anonymous.client_key_data.clear();
  auto stranger = RestClient::Create(anonymous).value();
  Result<value> denied = stranger->Get(types::kConfigMap, ns_, "x");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Status::Code::kIoError) << denied.status().ToString();

  // Nothing listens here: kUnavailable.
  ClusterConfig nowhere = config_;
  nowhere.server = "https://127.0.0.1:1";
  RestClientOptions quick;
  quick.request_timeout = 3s;
  auto unreachable = RestClient::Create(nowhere, quick).value();
  EXPECT_EQ(unreachable->Get(types::kConfigMap, ns_, "x").status().code(),
            Status::Code::kUnavailable);
  // Stop() makes every later call fail fast.
  unreachable->Stop();
  EXPECT_EQ(unreachable->List(types::kConfigMap, ns_, none).status().code(),
            Status::Code::kUnavailable);
}

}  // namespace
}  // namespace sluice::kube

// Multi-pass reconcile scenarios against the in-memory API server (kube::FakeClient) and a
// GoogleMock'd KafkaAdmin whose default actions simulate a cluster: live brokers are the ready
// broker pods, and a reassignment shows as in progress on the first Describe after it and is
// complete on the next.
// GoogleTest before cpprest: cpprest's U() macro breaks gtest's templates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/reconcile/cluster_reconciler.h"

#include <algorithm>
#include <set>

#include "controller/api/defaults.h"
#include "controller/api/kafka_cluster_json.h"
#include "controller/kube/fake_client.h"
#include "controller/resources/builders.h"

namespace sluice::reconcile {
namespace {

namespace ka = kafka_admin;
namespace types = kube::types;
using kube::FakeClient;
using operator_api::BrokerPhase;
using operator_api::KafkaCluster;
using ::testing::_;
using ::testing::NiceMock;
using web::json::value;

constexpr const char* kNs = "kafka";
constexpr const char* kName = "demo";

class MockKafkaAdmin : public ka::KafkaAdmin {
 public:
  MOCK_METHOD(Result<ka::ClusterState>, Describe, (), (override));
  MOCK_METHOD(Status, Reassign, (const std::vector<ka::Move>& moves), (override));
  MOCK_METHOD(Status, ElectPreferredLeaders,
              ((const std::vector<std::pair<std::string, int32_t>>& partitions)), (override));
};

// Hands the long-lived mock to a reconciler that makes a fresh client every pass.
class ForwardingAdmin : public ka::KafkaAdmin {
 public:
  explicit ForwardingAdmin(ka::KafkaAdmin* target) : target_(target) {}
  Result<ka::ClusterState> Describe() override { return target_->Describe(); }
  Status Reassign(const std::vector<ka::Move>& moves) override { return target_->Reassign(moves); }
  Status ElectPreferredLeaders(
      const std::vector<std::pair<std::string, int32_t>>& partitions) override {
    return target_->ElectPreferredLeaders(partitions);
  }

 private:
  ka::KafkaAdmin* target_;
};

// The cluster as Kafka would see it.
class SimulatedKafka {
 public:
  // `writes`: the test's timeline of writes, where a reassignment shows as "Reassign <moves>".
  SimulatedKafka(FakeClient& kube, std::vector<std::string>& writes)
      : kube_(kube), writes_(writes) {}

  std::vector<ka::TopicState> topics;
  int32_t controller = -1;         // -1: the lowest live broker
  std::set<int32_t> unregistered;  // pods ready but not in ZooKeeper
  std::vector<std::vector<ka::Move>> reassigns;

  Result<ka::ClusterState> Describe() {
    ka::ClusterState state;
    for (const value& pod : kube_.PeekAll(types::kPod)) {
      const value& m = pod.at("metadata");
      if (m.has_field("deletionTimestamp")) continue;
      if (!pod.has_field("status")) continue;
      bool ready = false;
      for (const auto& c : pod.at("status").at("conditions").as_array()) {
        if (c.at("type").as_string() == "Ready") ready = c.at("status").as_string() == "True";
      }
      int32_t id = std::stoi(m.at("labels").at(operator_resources::kBrokerIdLabel).as_string());
      if (ready && !unregistered.count(id)) state.live_brokers.push_back(id);
    }
    std::sort(state.live_brokers.begin(), state.live_brokers.end());
    if (state.live_brokers.empty()) return Status::Unavailable("no broker answers");
    state.controller_id = controller >= 0 ? controller : state.live_brokers.front();
    // Reassignments reported in progress once, then applied.
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.reported) {
        for (auto& t : topics) {
          for (auto& p : t.partitions) {
            if (t.name == it->first.first && p.partition == it->first.second) {
              p.replicas = it->second.target;
              p.isr = it->second.target;
              p.leader = it->second.target.front();
            }
          }
        }
        it = pending_.erase(it);
      } else {
        it->second.reported = true;
        ++it;
      }
    }
    state.topics = topics;
    for (auto& t : state.topics) {
      for (auto& p : t.partitions) {
        auto it = pending_.find({t.name, p.partition});
        if (it == pending_.end()) continue;
        for (int32_t id : it->second.target) {
          if (std::find(p.replicas.begin(), p.replicas.end(), id) == p.replicas.end()) {
            p.adding.push_back(id);
          }
        }
        for (int32_t id : p.replicas) {
          auto& target = it->second.target;
          if (std::find(target.begin(), target.end(), id) == target.end()) p.removing.push_back(id);
        }
        p.replicas.insert(p.replicas.end(), p.adding.begin(), p.adding.end());
      }
    }
    return state;
  }

  Status Reassign(const std::vector<ka::Move>& moves) {
    reassigns.push_back(moves);
    writes_.push_back("Reassign " + std::to_string(moves.size()));
    for (const auto& m : moves)
      pending_[{m.topic, m.partition}] = Pending{m.target_replicas, false};
    return Status::Ok();
  }

  // Replicas hosted per broker, settled assignment only.
  std::map<int32_t, int> ReplicasPerBroker() const {
    std::map<int32_t, int> out;
    for (const auto& t : topics) {
      for (const auto& p : t.partitions) {
        for (int32_t id : p.replicas) ++out[id];
      }
    }
    return out;
  }

  void AddTopic(const std::string& name, int partitions, std::vector<int32_t> brokers, int rf,
                int min_isr = 1) {
    ka::TopicState t;
    t.name = name;
    t.min_insync_replicas = min_isr;
    for (int p = 0; p < partitions; ++p) {
      ka::PartitionState ps;
      ps.topic = name;
      ps.partition = p;
      for (int r = 0; r < rf; ++r) ps.replicas.push_back(brokers[(p + r) % brokers.size()]);
      ps.isr = ps.replicas;
      ps.leader = ps.replicas.front();
      t.partitions.push_back(ps);
    }
    topics.push_back(t);
  }

 private:
  struct Pending {
    std::vector<int32_t> target;
    bool reported = false;
  };
  FakeClient& kube_;
  std::vector<std::string>& writes_;
  std::map<std::pair<std::string, int32_t>, Pending> pending_;
};

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest() : kafka_(kube_, writes_) {
    kube_.OnRequest([this](const FakeClient::Request& request, const Status& outcome) {
      static const std::map<std::string, std::string> kWriteVerbs = {
          {"CREATE", "Create"},
          {"UPDATE", "Update"},
          {"PATCH", "MergePatch"},
          {"UPDATE_STATUS", "UpdateStatus"},
          {"PATCH_STATUS", "MergePatchStatus"},
          {"DELETE", "Delete"}};
      auto verb = kWriteVerbs.find(request.verb);
      if (verb == kWriteVerbs.end()) return;  // reads change nothing
      writes_.push_back((outcome.ok() ? "" : "!") + verb->second + " " + request.type.kind + " " +
                        request.name);
    });
    ON_CALL(admin_, Describe()).WillByDefault([this] { return kafka_.Describe(); });
    ON_CALL(admin_, Reassign(_)).WillByDefault([this](const std::vector<ka::Move>& moves) {
      return kafka_.Reassign(moves);
    });
    reconciler_ = MakeReconciler();
  }

  std::unique_ptr<ClusterReconciler> MakeReconciler() {
    ReconcilerOptions options;
    options.may_act = [this] { return leading_; };
    return std::make_unique<ClusterReconciler>(
        kube_,
        [this](const std::string& bootstrap) -> std::unique_ptr<ka::KafkaAdmin> {
          last_bootstrap_ = bootstrap;
          return std::make_unique<ForwardingAdmin>(&admin_);
        },
        [this] { return now_; },
        [this](const KafkaCluster&, const ClusterEvent& e) { events_.push_back(e); },
        [this](const std::string& connect, const std::string& chroot) {
          chroot_cleaned_.push_back(connect + chroot);
          return Status::Ok();
        },
        options);
  }

  void CreateCluster(const std::string& spec_json) {
    value object = value::object();
    object["apiVersion"] = value::string("sluice.dev/v1alpha1");
    object["kind"] = value::string("KafkaCluster");
    object["metadata"]["name"] = value::string(kName);
    object["metadata"]["namespace"] = value::string(kNs);
    object["spec"] = value::parse(spec_json);
    ASSERT_TRUE(kube_.Create(types::kKafkaCluster, kNs, object).ok());
    writes_.clear();
  }

  // Edits the spec like `kubectl edit` (PUT with the current resourceVersion).
  void EditSpec(const std::function<void(value& spec)>& edit) {
    value object = *kube_.Peek(types::kKafkaCluster, kNs, kName);
    edit(object["spec"]);
    ASSERT_TRUE(kube_.Update(types::kKafkaCluster, kNs, object).ok());
  }

  ReconcileResult Pass() { return reconciler_->Reconcile(kNs, kName); }

  void ZooKeeperReady() {
    std::optional<value> sts = kube_.Peek(types::kStatefulSet, kNs, "demo-zookeeper");
    ASSERT_TRUE(sts.has_value());
    value copy = *sts;
    copy["status"]["readyReplicas"] = value::number(3);
    kube_.Put(types::kStatefulSet, kNs, copy);
  }

  void SetPodReady(const std::string& pod_name, bool ready) {
    value copy = *kube_.Peek(types::kPod, kNs, pod_name);
    copy["status"]["phase"] = value::string("Running");
    value condition = value::object();
    condition["type"] = value::string("Ready");
    condition["status"] = value::string(ready ? "True" : "False");
    copy["status"]["conditions"] = value::array({condition});
    kube_.Put(types::kPod, kNs, copy);
  }

  // What the kubelet would do: terminating pods go, the others (except `down_`) become ready.
  void Kubelet() {
    kube_.FinishTerminating();
    for (const value& pod : kube_.PeekAll(types::kPod)) {
      std::string pod_name = pod.at("metadata").at("name").as_string();
      if (down_.count(pod_name)) continue;
      SetPodReady(pod_name, true);
    }
  }

  // Passes (each followed by the kubelet) until two in a row write nothing.
  void Settle(int max_passes = 40) {
    int quiet = 0;
    for (int i = 0; i < max_passes && quiet < 2; ++i) {
      size_t before = writes_.size();
      Pass();
      Kubelet();
      quiet = writes_.size() == before ? quiet + 1 : 0;
    }
    ASSERT_EQ(quiet, 2) << "no fixpoint; last writes: " << LastWrites();
  }

  size_t CountWrites(const std::string& prefix) const {
    return std::count_if(writes_.begin(), writes_.end(),
                         [&](const std::string& w) { return w.rfind(prefix, 0) == 0; });
  }

  std::string LastWrites() const {
    std::string out;
    for (size_t i = writes_.size() > 12 ? writes_.size() - 12 : 0; i < writes_.size(); ++i) {
      out += writes_[i] + "; ";
    }
    return out;
  }

  KafkaCluster Cluster() {
    auto parsed = operator_api::FromJson(*kube_.Peek(types::kKafkaCluster, kNs, kName));
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? *parsed : KafkaCluster{};
  }

  std::vector<int32_t> BrokerIds() {
    std::vector<int32_t> ids;
    for (const auto& b : Cluster().status.brokers) ids.push_back(b.id);
    return ids;
  }

  std::optional<operator_api::BrokerStatus> Broker(int32_t id) {
    for (const auto& b : Cluster().status.brokers) {
      if (b.id == id) return b;
    }
    return std::nullopt;
  }

  operator_api::Condition Condition(const std::string& type) {
    for (const auto& c : Cluster().status.conditions) {
      if (c.type == type) return c;
    }
    return {};
  }

  std::set<std::string> BrokerPods() {
    std::set<std::string> names;
    for (const value& pod : kube_.PeekAll(types::kPod))
      names.insert(pod.at("metadata").at("name").as_string());
    return names;
  }

  size_t EventCount(const std::string& reason) const {
    return std::count_if(events_.begin(), events_.end(),
                         [&](const ClusterEvent& e) { return e.reason == reason; });
  }

  // A running 3-broker cluster with managed ZooKeeper.
  void RunningCluster(int replicas = 3) {
    CreateCluster(
        R"({"replicas": )" + std::to_string(replicas) +
        R"(, "image": "sluice/broker:0.1.0", "zookeeper": {"managed": {"replicas": 3}}})");
    Pass();
    ZooKeeperReady();
    Settle();
  }

  size_t IndexOf(const std::string& write, size_t from = 0) const {
    for (size_t i = from; i < writes_.size(); ++i) {
      if (writes_[i] == write) return i;
    }
    return SIZE_MAX;
  }

  FakeClient kube_;
  // Every write the API server received, in order, as "<Verb> <Kind> <name>" (Create, Update,
  // MergePatch, UpdateStatus, MergePatchStatus, Delete), "!" in front when it failed; Kafka
  // reassignments are in the same timeline as "Reassign <moves>".
  std::vector<std::string> writes_;
  SimulatedKafka kafka_;
  NiceMock<MockKafkaAdmin> admin_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01T00:00:00Z
  std::vector<ClusterEvent> events_;
  std::vector<std::string> chroot_cleaned_;
  std::set<std::string> down_;
  std::string last_bootstrap_;
  bool leading_ = true;
  std::unique_ptr<ClusterReconciler> reconciler_;
};

TEST_F(ReconcilerTest, FirstPassesCreateOnlyZooKeeperUntilItIsReady) {
  CreateCluster(R"({"replicas": 3, "zookeeper": {"managed": {"replicas": 3}}})");
  ReconcileResult r = Pass();
  EXPECT_TRUE(r.error.ok()) << r.error.ToString();
  ASSERT_TRUE(r.requeue_after.has_value());
  EXPECT_TRUE(kube_.Has(types::kConfigMap, kNs, "demo-zookeeper-config"));
  EXPECT_TRUE(kube_.Has(types::kService, kNs, "demo-zookeeper-headless"));
  EXPECT_TRUE(kube_.Has(types::kService, kNs, "demo-zookeeper"));
  EXPECT_TRUE(kube_.Has(types::kStatefulSet, kNs, "demo-zookeeper"));
  EXPECT_TRUE(kube_.Has(types::kPodDisruptionBudget, kNs, "demo-zookeeper"));
  EXPECT_TRUE(BrokerPods().empty());
  EXPECT_TRUE(kube_.PeekAll(types::kPersistentVolumeClaim).empty());
  KafkaCluster c = Cluster();
  EXPECT_THAT(c.metadata.finalizers, ::testing::Contains(operator_api::kFinalizer));
  EXPECT_EQ(c.status.zookeeper_ready, "0/3");
  EXPECT_EQ(Condition("Reconciling").reason, "WaitingForZooKeeper");
  EXPECT_EQ(Condition("Ready").status, "False");

  Pass();  // still not ready: still no broker
  EXPECT_TRUE(BrokerPods().empty());

  ZooKeeperReady();
  Pass();
  EXPECT_EQ(BrokerPods(),
            (std::set<std::string>{"demo-broker-0", "demo-broker-1", "demo-broker-2"}));
}

TEST_F(ReconcilerTest, BrokersGetUniqueIdsAndPortsAndIdsAreRecordedBeforeObjects) {
  CreateCluster(R"({"replicas": 3, "zookeeper": {"managed": {"replicas": 3}}})");
  Pass();
  ZooKeeperReady();
  writes_.clear();
  Pass();
  // nextBrokerId is persisted before the first broker object exists.
  size_t status_write = IndexOf("UpdateStatus KafkaCluster demo");
  size_t first_pod = IndexOf("Create Pod demo-broker-0");
  ASSERT_NE(status_write, SIZE_MAX);
  ASSERT_NE(first_pod, SIZE_MAX);
  EXPECT_LT(status_write, first_pod);
  EXPECT_LT(status_write, IndexOf("Create ConfigMap demo-broker-0"));

  std::set<int64_t> ports;
  for (int id = 0; id < 3; ++id) {
    value pod = *kube_.Peek(types::kPod, kNs, "demo-broker-" + std::to_string(id));
    for (const auto& port : pod.at("spec").at("containers").at(0).at("ports").as_array()) {
      if (port.at("name").as_string() == "kafka")
        ports.insert(port.at("containerPort").as_integer());
    }
    EXPECT_TRUE(kube_.Has(types::kPersistentVolumeClaim, kNs,
                          "demo-broker-" + std::to_string(id) + "-data"));
    EXPECT_TRUE(kube_.Has(types::kPersistentVolumeClaim, kNs,
                          "demo-broker-" + std::to_string(id) + "-logs"));
    EXPECT_TRUE(kube_.Has(types::kService, kNs, "demo-broker-" + std::to_string(id)));
    EXPECT_TRUE(kube_.Has(types::kConfigMap, kNs, "demo-broker-" + std::to_string(id)));
  }
  EXPECT_EQ(ports, (std::set<int64_t>{9092, 9093, 9094}));
  EXPECT_EQ(Cluster().status.next_broker_id, 3);
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2}));

  Kubelet();
  Settle();
  KafkaCluster c = Cluster();
  EXPECT_EQ(c.status.brokers_ready, "3/3");
  EXPECT_EQ(c.status.replicas, 3);
  EXPECT_EQ(c.status.label_selector,
            "app.kubernetes.io/instance=demo,app.kubernetes.io/component=broker");
  EXPECT_EQ(c.status.bootstrap, "demo-bootstrap.kafka.svc.cluster.local:9092");
  EXPECT_EQ(c.status.observed_generation, c.metadata.generation);
  EXPECT_EQ(Condition("Ready").status, "True");
  EXPECT_EQ(Condition("Reconciling").status, "False");
  EXPECT_EQ(Condition("Degraded").status, "False");
  EXPECT_EQ(c.status.balanced_brokers, (std::vector<int32_t>{0, 1, 2}));
  for (const auto& b : c.status.brokers) EXPECT_EQ(b.phase, BrokerPhase::kRunning) << b.id;
}

TEST_F(ReconcilerTest, SecondPassWithNothingChangedWritesNothing) {
  RunningCluster();
  writes_.clear();
  size_t events_before = events_.size();
  ReconcileResult r = Pass();
  EXPECT_TRUE(r.error.ok());
  EXPECT_TRUE(writes_.empty()) << LastWrites();
  EXPECT_EQ(events_.size(), events_before);
  EXPECT_FALSE(r.requeue_after.has_value());
  // A fresh reconciler (a restarted operator) agrees.
  reconciler_ = MakeReconciler();
  Pass();
  EXPECT_TRUE(writes_.empty()) << LastWrites();
}

TEST_F(ReconcilerTest, DriftOnOwnedFieldsIsRepairedAndA409IsRetriedOnce) {
  RunningCluster();
  value cm = *kube_.Peek(types::kConfigMap, kNs, "demo-broker-0");
  value original_data = cm.at("data");
  cm["data"]["server.properties"] = value::string("broker.id=42\n");
  kube_.Put(types::kConfigMap, kNs, cm);
  int conflicts = 0;
  kube_.FailWhen([&](const FakeClient::Request& request) {
    if (request.verb == "UPDATE" && request.type.kind == "ConfigMap" &&
        request.name == "demo-broker-0" && conflicts++ == 0) {
      return Status::Conflict("409 PUT configmaps/demo-broker-0: the object has been modified");
    }
    return Status::Ok();
  });
  writes_.clear();
  Pass();
  EXPECT_EQ(CountWrites("!Update ConfigMap demo-broker-0"), 1u);
  EXPECT_EQ(CountWrites("Update ConfigMap demo-broker-0"), 1u);
  EXPECT_EQ(kube_.Peek(types::kConfigMap, kNs, "demo-broker-0")->at("data").serialize(),
            original_data.serialize());
  // A field the server added is not the operator's business: no update for it.
  value svc = *kube_.Peek(types::kService, kNs, "demo-broker-1");
  svc["spec"]["clusterIP"] = value::string("10.0.0.7");
  svc["spec"]["sessionAffinity"] = value::string("None");
  kube_.Put(types::kService, kNs, svc);
  writes_.clear();
  Pass();
  EXPECT_EQ(CountWrites("Update"), 0u) << LastWrites();
}

TEST_F(ReconcilerTest, TwoConflictsLeaveTheUpdateToTheNextPassWithAnError) {
  RunningCluster();
  value cm = *kube_.Peek(types::kConfigMap, kNs, "demo-broker-1");
  cm["data"]["server.properties"] = value::string("x=y\n");
  kube_.Put(types::kConfigMap, kNs, cm);
  kube_.FailWhen([&](const FakeClient::Request& request) {
    return request.verb == "UPDATE" && request.type.kind == "ConfigMap"
               ? Status::Conflict("409 stale")
               : Status::Ok();
  });
  ReconcileResult r = Pass();
  EXPECT_EQ(r.error.code(), Status::Code::kConflict);
  EXPECT_EQ(Condition("Degraded").reason, "ApiError");
  kube_.FailWhen(nullptr);
  r = Pass();
  EXPECT_TRUE(r.error.ok());
  EXPECT_EQ(Condition("Degraded").status, "False");
}

TEST_F(ReconcilerTest, InvalidSpecSetsConditionsAndTouchesNothing) {
  CreateCluster(R"({"replicas": 3, "config": {"broker.id": "7"}})");
  ReconcileResult r = Pass();
  EXPECT_TRUE(r.error.ok());
  EXPECT_FALSE(r.requeue_after.has_value());
  EXPECT_EQ(Condition("Ready").status, "False");
  EXPECT_EQ(Condition("Ready").reason, "InvalidSpec");
  EXPECT_EQ(Condition("Degraded").status, "True");
  EXPECT_EQ(Condition("Degraded").reason, "InvalidSpec");
  EXPECT_THAT(Condition("Degraded").message, ::testing::HasSubstr("broker.id"));
  EXPECT_EQ(EventCount("InvalidSpec"), 1u);
  EXPECT_EQ(events_.back().type, "Warning");
  EXPECT_TRUE(kube_.PeekAll(types::kStatefulSet).empty());
  EXPECT_TRUE(kube_.PeekAll(types::kConfigMap).empty());
  writes_.clear();
  Pass();
  EXPECT_TRUE(writes_.empty()) << LastWrites();
  EXPECT_EQ(EventCount("InvalidSpec"), 1u);
}

TEST_F(ReconcilerTest, InvalidEditOfARunningClusterDeletesNothing) {
  RunningCluster();
  EditSpec(
      [](value& spec) { spec["config"]["zookeeper.connect"] = value::string("elsewhere:2181"); });
  writes_.clear();
  Pass();
  EXPECT_EQ(CountWrites("Delete"), 0u);
  EXPECT_EQ(CountWrites("Update ConfigMap"), 0u);
  EXPECT_EQ(Condition("Ready").reason, "InvalidSpec");
  EXPECT_EQ(BrokerPods().size(), 3u);
}

TEST_F(ReconcilerTest, ScaleUpCreatesBrokersThenRebalancesOnce) {
  RunningCluster();
  kafka_.AddTopic("orders", 12, {0, 1, 2}, 2);
  EditSpec([](value& spec) { spec["replicas"] = value::number(5); });
  Pass();
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(kube_.Has(types::kPod, kNs, "demo-broker-3"));
  EXPECT_TRUE(kube_.Has(types::kPod, kNs, "demo-broker-4"));
  EXPECT_TRUE(kafka_.reassigns.empty());  // not before the new brokers run
  Kubelet();
  Settle();
  ASSERT_EQ(kafka_.reassigns.size(), 1u);
  bool onto_new = false;
  for (const auto& m : kafka_.reassigns[0]) {
    for (int32_t id : m.target_replicas) onto_new = onto_new || id >= 3;
  }
  EXPECT_TRUE(onto_new);
  auto per_broker = kafka_.ReplicasPerBroker();
  for (int32_t id = 0; id < 5; ++id) EXPECT_GE(per_broker[id], 4) << id;
  EXPECT_EQ(Cluster().status.balanced_brokers, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(EventCount("Rebalanced"), 2u);  // at creation, then after the scale-up
  EXPECT_EQ(Cluster().status.next_broker_id, 5);
  EXPECT_EQ(Condition("Ready").status, "True");
}

TEST_F(ReconcilerTest, ScaleDownDrainsWaitsDeletesInOrderAndResumesInAFreshReconciler) {
  RunningCluster(5);
  kafka_.AddTopic("orders", 10, {0, 1, 2, 3, 4}, 2);
  EditSpec([](value& spec) { spec["replicas"] = value::number(3); });
  writes_.clear();

  Pass();  // records Draining, moves nothing yet
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kDraining);
  EXPECT_EQ(Broker(4)->phase, BrokerPhase::kDraining);
  EXPECT_TRUE(kafka_.reassigns.empty());
  EXPECT_EQ(EventCount("Draining"), 1u);

  reconciler_ = MakeReconciler();  // the operator restarts mid-drain
  Pass();                          // plans the drain from the current state
  ASSERT_EQ(kafka_.reassigns.size(), 1u);
  for (const auto& m : kafka_.reassigns[0]) {
    for (int32_t id : m.target_replicas) EXPECT_LT(id, 3) << m.topic << "-" << m.partition;
  }
  EXPECT_EQ(BrokerPods().size(), 5u);

  Pass();  // reassignment in progress: wait
  EXPECT_EQ(kafka_.reassigns.size(), 1u);
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kDraining);
  EXPECT_EQ(Condition("Reconciling").reason, "Reassigning");
  EXPECT_EQ(Condition("Degraded").status, "False") << Condition("Degraded").message;
  EXPECT_EQ(BrokerPods().size(), 5u);

  Pass();  // drained: Removing recorded before any delete
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kRemoving);
  EXPECT_EQ(Broker(4)->phase, BrokerPhase::kRemoving);
  EXPECT_EQ(CountWrites("Delete"), 0u);

  Pass();  // deletes the objects
  EXPECT_EQ(BrokerPods(),
            (std::set<std::string>{"demo-broker-0", "demo-broker-1", "demo-broker-2"}));
  EXPECT_FALSE(kube_.Has(types::kPersistentVolumeClaim, kNs, "demo-broker-3-data"));
  EXPECT_FALSE(kube_.Has(types::kPersistentVolumeClaim, kNs, "demo-broker-4-logs"));
  EXPECT_FALSE(kube_.Has(types::kConfigMap, kNs, "demo-broker-3"));
  EXPECT_FALSE(kube_.Has(types::kService, kNs, "demo-broker-4"));

  Settle();
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(Cluster().status.replicas, 3);
  EXPECT_EQ(Cluster().status.next_broker_id, 5);  // never reused
  auto per_broker = kafka_.ReplicasPerBroker();
  EXPECT_EQ(per_broker.count(3) + per_broker.count(4), 0u);
  EXPECT_EQ(Condition("Ready").status, "True");

  // The order on the wire: Reassign, then the status that says Removing, then the deletes.
  size_t reassign = IndexOf("Reassign " + std::to_string(kafka_.reassigns[0].size()));
  size_t delete_pod = IndexOf("Delete Pod demo-broker-3");
  ASSERT_NE(reassign, SIZE_MAX);
  ASSERT_NE(delete_pod, SIZE_MAX);
  EXPECT_LT(reassign, delete_pod);

  // Scaling up again gets new ids: 3 and 4 are never handed out again.
  EditSpec([](value& spec) { spec["replicas"] = value::number(4); });
  Pass();
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2, 5}));
}

TEST_F(ReconcilerTest, RemovalWaitsForTerminatingObjectsWithoutDeletingThemAgain) {
  RunningCluster(4);
  kafka_.AddTopic("orders", 8, {0, 1, 2, 3}, 2);
  kube_.SetGracefulDeletion(types::kPod);
  EditSpec([](value& spec) { spec["replicas"] = value::number(3); });
  // Draining, Reassign, wait, Removing.
  for (int i = 0; i < 6 && Broker(3)->phase != BrokerPhase::kRemoving; ++i) Pass();
  ASSERT_EQ(Broker(3)->phase, BrokerPhase::kRemoving);
  for (int i = 0; i < 4; ++i) Pass();
  EXPECT_EQ(CountWrites("Delete Pod demo-broker-3"), 1u);
  EXPECT_TRUE(Broker(3).has_value());  // the entry stays until the pod is gone
  EXPECT_EQ(Condition("Reconciling").reason, "RemovingBrokers");
  kube_.FinishTerminating();
  Pass();
  EXPECT_FALSE(Broker(3).has_value());
  EXPECT_EQ(EventCount("BrokersRemoved"), 1u);
}

TEST_F(ReconcilerTest, ScaleDownBlockedByReplicationFactorKeepsTheBroker) {
  RunningCluster();
  kafka_.AddTopic("orders", 3, {0, 1, 2}, 3, 2);
  EditSpec([](value& spec) { spec["replicas"] = value::number(2); });
  writes_.clear();
  for (int i = 0; i < 3; ++i) {
    Pass();
    Kubelet();
  }
  EXPECT_EQ(Condition("Degraded").status, "True");
  EXPECT_EQ(Condition("Degraded").reason, "ScaleDownBlocked");
  EXPECT_THAT(Condition("Degraded").message, ::testing::HasSubstr("orders"));
  EXPECT_EQ(EventCount("ScaleDownBlocked"), 1u);  // once, not every pass
  EXPECT_EQ(CountWrites("Delete"), 0u);
  EXPECT_TRUE(kafka_.reassigns.empty());
  EXPECT_EQ(Broker(2)->phase, BrokerPhase::kRunning);
  EXPECT_EQ(Cluster().status.replicas, 3);
}

TEST_F(ReconcilerTest, DeletedPodIsRecreatedWithTheSameIdAndVolumes) {
  RunningCluster();
  ASSERT_TRUE(kube_.Delete(types::kPod, kNs, "demo-broker-1", {}).ok());
  writes_.clear();
  Pass();
  EXPECT_EQ(CountWrites("Create Pod demo-broker-1"), 1u);
  EXPECT_EQ(CountWrites("Create PersistentVolumeClaim"), 0u);
  EXPECT_EQ(Broker(1)->phase, BrokerPhase::kFailed);
  EXPECT_FALSE(Broker(1)->gone_since.empty());
  EXPECT_EQ(EventCount("BrokerPodRecreated"), 1u);
  Kubelet();
  Settle();
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(Broker(1)->phase, BrokerPhase::kRunning);
  EXPECT_TRUE(Broker(1)->gone_since.empty());
  EXPECT_EQ(Cluster().status.next_broker_id, 3);
  value pod = *kube_.Peek(types::kPod, kNs, "demo-broker-1");
  EXPECT_THAT(pod.serialize(), ::testing::HasSubstr("demo-broker-1-data"));
}

TEST_F(ReconcilerTest, FailedPodIsDeletedThenRecreated) {
  RunningCluster();
  value pod = *kube_.Peek(types::kPod, kNs, "demo-broker-2");
  pod["status"]["phase"] = value::string("Failed");
  kube_.Put(types::kPod, kNs, pod);
  writes_.clear();
  Pass();
  EXPECT_EQ(CountWrites("Delete Pod demo-broker-2"), 1u);
  Pass();
  EXPECT_EQ(CountWrites("Create Pod demo-broker-2"), 1u);
}

TEST_F(ReconcilerTest, BrokerGonePastThePolicyIsReplacedByANewIdAndItsPartitionsMove) {
  RunningCluster();
  kafka_.AddTopic("orders", 6, {0, 1, 2}, 2);
  down_.insert("demo-broker-1");
  SetPodReady("demo-broker-1", false);
  Pass();
  EXPECT_EQ(Broker(1)->phase, BrokerPhase::kFailed);
  EXPECT_EQ(Broker(1)->gone_since, "2026-01-01T00:00:00Z");
  EXPECT_EQ(Condition("Degraded").reason, "BrokerFailed");

  now_ += std::chrono::seconds(299);
  Pass();
  EXPECT_EQ(Broker(1)->phase, BrokerPhase::kFailed);  // not yet
  EXPECT_EQ(Broker(1)->gone_since, "2026-01-01T00:00:00Z");
  EXPECT_FALSE(Broker(3).has_value());

  now_ += std::chrono::seconds(2);
  Pass();
  EXPECT_EQ(Broker(1)->phase, BrokerPhase::kReplacing);
  EXPECT_EQ(Broker(1)->replaced_by, 3);
  ASSERT_TRUE(Broker(3).has_value());
  EXPECT_EQ(Cluster().status.next_broker_id, 4);
  EXPECT_EQ(EventCount("ReplacingBroker"), 1u);

  Kubelet();
  Settle();
  ASSERT_GE(kafka_.reassigns.size(), 1u);
  for (const auto& m : kafka_.reassigns[0]) {
    EXPECT_THAT(m.target_replicas, ::testing::Contains(3));
    EXPECT_THAT(m.target_replicas, ::testing::Not(::testing::Contains(1)));
  }
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 2, 3}));
  EXPECT_EQ(kafka_.ReplicasPerBroker().count(1), 0u);
  EXPECT_FALSE(kube_.Has(types::kPod, kNs, "demo-broker-1"));
  EXPECT_FALSE(kube_.Has(types::kPersistentVolumeClaim, kNs, "demo-broker-1-data"));
  EXPECT_EQ(Cluster().status.replicas, 3);
  EXPECT_EQ(EventCount("BrokerReplaced"), 1u);
  EXPECT_EQ(Condition("Ready").status, "True");
}

TEST_F(ReconcilerTest, LostDataVolumeIsReplacedAtOnce) {
  RunningCluster();
  kafka_.AddTopic("orders", 6, {0, 1, 2}, 2);
  value pvc = *kube_.Peek(types::kPersistentVolumeClaim, kNs, "demo-broker-2-data");
  pvc["status"]["phase"] = value::string("Lost");
  kube_.Put(types::kPersistentVolumeClaim, kNs, pvc);
  Pass();
  EXPECT_EQ(Broker(2)->phase, BrokerPhase::kReplacing);
  EXPECT_EQ(Broker(2)->replaced_by, 3);
  Kubelet();
  Settle();
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 3}));
  EXPECT_EQ(kafka_.ReplicasPerBroker().count(2), 0u);
  EXPECT_FALSE(kube_.Has(types::kPersistentVolumeClaim, kNs, "demo-broker-2-data"));
}

TEST_F(ReconcilerTest, LostVolumeIsNotRecreatedEmptyWhileKafkaCannotBeAsked) {
  RunningCluster();
  kafka_.AddTopic("orders", 6, {0, 1, 2}, 2);
  bool kafka_down = true;
  ON_CALL(admin_, Describe()).WillByDefault([&]() -> Result<ka::ClusterState> {
    if (kafka_down) return Status::Unavailable("timed out");
    return kafka_.Describe();
  });
  ASSERT_TRUE(kube_.Delete(types::kPod, kNs, "demo-broker-2", {}).ok());
  ASSERT_TRUE(kube_.Delete(types::kPersistentVolumeClaim, kNs, "demo-broker-2-data", {}).ok());
  writes_.clear();
  Pass();
  Pass();
  EXPECT_EQ(CountWrites("Create"), 0u) << LastWrites();
  EXPECT_EQ(Broker(2)->phase, BrokerPhase::kFailed);
  kafka_down = false;
  Pass();
  EXPECT_EQ(Broker(2)->phase, BrokerPhase::kReplacing);
  EXPECT_EQ(Broker(2)->replaced_by, 3);
  EXPECT_FALSE(kube_.Has(types::kPersistentVolumeClaim, kNs, "demo-broker-2-data"));
}

TEST_F(ReconcilerTest, AClaimMissingFromTheLabelledListIsNotALostVolume) {
  RunningCluster();
  value pvc = *kube_.Peek(types::kPersistentVolumeClaim, kNs, "demo-broker-1-data");
  pvc["metadata"]["labels"] = value::object();  // relabelled by hand
  kube_.Put(types::kPersistentVolumeClaim, kNs, pvc);
  writes_.clear();
  Pass();
  EXPECT_EQ(Broker(1)->phase, BrokerPhase::kRunning);
  EXPECT_FALSE(Broker(3).has_value());
  EXPECT_EQ(CountWrites("Create PersistentVolumeClaim"), 0u) << LastWrites();
}

TEST_F(ReconcilerTest, ConfigChangeRestartsOnePodAtATimeControllerLast) {
  RunningCluster();
  kafka_.AddTopic("orders", 3, {0, 1, 2}, 3, 2);
  kafka_.controller = 0;
  kube_.SetGracefulDeletion(types::kPod);
  EditSpec([](value& spec) { spec["config"]["num.io.threads"] = value::string("16"); });
  std::vector<std::string> restarted;
  for (int i = 0; i < 30 && restarted.size() < 3; ++i) {
    size_t before = writes_.size();
    Pass();
    for (size_t w = before; w < writes_.size(); ++w) {
      if (writes_[w].rfind("Delete Pod ", 0) == 0) restarted.push_back(writes_[w].substr(11));
    }
    // Never more than one broker down at a time.
    int terminating = 0;
    for (const value& pod : kube_.PeekAll(types::kPod)) {
      terminating += pod.at("metadata").has_field("deletionTimestamp") ? 1 : 0;
    }
    EXPECT_LE(terminating, 1);
    Pass();  // a second pass while the pod terminates restarts nothing else
    Kubelet();
  }
  EXPECT_EQ(restarted,
            (std::vector<std::string>{"demo-broker-1", "demo-broker-2", "demo-broker-0"}));
  EXPECT_EQ(EventCount("RollingRestart"), 3u);
  Settle();
  EXPECT_EQ(CountWrites("Delete Pod"), 3u);
  std::string hash = operator_resources::ConfigHash(
      operator_resources::BrokerServerProperties(Cluster(), 0, std::nullopt));
  EXPECT_EQ(Broker(0)->config_hash, hash);
  EXPECT_EQ(Condition("Ready").status, "True");
}

TEST_F(ReconcilerTest, RollingRestartWaitsForRestartBlockers) {
  RunningCluster();
  // orders-0's ISR is down to min.insync.replicas: restarting 0 or 1 would break acks=all.
  kafka_.AddTopic("orders", 1, {0, 1, 2}, 3, 2);
  kafka_.topics[0].partitions[0].isr = {0, 1};
  kafka_.controller = 2;
  EditSpec([](value& spec) { spec["image"] = value::string("sluice/broker:0.2.0"); });
  writes_.clear();
  Pass();
  // 2 holds the partition outside the ISR, but it is the controller: last, so nothing moves.
  EXPECT_EQ(CountWrites("Delete Pod"), 0u);
  EXPECT_EQ(Condition("Reconciling").reason, "RollWaiting");
  EXPECT_THAT(Condition("Reconciling").message, ::testing::HasSubstr("orders"));
  kafka_.topics[0].partitions[0].isr = {0, 1, 2};
  Pass();
  EXPECT_EQ(CountWrites("Delete Pod demo-broker-0"), 1u);
  EXPECT_THAT(events_.back().note, ::testing::HasSubstr("image changed"));
}

TEST_F(ReconcilerTest, KafkaAdminFailureBlocksEveryDestructiveStep) {
  RunningCluster(5);
  kafka_.AddTopic("orders", 10, {0, 1, 2, 3, 4}, 2);
  EXPECT_CALL(admin_, Describe()).WillRepeatedly([] {
    return Result<ka::ClusterState>(Status::Unavailable("connect to demo-broker-0: refused"));
  });
  EXPECT_CALL(admin_, Reassign(_)).Times(0);
  EditSpec([](value& spec) {
    spec["replicas"] = value::number(3);
    spec["config"]["num.io.threads"] = value::string("16");
  });
  writes_.clear();
  for (int i = 0; i < 3; ++i) {
    ReconcileResult r = Pass();
    EXPECT_TRUE(r.requeue_after.has_value());
  }
  EXPECT_EQ(CountWrites("Delete"), 0u) << LastWrites();
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kRunning);
  EXPECT_EQ(Condition("Degraded").reason, "KafkaAdminUnavailable");
  EXPECT_THAT(Condition("Degraded").message, ::testing::HasSubstr("refused"));
  EXPECT_EQ(EventCount("KafkaAdminUnavailable"), 1u);
}

TEST_F(ReconcilerTest, FailedReassignIsNeverTakenAsSuccess) {
  RunningCluster(5);
  kafka_.AddTopic("orders", 10, {0, 1, 2, 3, 4}, 2);
  EditSpec([](value& spec) { spec["replicas"] = value::number(3); });
  Pass();
  ASSERT_EQ(Broker(4)->phase, BrokerPhase::kDraining);
  EXPECT_CALL(admin_, Reassign(_)).WillRepeatedly([](const std::vector<ka::Move>&) {
    return Status::Unavailable("orders-3: NOT_CONTROLLER");
  });
  writes_.clear();
  for (int i = 0; i < 4; ++i) {
    ReconcileResult r = Pass();
    EXPECT_FALSE(r.error.ok());
  }
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kDraining);
  EXPECT_EQ(Broker(4)->phase, BrokerPhase::kDraining);
  EXPECT_EQ(CountWrites("Delete"), 0u);
  EXPECT_EQ(Condition("Degraded").reason, "ReassignFailed");
  EXPECT_EQ(EventCount("ReassignFailed"), 1u);
}

TEST_F(ReconcilerTest, AReplicaThatLostLeadershipRecordsAndDeletesNothing) {
  RunningCluster(4);
  kafka_.AddTopic("orders", 8, {0, 1, 2, 3}, 2);
  EditSpec([](value& spec) { spec["replicas"] = value::number(3); });
  leading_ = false;
  writes_.clear();
  ReconcileResult r = Pass();
  EXPECT_FALSE(r.error.ok());
  EXPECT_THAT(r.error.message(), ::testing::HasSubstr("not the leader"));
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kRunning);
  EXPECT_EQ(CountWrites("Delete"), 0u);
  EXPECT_TRUE(kafka_.reassigns.empty());
  leading_ = true;
  Pass();
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kDraining);
}

TEST_F(ReconcilerTest, PodVanishingMidDrainIsRecreated) {
  RunningCluster(4);
  kafka_.AddTopic("orders", 8, {0, 1, 2, 3}, 2);
  EditSpec([](value& spec) { spec["replicas"] = value::number(3); });
  Pass();
  ASSERT_EQ(Broker(3)->phase, BrokerPhase::kDraining);
  ASSERT_TRUE(kube_.Delete(types::kPod, kNs, "demo-broker-3", {}).ok());
  Pass();
  EXPECT_TRUE(kube_.Has(types::kPod, kNs, "demo-broker-3"));
  EXPECT_EQ(Broker(3)->phase, BrokerPhase::kDraining);
}

TEST_F(ReconcilerTest, StatusIsWrittenOnlyWhenItChanges) {
  RunningCluster();
  writes_.clear();
  Pass();
  Pass();
  EXPECT_EQ(CountWrites("UpdateStatus"), 0u);
  SetPodReady("demo-broker-0", false);  // something real changes
  Pass();
  EXPECT_EQ(CountWrites("UpdateStatus"), 1u);
  Pass();  // nothing new since
  EXPECT_EQ(CountWrites("UpdateStatus"), 1u);
  // Conditions keep their transition time while their status holds.
  std::string since = Condition("Degraded").last_transition_time;
  now_ += std::chrono::seconds(30);
  Pass();
  EXPECT_EQ(Condition("Degraded").last_transition_time, since);
}

TEST_F(ReconcilerTest, DeletionCleansTheExternalChrootAfterTheBrokersStopThenDropsTheFinalizer) {
  CreateCluster(
      R"({"replicas": 2, "zookeeper": {"external": {"connect": "zk-0:2181"}, "chroot": "/demo"}})");
  Settle();
  EXPECT_TRUE(kube_.PeekAll(types::kStatefulSet).empty());
  EXPECT_EQ(Cluster().status.zookeeper_ready, "external");
  EXPECT_EQ(BrokerPods().size(), 2u);
  kube_.SetGracefulDeletion(types::kPod);
  ASSERT_TRUE(kube_.Delete(types::kKafkaCluster, kNs, kName, {}).ok());
  ASSERT_TRUE(kube_.Has(types::kKafkaCluster, kNs, kName));  // held by the finalizer
  Pass();
  EXPECT_EQ(CountWrites("Delete Pod"), 2u);
  EXPECT_TRUE(chroot_cleaned_.empty());
  Pass();  // pods still terminating
  EXPECT_TRUE(chroot_cleaned_.empty());
  kube_.FinishTerminating();
  Pass();
  EXPECT_EQ(chroot_cleaned_, (std::vector<std::string>{"zk-0:2181/demo"}));
  EXPECT_FALSE(kube_.Has(types::kKafkaCluster, kNs, kName));
}

TEST_F(ReconcilerTest, DeletionWithManagedZooKeeperOnlyDropsTheFinalizer) {
  RunningCluster();
  ASSERT_TRUE(kube_.Delete(types::kKafkaCluster, kNs, kName, {}).ok());
  writes_.clear();
  Pass();
  EXPECT_EQ(CountWrites("Delete"), 0u);  // ownerReferences take care of the rest
  EXPECT_TRUE(chroot_cleaned_.empty());
  EXPECT_FALSE(kube_.Has(types::kKafkaCluster, kNs, kName));
}

TEST_F(ReconcilerTest, ApiServerErrorsRequeueWithAnErrorAndNeverThrow) {
  CreateCluster(R"({"replicas": 1})");
  kube_.FailWhen([](const FakeClient::Request& request) {
    return request.verb == "GET" ? Status::Unavailable("503 GET: etcd leader changed")
                                 : Status::Ok();
  });
  ReconcileResult r = Pass();
  EXPECT_EQ(r.error.code(), Status::Code::kUnavailable);
  kube_.FailWhen(nullptr);
  EXPECT_TRUE(Pass().error.ok());
  // A missing cluster is not an error.
  reconciler_ = MakeReconciler();
  EXPECT_TRUE(reconciler_->Reconcile(kNs, "nope").error.ok());
}

TEST_F(ReconcilerTest, RackAwarenessSpreadsBrokersOverZones) {
  for (const char* zone : {"zone-b", "zone-a"}) {
    value node = value::object();
    node["metadata"]["name"] = value::string(std::string("node-") + zone);
    node["metadata"]["labels"]["topology.kubernetes.io/zone"] = value::string(zone);
    kube_.Put(types::kNode, "", node);
  }
  CreateCluster(R"({"replicas": 3, "rackAwareness": {"topologyKey": "topology.kubernetes.io/zone"},
                    "zookeeper": {"external": {"connect": "zk:2181"}}})");
  Settle();
  auto props = [&](int id) {
    return kube_.Peek(types::kConfigMap, kNs, "demo-broker-" + std::to_string(id))
        ->at("data")
        .at("server.properties")
        .as_string();
  };
  EXPECT_THAT(props(0), ::testing::HasSubstr("broker.rack=zone-a"));
  EXPECT_THAT(props(1), ::testing::HasSubstr("broker.rack=zone-b"));
  EXPECT_THAT(props(2), ::testing::HasSubstr("broker.rack=zone-a"));
}

TEST_F(ReconcilerTest, ListedBrokerIdsArePinnedAndAutoIdsSkipThem) {
  CreateCluster(R"({"replicas": 3, "brokers": [{"id": 1, "config": {"num.io.threads": "16"}}],
                    "zookeeper": {"external": {"connect": "zk:2181"}}})");
  Settle();
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_THAT(kube_.Peek(types::kConfigMap, kNs, "demo-broker-1")
                  ->at("data")
                  .at("server.properties")
                  .as_string(),
              ::testing::HasSubstr("num.io.threads=16"));
  EXPECT_EQ(Cluster().status.next_broker_id, 3);
}

TEST_F(ReconcilerTest, APassThatActsRecordsTheDefaultedSpecItActedOn) {
  RunningCluster();
  KafkaCluster c = Cluster();
  ASSERT_TRUE(c.status.last_applied_spec.has_value());
  EXPECT_EQ(*c.status.last_applied_spec, operator_api::WithDefaults(c).spec);
  EXPECT_EQ(c.status.last_applied_spec->storage.data.size, "10Gi");
  EXPECT_EQ(c.status.last_applied_spec->image, "sluice/broker:0.1.0");
  // An invalid spec is not acted on, so it is not recorded either.
  EditSpec([](value& spec) { spec["config"]["broker.id"] = value::string("7"); });
  Pass();
  EXPECT_EQ(Condition("Ready").reason, "InvalidSpec");
  EXPECT_EQ(Cluster().status.last_applied_spec, c.status.last_applied_spec);
}

TEST_F(ReconcilerTest, ShrinkingStorageIsAnInvalidUpdateThatTouchesNothingUntilSetBack) {
  RunningCluster();
  const KafkaCluster before = Cluster();
  // The shrink comes with a scale-up that would be fine alone: nothing of the edit is done.
  EditSpec([](value& spec) {
    spec["storage"]["data"]["size"] = value::string("5Gi");
    spec["replicas"] = value::number(4);
  });
  writes_.clear();
  size_t events_before = events_.size();
  ReconcileResult r = Pass();
  EXPECT_TRUE(r.error.ok()) << r.error.ToString();
  EXPECT_EQ(r.requeue_after, std::chrono::milliseconds(30000));
  EXPECT_EQ(writes_, (std::vector<std::string>{"UpdateStatus KafkaCluster demo"}));
  EXPECT_EQ(Condition("Ready").status, "False");
  EXPECT_EQ(Condition("Ready").reason, "InvalidUpdate");
  EXPECT_THAT(Condition("Ready").message, ::testing::HasSubstr("spec.storage.data.size"));
  EXPECT_THAT(Condition("Ready").message, ::testing::HasSubstr("from 10Gi to 5Gi"));
  EXPECT_EQ(Condition("Degraded").status, "True");
  EXPECT_EQ(Condition("Degraded").reason, "InvalidUpdate");
  EXPECT_EQ(events_.size(), events_before + 1);
  EXPECT_EQ(events_.back().type, "Warning");
  EXPECT_EQ(events_.back().reason, "InvalidUpdate");
  KafkaCluster refused = Cluster();
  EXPECT_EQ(refused.status.observed_generation, refused.metadata.generation);
  EXPECT_EQ(refused.status.last_applied_spec, before.status.last_applied_spec);
  EXPECT_EQ(refused.status.brokers, before.status.brokers);
  EXPECT_EQ(refused.status.next_broker_id, 3);
  EXPECT_FALSE(kube_.Has(types::kPod, kNs, "demo-broker-3"));

  // Requeues neither write nor warn again.
  writes_.clear();
  Pass();
  Pass();
  EXPECT_TRUE(writes_.empty()) << LastWrites();
  EXPECT_EQ(EventCount("InvalidUpdate"), 1u);

  // Set back: the cluster proceeds (here: with the scale-up it was holding back).
  EditSpec([](value& spec) { spec["storage"]["data"]["size"] = value::string("10Gi"); });
  Pass();
  EXPECT_NE(Condition("Ready").reason, "InvalidUpdate");
  EXPECT_EQ(BrokerIds(), (std::vector<int32_t>{0, 1, 2, 3}));
  Kubelet();
  Settle();
  KafkaCluster after = Cluster();
  EXPECT_EQ(Condition("Ready").status, "True");
  EXPECT_EQ(Condition("Degraded").status, "False");
  ASSERT_TRUE(after.status.last_applied_spec.has_value());
  EXPECT_EQ(after.status.last_applied_spec->replicas, 4);
  EXPECT_EQ(after.status.last_applied_spec->storage.data.size, "10Gi");
}

TEST_F(ReconcilerTest, MovingBasePortIsRefusedWithoutReadvertisingAnyBroker) {
  RunningCluster();
  const std::string properties =
      kube_.Peek(types::kConfigMap, kNs, "demo-broker-0")->at("data").serialize();
  EditSpec([](value& spec) { spec["listeners"]["internal"]["basePort"] = value::number(19092); });
  writes_.clear();
  Pass();
  EXPECT_EQ(writes_, (std::vector<std::string>{"UpdateStatus KafkaCluster demo"}));
  EXPECT_EQ(Condition("Ready").reason, "InvalidUpdate");
  EXPECT_THAT(Condition("Ready").message,
              ::testing::HasSubstr("spec.listeners.internal.basePort: changing it from 9092 to "
                                   "19092 is refused"));
  EXPECT_EQ(kube_.Peek(types::kConfigMap, kNs, "demo-broker-0")->at("data").serialize(),
            properties);
  EXPECT_EQ(Cluster().status.bootstrap, "demo-bootstrap.kafka.svc.cluster.local:9092");
}

TEST_F(ReconcilerTest, ACompatibleEditProceedsAndIsRecorded) {
  RunningCluster();
  EditSpec([](value& spec) {
    spec["config"]["num.io.threads"] = value::string("16");
    spec["storage"]["data"]["size"] = value::string("20Gi");  // growing is fine
  });
  Pass();
  EXPECT_NE(Condition("Ready").reason, "InvalidUpdate");
  EXPECT_EQ(EventCount("InvalidUpdate"), 0u);
  KafkaCluster c = Cluster();
  ASSERT_TRUE(c.status.last_applied_spec.has_value());
  EXPECT_EQ(c.status.last_applied_spec->config.at("num.io.threads"), "16");
  EXPECT_EQ(c.status.last_applied_spec->storage.data.size, "20Gi");
  EXPECT_THAT(kube_.Peek(types::kConfigMap, kNs, "demo-broker-0")
                  ->at("data")
                  .at("server.properties")
                  .as_string(),
              ::testing::HasSubstr("num.io.threads=16"));
  Settle();
  EXPECT_EQ(Condition("Ready").status, "True");
  // Shrinking back to the first size is now a shrink from the recorded 20Gi.
  EditSpec([](value& spec) { spec["storage"]["data"]["size"] = value::string("10Gi"); });
  Pass();
  EXPECT_EQ(Condition("Ready").reason, "InvalidUpdate");
  EXPECT_THAT(Condition("Ready").message, ::testing::HasSubstr("from 20Gi to 10Gi"));
}

TEST_F(ReconcilerTest, AClusterWithoutARecordedSpecRecordsItInOneStatusWrite) {
  RunningCluster();
  // As an operator before lastAppliedSpec left it.
  value object = *kube_.Peek(types::kKafkaCluster, kNs, kName);
  object["status"].erase("lastAppliedSpec");
  kube_.Put(types::kKafkaCluster, kNs, object);
  ASSERT_FALSE(Cluster().status.last_applied_spec.has_value());
  writes_.clear();
  Pass();
  EXPECT_EQ(writes_, (std::vector<std::string>{"UpdateStatus KafkaCluster demo"}));
  EXPECT_TRUE(Cluster().status.last_applied_spec.has_value());
  writes_.clear();
  Pass();
  EXPECT_TRUE(writes_.empty()) << LastWrites();
}

}  // namespace
}  // namespace sluice::reconcile

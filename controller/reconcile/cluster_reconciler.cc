#include "controller/reconcile/cluster_reconciler.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <ctime>
#include <exception>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "controller/api/defaults.h"
#include "controller/api/kafka_cluster_json.h"
#include "controller/api/validation.h"
#include "controller/kafka_admin/balancer.h"
#include "controller/reconcile/membership.h"
#include "controller/reconcile/object_diff.h"
#include "controller/resources/builders.h"

namespace sluice::reconcile {

namespace {

namespace res = operator_resources;
namespace ka = kafka_admin;
using operator_api::BrokerPhase;
using operator_api::BrokerStatus;
using operator_api::Condition;
using operator_api::KafkaCluster;
using operator_api::KafkaClusterStatus;
using web::json::value;

Poco::Logger& Log() { return Poco::Logger::get("operator.reconcile"); }

std::string Str(const value& v, const std::vector<std::string>& path) {
  const value* at = &v;
  for (const auto& key : path) {
    if (!at->is_object() || !at->has_field(key)) return "";
    at = &at->at(key);
  }
  return at->is_string() ? at->as_string() : "";
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string IdList(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

bool Contains(const std::vector<int32_t>& v, int32_t id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

// The broker id label of an owned object, or nullopt.
std::optional<int32_t> BrokerIdOf(const value& object) {
  std::string text = Str(object, {"metadata", "labels", res::kBrokerIdLabel});
  if (text.empty()) return std::nullopt;
  try {
    size_t used = 0;
    int value = std::stoi(text, &used);
    if (used != text.size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool IsTerminating(const value& object) {
  return !Str(object, {"metadata", "deletionTimestamp"}).empty();
}

bool PodReady(const value& pod) {
  if (IsTerminating(pod)) return false;
  if (!pod.has_field("status") || !pod.at("status").has_field("conditions")) return false;
  const value& conditions = pod.at("status").at("conditions");
  if (!conditions.is_array()) return false;
  for (const auto& c : conditions.as_array()) {
    if (Str(c, {"type"}) == "Ready") return Str(c, {"status"}) == "True";
  }
  return false;
}

std::string PodImage(const value& pod) {
  if (!pod.has_field("spec") || !pod.at("spec").has_field("containers")) return "";
  const value& containers = pod.at("spec").at("containers");
  if (!containers.is_array() || containers.size() == 0) return "";
  return Str(containers.at(0), {"image"});
}

bool ReassignmentInProgress(const ka::ClusterState& state) {
  for (const auto& t : state.topics) {
    for (const auto& p : t.partitions) {
      if (!p.adding.empty() || !p.removing.empty()) return true;
    }
  }
  return false;
}

bool HostsReplicas(const ka::ClusterState& state, int32_t broker) {
  for (const auto& t : state.topics) {
    for (const auto& p : t.partitions) {
      if (Contains(p.replicas, broker) || Contains(p.adding, broker)) return true;
    }
  }
  return false;
}

// Drops moves that would not change a partition's replica list (a plan from a balanced state).
std::vector<ka::Move> EffectiveMoves(const ka::ClusterState& state, std::vector<ka::Move> moves) {
  std::vector<ka::Move> out;
  for (auto& m : moves) {
    bool noop = false;
    for (const auto& t : state.topics) {
      if (t.name != m.topic) continue;
      for (const auto& p : t.partitions) {
        if (p.partition == m.partition && p.replicas == m.target_replicas) noop = true;
      }
    }
    if (!noop) out.push_back(std::move(m));
  }
  return out;
}

BrokerStatus* FindBroker(KafkaClusterStatus& status, int32_t id) {
  for (auto& b : status.brokers) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

// A condition that keeps its lastTransitionTime while its status does not change.
void SetCondition(std::vector<Condition>& conditions, const std::vector<Condition>& previous,
                  const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, const std::string& now, int64_t generation) {
  Condition c{type, status, reason, message, now, generation};
  for (const auto& old : previous) {
    if (old.type == type && old.status == status) c.last_transition_time = old.last_transition_time;
  }
  for (auto& existing : conditions) {
    if (existing.type == type) {
      existing = c;
      return;
    }
  }
  conditions.push_back(c);
}

const Condition* FindCondition(const KafkaClusterStatus& status, const std::string& type) {
  for (const auto& c : status.conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

struct Reason {
  std::string reason;
  std::string message;
};

}  // namespace

// ---- time -----------------------------------------------------------------------------------

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// ---- one pass ---------------------------------------------------------------------------------

struct ClusterReconciler::Pass {
  ClusterReconciler& r;
  std::string ns;
  std::string name;
  std::chrono::system_clock::time_point now_tp;
  std::string now;

  value stored;          // the KafkaCluster as the server last gave it (current resourceVersion)
  KafkaCluster cluster;  // defaulted spec, metadata and status as read
  KafkaClusterStatus written;  // the status the server holds
  KafkaClusterStatus status;   // the status this pass builds

  std::vector<Reason> degraded;  // what is wrong (first is the condition's reason)
  std::vector<Reason> activity;  // what is in motion (first is Reconciling's reason)
  std::optional<std::chrono::milliseconds> requeue;
  Status error;  // the first API error of the pass
  // A decision could not be recorded (or this replica lost leadership): the in-memory status
  // holds it unrecorded, so the pass must not write status at the end either.
  bool abandoned = false;

  // The world, read once per pass.
  std::map<int32_t, value> pods, config_maps, services;
  std::map<std::string, value> pvcs;  // by name
  std::vector<std::string> zones;
  std::optional<ka::ClusterState> kafka;  // nullopt when Describe failed or was impossible
  std::string kafka_error;

  Pass(ClusterReconciler& reconciler, std::string ns_in, std::string name_in)
      : r(reconciler), ns(std::move(ns_in)), name(std::move(name_in)) {
    now_tp = r.clock_();
    now = FormatRfc3339(now_tp);
  }

  void Requeue(std::chrono::milliseconds after) {
    if (!requeue || after < *requeue) requeue = after;
  }
  void Fail(const Status& s) {
    if (error.ok()) error = s;
  }
  void Event(const std::string& type, const std::string& reason, const std::string& action,
             const std::string& note, const std::string& pod = "") {
    Log().information("cluster=%s/%s event=%s reason=%s action=%s note=\"%s\"", ns, name, type,
                      reason, action, note);
    if (r.events_) r.events_(cluster, ClusterEvent{type, reason, action, note, pod});
  }
  // A Warning Event only when the condition it explains is new (no Event storm on requeues).
  void WarnOnce(const std::string& reason, const std::string& message, const std::string& action) {
    const Condition* old = FindCondition(written, "Degraded");
    // The condition's message joins every problem; its reason is only the first one's.
    (void)reason;
    bool known =
        old != nullptr && old->status == "True" && old->message.find(message) != std::string::npos;
    if (!known) Event("Warning", reason, action, message);
  }

  ReconcileResult Done() {
    ReconcileResult result;
    result.requeue_after = requeue;
    result.error = error;
    return result;
  }

  // ---- API helpers ----------------------------------------------------------------------------

  // Creates `desired` when absent, else PUTs the owned fields when they differ. A 409 re-reads
  // and retries once; a second 409 leaves it to the next pass.
  Status Apply(const kube::ResourceType& type, const value& desired, const value* actual) {
    const std::string object_name = Str(desired, {"metadata", "name"});
    value current;
    if (actual == nullptr) {
      auto got = r.client_.Get(type, ns, object_name);
      if (got.ok()) {
        current = *got;
      } else if (got.status().code() != Status::Code::kNotFound) {
        return got.status();
      }
    } else {
      current = *actual;
    }
    if (current.is_null()) {
      auto created = r.client_.Create(type, ns, desired);
      if (created.ok() || created.status().code() == Status::Code::kAlreadyExists) {
        if (created.ok()) {
          Log().information("cluster=%s/%s created=%s/%s", ns, name, type.kind, object_name);
        }
        return Status::Ok();
      }
      return created.status();
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto update = MergeOwnedFields(type.kind, desired, current);
      if (!update) return Status::Ok();
      auto written_object = r.client_.Update(type, ns, *update);
      if (written_object.ok()) {
        Log().information("cluster=%s/%s updated=%s/%s", ns, name, type.kind, object_name);
        return Status::Ok();
      }
      if (written_object.status().code() != Status::Code::kConflict || attempt == 1) {
        return written_object.status();
      }
      auto fresh = r.client_.Get(type, ns, object_name);
      if (!fresh.ok()) return fresh.status();
      current = *fresh;
    }
    return Status::Ok();
  }

  void ApplyOrFail(const kube::ResourceType& type, const value& desired,
                   const value* actual = nullptr) {
    Status s = Apply(type, desired, actual);
    if (!s.ok()) {
      Log().warning("cluster=%s/%s apply=%s/%s error=\"%s\"", ns, name, type.kind,
                    Str(desired, {"metadata", "name"}), s.ToString());
      Fail(s);
    }
  }

  // Writes `status` through /status with the current resourceVersion. `retry_conflict`: on a
  // 409, re-read and write once more (the final write of a pass). Steps that must be recorded
  // before they act pass false: a conflict means someone else wrote, so re-read the world first.
  Status WriteStatus(bool retry_conflict) {
    if (status == written) return Status::Ok();
    for (int attempt = 0; attempt < 2; ++attempt) {
      value object = stored;
      object["status"] = operator_api::StatusToJson(status);
      auto result = r.client_.UpdateStatus(kube::types::kKafkaCluster, ns, object);
      if (result.ok()) {
        stored = *result;
        written = status;
        return Status::Ok();
      }
      if (result.status().code() != Status::Code::kConflict || !retry_conflict || attempt == 1) {
        return result.status();
      }
      auto fresh = r.client_.Get(kube::types::kKafkaCluster, ns, name);
      if (!fresh.ok()) return fresh.status();
      auto parsed = operator_api::FromJson(*fresh);
      if (!parsed.ok()) return parsed.status();
      // Someone else changed the status (another operator instance?): only overwrite it when
      // the spec is still the one this pass reconciled.
      if (parsed->metadata.generation != cluster.metadata.generation) {
        return Status::Conflict("KafkaCluster " + ns + "/" + name +
                                " changed during the pass; reconciling again");
      }
      stored = *fresh;
    }
    return Status::Ok();
  }

  // False (and an error for the pass) once this replica may no longer act.
  bool MayAct(const std::string& what) {
    if (!r.options_.may_act || r.options_.may_act()) return true;
    Fail(Status::Unavailable("not the leader any more; not doing: " + what));
    abandoned = true;
    return false;
  }

  // Deletes an object (kNotFound is success) unless this replica may no longer act.
  bool DeleteObject(const kube::ResourceType& type, const std::string& object_name,
                    const kube::DeleteOptions& options = {}) {
    if (!MayAct("delete " + type.kind + " " + object_name)) return false;
    Status s = r.client_.Delete(type, ns, object_name, options);
    if (!s.ok() && s.code() != Status::Code::kNotFound) {
      Fail(s);
      return false;
    }
    Log().information("cluster=%s/%s deleted=%s/%s", ns, name, type.kind, object_name);
    return true;
  }

  // Records a decision before acting on it. False (and the pass must stop) when it could not.
  bool Persist(const std::string& what) {
    if (!MayAct(what)) return false;
    Status s = WriteStatus(false);
    if (!s.ok()) {
      Log().warning("cluster=%s/%s persist=\"%s\" error=\"%s\"", ns, name, what, s.ToString());
      Fail(s);
      abandoned = true;
      return false;
    }
    return true;
  }

  // ---- the pass -------------------------------------------------------------------------------

  ReconcileResult Run() {
    auto got = r.client_.Get(kube::types::kKafkaCluster, ns, name);
    if (!got.ok()) {
      if (got.status().code() == Status::Code::kNotFound) return {};  // deleted: nothing to do
      Fail(got.status());
      return Done();
    }
    stored = *got;
    auto parsed = operator_api::FromJson(stored);
    if (!parsed.ok()) {
      // Not even readable: nothing can be decided; say so and wait for the user to fix it.
      Log().warning("cluster=%s/%s unreadable=\"%s\"", ns, name, parsed.status().ToString());
      cluster.metadata.name = name;
      cluster.metadata.namespace_ = ns;
      Event("Warning", "InvalidSpec", "Parse", parsed.status().message());
      return {};
    }
    cluster = operator_api::WithDefaults(*parsed);
    cluster.metadata = parsed->metadata;
    cluster.status = parsed->status;
    written = parsed->status;
    status = parsed->status;

    if (!cluster.metadata.deletion_timestamp.empty()) return Finalize();

    if (!AddFinalizer()) return Done();

    status.observed_generation = cluster.metadata.generation;
    std::vector<std::string> problems = operator_api::Validate(cluster);
    if (!problems.empty()) {
      std::string message = Join(problems, "; ");
      WarnOnce("InvalidSpec", message, "Validate");
      degraded.push_back({"InvalidSpec", message});
      SetConditions(/*ready_reason=*/"InvalidSpec", message);
      Status s = WriteStatus(true);
      if (!s.ok()) Fail(s);
      return Done();
    }
    if (!AcceptUpdate()) return Done();

    status.label_selector = res::BrokerLabelSelector(cluster);
    status.bootstrap = res::BootstrapAddress(cluster);

    if (ReconcileZooKeeper()) ReconcileBrokers();

    Finish();
    return Done();
  }

  // A valid spec may still be an edit that existing brokers cannot follow (a shrunk volume, a
  // moved basePort): checked against the spec the operator last acted on. Refused like an
  // invalid spec (conditions, one Warning Event, nothing touched) but requeued, and the recorded
  // spec stays as it was, so setting the field back lets the cluster proceed. Accepted: the spec
  // is recorded in the status this pass writes, whichever write comes first (a Persist before
  // new broker ids act, or the final one), so it costs no write of its own.
  bool AcceptUpdate() {
    if (status.last_applied_spec) {
      KafkaCluster last = cluster;
      last.spec = *status.last_applied_spec;
      std::vector<std::string> problems = operator_api::ValidateUpdate(last, cluster);
      if (!problems.empty()) {
        std::string message = Join(problems, "; ");
        WarnOnce("InvalidUpdate", message, "ValidateUpdate");
        degraded.push_back({"InvalidUpdate", message});
        SetConditions(/*ready_reason=*/"InvalidUpdate", message);
        Requeue(r.options_.blocked_interval);
        Status s = WriteStatus(true);
        if (!s.ok()) Fail(s);
        return false;
      }
    }
    status.last_applied_spec = cluster.spec;
    return true;
  }

  bool AddFinalizer() {
    const auto& finalizers = cluster.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), operator_api::kFinalizer) !=
        finalizers.end()) {
      return true;
    }
    value list = value::array();
    size_t i = 0;
    for (const auto& f : finalizers) list[i++] = value::string(f);
    list[i] = value::string(operator_api::kFinalizer);
    value patch = value::object();
    patch["metadata"]["finalizers"] = list;
    patch["metadata"]["resourceVersion"] = value::string(cluster.metadata.resource_version);
    auto patched = r.client_.MergePatch(kube::types::kKafkaCluster, ns, name, patch);
    if (!patched.ok()) {
      // A 409 means the object moved on; the next pass sees the new one.
      Fail(patched.status());
      return false;
    }
    stored = *patched;
    cluster.metadata.finalizers.push_back(operator_api::kFinalizer);
    cluster.metadata.resource_version = Str(stored, {"metadata", "resourceVersion"});
    return true;
  }

  // Deletion: clean up what ownerReferences cannot (an external ZooKeeper chroot), then let go.
  ReconcileResult Finalize() {
    const auto& finalizers = cluster.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), operator_api::kFinalizer) ==
        finalizers.end()) {
      return {};
    }
    const auto& zk = cluster.spec.zookeeper;
    bool clean_chroot = zk.external && !zk.chroot.empty() && zk.chroot != "/";
    if (clean_chroot) {
      // Brokers would recreate their znodes under the chroot while it is being deleted: stop
      // them first and wait until they are gone.
      kube::ListOptions opts;
      opts.label_selector = res::BrokerLabelSelector(cluster);
      auto listed = r.client_.List(kube::types::kPod, ns, opts);
      if (!listed.ok()) {
        Fail(listed.status());
        return Done();
      }
      if (!listed->items.empty()) {
        for (const auto& pod : listed->items) {
          if (IsTerminating(pod)) continue;
          DeleteObject(kube::types::kPod, Str(pod, {"metadata", "name"}));
        }
        Requeue(r.options_.progress_interval);
        return Done();
      }
      if (r.chroot_cleaner_) {
        Status s = r.chroot_cleaner_(zk.external->connect, zk.chroot);
        if (!s.ok()) {
          Event("Warning", "ChrootCleanupFailed", "DeleteZnodes",
                "Could not delete ZooKeeper chroot " + zk.chroot + " on " + zk.external->connect +
                    ": " + s.message() + " (remove the finalizer " + operator_api::kFinalizer +
                    " by hand to give up)");
          Fail(s);
          return Done();
        }
        Event("Normal", "ChrootDeleted", "DeleteZnodes",
              "Deleted ZooKeeper chroot " + zk.chroot + " on " + zk.external->connect);
      }
    }
    value list = value::array();
    size_t i = 0;
    for (const auto& f : finalizers) {
      if (f != operator_api::kFinalizer) list[i++] = value::string(f);
    }
    value patch = value::object();
    patch["metadata"]["finalizers"] = list;
    patch["metadata"]["resourceVersion"] = value::string(cluster.metadata.resource_version);
    auto patched = r.client_.MergePatch(kube::types::kKafkaCluster, ns, name, patch);
    if (!patched.ok() && patched.status().code() != Status::Code::kNotFound) {
      Fail(patched.status());
    }
    return Done();
  }

  // ---- ZooKeeper --------------------------------------------------------------------------------

  // True when the brokers may be reconciled (ZooKeeper can serve them).
  bool ReconcileZooKeeper() {
    status.zookeeper.connect = res::ZooKeeperConnect(cluster);
    if (!cluster.spec.zookeeper.managed) {
      status.zookeeper.replicas = 0;
      status.zookeeper.ready = 0;
      status.zookeeper_ready = "external";
      return true;
    }
    const kube::ResourceType& pdb = r.options_.pdb_type;
    ApplyOrFail(kube::types::kConfigMap, res::ZooKeeperConfigMap(cluster));
    ApplyOrFail(kube::types::kService, res::ZooKeeperHeadlessService(cluster));
    ApplyOrFail(kube::types::kService, res::ZooKeeperClientService(cluster));
    ApplyOrFail(kube::types::kStatefulSet, res::ZooKeeperStatefulSet(cluster));
    ApplyOrFail(pdb, res::ZooKeeperPodDisruptionBudget(cluster, pdb.ApiVersion()));

    int32_t want = cluster.spec.zookeeper.managed->replicas;
    int32_t ready = 0;
    auto sts = r.client_.Get(kube::types::kStatefulSet, ns, res::ZooKeeperName(cluster));
    if (sts.ok() && sts->has_field("status") && sts->at("status").has_field("readyReplicas")) {
      ready = sts->at("status").at("readyReplicas").as_integer();
    } else if (!sts.ok() && sts.status().code() != Status::Code::kNotFound) {
      Fail(sts.status());
    }
    status.zookeeper.replicas = want;
    status.zookeeper.ready = ready;
    status.zookeeper_ready = std::to_string(ready) + "/" + std::to_string(want);
    // The first time, wait for the whole ensemble; once brokers exist, a quorum serves them
    // (ZooKeeper's own rolling update takes one server down at a time).
    bool enough = ready >= want || (!status.brokers.empty() && ready >= want / 2 + 1);
    if (!enough) {
      activity.push_back({"WaitingForZooKeeper", "ZooKeeper " + status.zookeeper_ready +
                                                     " ready; brokers start when it is"});
      Requeue(r.options_.progress_interval);
      return false;
    }
    return true;
  }

  // ---- brokers ----------------------------------------------------------------------------------

  bool ReadBrokerWorld() {
    kube::ListOptions opts;
    opts.label_selector = res::BrokerLabelSelector(cluster);
    auto pod_list = r.client_.List(kube::types::kPod, ns, opts);
    auto cm_list = r.client_.List(kube::types::kConfigMap, ns, opts);
    auto svc_list = r.client_.List(kube::types::kService, ns, opts);
    auto pvc_list = r.client_.List(kube::types::kPersistentVolumeClaim, ns, opts);
    for (const auto* l : {&pod_list, &cm_list, &svc_list, &pvc_list}) {
      if (!l->ok()) {
        Fail(l->status());
        return false;
      }
    }
    for (const auto& o : pod_list->items) {
      if (auto id = BrokerIdOf(o)) pods[*id] = o;
    }
    for (const auto& o : cm_list->items) {
      if (auto id = BrokerIdOf(o)) config_maps[*id] = o;
    }
    for (const auto& o : svc_list->items) {
      if (auto id = BrokerIdOf(o)) services[*id] = o;
    }
    for (const auto& o : pvc_list->items) pvcs[Str(o, {"metadata", "name"})] = o;

    if (cluster.spec.rack_awareness) {
      auto nodes = r.client_.List(kube::types::kNode, "", {});
      if (!nodes.ok()) {
        Fail(nodes.status());
        return false;
      }
      std::set<std::string> found;
      for (const auto& n : nodes->items) {
        std::string zone =
            Str(n, {"metadata", "labels", cluster.spec.rack_awareness->topology_key});
        if (!zone.empty()) found.insert(zone);
      }
      zones.assign(found.begin(), found.end());
      if (zones.empty()) {
        degraded.push_back({"NoZones", "no node has the label " +
                                           cluster.spec.rack_awareness->topology_key +
                                           "; brokers get no broker.rack"});
      }
    }
    return true;
  }

  // Zones round-robin by id over the sorted zone values: deterministic, so every pass and every
  // operator instance agrees without storing it.
  std::optional<std::string> ZoneOf(int32_t id) const {
    if (zones.empty()) return std::nullopt;
    return zones[static_cast<size_t>(id) % zones.size()];
  }

  bool IsListed(int32_t id) const {
    for (const auto& b : cluster.spec.brokers) {
      if (b.id == id) return true;
    }
    return false;
  }

  void Describe() {
    std::vector<std::string> addresses;
    for (const auto& [id, pod] : pods) {
      if (PodReady(pod)) addresses.push_back(res::BrokerInternalAddress(cluster, id));
    }
    if (addresses.empty()) {
      kafka_error = "no broker pod is ready";
      return;
    }
    auto admin = r.admin_factory_ ? r.admin_factory_(Join(addresses, ",")) : nullptr;
    if (!admin) {
      kafka_error = "no Kafka admin client";
      return;
    }
    auto described = admin->Describe();
    if (!described.ok()) {
      kafka_error = described.status().message();
      return;
    }
    kafka = *described;
    admin_ = std::move(admin);
  }
  std::unique_ptr<ka::KafkaAdmin> admin_;

  // Reassign, never treating a failure as success (koperator#829).
  bool Reassign(const std::vector<ka::Move>& moves, const std::string& why) {
    if (!MayAct(why)) return false;
    Status s = admin_->Reassign(moves);
    if (!s.ok()) {
      std::string message = why + ": reassignment of " + std::to_string(moves.size()) +
                            " partitions failed: " + s.message();
      WarnOnce("ReassignFailed", message, "Reassign");
      degraded.push_back({"ReassignFailed", message});
      Fail(s);
      return false;
    }
    Event("Normal", "Reassigning", "Reassign",
          why + ": moving " + std::to_string(moves.size()) + " partitions");
    Requeue(r.options_.reassignment_interval);
    return true;
  }

  void ReconcileBrokers() {
    if (!ReadBrokerWorld()) return;
    const kube::ResourceType& pdb = r.options_.pdb_type;
    ApplyOrFail(kube::types::kService, res::BrokersHeadlessService(cluster));
    ApplyOrFail(kube::types::kService, res::BootstrapService(cluster));
    ApplyOrFail(pdb, res::BrokersPodDisruptionBudget(cluster, pdb.ApiVersion()));

    // A listed id that was draining is wanted again: stop draining it (a rebalance follows).
    for (auto& b : status.brokers) {
      if (IsListed(b.id) && b.phase == BrokerPhase::kDraining) b.phase = BrokerPhase::kPending;
    }

    // New ids are recorded before any object of theirs exists, so a crash never reuses one.
    Membership m = ComputeMembership(cluster.spec, status);
    if (!m.new_ids.empty() || m.next_broker_id != status.next_broker_id) {
      for (int32_t id : m.new_ids) {
        BrokerStatus b;
        b.id = id;
        b.pod = res::BrokerName(cluster, id);
        b.phase = BrokerPhase::kPending;
        status.brokers.push_back(b);
      }
      std::sort(status.brokers.begin(), status.brokers.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
      status.next_broker_id = m.next_broker_id;
      if (!m.new_ids.empty()) {
        Event("Normal", "BrokersAdded", "AddBrokers", "Adding brokers " + IdList(m.new_ids));
      }
      if (!Persist("new broker ids " + IdList(m.new_ids))) return;
    }

    Describe();
    UpdatePhases();

    // Healing decisions can add a replacement id: decide them before building objects.
    if (kafka && !Heal()) return;  // could not record a replacement; the next pass retries
    m = ComputeMembership(cluster.spec, status);

    std::vector<int32_t> managed = m.desired;
    for (int32_t id : m.surplus) managed.push_back(id);
    for (const auto& b : status.brokers) {
      if (b.phase == BrokerPhase::kDraining) managed.push_back(b.id);
    }
    for (int32_t id : managed) {
      BrokerStatus* b = FindBroker(status, id);
      if (b == nullptr || b->phase == BrokerPhase::kRemoving ||
          b->phase == BrokerPhase::kReplacing) {
        continue;
      }
      ReconcileBrokerObjects(id);
    }

    RemoveRemoving();
    if (!kafka) {
      bool any_ready =
          std::any_of(pods.begin(), pods.end(), [](const auto& p) { return PodReady(p.second); });
      if (any_ready) {
        std::string message = "Kafka admin unreachable: " + kafka_error;
        WarnOnce("KafkaAdminUnavailable", message, "Describe");
        degraded.push_back({"KafkaAdminUnavailable", message});
        Requeue(r.options_.reassignment_interval);
      }
    } else {
      bool in_progress = ReassignmentInProgress(*kafka);
      if (in_progress) {
        activity.push_back({"Reassigning", "a partition reassignment is in progress"});
        Requeue(r.options_.reassignment_interval);
      }
      // Each step may record a decision; once one could not be recorded, nothing further runs.
      bool acted = DriveReplacements(in_progress);
      if (!abandoned) acted = DriveDrains(in_progress || acted) || acted;
      if (!abandoned) acted = StartScaleDown(m.surplus, m.desired) || acted;
      if (!abandoned) acted = Rebalance(m.desired, in_progress || acted) || acted;
      if (!abandoned) Roll(m.desired, in_progress || acted);
    }
    FillBrokerStatus(m);
  }

  // Running / Pending / Failed from the pod and from Kafka; leaving phases are kept.
  void UpdatePhases() {
    for (auto& b : status.brokers) {
      auto pod = pods.find(b.id);
      bool ready = pod != pods.end() && PodReady(pod->second);
      bool live = !kafka || Contains(kafka->live_brokers, b.id);
      b.ready = ready;
      b.pod = res::BrokerName(cluster, b.id);
      b.config_hash =
          pod != pods.end()
              ? Str(pod->second, {"metadata", "annotations", res::kConfigHashAnnotation})
              : "";
      if (IsLeavingPhase(b.phase)) continue;
      if (ready && live) {
        b.phase = BrokerPhase::kRunning;
        b.gone_since.clear();
      } else if (b.phase == BrokerPhase::kRunning || b.phase == BrokerPhase::kFailed) {
        if (b.phase == BrokerPhase::kRunning || b.gone_since.empty()) b.gone_since = now;
        b.phase = BrokerPhase::kFailed;
      }
    }
  }

  // Replacing a broker moves all its data, so "gone" is confirmed with a GET by name: a claim
  // the label-selected LIST missed (relabelled by hand) is not a lost volume.
  bool DataVolumeLost(int32_t id) {
    const std::string pvc_name = res::BrokerDataPvcName(cluster, id);
    auto it = pvcs.find(pvc_name);
    if (it == pvcs.end()) {
      auto got = r.client_.Get(kube::types::kPersistentVolumeClaim, ns, pvc_name);
      if (!got.ok()) return got.status().code() == Status::Code::kNotFound;
      it = pvcs.emplace(pvc_name, *got).first;
    }
    return IsTerminating(it->second) || Str(it->second, {"status", "phase"}) == "Lost";
  }

  // Replaces an auto broker that stayed gone past the policy or lost its data volume by a new
  // id. Listed brokers keep their id: a lost volume is recreated empty and Kafka re-replicates.
  // False when a decision could not be recorded (the pass must stop).
  bool Heal() {
    std::vector<int32_t> to_replace;
    for (auto& b : status.brokers) {
      bool was_up = b.phase == BrokerPhase::kRunning || b.phase == BrokerPhase::kFailed;
      if (!was_up) continue;
      bool volume_lost = DataVolumeLost(b.id);
      bool gone_too_long = false;
      if (b.phase == BrokerPhase::kFailed) {
        auto since = ParseRfc3339(b.gone_since);
        gone_too_long = since && now_tp - *since >= std::chrono::seconds(
                                                        cluster.spec.healing.replace_after_seconds);
      }
      if (IsListed(b.id)) {
        if (volume_lost && cluster.spec.healing.replace_on_volume_loss) RecreateListedVolume(b.id);
        if (gone_too_long) {
          degraded.push_back({"BrokerGone", "broker " + std::to_string(b.id) +
                                                " (listed in spec.brokers, so never replaced by "
                                                "a new id) has been down since " +
                                                b.gone_since});
        }
        continue;
      }
      if ((volume_lost && cluster.spec.healing.replace_on_volume_loss) || gone_too_long) {
        to_replace.push_back(b.id);
      }
    }
    if (to_replace.empty()) return true;
    int32_t next = status.next_broker_id;
    std::vector<std::string> notes;
    for (int32_t dead : to_replace) {
      BrokerStatus* b = FindBroker(status, dead);
      while (FindBroker(status, next) != nullptr || IsListed(next)) ++next;
      int32_t replacement = next++;
      std::string why = DataVolumeLost(dead) ? "its data volume is gone"
                                             : "it has been down since " + b->gone_since;
      b->phase = BrokerPhase::kReplacing;
      b->replaced_by = replacement;
      BrokerStatus nb;
      nb.id = replacement;
      nb.pod = res::BrokerName(cluster, replacement);
      status.brokers.push_back(nb);
      notes.push_back("broker " + std::to_string(dead) + " by " + std::to_string(replacement) +
                      " (" + why + ")");
    }
    std::sort(status.brokers.begin(), status.brokers.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    status.next_broker_id = next;
    if (!Persist("replacements")) return false;
    Event("Warning", "ReplacingBroker", "ReplaceBroker", "Replacing " + Join(notes, ", "));
    Requeue(r.options_.progress_interval);
    return true;
  }

  void RecreateListedVolume(int32_t id) {
    const std::string pvc_name = res::BrokerDataPvcName(cluster, id);
    auto pvc = pvcs.find(pvc_name);
    if (pvc == pvcs.end()) return;  // recreated below like any missing object
    // A Lost or terminating claim cannot serve again: delete it and the pod holding it; both
    // come back (empty) on the next passes and the broker re-replicates under the same id.
    if (!IsTerminating(pvc->second)) {
      DeleteObject(kube::types::kPersistentVolumeClaim, pvc_name);
    }
    auto pod = pods.find(id);
    if (pod != pods.end() && !IsTerminating(pod->second)) {
      DeleteObject(kube::types::kPod, res::BrokerName(cluster, id));
    }
    Event("Warning", "VolumeLost", "RecreateVolume",
          "Broker " + std::to_string(id) + " lost its data volume; recreating it empty",
          res::BrokerName(cluster, id));
    pvcs.erase(pvc_name);
    pods.erase(id);
    Requeue(r.options_.progress_interval);
  }

  void ReconcileBrokerObjects(int32_t id) {
    std::optional<std::string> zone = ZoneOf(id);
    std::string properties = res::BrokerServerProperties(cluster, id, zone);
    std::string hash = res::ConfigHash(properties);
    auto cm = config_maps.find(id);
    ApplyOrFail(kube::types::kConfigMap, res::BrokerConfigMap(cluster, id, zone),
                cm == config_maps.end() ? nullptr : &cm->second);
    auto svc = services.find(id);
    ApplyOrFail(kube::types::kService, res::BrokerService(cluster, id),
                svc == services.end() ? nullptr : &svc->second);
    // A broker that ran and lost its data volume is to be replaced by a new id (Heal, which
    // needs Kafka to move its partitions): never bring it back empty under its old id meanwhile.
    BrokerStatus* b = FindBroker(status, id);
    bool was_up =
        b != nullptr && (b->phase == BrokerPhase::kRunning || b->phase == BrokerPhase::kFailed);
    if (was_up && !IsListed(id) && cluster.spec.healing.replace_on_volume_loss &&
        DataVolumeLost(id)) {
      activity.push_back({"VolumeLost", "broker " + std::to_string(id) +
                                            " lost its data volume; it is replaced once Kafka "
                                            "answers"});
      Requeue(r.options_.progress_interval);
      return;
    }
    bool volumes_ok = true;
    for (const value& pvc : {res::BrokerDataPvc(cluster, id), res::BrokerLogsPvc(cluster, id)}) {
      auto it = pvcs.find(Str(pvc, {"metadata", "name"}));
      if (it != pvcs.end()) {
        if (IsTerminating(it->second)) volumes_ok = false;  // wait until it is gone
        continue;
      }
      auto created = r.client_.Create(kube::types::kPersistentVolumeClaim, ns, pvc);
      if (created.ok()) {
        Log().information("cluster=%s/%s created=PersistentVolumeClaim/%s", ns, name,
                          Str(pvc, {"metadata", "name"}));
      } else if (created.status().code() != Status::Code::kAlreadyExists) {
        Fail(created.status());
        volumes_ok = false;
      }
    }
    auto pod = pods.find(id);
    if (pod != pods.end()) {
      if (IsTerminating(pod->second)) {
        Requeue(r.options_.progress_interval);  // recreated once it is gone
        return;
      }
      std::string phase = Str(pod->second, {"status", "phase"});
      if (phase == "Failed" || phase == "Succeeded") {
        kube::DeleteOptions options;
        options.precondition_uid = Str(pod->second, {"metadata", "uid"});
        if (!DeleteObject(kube::types::kPod, res::BrokerName(cluster, id), options)) return;
        Event("Warning", "BrokerPodFailed", "DeletePod",
              "Pod of broker " + std::to_string(id) + " ended (" + phase +
                  "); recreating it with the same id and volumes",
              res::BrokerName(cluster, id));
        Requeue(r.options_.progress_interval);
      }
      return;
    }
    if (!volumes_ok) {
      Requeue(r.options_.progress_interval);
      return;
    }
    auto created = r.client_.Create(kube::types::kPod, ns, res::BrokerPod(cluster, id, hash, zone));
    if (!created.ok() && created.status().code() != Status::Code::kAlreadyExists) {
      Fail(created.status());
      return;
    }
    bool recreated = b != nullptr && b->phase != BrokerPhase::kPending;
    Event("Normal", recreated ? "BrokerPodRecreated" : "BrokerPodCreated", "CreatePod",
          (recreated ? "Recreated pod of broker " : "Created pod of broker ") + std::to_string(id),
          res::BrokerName(cluster, id));
    Requeue(r.options_.progress_interval);
  }

  // Deletes every object of the brokers in phase Removing; drops the status entry once the
  // objects are gone.
  void RemoveRemoving() {
    std::vector<int32_t> gone;
    for (const auto& b : status.brokers) {
      if (b.phase != BrokerPhase::kRemoving) continue;
      const int32_t id = b.id;
      bool remaining = false;
      // An object already terminating is waited for, not deleted again.
      auto del = [&](const kube::ResourceType& type, const std::string& object_name,
                     const value* object) {
        if (object == nullptr) return;
        remaining = true;
        if (!IsTerminating(*object)) DeleteObject(type, object_name);
      };
      auto find = [](const auto& map, const auto& key) -> const value* {
        auto it = map.find(key);
        return it == map.end() ? nullptr : &it->second;
      };
      del(kube::types::kPod, res::BrokerName(cluster, id), find(pods, id));
      del(kube::types::kService, res::BrokerName(cluster, id), find(services, id));
      del(kube::types::kConfigMap, res::BrokerName(cluster, id), find(config_maps, id));
      for (const auto& pvc :
           {res::BrokerDataPvcName(cluster, id), res::BrokerLogsPvcName(cluster, id)}) {
        del(kube::types::kPersistentVolumeClaim, pvc, find(pvcs, pvc));
      }
      if (remaining) {
        activity.push_back(
            {"RemovingBrokers", "deleting the objects of broker " + std::to_string(id)});
        Requeue(r.options_.progress_interval);
      } else {
        gone.push_back(id);
      }
    }
    if (gone.empty()) return;
    std::erase_if(status.brokers, [&](const BrokerStatus& b) { return Contains(gone, b.id); });
    Event("Normal", "BrokersRemoved", "RemoveBrokers", "Removed brokers " + IdList(gone));
  }

  std::vector<int32_t> LiveAmong(const std::vector<int32_t>& ids) const {
    std::vector<int32_t> out;
    for (int32_t id : ids) {
      if (Contains(kafka->live_brokers, id)) out.push_back(id);
    }
    return out;
  }

  bool DriveReplacements(bool busy) {
    bool acted = false;
    for (auto& b : status.brokers) {
      if (b.phase != BrokerPhase::kReplacing || !b.replaced_by) continue;
      const int32_t dead = b.id, replacement = *b.replaced_by;
      BrokerStatus* nb = FindBroker(status, replacement);
      if (nb == nullptr || nb->phase != BrokerPhase::kRunning) {
        activity.push_back({"ReplacingBroker", "waiting for broker " + std::to_string(replacement) +
                                                   " (replacing " + std::to_string(dead) +
                                                   ") to run"});
        Requeue(r.options_.progress_interval);
        continue;
      }
      if (HostsReplicas(*kafka, dead)) {
        activity.push_back({"ReplacingBroker", "moving the replicas of broker " +
                                                   std::to_string(dead) + " to " +
                                                   std::to_string(replacement)});
        if (busy || acted) continue;
        auto moves = EffectiveMoves(*kafka, ka::PlanReplace(*kafka, dead, replacement));
        if (moves.empty()) continue;
        if (!Reassign(moves, "replacing broker " + std::to_string(dead) + " by " +
                                 std::to_string(replacement))) {
          return true;
        }
        acted = true;
        continue;
      }
      if (busy) continue;
      b.phase = BrokerPhase::kRemoving;
      if (!Persist("broker " + std::to_string(dead) + " removing")) return true;
      Event("Normal", "BrokerReplaced", "ReplaceBroker",
            "Broker " + std::to_string(replacement) + " took over the partitions of broker " +
                std::to_string(dead) + "; removing " + std::to_string(dead));
      Requeue(r.options_.progress_interval);
      acted = true;
    }
    return acted;
  }

  bool DriveDrains(bool busy) {
    std::set<int32_t> leaving;
    std::vector<int32_t> all;
    for (const auto& b : status.brokers) {
      if (b.phase == BrokerPhase::kDraining) leaving.insert(b.id);
      if (b.phase != BrokerPhase::kRemoving && b.phase != BrokerPhase::kReplacing)
        all.push_back(b.id);
    }
    if (leaving.empty()) return false;
    std::vector<int32_t> leaving_ids(leaving.begin(), leaving.end());
    bool hosts = false;
    for (int32_t id : leaving) hosts = hosts || HostsReplicas(*kafka, id);
    activity.push_back({"Draining", "draining brokers " + IdList(leaving_ids)});
    Requeue(r.options_.reassignment_interval);
    if (busy) return false;
    if (hosts) {
      std::vector<int32_t> staying;
      for (int32_t id : LiveAmong(all)) {
        if (!leaving.count(id)) staying.push_back(id);
      }
      auto moves = EffectiveMoves(*kafka, ka::PlanDrain(*kafka, leaving, staying));
      if (moves.empty()) {
        std::string message = "cannot drain brokers " + IdList(leaving_ids) +
                              ": no live broker can take their replicas";
        WarnOnce("DrainStuck", message, "PlanDrain");
        degraded.push_back({"DrainStuck", message});
        return false;
      }
      Reassign(moves, "draining brokers " + IdList(leaving_ids));
      return true;
    }
    // Drained: nothing on them and nothing moving. Record Removing before deleting anything.
    for (auto& b : status.brokers) {
      if (leaving.count(b.id)) b.phase = BrokerPhase::kRemoving;
    }
    if (!Persist("drained brokers removing")) return true;
    Event("Normal", "BrokersDrained", "Drain",
          "Brokers " + IdList(leaving_ids) + " host no replicas; removing them");
    Requeue(r.options_.progress_interval);
    return true;
  }

  bool StartScaleDown(const std::vector<int32_t>& surplus, const std::vector<int32_t>& desired) {
    if (surplus.empty()) return false;
    std::set<int32_t> leaving(surplus.begin(), surplus.end());
    std::vector<int32_t> all = desired;
    for (const auto& b : status.brokers) {
      if (b.phase == BrokerPhase::kDraining) leaving.insert(b.id);
    }
    all.insert(all.end(), leaving.begin(), leaving.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    auto blockers = ka::RemovalBlockers(*kafka, leaving, all);
    if (!blockers.empty()) {
      std::string message =
          "cannot remove brokers " + IdList(surplus) + ": " + Join(blockers, "; ");
      WarnOnce("ScaleDownBlocked", message, "ScaleDown");
      degraded.push_back({"ScaleDownBlocked", message});
      Requeue(r.options_.blocked_interval);
      return false;
    }
    for (auto& b : status.brokers) {
      if (Contains(surplus, b.id)) b.phase = BrokerPhase::kDraining;
    }
    if (!Persist("draining " + IdList(surplus))) return true;
    Event("Normal", "Draining", "ScaleDown",
          "Draining brokers " + IdList(surplus) + " before removing them");
    activity.push_back({"Draining", "draining brokers " + IdList(surplus)});
    Requeue(r.options_.progress_interval);
    return true;
  }

  bool AllRunning(const std::vector<int32_t>& desired) {
    for (int32_t id : desired) {
      BrokerStatus* b = FindBroker(status, id);
      if (b == nullptr || b->phase != BrokerPhase::kRunning) return false;
    }
    return true;
  }

  bool AnyLeaving() const {
    return std::any_of(status.brokers.begin(), status.brokers.end(),
                       [](const BrokerStatus& b) { return IsLeavingPhase(b.phase); });
  }

  bool Rebalance(const std::vector<int32_t>& desired, bool busy) {
    std::vector<int32_t> balanced = status.balanced_brokers;
    std::sort(balanced.begin(), balanced.end());
    if (balanced == desired) return false;
    if (busy || !AllRunning(desired) || AnyLeaving()) return false;
    auto moves = EffectiveMoves(*kafka, ka::PlanRebalance(*kafka, desired));
    if (!moves.empty()) {
      activity.push_back({"Rebalancing", "spreading partitions over brokers " + IdList(desired)});
      Reassign(moves, "rebalancing over brokers " + IdList(desired));
      return true;
    }
    status.balanced_brokers = desired;
    Event("Normal", "Rebalanced", "Rebalance",
          "Partitions are spread over brokers " + IdList(desired));
    return false;
  }

  // One broker pod whose config hash or image is stale is deleted per pass, controller last.
  void Roll(const std::vector<int32_t>& desired, bool busy) {
    std::vector<std::pair<int32_t, std::string>> stale;  // id, why
    for (int32_t id : desired) {
      auto pod = pods.find(id);
      if (pod == pods.end() || IsTerminating(pod->second)) continue;
      std::string want = res::ConfigHash(res::BrokerServerProperties(cluster, id, ZoneOf(id)));
      std::string have = Str(pod->second, {"metadata", "annotations", res::kConfigHashAnnotation});
      std::string image = PodImage(pod->second);
      if (have != want) {
        stale.push_back({id, "configuration changed (" + have + " -> " + want + ")"});
      } else if (image != cluster.spec.image) {
        stale.push_back({id, "image changed (" + image + " -> " + cluster.spec.image + ")"});
      }
    }
    if (stale.empty()) return;
    const int32_t controller = kafka->controller_id;
    std::stable_partition(stale.begin(), stale.end(),
                          [controller](const auto& s) { return s.first != controller; });
    std::vector<int32_t> stale_ids;
    for (const auto& s : stale) stale_ids.push_back(s.first);
    if (busy || !AllRunning(desired) || AnyLeaving() ||
        std::any_of(desired.begin(), desired.end(),
                    [&](int32_t id) { return !pods.count(id) || !PodReady(pods.at(id)); })) {
      activity.push_back({"RollWaiting", "brokers " + IdList(stale_ids) +
                                             " need a restart; waiting for every broker to be "
                                             "ready and no reassignment to run"});
      Requeue(r.options_.progress_interval);
      return;
    }
    std::vector<std::string> blocked;
    for (size_t i = 0; i < stale.size(); ++i) {
      const auto& [id, why] = stale[i];
      // The controller goes last: only when it is the one stale broker left.
      if (id == controller && i != 0) break;
      auto blockers = ka::RestartBlockers(*kafka, id);
      if (!blockers.empty()) {
        blocked.push_back("broker " + std::to_string(id) + ": " + Join(blockers, "; "));
        continue;
      }
      if (!DeleteObject(kube::types::kPod, res::BrokerName(cluster, id))) return;
      Event("Normal", "RollingRestart", "DeletePod",
            "Restarting broker " + std::to_string(id) + ": " + why, res::BrokerName(cluster, id));
      activity.push_back(
          {"RollingRestart", "restarting broker " + std::to_string(id) + ": " + why});
      Requeue(r.options_.progress_interval);
      return;
    }
    activity.push_back({"RollWaiting", "brokers " + IdList(stale_ids) +
                                           " need a restart; blocked: " + Join(blocked, "; ")});
    Requeue(r.options_.blocked_interval);
  }

  void FillBrokerStatus(const Membership& m) {
    std::map<int32_t, ka::BrokerLoad> load;
    if (kafka) load = ka::LoadPerBroker(*kafka);
    int32_t ready = 0, exist = 0;
    for (auto& b : status.brokers) {
      if (kafka) {
        auto it = load.find(b.id);
        ka::BrokerLoad l = it == load.end() ? ka::BrokerLoad{} : it->second;
        b.partitions_led = l.leaders;
        b.replicas = l.replicas;
        b.under_replicated = l.under_replicated;
      }
      if (b.phase != BrokerPhase::kRemoving && b.phase != BrokerPhase::kReplacing) ++exist;
      if (Contains(m.desired, b.id) && b.phase == BrokerPhase::kRunning) ++ready;
      if (b.phase == BrokerPhase::kFailed) {
        degraded.push_back(
            {"BrokerFailed", "broker " + std::to_string(b.id) + " is down since " + b.gone_since});
      }
    }
    status.replicas = exist;
    status.brokers_ready = std::to_string(ready) + "/" + std::to_string(cluster.spec.replicas);
    status.external_bootstrap = res::ExternalBootstrapAddress(cluster, m.desired);
    if (ready < cluster.spec.replicas) {
      activity.push_back({"BrokersNotReady", status.brokers_ready + " brokers running"});
      Requeue(r.options_.progress_interval);
    }
  }

  void SetConditions(const std::string& ready_reason, const std::string& ready_message) {
    const int64_t gen = cluster.metadata.generation;
    const auto& prev = written.conditions;
    bool ready = ready_reason.empty();
    SetCondition(status.conditions, prev, "Ready", ready ? "True" : "False",
                 ready ? "ClusterReady" : ready_reason,
                 ready ? "all brokers are running" : ready_message, now, gen);
    if (activity.empty()) {
      SetCondition(status.conditions, prev, "Reconciling", "False", "Reconciled",
                   "the cluster matches its spec", now, gen);
    } else {
      std::vector<std::string> messages;
      for (const auto& a : activity) messages.push_back(a.message);
      SetCondition(status.conditions, prev, "Reconciling", "True", activity.front().reason,
                   Join(messages, "; "), now, gen);
    }
    if (degraded.empty()) {
      SetCondition(status.conditions, prev, "Degraded", "False", "AsExpected", "nothing is wrong",
                   now, gen);
    } else {
      std::vector<std::string> messages;
      for (const auto& d : degraded) messages.push_back(d.message);
      SetCondition(status.conditions, prev, "Degraded", "True", degraded.front().reason,
                   Join(messages, "; "), now, gen);
    }
  }

  void Finish() {
    if (abandoned) return;
    if (!error.ok() && std::none_of(degraded.begin(), degraded.end(),
                                    [](const Reason& d) { return d.reason == "ReassignFailed"; })) {
      degraded.push_back({"ApiError", error.message()});
    }
    std::string ready_reason, ready_message;
    if (!degraded.empty()) {
      ready_reason = degraded.front().reason;
      ready_message = degraded.front().message;
    } else if (!activity.empty()) {
      ready_reason = activity.front().reason;
      ready_message = activity.front().message;
    }
    SetConditions(ready_reason, ready_message);
    Status s = WriteStatus(true);
    if (!s.ok()) {
      Log().warning("cluster=%s/%s write_status error=\"%s\"", ns, name, s.ToString());
      Fail(s);
    }
  }
};

ClusterReconciler::ClusterReconciler(kube::Client& client, KafkaAdminFactory admin_factory,
                                     Clock clock, EventSink events, ChrootCleaner chroot_cleaner,
                                     ReconcilerOptions options)
    : client_(client),
      admin_factory_(std::move(admin_factory)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })),
      events_(std::move(events)),
      chroot_cleaner_(std::move(chroot_cleaner)),
      options_(options) {}

ReconcileResult ClusterReconciler::Reconcile(const std::string& ns, const std::string& name) {
  Pass pass(*this, ns, name);
  try {
    return pass.Run();
  } catch (const std::exception& e) {
    // cpprest's json throws on a field of an unexpected type: a bug or a hand-edited object;
    // never take the operator down for it.
    Log().error("cluster=%s/%s exception=\"%s\"", ns, name, std::string(e.what()));
    ReconcileResult result;
    result.error = Status::Internal("reconcile of " + ns + "/" + name + " threw: " + e.what());
    return result;
  }
}

}  // namespace sluice::reconcile

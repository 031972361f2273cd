// The API-server semantics FakeClient promises in fake_client.h (the ones its users' tests rely
// on beyond plain storage): finalizers, graceful deletion, /status versus the main endpoint,
// generation, merge-patch preconditions, fault hooks and direct store access.
// GoogleTest before cpprest: cpprest's U() macro breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/fake_client.h"

#include <chrono>
#include <string>
#include <vector>

#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

using web::json::value;

value Object(const std::string& name, const std::vector<std::string>& finalizers = {}) {
  value o = value::object();
  o["metadata"]["name"] = value::string(name);
  if (!finalizers.empty()) {
    value list = value::array();
    for (size_t i = 0; i < finalizers.size(); ++i) list[i] = value::string(finalizers[i]);
    o["metadata"]["finalizers"] = list;
  }
  o["spec"]["replicas"] = value::number(1);
  return o;
}

value FinalizersPatch(const std::vector<std::string>& finalizers) {
  value list = value::array();
  for (size_t i = 0; i < finalizers.size(); ++i) list[i] = value::string(finalizers[i]);
  value patch = value::object();
  patch["metadata"]["finalizers"] = list;
  return patch;
}

// Every event of `type` after `from`, as "TYPE name", until the log is drained.
std::vector<std::string> Events(FakeClient& client, const ResourceType& type,
                                const std::string& from) {
  std::vector<std::string> out;
  ListOptions options;
  options.resource_version = from;
  Status s = client.Watch(type, "", options, std::chrono::seconds(0), [&](const WatchEvent& e) {
    static const char* kNames[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
    out.push_back(std::string(kNames[static_cast<int>(e.type)]) + " " + NameOf(e.object));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(FakeClient, FinalizersHoldADeletedObjectUntilAWriteRemovesTheLastOne) {
  FakeClient client;
  const std::string start = client.CurrentResourceVersion();
  ASSERT_TRUE(client.Create(types::kKafkaCluster, "ns", Object("c", {"a", "b"})).ok());
  ASSERT_TRUE(client.Delete(types::kKafkaCluster, "ns", "c", {}).ok());
  std::optional<value> held = client.Peek(types::kKafkaCluster, "ns", "c");
  ASSERT_TRUE(held.has_value());
  EXPECT_FALSE(held->at("metadata").at("deletionTimestamp").as_string().empty());
  EXPECT_EQ(held->at("metadata").at("deletionGracePeriodSeconds").as_integer(), 0);
  EXPECT_EQ(GenerationOf(*held), 1);

  // Deleting again changes nothing; new finalizers are refused; the mark cannot be written away.
  const std::string marked_rv = ResourceVersionOf(*held);
  ASSERT_TRUE(client.Delete(types::kKafkaCluster, "ns", "c", {}).ok());
  EXPECT_EQ(ResourceVersionOf(*client.Peek(types::kKafkaCluster, "ns", "c")), marked_rv);
  EXPECT_EQ(client.MergePatch(types::kKafkaCluster, "ns", "c", FinalizersPatch({"a", "b", "x"}))
                .status()
                .code(),
            Status::Code::kInvalidArgument);
  value unmarked = *held;
  unmarked["metadata"].erase("deletionTimestamp");
  Result<value> updated = client.Update(types::kKafkaCluster, "ns", unmarked);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_TRUE(updated->at("metadata").has_field("deletionTimestamp"));
  EXPECT_EQ(client.Create(types::kKafkaCluster, "ns", Object("c")).status().code(),
            Status::Code::kAlreadyExists);

  ASSERT_TRUE(client.MergePatch(types::kKafkaCluster, "ns", "c", FinalizersPatch({"b"})).ok());
  EXPECT_TRUE(client.Has(types::kKafkaCluster, "ns", "c"));
  ASSERT_TRUE(client.MergePatch(types::kKafkaCluster, "ns", "c", FinalizersPatch({})).ok());
  EXPECT_FALSE(client.Has(types::kKafkaCluster, "ns", "c"));
  EXPECT_EQ(client.Get(types::kKafkaCluster, "ns", "c").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(
      Events(client, types::kKafkaCluster, start),
      (std::vector<std::string>{"ADDED c", "MODIFIED c", "MODIFIED c", "MODIFIED c", "DELETED c"}));
}

TEST(FakeClient, GracefulDeletionKeepsObjectsTerminatingUntilFinished) {
  FakeClient client;
  client.SetGracefulDeletion(types::kPod);
  ASSERT_TRUE(client.Create(types::kPod, "ns", Object("slow")).ok());
  ASSERT_TRUE(client.Create(types::kPod, "ns", Object("forced")).ok());
  ASSERT_TRUE(client.Create(types::kPod, "ns", Object("held", {"x"})).ok());
  ASSERT_TRUE(client.Create(types::kConfigMap, "ns", Object("cm")).ok());

  ASSERT_TRUE(client.Delete(types::kPod, "ns", "slow", {}).ok());
  std::optional<value> slow = client.Peek(types::kPod, "ns", "slow");
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->at("metadata").at("deletionGracePeriodSeconds").as_integer(), 30);
  EXPECT_EQ(GenerationOf(*slow), 2);
  // A grace period of 0 deletes at once; other kinds are not graceful.
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client.Delete(types::kPod, "ns", "forced", now).ok());
  EXPECT_FALSE(client.Has(types::kPod, "ns", "forced"));
  ASSERT_TRUE(client.Delete(types::kConfigMap, "ns", "cm", {}).ok());
  EXPECT_FALSE(client.Has(types::kConfigMap, "ns", "cm"));
  DeleteOptions short_grace;
  short_grace.grace_period_seconds = 5;
  ASSERT_TRUE(client.Delete(types::kPod, "ns", "held", short_grace).ok());
  EXPECT_EQ(client.Peek(types::kPod, "ns", "held")
                ->at("metadata")
                .at("deletionGracePeriodSeconds")
                .as_integer(),
            5);

  // A status write to a terminating pod does not end it.
  value running = *slow;
  running["status"]["phase"] = value::string("Running");
  client.Put(types::kPod, "ns", running);
  EXPECT_TRUE(client.Has(types::kPod, "ns", "slow"));

  EXPECT_EQ(client.FinishTerminating(), 1);
  EXPECT_FALSE(client.Has(types::kPod, "ns", "slow"));
  // The finalizer still holds "held", now with no grace left: removing it removes the pod.
  std::optional<value> held = client.Peek(types::kPod, "ns", "held");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->at("metadata").at("deletionGracePeriodSeconds").as_integer(), 0);
  ASSERT_TRUE(client.MergePatch(types::kPod, "ns", "held", FinalizersPatch({})).ok());
  EXPECT_FALSE(client.Has(types::kPod, "ns", "held"));
  EXPECT_EQ(client.FinishTerminating(), 0);
}

TEST(FakeClient, MainEndpointAndStatusEachTakeOnlyTheirPart) {
  FakeClient client;
  value object = Object("c");
  object["status"]["phase"] = value::string("made-up");
  Result<value> created = client.Create(types::kKafkaCluster, "ns", object);
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(created->has_field("status"));  // reset on create
  EXPECT_EQ(GenerationOf(*created), 1);

  value with_status = *created;
  with_status["status"]["phase"] = value::string("Running");
  with_status["spec"]["replicas"] = value::number(7);  // ignored by /status
  Result<value> status_written = client.UpdateStatus(types::kKafkaCluster, "ns", with_status);
  ASSERT_TRUE(status_written.ok());
  EXPECT_EQ(status_written->at("status").at("phase").as_string(), "Running");
  EXPECT_EQ(status_written->at("spec").at("replicas").as_integer(), 1);
  EXPECT_EQ(GenerationOf(*status_written), 1);

  value spec_edit = *status_written;
  spec_edit["spec"]["replicas"] = value::number(3);
  spec_edit["status"]["phase"] = value::string("Ignored");  // ignored by the main endpoint
  Result<value> spec_written = client.Update(types::kKafkaCluster, "ns", spec_edit);
  ASSERT_TRUE(spec_written.ok());
  EXPECT_EQ(spec_written->at("spec").at("replicas").as_integer(), 3);
  EXPECT_EQ(spec_written->at("status").at("phase").as_string(), "Running");
  EXPECT_EQ(GenerationOf(*spec_written), 2);

  // Metadata-only changes keep the generation; a stale resourceVersion is a conflict.
  value relabelled = *spec_written;
  relabelled["metadata"]["labels"]["team"] = value::string("a");
  Result<value> labelled = client.Update(types::kKafkaCluster, "ns", relabelled);
  ASSERT_TRUE(labelled.ok());
  EXPECT_EQ(GenerationOf(*labelled), 2);
  EXPECT_EQ(client.Update(types::kKafkaCluster, "ns", relabelled).status().code(),
            Status::Code::kConflict);
  EXPECT_EQ(client.UpdateStatus(types::kKafkaCluster, "ns", with_status).status().code(),
            Status::Code::kConflict);
}

TEST(FakeClient, MergePatchesFollowRfc7386AndTakeAResourceVersionAsAPrecondition) {
  FakeClient client;
  value object = Object("c");
  object["spec"]["config"]["a"] = value::string("1");
  object["spec"]["config"]["b"] = value::string("2");
  Result<value> created = client.Create(types::kKafkaCluster, "ns", object);
  ASSERT_TRUE(created.ok());
  Result<value> patched = client.MergePatch(
      types::kKafkaCluster, "ns", "c",
      value::parse(R"({"spec": {"config": {"a": null, "c": "3"}}, "status": {"phase": "x"}})"));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->at("spec").at("config").serialize(), R"({"b":"2","c":"3"})");
  EXPECT_FALSE(patched->has_field("status"));
  EXPECT_EQ(GenerationOf(*patched), 2);

  value stale = value::parse(R"({"status": {"phase": "Running"}})");
  stale["metadata"]["resourceVersion"] = value::string(ResourceVersionOf(*created));
  EXPECT_EQ(client.MergePatchStatus(types::kKafkaCluster, "ns", "c", stale).status().code(),
            Status::Code::kConflict);
  EXPECT_EQ(client.MergePatch(types::kKafkaCluster, "ns", "c", stale).status().code(),
            Status::Code::kConflict);
  value current = stale;
  current["metadata"]["resourceVersion"] = value::string(ResourceVersionOf(*patched));
  current["spec"]["replicas"] = value::number(9);  // ignored by /status
  Result<value> status = client.MergePatchStatus(types::kKafkaCluster, "ns", "c", current);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->at("status").at("phase").as_string(), "Running");
  EXPECT_EQ(status->at("spec").at("replicas").as_integer(), 1);
  EXPECT_EQ(client.MergePatch(types::kKafkaCluster, "ns", "gone", current).status().code(),
            Status::Code::kNotFound);
}

TEST(FakeClient, FaultHooksAndTheObserverSeeEveryCallInOrder) {
  FakeClient client;
  std::vector<std::string> seen;
  client.OnRequest([&](const FakeClient::Request& request, const Status& outcome) {
    seen.push_back((outcome.ok() ? "" : "!") + request.verb + " " + request.type.kind + " " +
                   request.name);
  });
  client.FailWhen([&](const FakeClient::Request& request) {
    // The hook runs unlocked: it may read the store.
    if (request.verb == "UPDATE" && client.Has(types::kConfigMap, "ns", request.name)) {
      return Status::Conflict("HTTP 409 PUT: injected");
    }
    return Status::Ok();
  });
  client.FailNext("CREATE", Status::Unavailable("HTTP 503"));
  EXPECT_EQ(client.Create(types::kConfigMap, "ns", Object("a")).status().code(),
            Status::Code::kUnavailable);
  Result<value> a = client.Create(types::kConfigMap, "ns", Object("a"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(client.Update(types::kConfigMap, "ns", *a).status().code(), Status::Code::kConflict);
  EXPECT_EQ(client.Delete(types::kConfigMap, "ns", "b", {}).code(), Status::Code::kNotFound);
  client.ClearFaults();
  EXPECT_TRUE(client.Update(types::kConfigMap, "ns", *a).ok());
  EXPECT_TRUE(client.Get(types::kConfigMap, "ns", "a").ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"!CREATE ConfigMap a", "CREATE ConfigMap a",
                                            "!UPDATE ConfigMap a", "!DELETE ConfigMap b",
                                            "UPDATE ConfigMap a", "GET ConfigMap a"}));
  EXPECT_EQ(client.Calls("CREATE"), 2);
  EXPECT_EQ(client.Calls("UPDATE"), 2);
}

TEST(FakeClient, PutWritesLikeAnotherActorWithoutBeingARequest) {
  FakeClient client;
  int requests = 0;
  client.OnRequest([&](const FakeClient::Request&, const Status&) { ++requests; });
  client.FailNext("UPDATE", Status::Unavailable("HTTP 503"));
  const std::string start = client.CurrentResourceVersion();

  value node = Object("node-a");
  node["status"]["capacity"]["cpu"] = value::string("4");  // Nodes keep status from their writer
  client.Put(types::kNode, "", node);
  std::optional<value> stored = client.Peek(types::kNode, "", "node-a");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->at("status").at("capacity").at("cpu").as_string(), "4");
  EXPECT_FALSE(UidOf(*stored).empty());
  EXPECT_EQ(stored->at("kind").as_string(), "Node");

  value edited = *stored;
  edited["status"]["capacity"]["cpu"] = value::string("8");
  client.Put(types::kNode, "", edited);
  std::optional<value> again = client.Peek(types::kNode, "", "node-a");
  EXPECT_EQ(again->at("status").at("capacity").at("cpu").as_string(), "8");
  EXPECT_EQ(UidOf(*again), UidOf(*stored));
  EXPECT_EQ(GenerationOf(*again), 1);
  EXPECT_GT(std::stoll(ResourceVersionOf(*again)), std::stoll(ResourceVersionOf(*stored)));
  EXPECT_EQ(client.PeekAll(types::kNode).size(), 1u);

  EXPECT_EQ(requests, 0);
  EXPECT_EQ(client.Calls("UPDATE"), 0);
  EXPECT_EQ(Events(client, types::kNode, start),
            (std::vector<std::string>{"ADDED node-a", "MODIFIED node-a"}));
}

}  // namespace
}  // namespace sluice::kube

// GoogleTest before cpprestsdk: cpprest defines a macro U() that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/kube/events.h"

#include "controller/kube/fake_client.h"
#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;
using web::json::value;

value Cluster() {
  return value::parse(R"({"apiVersion":"sluice.dev/v1alpha1","kind":"KafkaCluster",
    "metadata":{"name":"demo","namespace":"kafka","uid":"u-1","resourceVersion":"9"},"spec":{}})");
}

TEST(BuildEvent, HasEveryEventsV1Field) {
  EventRecorderOptions options;
  options.reporting_instance = "sluice-operator-7d9f-abc";
  auto now = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000000001LL));
  value pod = value::parse(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"demo-broker-1","namespace":"kafka","uid":"p"}})");
  value event = BuildEvent(options, Cluster(), pod, EventType::kWarning, "BrokerRestarted",
                           "Restart", "broker 1 restarted for a config change", now);
  EXPECT_EQ(event.at("apiVersion").as_string(), "events.k8s.io/v1");
  EXPECT_EQ(NamespaceOf(event), "kafka");
  EXPECT_EQ(NameOf(event).rfind("demo.", 0), 0u);
  EXPECT_EQ(event.at("eventTime").as_string(), "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(event.at("regarding").at("kind").as_string(), "KafkaCluster");
  EXPECT_EQ(event.at("regarding").at("uid").as_string(), "u-1");
  EXPECT_EQ(event.at("regarding").at("apiVersion").as_string(), "sluice.dev/v1alpha1");
  EXPECT_EQ(event.at("related").at("name").as_string(), "demo-broker-1");
  EXPECT_EQ(event.at("reason").as_string(), "BrokerRestarted");
  EXPECT_EQ(event.at("action").as_string(), "Restart");
  EXPECT_EQ(event.at("type").as_string(), "Warning");
  EXPECT_EQ(event.at("reportingController").as_string(), "sluice.dev/operator");
  EXPECT_EQ(event.at("reportingInstance").as_string(), "sluice-operator-7d9f-abc");
}

TEST(BuildEvent, NoteIsCutAtOneKilobyteOnACharacterBoundary) {
  std::string note(1100, 'x');
  note.replace(1018, 4, "\xE2\x82\xAC\xE2");  // a euro sign straddling the cut
  value event = BuildEvent({}, Cluster(), std::nullopt, EventType::kNormal, "R", "A", note,
                           std::chrono::system_clock::now());
  const std::string cut = event.at("note").as_string();
  EXPECT_LE(cut.size(), 1024u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_EQ(cut.find('\xE2'), std::string::npos);  // no half character left
  EXPECT_FALSE(event.has_field("related"));
}

TEST(EventRecorder, RepeatsPatchTheSeriesInsteadOfNewEvents) {
  FakeClient client;
  EventRecorder recorder(client, {});
  recorder.Record(Cluster(), EventType::kNormal, "ScaledUp", "Scale", "3 -> 4 brokers");
  recorder.Record(Cluster(), EventType::kNormal, "ScaledUp", "Scale", "3 -> 4 brokers");
  recorder.Record(Cluster(), EventType::kNormal, "ScaledUp", "Scale", "3 -> 4 brokers");
  recorder.Record(Cluster(), EventType::kNormal, "ScaledUp", "Scale", "4 -> 5 brokers");
  ASSERT_TRUE(recorder.Flush(2s));
  Result<ObjectList> events = client.List(types::kEvent, "kafka", {});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 2u);
  int with_series = 0;
  for (const value& e : events->items) {
    if (e.at("note").as_string() == "3 -> 4 brokers") {
      ASSERT_TRUE(e.has_field("series"));
      EXPECT_EQ(e.at("series").at("count").as_integer(), 3);
      EXPECT_FALSE(e.at("series").at("lastObservedTime").as_string().empty());
      ++with_series;
    } else {
      EXPECT_FALSE(e.has_field("series"));
    }
  }
  EXPECT_EQ(with_series, 1);
  EXPECT_EQ(client.Calls("CREATE"), 2);
  EXPECT_EQ(client.Calls("PATCH"), 2);
}

TEST(EventRecorder, FailuresAreDroppedNotRetriedAndNeverBlockTheCaller) {
  FakeClient client;
  client.FailNext("CREATE", Status::IoError("HTTP 403 POST ...: forbidden: events is forbidden"),
                  1);
  EventRecorder recorder(client, {});
  auto start = std::chrono::steady_clock::now();
  recorder.Record(Cluster(), EventType::kWarning, "Failed", "Reconcile", "first");
  recorder.Record(Cluster(), EventType::kWarning, "Failed", "Reconcile", "second");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
  ASSERT_TRUE(recorder.Flush(2s));
  Result<ObjectList> events = client.List(types::kEvent, "kafka", {});
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0].at("note").as_string(), "second");
}

TEST(EventRecorder, BoundedQueueDropsTheOldest) {
  FakeClient client;
  EventRecorderOptions options;
  options.max_queued = 2;
  client.FailNext("CREATE", Status::Unavailable("slow"), 0);
  EventRecorder recorder(client, options);
  for (int i = 0; i < 200; ++i) {
    recorder.Record(Cluster(), EventType::kNormal, "R", "A", "n" + std::to_string(i));
  }
  ASSERT_TRUE(recorder.Flush(5s));
  Result<ObjectList> events = client.List(types::kEvent, "kafka", {});
  EXPECT_EQ(events->items.size() + recorder.dropped(), 200u);
  EXPECT_GT(recorder.dropped(), 0u);
}

}  // namespace
}  // namespace sluice::kube

// GoogleTest before cpprest: cpprest's U() macro breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/reconcile/membership.h"

#include "controller/reconcile/cluster_reconciler.h"
#include "controller/reconcile/object_diff.h"

namespace sluice::reconcile {
namespace {

using operator_api::BrokerPhase;
using operator_api::BrokerStatus;
using operator_api::KafkaClusterSpec;
using operator_api::KafkaClusterStatus;
using web::json::value;

KafkaClusterStatus WithBrokers(std::vector<std::pair<int32_t, BrokerPhase>> brokers, int32_t next) {
  KafkaClusterStatus s;
  for (auto [id, phase] : brokers) {
    BrokerStatus b;
    b.id = id;
    b.phase = phase;
    s.brokers.push_back(b);
  }
  s.next_broker_id = next;
  return s;
}

TEST(Membership, NewClusterHandsOutIdsFromZero) {
  KafkaClusterSpec spec;
  spec.replicas = 3;
  Membership m = ComputeMembership(spec, {});
  EXPECT_EQ(m.desired, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(m.new_ids, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_TRUE(m.surplus.empty());
  EXPECT_EQ(m.next_broker_id, 3);
}

TEST(Membership, ScaleDownPicksTheHighestAutoIdsAndNeverListedOnes) {
  KafkaClusterSpec spec;
  spec.replicas = 2;
  spec.brokers.push_back({});
  spec.brokers.back().id = 4;
  auto status = WithBrokers({{0, BrokerPhase::kRunning},
                             {1, BrokerPhase::kRunning},
                             {3, BrokerPhase::kRunning},
                             {4, BrokerPhase::kRunning}},
                            5);
  Membership m = ComputeMembership(spec, status);
  EXPECT_EQ(m.desired, (std::vector<int32_t>{0, 4}));
  EXPECT_EQ(m.surplus, (std::vector<int32_t>{1, 3}));
  EXPECT_TRUE(m.new_ids.empty());
}

TEST(Membership, LeavingBrokersDoNotCountAndIdsAreNeverReused) {
  KafkaClusterSpec spec;
  spec.replicas = 3;
  // 1 is being replaced by 3; 4 drains. Ids 0..4 are taken; the next is 5.
  auto status = WithBrokers({{0, BrokerPhase::kRunning},
                             {1, BrokerPhase::kReplacing},
                             {2, BrokerPhase::kRunning},
                             {3, BrokerPhase::kPending},
                             {4, BrokerPhase::kDraining}},
                            5);
  Membership m = ComputeMembership(spec, status);
  EXPECT_EQ(m.desired, (std::vector<int32_t>{0, 2, 3}));
  EXPECT_TRUE(m.surplus.empty());
  spec.replicas = 4;
  m = ComputeMembership(spec, status);
  EXPECT_EQ(m.desired, (std::vector<int32_t>{0, 2, 3, 5}));
  EXPECT_EQ(m.new_ids, (std::vector<int32_t>{5}));
  EXPECT_EQ(m.next_broker_id, 6);
}

TEST(Membership, AutoIdsSkipListedIdsAndNextMovesPastThem) {
  KafkaClusterSpec spec;
  spec.replicas = 3;
  spec.brokers.push_back({});
  spec.brokers.back().id = 1;
  Membership m = ComputeMembership(spec, {});
  EXPECT_EQ(m.desired, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(m.next_broker_id, 3);
  spec.brokers.back().id = 10;
  m = ComputeMembership(spec, {});
  EXPECT_EQ(m.desired, (std::vector<int32_t>{0, 1, 10}));
  EXPECT_EQ(m.next_broker_id, 11);
}

TEST(ObjectDiff, ServerDefaultsAreNotADifference) {
  value desired = value::parse(
      R"({"metadata": {"name": "s", "labels": {"a": "1"}},
          "spec": {"ports": [{"name": "kafka", "port": 9092}], "selector": {"x": "y"}}})");
  value actual = value::parse(
      R"({"metadata": {"name": "s", "resourceVersion": "7", "labels": {"a": "1", "extra": "k"}},
          "spec": {"ports": [{"name": "kafka", "port": 9092, "protocol": "TCP", "targetPort": 9092}],
                   "selector": {"x": "y"}, "clusterIP": "10.0.0.1", "type": "ClusterIP"}})");
  EXPECT_TRUE(IsSubset(desired, actual));
  EXPECT_FALSE(MergeOwnedFields("Service", desired, actual).has_value());
}

TEST(ObjectDiff, OwnedFieldsAreReplacedAndTheRestKept) {
  value desired =
      value::parse(R"({"metadata": {"name": "c", "labels": {"a": "2"}}, "data": {"k": "new"}})");
  value actual = value::parse(
      R"({"metadata": {"name": "c", "resourceVersion": "9", "labels": {"a": "1", "b": "x"}},
          "data": {"k": "old", "stray": "1"}})");
  auto updated = MergeOwnedFields("ConfigMap", desired, actual);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->at("data").serialize(), desired.at("data").serialize());
  EXPECT_EQ(updated->at("metadata").at("resourceVersion").as_string(), "9");
  EXPECT_EQ(updated->at("metadata").at("labels").at("a").as_string(), "2");
  EXPECT_EQ(updated->at("metadata").at("labels").at("b").as_string(), "x");
}

TEST(ObjectDiff, ImmutableFieldsAreNeverOwned) {
  value desired = value::parse(R"({"metadata": {"name": "p"}, "spec": {"volumeName": "a"}})");
  value actual = value::parse(R"({"metadata": {"name": "p"}, "spec": {"volumeName": "b"}})");
  EXPECT_FALSE(MergeOwnedFields("PersistentVolumeClaim", desired, actual).has_value());
  value sts_desired = value::parse(
      R"({"metadata": {"name": "z"}, "spec": {"replicas": 3, "selector": {"a": "b"}}})");
  value sts_actual = value::parse(
      R"({"metadata": {"name": "z"}, "spec": {"replicas": 1, "selector": {"a": "c"}}})");
  auto updated = MergeOwnedFields("StatefulSet", sts_desired, sts_actual);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->at("spec").at("replicas").as_integer(), 3);
  EXPECT_EQ(updated->at("spec").at("selector").at("a").as_string(), "c");
}

TEST(ObjectDiff, NumbersCompareByValueAndArraysByLength) {
  EXPECT_TRUE(IsSubset(value::parse("1"), value::parse("1.0")));
  EXPECT_FALSE(IsSubset(value::parse("[1]"), value::parse("[1, 2]")));
  EXPECT_TRUE(IsSubset(value::parse(R"({"a": {}})"), value::parse("{}")));
}

TEST(Rfc3339, RoundTrips) {
  auto t = std::chrono::system_clock::from_time_t(1767225600);
  EXPECT_EQ(FormatRfc3339(t), "2026-01-01T00:00:00Z");
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:00:00Z"), t);
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
}

}  // namespace
}  // namespace sluice::reconcile

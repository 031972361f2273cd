// GoogleTest before cpprestsdk: cpprest defines a macro U that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/api/kafka_cluster_json.h"

#include "controller/api/defaults.h"
#include "controller/api/test_clusters.h"

namespace sluice::operator_api {
namespace {

using web::json::value;

KafkaCluster MustParse(const std::string& json) {
  Result<KafkaCluster> parsed = FromJson(value::parse(json));
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : KafkaCluster{};
}

std::string ParseError(const std::string& json) {
  Result<KafkaCluster> parsed = FromJson(value::parse(json));
  EXPECT_FALSE(parsed.ok()) << "parsed without error: " << json;
  EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(KafkaClusterJson, FullClusterRoundTrips) {
  const KafkaCluster full = testing::FullCluster();
  const value json = ToJson(full);
  Result<KafkaCluster> back = FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, full);
  EXPECT_EQ(ToJson(*back).serialize(), json.serialize());
}

TEST(KafkaClusterJson, DefaultClusterRoundTrips) {
  const KafkaCluster empty;
  Result<KafkaCluster> back = FromJson(ToJson(empty));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, empty);
}

TEST(KafkaClusterJson, WritesReadmeFieldNames) {
  const value json = ToJson(testing::FullCluster());
  EXPECT_EQ(json.at("apiVersion").as_string(), "sluice.dev/v1alpha1");
  EXPECT_EQ(json.at("kind").as_string(), "KafkaCluster");
  const value& spec = json.at("spec");
  EXPECT_EQ(spec.at("imagePullPolicy").as_string(), "Always");
  EXPECT_EQ(spec.at("listeners").at("internal").at("basePort").as_integer(), 19092);
  EXPECT_EQ(spec.at("listeners").at("external").at("nodePortBase").as_integer(), 31000);
  EXPECT_EQ(spec.at("listeners").at("external").at("advertisedHost").as_string(), "10.88.0.1");
  EXPECT_EQ(spec.at("adminPort").as_integer(), 9700);
  EXPECT_EQ(spec.at("storage").at("data").at("storageClassName").as_string(), "standard");
  EXPECT_EQ(spec.at("brokers").at(0).at("nodeSelector").at("disk").as_string(), "ssd");
  EXPECT_EQ(spec.at("healing").at("replaceAfterSeconds").as_integer(), 120);
  EXPECT_FALSE(spec.at("healing").at("replaceOnVolumeLoss").as_bool());
  EXPECT_EQ(spec.at("rackAwareness").at("topologyKey").as_string(), "kubernetes.io/hostname");
  EXPECT_EQ(spec.at("zookeeper").at("chroot").as_string(), "/demo");
  const value& status = json.at("status");
  EXPECT_EQ(status.at("brokersReady").as_string(), "3/4");
  EXPECT_EQ(status.at("brokers").at(0).at("phase").as_string(), "Replacing");
  EXPECT_EQ(status.at("brokers").at(0).at("replacedBy").as_integer(), 4);
  EXPECT_EQ(status.at("brokers").at(0).at("underReplicated").as_integer(), 2);
  EXPECT_EQ(status.at("nextBrokerId").as_integer(), 5);
  EXPECT_EQ(status.at("balancedBrokers").serialize(), "[0,1,2]");
  EXPECT_EQ(status.at("conditions").at(0).at("lastTransitionTime").as_string(),
            "2024-05-01T09:59:00Z");
}

TEST(KafkaClusterJson, AbsentFieldsKeepTheTypesDefaults) {
  KafkaCluster parsed = MustParse(R"({"spec": {"replicas": 3}})");
  KafkaCluster expected;
  expected.spec.replicas = 3;
  EXPECT_EQ(parsed, expected);
}

TEST(KafkaClusterJson, PartialObjectsKeepTheirOtherDefaults) {
  KafkaCluster parsed = MustParse(
      R"({"spec": {"storage": {"data": {"storageClassName": "fast"}},
                   "zookeeper": {"managed": {"replicas": 1}},
                   "listeners": {"external": {"advertisedHost": "h"}}}})");
  EXPECT_EQ(parsed.spec.storage.data, (VolumeSpec{"10Gi", "fast"}));
  EXPECT_EQ(parsed.spec.storage.logs, (VolumeSpec{"1Gi", std::nullopt}));
  ASSERT_TRUE(parsed.spec.zookeeper.managed);
  EXPECT_EQ(parsed.spec.zookeeper.managed->replicas, 1);
  EXPECT_EQ(parsed.spec.zookeeper.managed->image, "zookeeper:3.8");
  ASSERT_TRUE(parsed.spec.listeners.external);
  EXPECT_EQ(parsed.spec.listeners.external->node_port_base, 30092);
}

TEST(KafkaClusterJson, BrokerStorageOverrideStartsEmpty) {
  KafkaCluster parsed =
      MustParse(R"({"spec": {"brokers": [{"id": 3, "storage": {"data": {"size": "50Gi"}}}]}})");
  ASSERT_EQ(parsed.spec.brokers.size(), 1u);
  ASSERT_TRUE(parsed.spec.brokers[0].storage);
  EXPECT_EQ(parsed.spec.brokers[0].storage->data, (VolumeSpec{"50Gi", std::nullopt}));
  EXPECT_EQ(parsed.spec.brokers[0].storage->logs, (VolumeSpec{"", std::nullopt}));
  // and an empty volume is left out when written back
  EXPECT_EQ(ToJson(parsed).at("spec").at("brokers").at(0).at("storage").serialize(),
            R"({"data":{"size":"50Gi"},"logs":{}})");
}

TEST(KafkaClusterJson, ConfigScalarsBecomeStrings) {
  KafkaCluster parsed = MustParse(R"({"spec": {"config": {
      "default.replication.factor": 3, "unclean.leader.election.enable": false,
      "log.cleaner.min.cleanable.ratio": 0.5, "log.retention.hours": "168",
      "big": 12345678901234}, "brokers": [{"id": 0, "config": {"num.io.threads": 16}}]}})");
  EXPECT_EQ(parsed.spec.config, (BrokerConfig{{"default.replication.factor", "3"},
                                              {"unclean.leader.election.enable", "false"},
                                              {"log.cleaner.min.cleanable.ratio", "0.5"},
                                              {"log.retention.hours", "168"},
                                              {"big", "12345678901234"}}));
  EXPECT_EQ(parsed.spec.brokers[0].config, (BrokerConfig{{"num.io.threads", "16"}}));
  EXPECT_EQ(ToJson(parsed).at("spec").at("config").at("default.replication.factor").as_string(),
            "3");
}

TEST(KafkaClusterJson, ResourcesAreKeptAsWritten) {
  KafkaCluster parsed =
      MustParse(R"({"spec": {"resources": {"requests": {"cpu": 1, "memory": "1Gi"}}}})");
  EXPECT_EQ(parsed.spec.resources.value.serialize(), R"({"requests":{"cpu":1,"memory":"1Gi"}})");
}

TEST(KafkaClusterJson, NullReplacedByMeansUnset) {
  KafkaCluster parsed =
      MustParse(R"({"status": {"brokers": [{"id": 1, "phase": "Running", "replacedBy": null}]}})");
  ASSERT_EQ(parsed.status.brokers.size(), 1u);
  EXPECT_EQ(parsed.status.brokers[0].phase, BrokerPhase::kRunning);
  EXPECT_FALSE(parsed.status.brokers[0].replaced_by);
  EXPECT_TRUE(StatusToJson(parsed.status).at("brokers").at(0).at("replacedBy").is_null());
}

TEST(KafkaClusterJson, StatusToJsonWritesEveryFieldSoMergePatchesClear) {
  const value status = StatusToJson(KafkaClusterStatus{});
  for (const char* field :
       {"observedGeneration", "conditions", "replicas", "labelSelector", "brokersReady",
        "zookeeperReady", "brokers", "zookeeper", "bootstrap", "externalBootstrap", "nextBrokerId",
        "balancedBrokers", "lastAppliedSpec"}) {
    EXPECT_TRUE(status.has_field(field)) << field;
  }
  BrokerStatus broker;
  KafkaClusterStatus with_broker;
  with_broker.brokers = {broker};
  const value written = StatusToJson(with_broker);
  EXPECT_TRUE(written.at("brokers").at(0).at("goneSince").is_null());
  EXPECT_TRUE(written.at("bootstrap").is_null());
  // and reads back as empty
  Result<KafkaCluster> back = FromJson(value::parse(R"({"status": )" + written.serialize() + "}"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->status, with_broker);
  EXPECT_TRUE(written.at("brokers").at(0).at("replacedBy").is_null());
  EXPECT_TRUE(written.at("lastAppliedSpec").is_null());
  EXPECT_FALSE(back->status.last_applied_spec);
}

TEST(KafkaClusterJson, LastAppliedSpecIsWrittenAsASpecAndReadBackTheSame) {
  const KafkaCluster full = testing::FullCluster();
  ASSERT_TRUE(full.status.last_applied_spec);
  const value written = StatusToJson(full.status);
  EXPECT_EQ(written.at("lastAppliedSpec").serialize(),
            SpecToJson(*full.status.last_applied_spec).serialize());
  EXPECT_EQ(written.at("lastAppliedSpec").at("replicas").as_integer(), 3);
  Result<KafkaCluster> back = FromJson(value::parse(R"({"status": )" + written.serialize() + "}"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->status.last_applied_spec, full.status.last_applied_spec);
  // A defaulted spec (what the operator records) survives the trip unchanged, so a pass that
  // changes nothing finds the recorded spec equal to its own and writes no status.
  KafkaClusterSpec defaulted = WithDefaults(KafkaCluster{}).spec;
  KafkaClusterStatus recorded;
  recorded.last_applied_spec = defaulted;
  back = FromJson(value::parse(R"({"status": )" + StatusToJson(recorded).serialize() + "}"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->status, recorded);
}

TEST(KafkaClusterJson, EmptySpecStringsAreLeftOut) {
  KafkaCluster cluster;
  cluster.spec.listeners.external = ExternalListenerSpec{30092, ""};
  cluster.spec.zookeeper.external = ExternalZooKeeperSpec{""};
  const value spec = ToJson(cluster).at("spec");
  EXPECT_FALSE(spec.has_field("image"));
  EXPECT_FALSE(spec.at("zookeeper").has_field("chroot"));
  EXPECT_EQ(spec.at("zookeeper").at("external").serialize(), "{}");
  EXPECT_EQ(spec.at("listeners").at("external").serialize(), R"({"nodePortBase":30092})");
  Result<KafkaCluster> back = FromJson(ToJson(cluster));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, cluster);
}

TEST(KafkaClusterJson, NullIsAbsent) {
  KafkaCluster parsed = MustParse(
      R"({"spec": {"replicas": null, "zookeeper": {"chroot": null}}, "status": {"bootstrap": null}})");
  EXPECT_EQ(parsed, KafkaCluster{});
}

TEST(KafkaClusterJson, MetadataFieldsTheOperatorDoesNotHoldAreIgnored) {
  KafkaCluster parsed = MustParse(R"({"apiVersion": "sluice.dev/v1alpha1", "kind": "KafkaCluster",
      "metadata": {"name": "demo", "namespace": "kafka", "generation": 3,
                   "creationTimestamp": "2024-05-01T00:00:00Z",
                   "managedFields": [{"manager": "kubectl"}],
                   "ownerReferences": []}})");
  EXPECT_EQ(parsed.metadata.name, "demo");
  EXPECT_EQ(parsed.metadata.namespace_, "kafka");
  EXPECT_EQ(parsed.metadata.generation, 3);
}

TEST(KafkaClusterJson, BrokerPhasesRoundTrip) {
  for (BrokerPhase phase :
       {BrokerPhase::kPending, BrokerPhase::kRunning, BrokerPhase::kFailed, BrokerPhase::kDraining,
        BrokerPhase::kRemoving, BrokerPhase::kReplacing}) {
    Result<BrokerPhase> back = ParseBrokerPhase(BrokerPhaseName(phase));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, phase);
  }
}

TEST(KafkaClusterJsonErrors, WrongTypesNameThePath) {
  EXPECT_EQ(ParseError(R"({"spec": {"replicas": "three"}})"),
            R"(spec.replicas: expected an integer, got "three")");
  EXPECT_EQ(ParseError(R"({"spec": {"replicas": 2.5}})"),
            "spec.replicas: expected an integer, got 2.5");
  EXPECT_EQ(ParseError(R"({"spec": {"replicas": 3000000000}})"),
            "spec.replicas: 3000000000 is out of range (-2147483648..2147483647)");
  EXPECT_EQ(ParseError(R"({"spec": {"brokers": [{"id": 0}, {"id": "one"}]}})"),
            R"(spec.brokers[1].id: expected an integer, got "one")");
  EXPECT_EQ(ParseError(R"({"spec": {"brokers": [{"config": {}}]}})"),
            "spec.brokers[0].id: missing; every entry of spec.brokers names a broker id");
  EXPECT_EQ(ParseError(R"({"spec": {"brokers": {"id": 0}}})"),
            R"(spec.brokers: expected an array, got {"id":0})");
  EXPECT_EQ(ParseError(R"({"spec": {"config": {"retention": {"ms": 1}}}})"),
            R"(spec.config.retention: expected a string, number or boolean, got {"ms":1})");
  EXPECT_EQ(ParseError(R"({"spec": {"config": {"retention.ms": null}}})"),
            "spec.config.retention.ms: expected a string, number or boolean, got null");
  EXPECT_EQ(ParseError(R"({"spec": {"healing": {"replaceOnVolumeLoss": "yes"}}})"),
            R"(spec.healing.replaceOnVolumeLoss: expected a boolean, got "yes")");
  EXPECT_EQ(ParseError(R"({"spec": {"storage": {"data": {"size": 10}}}})"),
            "spec.storage.data.size: expected a string, got 10");
  EXPECT_EQ(ParseError(R"({"spec": {"brokers": [{"id": 0, "nodeSelector": {"disk": true}}]}})"),
            "spec.brokers[0].nodeSelector.disk: expected a string, got true");
  EXPECT_EQ(ParseError(R"({"spec": {"resources": {"requests": {"cpu": true}}}})"),
            "spec.resources.requests.cpu: expected a quantity (a string or a number), got true");
  EXPECT_EQ(ParseError(R"({"spec": {"zookeeper": {"managed": {"replicas": "3"}}}})"),
            R"(spec.zookeeper.managed.replicas: expected an integer, got "3")");
  EXPECT_EQ(ParseError(R"({"spec": 1})"), "spec: expected an object, got 1");
  EXPECT_EQ(ParseError(R"({"metadata": {"labels": {"a": 1}}})"),
            "metadata.labels.a: expected a string, got 1");
  EXPECT_EQ(ParseError(R"({"status": {"balancedBrokers": [0, "1"]}})"),
            R"(status.balancedBrokers[1]: expected an integer, got "1")");
  EXPECT_EQ(ParseError(R"({"status": {"lastAppliedSpec": {"replicas": "3"}}})"),
            R"(status.lastAppliedSpec.replicas: expected an integer, got "3")");
}

TEST(KafkaClusterJsonErrors, LongValuesAreCutShort) {
  const std::string long_text(100, 'x');
  EXPECT_EQ(ParseError(R"({"spec": {"adminPort": ")" + long_text + R"("}})"),
            "spec.adminPort: expected an integer, got \"" + std::string(59, 'x') + "...");
}

TEST(KafkaClusterJsonErrors, UnknownFieldsAreErrors) {
  EXPECT_EQ(ParseError(R"({"spec": {"replica": 3}})"),
            "spec.replica: unknown field; spec has only replicas, brokers, image, "
            "imagePullPolicy, config, listeners, adminPort, storage, resources, zookeeper, "
            "healing, rackAwareness (is the installed CRD newer than this operator?)");
  EXPECT_EQ(ParseError(R"({"spec": {"storage": {"data": {"sise": "1Gi"}}}})"),
            "spec.storage.data.sise: unknown field; spec.storage.data has only size, "
            "storageClassName (is the installed CRD newer than this operator?)");
  EXPECT_EQ(ParseError(R"({"status": {"brokers": [{"id": 0, "lag": 1}]}})"),
            "status.brokers[0].lag: unknown field; status.brokers[0] has only id, pod, ready, "
            "phase, partitionsLed, replicas, underReplicated, goneSince, configHash, replacedBy "
            "(is the installed CRD newer than this operator?)");
}

TEST(KafkaClusterJsonErrors, UnknownPhaseIsAnError) {
  EXPECT_EQ(ParseError(R"({"status": {"brokers": [{"id": 0, "phase": "Sleeping"}]}})"),
            R"(status.brokers[0].phase: unknown broker phase "Sleeping"; expected one of )"
            "Pending, Running, Failed, Draining, Removing, Replacing");
}

TEST(KafkaClusterJsonErrors, WrongKindOrVersion) {
  EXPECT_EQ(ParseError(R"({"apiVersion": "sluice.dev/v1", "kind": "KafkaCluster"})"),
            R"(apiVersion: expected "sluice.dev/v1alpha1", got "sluice.dev/v1")");
  EXPECT_EQ(ParseError(R"({"apiVersion": "sluice.dev/v1alpha1", "kind": "Kafka"})"),
            R"(kind: expected "KafkaCluster", got "Kafka")");
  EXPECT_EQ(ParseError("[]"), "(the object): expected a JSON object, got []");
}

}  // namespace
}  // namespace sluice::operator_api

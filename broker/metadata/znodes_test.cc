// Znode codecs: golden JSON in Kafka 2.8's format, decoding of what real Kafka writes (in its
// hash-map key order), and rejection of malformed bytes.
#include "broker/metadata/znodes.h"

#include <gtest/gtest.h>

namespace sluice::metadata {
namespace {

using Code = Status::Code;

TEST(UuidTest, PrintsLikeKafkaUuidToString) {
  // Kafka's Uuid(0, 1) (the KRaft metadata topic id) prints as "AAAAAAAAAAAAAAAAAAAAAQ".
  EXPECT_EQ((Uuid{0, 1}).ToBase64Url(), "AAAAAAAAAAAAAAAAAAAAAQ");
  EXPECT_EQ((Uuid{0, 0}).ToBase64Url(), "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ((Uuid{~0ull, ~0ull}).ToBase64Url(), "_____________________w");
}

TEST(UuidTest, RoundTripsRandomIds) {
  for (int i = 0; i < 1000; ++i) {
    Uuid id = Uuid::Random();
    std::string text = id.ToBase64Url();
    ASSERT_EQ(text.size(), 22u);
    ASSERT_NE(text[0], '-');
    auto parsed = Uuid::FromBase64Url(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(*parsed, id);
  }
}

TEST(UuidTest, RejectsWrongLengthBadCharactersAndNonCanonicalTail) {
  EXPECT_FALSE(Uuid::FromBase64Url("").ok());
  EXPECT_FALSE(Uuid::FromBase64Url("AAAAAAAAAAAAAAAAAAAAA").ok());    // 21
  EXPECT_FALSE(Uuid::FromBase64Url("AAAAAAAAAAAAAAAAAAAAAAA").ok());  // 23
  EXPECT_FALSE(Uuid::FromBase64Url("AAAAAAAAAAAAAAAAAAAA+Q").ok());   // not URL-safe
  EXPECT_FALSE(Uuid::FromBase64Url("AAAAAAAAAAAAAAAAAAAAAB").ok());   // low bits set
}

TEST(ControllerZNodeTest, GoldenJson) {
  EXPECT_EQ(ControllerZNode::Path(), "/controller");
  EXPECT_EQ(ControllerZNode::Encode({BrokerId(1), 1620000000000}),
            R"({"version":1,"brokerid":1,"timestamp":"1620000000000"})");
}

TEST(ControllerZNodeTest, DecodesAnyKeyOrderAndMissingTimestamp) {
  auto a = ControllerZNode::Decode(R"({"brokerid":3,"version":1,"timestamp":"17"})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->broker_id, BrokerId(3));
  EXPECT_EQ(a->timestamp_ms, 17);
  auto b = ControllerZNode::Decode(R"({"version":1,"brokerid":0})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->broker_id, BrokerId(0));
}

TEST(ControllerZNodeTest, RejectsMalformed) {
  for (const char* bad : {"", "{", "[]", "null", R"({"version":1})", R"({"brokerid":"1"})",
                          R"({"brokerid":1.5})", R"({"brokerid":true})",
                          R"({"brokerid":99999999999})", R"({"brokerid":1,"timestamp":"x"})"}) {
    auto decoded = ControllerZNode::Decode(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption) << bad;
  }
}

TEST(ControllerEpochZNodeTest, IsAPlainInteger) {
  EXPECT_EQ(ControllerEpochZNode::Path(), "/controller_epoch");
  EXPECT_EQ(ControllerEpochZNode::Encode(ControllerEpoch(7)), "7");
  EXPECT_EQ(*ControllerEpochZNode::Decode("12"), ControllerEpoch(12));
  EXPECT_EQ(ControllerEpochZNode::Decode("").status().code(), Code::kCorruption);
  EXPECT_EQ(ControllerEpochZNode::Decode("1x").status().code(), Code::kCorruption);
  EXPECT_EQ(ControllerEpochZNode::Decode("-1").status().code(), Code::kCorruption);
  EXPECT_EQ(ControllerEpochZNode::Decode("4294967296").status().code(), Code::kCorruption);
}

BrokerRegistration SampleBroker() {
  BrokerRegistration broker;
  broker.id = BrokerId(1);
  broker.endpoints = {{"PLAINTEXT", "kafka-1", 9092, "PLAINTEXT"},
                      {"INTERNAL", "10.0.0.1", 9093, "SASL_SSL"}};
  broker.timestamp_ms = 1620000000000;
  return broker;
}

TEST(BrokerIdZNodeTest, GoldenJsonV5) {
  EXPECT_EQ(BrokerIdZNode::Path(BrokerId(1)), "/brokers/ids/1");
  EXPECT_EQ(BrokerIdZNode::Encode(SampleBroker()),
            R"({"version":5,"host":"kafka-1","port":9092,"jmx_port":-1,)"
            R"("timestamp":"1620000000000",)"
            R"("endpoints":["PLAINTEXT://kafka-1:9092","INTERNAL://10.0.0.1:9093"],)"
            R"("listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","INTERNAL":"SASL_SSL"},)"
            R"("features":{}})");
}

TEST(BrokerIdZNodeTest, RackIsWrittenOnlyWhenSet) {
  BrokerRegistration broker = SampleBroker();
  broker.endpoints.resize(1);
  broker.rack = "eu-west-1a";
  EXPECT_EQ(BrokerIdZNode::Encode(broker),
            R"({"version":5,"host":"kafka-1","port":9092,"jmx_port":-1,)"
            R"("timestamp":"1620000000000","endpoints":["PLAINTEXT://kafka-1:9092"],)"
            R"("listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},)"
            R"("rack":"eu-west-1a","features":{}})");
}

TEST(BrokerIdZNodeTest, NoPlaintextListenerWritesNullHostAndPortMinusOne) {
  BrokerRegistration broker;
  broker.id = BrokerId(2);
  broker.endpoints = {{"SSL", "h", 9093, "SSL"}};
  std::string json = BrokerIdZNode::Encode(broker);
  EXPECT_NE(json.find(R"("host":null,"port":-1)"), std::string::npos) << json;
}

TEST(BrokerIdZNodeTest, Ipv6HostsAreBracketed) {
  BrokerEndpoint endpoint{"PLAINTEXT", "::1", 9092, "PLAINTEXT"};
  EXPECT_EQ(endpoint.ConnectionString(), "PLAINTEXT://[::1]:9092");
  BrokerRegistration broker;
  broker.id = BrokerId(3);
  broker.endpoints = {endpoint};
  auto decoded = BrokerIdZNode::Decode(BrokerId(3), BrokerIdZNode::Encode(broker));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->endpoints, broker.endpoints);
}

TEST(BrokerIdZNodeTest, RoundTrips) {
  BrokerRegistration broker = SampleBroker();
  broker.rack = "r1";
  auto decoded = BrokerIdZNode::Decode(BrokerId(1), BrokerIdZNode::Encode(broker));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, BrokerId(1));
  EXPECT_EQ(decoded->endpoints, broker.endpoints);
  EXPECT_EQ(decoded->rack, broker.rack);
  EXPECT_EQ(decoded->jmx_port, -1);
  EXPECT_EQ(decoded->timestamp_ms, 1620000000000);
  EXPECT_EQ(decoded->version, 5);
}

TEST(BrokerIdZNodeTest, DecodesWhatKafka28Writes) {
  // A registration as a real 2.8 broker writes it: hash-map key order, features present.
  auto decoded = BrokerIdZNode::Decode(
      BrokerId(0), R"({"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},)"
                   R"("endpoints":["PLAINTEXT://localhost:9092"],"jmx_port":-1,"port":9092,)"
                   R"("host":"localhost","version":5,"timestamp":"1652300000000"})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->endpoints.size(), 1u);
  EXPECT_EQ(decoded->endpoints[0], (BrokerEndpoint{"PLAINTEXT", "localhost", 9092, "PLAINTEXT"}));
  EXPECT_FALSE(decoded->rack.has_value());
}

TEST(BrokerIdZNodeTest, DecodesOlderVersions) {
  auto v1 = BrokerIdZNode::Decode(
      BrokerId(4), R"({"version":1,"host":"old","port":9092,"jmx_port":9999,"timestamp":"1"})");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->endpoints[0], (BrokerEndpoint{"PLAINTEXT", "old", 9092, "PLAINTEXT"}));
  EXPECT_EQ(v1->jmx_port, 9999);
  auto v2 =
      BrokerIdZNode::Decode(BrokerId(4), R"({"version":2,"host":"h","port":9092,"jmx_port":-1,)"
                                         R"("timestamp":"1","endpoints":["SSL://h:9093"]})");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->endpoints[0], (BrokerEndpoint{"SSL", "h", 9093, "SSL"}));
}

TEST(BrokerIdZNodeTest, RejectsMalformed) {
  for (const char* bad : {"not json", R"({"version":9,"jmx_port":-1,"endpoints":[]})",
                          R"({"version":5,"endpoints":[]})",  // no jmx_port
                          R"({"version":5,"jmx_port":-1})",   // no endpoints
                          R"({"version":5,"jmx_port":-1,"endpoints":["nonsense"]})",
                          R"({"version":5,"jmx_port":-1,"endpoints":["PLAINTEXT://h:port"]})",
                          R"({"version":5,"jmx_port":-1,"endpoints":[7]})",
                          R"({"version":5,"jmx_port":-1,"endpoints":["X://h:1"],)"
                          R"("listener_security_protocol_map":{"Y":"PLAINTEXT"}})"}) {
    auto decoded = BrokerIdZNode::Decode(BrokerId(1), bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption) << bad;
    EXPECT_NE(decoded.status().message().find("/brokers/ids/1"), std::string::npos);
  }
}

TEST(TopicZNodeTest, GoldenJsonV3) {
  EXPECT_EQ(TopicZNode::Path("orders"), "/brokers/topics/orders");
  TopicAssignment assignment;
  assignment.partitions = {{PartitionId(0), {BrokerId(1), BrokerId(2)}},
                           {PartitionId(1), {BrokerId(2), BrokerId(3)}}};
  assignment.topic_id = Uuid{0, 1};
  EXPECT_EQ(TopicZNode::Encode(assignment),
            R"({"version":3,"partitions":{"0":[1,2],"1":[2,3]},"adding_replicas":{},)"
            R"("removing_replicas":{},"topic_id":"AAAAAAAAAAAAAAAAAAAAAQ"})");
}

TEST(TopicZNodeTest, PartitionsAreOrderedNumericallyNotAsText) {
  TopicAssignment assignment;
  for (int p = 0; p < 11; ++p) assignment.partitions[PartitionId(p)] = {BrokerId(1)};
  std::string json = TopicZNode::Encode(assignment);
  EXPECT_NE(json.find(R"("9":[1],"10":[1])"), std::string::npos) << json;
}

TEST(TopicZNodeTest, DecodesV1AndV2WithoutTopicId) {
  auto v1 = TopicZNode::Decode(R"({"version":1,"partitions":{"1":[2],"0":[1]}})");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->partitions.size(), 2u);
  EXPECT_EQ(v1->partitions.at(PartitionId(1)), std::vector<BrokerId>{BrokerId(2)});
  EXPECT_FALSE(v1->topic_id.has_value());
  auto v2 =
      TopicZNode::Decode(R"({"version":2,"partitions":{"0":[1,2]},"adding_replicas":{"0":[2]},)"
                         R"("removing_replicas":{}})");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->adding_replicas.at(PartitionId(0)), std::vector<BrokerId>{BrokerId(2)});
}

TEST(TopicZNodeTest, DecodesKafkaOrderWithTopicId) {
  auto decoded = TopicZNode::Decode(
      R"({"removing_replicas":{},"partitions":{"0":[0]},"topic_id":"AAAAAAAAAAAAAAAAAAAAAQ",)"
      R"("adding_replicas":{},"version":3})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->topic_id, (Uuid{0, 1}));
}

TEST(TopicZNodeTest, MissingPartitionsMeansNone) {
  auto decoded = TopicZNode::Decode(R"({"version":1})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->partitions.empty());
}

TEST(TopicZNodeTest, RejectsMalformed) {
  for (const char* bad :
       {R"({"partitions":[]})", R"({"partitions":{"x":[1]}})", R"({"partitions":{"-1":[1]}})",
        R"({"partitions":{"0":1}})", R"({"partitions":{"0":["1"]}})",
        R"({"partitions":{"0":[1]},"topic_id":"short"})",
        R"({"partitions":{"0":[1]},"topic_id":5})", "{{"}) {
    auto decoded = TopicZNode::Decode(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption) << bad;
  }
}

TEST(TopicPartitionStateZNodeTest, GoldenJson) {
  EXPECT_EQ(TopicPartitionStateZNode::Path("orders", PartitionId(3)),
            "/brokers/topics/orders/partitions/3/state");
  PartitionState state;
  state.leader = BrokerId(1);
  state.leader_epoch = LeaderEpoch(5);
  state.controller_epoch = ControllerEpoch(3);
  state.isr = {BrokerId(1), BrokerId(2)};
  EXPECT_EQ(TopicPartitionStateZNode::Encode(state),
            R"({"version":1,"leader":1,"leader_epoch":5,"controller_epoch":3,"isr":[1,2]})");
}

TEST(TopicPartitionStateZNodeTest, DecodesKafkaOrderAndKeepsZkVersion) {
  auto decoded = TopicPartitionStateZNode::Decode(
      R"({"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0]})", 4);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->leader, BrokerId(0));
  EXPECT_EQ(decoded->isr, std::vector<BrokerId>{BrokerId(0)});
  EXPECT_EQ(decoded->controller_epoch, ControllerEpoch(1));
  EXPECT_EQ(decoded->zk_version, 4);
}

TEST(TopicPartitionStateZNodeTest, NoLeaderIsMinusOne) {
  auto decoded = TopicPartitionStateZNode::Decode(
      R"({"version":1,"leader":-1,"leader_epoch":3,"controller_epoch":1,"isr":[2]})", 0);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->leader, kNoLeader);
}

TEST(TopicPartitionStateZNodeTest, RejectsMalformed) {
  for (const char* bad :
       {R"({"leader":1,"leader_epoch":0,"controller_epoch":1})",
        R"({"leader":1,"leader_epoch":0,"isr":[1]})",
        R"({"leader":"1","leader_epoch":0,"controller_epoch":1,"isr":[1]})",
        R"({"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":{}})", "[1,2]", ""}) {
    auto decoded = TopicPartitionStateZNode::Decode(bad, 0);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption) << bad;
  }
}

TEST(ConfigEntityZNodeTest, GoldenJson) {
  EXPECT_EQ(ConfigEntityZNode::Path(kConfigTypeTopic, "orders"), "/config/topics/orders");
  EXPECT_EQ(ConfigEntityZNode::Encode({{"retention.ms", "1000"}, {"cleanup.policy", "compact"}}),
            R"({"version":1,"config":{"cleanup.policy":"compact","retention.ms":"1000"}})");
  EXPECT_EQ(ConfigEntityZNode::Encode({}), R"({"version":1,"config":{}})");
}

TEST(ConfigEntityZNodeTest, DecodesAndRejectsNonStringValues) {
  auto decoded = ConfigEntityZNode::Decode(R"({"config":{"a":"1"},"version":1})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (ConfigMap{{"a", "1"}}));
  EXPECT_TRUE(ConfigEntityZNode::Decode("")->empty());  // null data: no overrides
  EXPECT_TRUE(ConfigEntityZNode::Decode(R"({"version":1})")->empty());
  EXPECT_EQ(ConfigEntityZNode::Decode(R"({"version":1,"config":{"a":1}})").status().code(),
            Code::kCorruption);
  EXPECT_EQ(ConfigEntityZNode::Decode(R"({"version":1,"config":[]})").status().code(),
            Code::kCorruption);
}

TEST(ConfigChangeNotificationTest, GoldenJson) {
  EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::CreatePath(),
            "/config/changes/config_change_");
  EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::Encode("topics/orders"),
            R"({"version":2,"entity_path":"topics/orders"})");
  EXPECT_EQ(*ConfigEntityChangeNotificationSequenceZNode::Decode(
                R"({"entity_path":"topics/x","version":2})"),
            "topics/x");
  EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::Decode(
                R"({"version":1,"entity_type":"topics","entity_name":"x"})")
                .status()
                .code(),
            Code::kCorruption);
}

TEST(DeleteTopicsTopicZNodeTest, IsAnEmptyZNodeUnderAdmin) {
  EXPECT_EQ(DeleteTopicsTopicZNode::Path("orders"), "/admin/delete_topics/orders");
  EXPECT_EQ(DeleteTopicsTopicZNode::Encode(), "");
}

TEST(ClusterIdZNodeTest, GoldenJsonHasAStringVersion) {
  EXPECT_EQ(ClusterIdZNode::Path(), "/cluster/id");
  EXPECT_EQ(ClusterIdZNode::Encode("AAAAAAAAAAAAAAAAAAAAAQ"),
            R"({"version":"1","id":"AAAAAAAAAAAAAAAAAAAAAQ"})");
  EXPECT_EQ(*ClusterIdZNode::Decode(R"({"id":"abc","version":"1"})"), "abc");
  EXPECT_EQ(ClusterIdZNode::Decode(R"({"version":"1"})").status().code(), Code::kCorruption);
}

TEST(PersistentZkPathsTest, AreKafkasList) {
  EXPECT_EQ(PersistentZkPaths(),
            (std::vector<std::string>{"/consumers", "/brokers/ids", "/brokers/topics",
                                      "/config/changes", "/admin/delete_topics", "/brokers/seqid",
                                      "/isr_change_notification", "/latest_producer_id_block",
                                      "/log_dir_event_notification", "/config/topics",
                                      "/config/clients", "/config/users", "/config/brokers"}));
}

}  // namespace
}  // namespace sluice::metadata

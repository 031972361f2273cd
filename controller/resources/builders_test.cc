// Focused properties of the builders that the golden files show but do not explain: unique
// ports, who wins in server.properties, when the config hash changes, ZooKeeper addresses, name
// limits, and what every object must carry.
#include <climits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "controller/resources/builders.h"
#include "controller/resources/test_clusters.h"

namespace sluice::operator_resources {
namespace {

using operator_api::KafkaCluster;
using testing::AllObjects;

// server.properties back into a map, skipping the header comment.
std::map<std::string, std::string> ParseProperties(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// The named ports of a broker pod's only container.
std::map<std::string, int> PodPorts(const web::json::value& pod) {
  std::map<std::string, int> ports;
  for (const auto& port : pod.at("spec").at("containers").at(0).at("ports").as_array()) {
    ports[port.at("name").as_string()] = port.at("containerPort").as_integer();
  }
  return ports;
}

std::string EnvValue(const web::json::value& container, const std::string& name) {
  for (const auto& env : container.at("env").as_array()) {
    if (env.at("name").as_string() == name && env.has_field("value")) {
      return env.at("value").as_string();
    }
  }
  return "<unset>";
}

TEST(PortsTest, EveryBrokerListensOnPortsNoOtherBrokerUses) {
  KafkaCluster c = testing::ProductionCluster();
  c.spec.replicas = 12;
  std::set<int> seen;
  for (int32_t id = 0; id < c.spec.replicas; ++id) {
    const auto ports = PodPorts(BrokerPod(c, id, "hash", std::nullopt));
    EXPECT_EQ(ports.at("kafka"), 9092 + id);
    EXPECT_EQ(ports.at("external"), 30092 + id);
    EXPECT_EQ(ports.at("admin"), 9644);  // per pod, so the same number is fine
    EXPECT_TRUE(seen.insert(ports.at("kafka")).second) << "kafka port of broker " << id;
    EXPECT_TRUE(seen.insert(ports.at("external")).second) << "external port of broker " << id;

    // The broker's Service forwards exactly those ports, and its NodePort is the external one.
    const auto service = BrokerService(c, id);
    EXPECT_EQ(service.at("spec").at("type").as_string(), "NodePort");
    const auto& service_ports = service.at("spec").at("ports").as_array();
    ASSERT_EQ(service_ports.size(), 2u);
    EXPECT_EQ(service_ports.at(0).at("port").as_integer(), 9092 + id);
    EXPECT_EQ(service_ports.at(1).at("port").as_integer(), 30092 + id);
    EXPECT_EQ(service_ports.at(1).at("nodePort").as_integer(), 30092 + id);

    // And the broker binds and advertises the same ports.
    const auto props = ParseProperties(BrokerServerProperties(c, id, std::nullopt));
    EXPECT_EQ(props.at("listeners"), "INTERNAL://0.0.0.0:" + std::to_string(9092 + id) +
                                         ",EXTERNAL://0.0.0.0:" + std::to_string(30092 + id));
    EXPECT_EQ(props.at("advertised.listeners"),
              "INTERNAL://production-broker-" + std::to_string(id) +
                  ".kafka.svc.cluster.local:" + std::to_string(9092 + id) +
                  ",EXTERNAL://10.88.0.1:" + std::to_string(30092 + id));
  }
}

TEST(PortsTest, WithoutExternalListenerThereIsNoExternalPort) {
  const KafkaCluster c = testing::MinimalCluster();
  const auto ports = PodPorts(BrokerPod(c, 0, "hash", std::nullopt));
  EXPECT_EQ(ports.count("external"), 0u);
  EXPECT_EQ(BrokerService(c, 0).at("spec").at("type").as_string(), "ClusterIP");
  EXPECT_EQ(ParseProperties(BrokerServerProperties(c, 0, std::nullopt)).at("listeners"),
            "INTERNAL://0.0.0.0:9092");
}

TEST(ServerPropertiesTest, OperatorKeysWinOverClusterAndBrokerConfig) {
  KafkaCluster c = testing::MinimalCluster();
  c.spec.config = {{"broker.id", "99"},
                   {"listeners", "PLAINTEXT://:1"},
                   {"advertised.listeners", "PLAINTEXT://evil:1"},
                   {"zookeeper.connect", "elsewhere:2181"},
                   {"log.dirs", "/tmp/data"},
                   {"log.dir", "/tmp/data"},
                   {"port", "1"},
                   {"host.name", "evil"},
                   {"broker.rack", "moon"},
                   {"sluice.admin.listener", "0.0.0.0:1"},
                   {"num.network.threads", "3"}};
  operator_api::BrokerOverride override_spec;
  override_spec.id = 0;
  override_spec.config = {{"inter.broker.listener.name", "EVIL"}, {"log.dirs", "/override"}};
  c.spec.brokers = {override_spec};

  const auto props = ParseProperties(BrokerServerProperties(c, 0, std::nullopt));
  EXPECT_EQ(props.at("broker.id"), "0");
  EXPECT_EQ(props.at("listeners"), "INTERNAL://0.0.0.0:9092");
  EXPECT_EQ(props.at("advertised.listeners"),
            "INTERNAL://minimal-broker-0.default.svc.cluster.local:9092");
  EXPECT_EQ(props.at("listener.security.protocol.map"), "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT");
  EXPECT_EQ(props.at("inter.broker.listener.name"), "INTERNAL");
  EXPECT_EQ(props.at("zookeeper.connect"),
            "minimal-zookeeper-0.minimal-zookeeper-headless.default.svc.cluster.local:2181");
  EXPECT_EQ(props.at("log.dirs"), "/var/lib/sluice/data");
  EXPECT_EQ(props.at("sluice.admin.listener"), "0.0.0.0:9644");
  // Owned keys the operator has no value for are dropped, not passed through.
  EXPECT_EQ(props.count("log.dir"), 0u);
  EXPECT_EQ(props.count("port"), 0u);
  EXPECT_EQ(props.count("host.name"), 0u);
  EXPECT_EQ(props.count("broker.rack"), 0u);
  EXPECT_EQ(props.at("num.network.threads"), "3");
}

TEST(ServerPropertiesTest, BrokerOverrideWinsOverClusterConfigForThatBrokerOnly) {
  const KafkaCluster c = testing::ProductionCluster();
  const auto broker0 = ParseProperties(BrokerServerProperties(c, 0, std::nullopt));
  const auto broker1 = ParseProperties(BrokerServerProperties(c, 1, std::nullopt));
  EXPECT_EQ(broker0.at("log.retention.hours"), "168");
  EXPECT_EQ(broker1.at("log.retention.hours"), "336");
  EXPECT_EQ(broker0.count("num.io.threads"), 0u);
  EXPECT_EQ(broker1.at("num.io.threads"), "16");
  EXPECT_EQ(broker1.at("min.insync.replicas"), "2");  // cluster keys the override leaves alone
}

TEST(ServerPropertiesTest, RackIsSetOnlyWhenGiven) {
  const KafkaCluster c = testing::ProductionCluster();
  EXPECT_EQ(ParseProperties(BrokerServerProperties(c, 2, "zone-c")).at("broker.rack"), "zone-c");
  EXPECT_EQ(ParseProperties(BrokerServerProperties(c, 2, std::nullopt)).count("broker.rack"), 0u);
}

TEST(ServerPropertiesTest, SortedWithAGeneratedHeaderAndNoOtherDefaults) {
  const std::string text = BrokerServerProperties(testing::MinimalCluster(), 0, std::nullopt);
  EXPECT_EQ(text,
            "# Generated by sluice-operator for KafkaCluster default/minimal, broker 0; edit the "
            "KafkaCluster, not this file.\n"
            "advertised.listeners=INTERNAL://minimal-broker-0.default.svc.cluster.local:9092\n"
            "broker.id=0\n"
            "default.replication.factor=1\n"
            "inter.broker.listener.name=INTERNAL\n"
            "listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT\n"
            "listeners=INTERNAL://0.0.0.0:9092\n"
            "log.dirs=/var/lib/sluice/data\n"
            "min.insync.replicas=1\n"
            "offsets.topic.replication.factor=1\n"
            "sluice.admin.listener=0.0.0.0:9644\n"
            "transaction.state.log.replication.factor=1\n"
            "zookeeper.connect=minimal-zookeeper-0.minimal-zookeeper-headless.default.svc.cluster."
            "local:2181\n");
}

TEST(ServerPropertiesTest, ValuesThatWouldBreakTheLineAreEscaped) {
  KafkaCluster c = testing::MinimalCluster();
  c.spec.config = {{"a.multi.line", "one\ntwo"}, {"b.trailing.backslash", "C:\\dir\\"}};
  const std::string text = BrokerServerProperties(c, 0, std::nullopt);
  EXPECT_NE(text.find("a.multi.line=one\\ntwo\n"), std::string::npos) << text;
  EXPECT_NE(text.find("b.trailing.backslash=C:\\\\dir\\\\\n"), std::string::npos) << text;
}

TEST(ConfigHashTest, IsTheSha256PrefixOfTheText) {
  // SHA-256("") = e3b0c44298fc1c149afbf4c8996fb924...
  EXPECT_EQ(ConfigHash(""), "e3b0c44298fc1c14");
  EXPECT_EQ(ConfigHash("abc"), "ba7816bf8f01cfea");
}

TEST(ConfigHashTest, ChangesExactlyWhenThePropertiesChange) {
  const KafkaCluster base = testing::ProductionCluster();
  const std::string base_hash = ConfigHash(BrokerServerProperties(base, 0, "zone-a"));

  // Fields that are not in server.properties leave the hash alone.
  KafkaCluster not_config = base;
  not_config.spec.image = "sluice/broker:0.2.0";
  not_config.spec.resources = operator_api::ResourcesSpec{};
  not_config.spec.storage.data.size = "500Gi";
  not_config.spec.zookeeper.managed->resources = operator_api::ResourcesSpec{};
  EXPECT_EQ(ConfigHash(BrokerServerProperties(not_config, 0, "zone-a")), base_hash);

  // Another broker's override does not touch broker 0.
  KafkaCluster other_broker = base;
  other_broker.spec.brokers[0].config["num.io.threads"] = "32";
  EXPECT_EQ(ConfigHash(BrokerServerProperties(other_broker, 0, "zone-a")), base_hash);

  // Anything that changes broker 0's properties changes its hash.
  KafkaCluster user_key = base;
  user_key.spec.config["log.retention.hours"] = "24";
  EXPECT_NE(ConfigHash(BrokerServerProperties(user_key, 0, "zone-a")), base_hash);
  KafkaCluster zookeeper = base;
  zookeeper.spec.zookeeper.chroot = "/elsewhere";
  EXPECT_NE(ConfigHash(BrokerServerProperties(zookeeper, 0, "zone-a")), base_hash);
  EXPECT_NE(ConfigHash(BrokerServerProperties(base, 0, "zone-b")), base_hash);
  EXPECT_NE(ConfigHash(BrokerServerProperties(base, 0, std::nullopt)), base_hash);

  // The pod carries the hash it is given.
  const auto pod = BrokerPod(base, 0, base_hash, "zone-a");
  EXPECT_EQ(pod.at("metadata").at("annotations").at(kConfigHashAnnotation).as_string(), base_hash);
}

TEST(ZooKeeperTest, ServersForOneMember) {
  const KafkaCluster c = testing::MinimalCluster();
  EXPECT_EQ(ZooKeeperServers(c),
            "server.1=minimal-zookeeper-0.minimal-zookeeper-headless.default.svc.cluster.local:"
            "2888:3888;2181");
  const auto container =
      ZooKeeperStatefulSet(c).at("spec").at("template").at("spec").at("containers").at(0);
  EXPECT_EQ(EnvValue(container, "ZOO_SERVERS"), ZooKeeperServers(c));
  EXPECT_EQ(EnvValue(container, "ZOO_STANDALONE_ENABLED"), "true");
}

TEST(ZooKeeperTest, ServersForThreeMembers) {
  const KafkaCluster c = testing::ProductionCluster();
  const std::string headless = "production-zookeeper-headless.kafka.svc.cluster.local";
  EXPECT_EQ(ZooKeeperServers(c), "server.1=production-zookeeper-0." + headless +
                                     ":2888:3888;2181 server.2=production-zookeeper-1." + headless +
                                     ":2888:3888;2181 server.3=production-zookeeper-2." + headless +
                                     ":2888:3888;2181");
  const auto set = ZooKeeperStatefulSet(c);
  EXPECT_EQ(set.at("spec").at("replicas").as_integer(), 3);
  const auto container = set.at("spec").at("template").at("spec").at("containers").at(0);
  EXPECT_EQ(EnvValue(container, "ZOO_STANDALONE_ENABLED"), "false");
  // ZOO_MY_ID (server.N) comes from the ordinal in the pod's hostname, plus one.
  const std::string command = container.at("command").at(2).as_string();
  EXPECT_NE(command.find("ZOO_MY_ID=$((${HOSTNAME##*-}+1))"), std::string::npos);
  EXPECT_EQ(ZooKeeperConnect(c),
            "production-zookeeper-0." + headless + ":2181,production-zookeeper-1." + headless +
                ":2181,production-zookeeper-2." + headless + ":2181/production");
}

TEST(ZooKeeperTest, ChrootIsAppendedToTheConnectString) {
  KafkaCluster managed = testing::MinimalCluster();
  managed.spec.zookeeper.chroot = "/demo";
  EXPECT_EQ(ZooKeeperConnect(managed),
            "minimal-zookeeper-0.minimal-zookeeper-headless.default.svc.cluster.local:2181/demo");

  const KafkaCluster external = testing::ExternalZooKeeperCluster();
  const std::string expected =
      "zk-0.zk.infra.svc.cluster.local:2181,zk-1.zk.infra.svc.cluster.local:2181,"
      "zk-2.zk.infra.svc.cluster.local:2181/sluice/orders";
  EXPECT_EQ(ZooKeeperConnect(external), expected);
  EXPECT_EQ(
      ParseProperties(BrokerServerProperties(external, 1, std::nullopt)).at("zookeeper.connect"),
      expected);
}

TEST(NamesTest, ClusterNameLimitKeepsEveryDnsLabelWithin63Characters) {
  KafkaCluster c = testing::ProductionCluster();
  c.metadata.name = std::string(kMaxClusterNameLength - 1, 'a') + "z";
  ASSERT_TRUE(ValidateClusterName(c.metadata.name).ok());
  const int32_t largest_id = INT32_MAX;
  // Names Kubernetes requires to be DNS-1035/1123 labels (Services, pod hostnames), and the
  // StatefulSet name plus "-" and a revision hash of up to 10 characters (a label value).
  const std::vector<std::string> labels = {
      ZooKeeperHeadlessName(c), BrokerName(c, largest_id),        BrokersHeadlessName(c),
      BootstrapServiceName(c),  ZooKeeperName(c) + "-0123456789", ZooKeeperName(c) + "-2147483647",
  };
  for (const auto& label : labels) EXPECT_LE(label.size(), 63u) << label;
}

TEST(NamesTest, ClusterNamesThatDoNotFitAreRefusedWithTheReason) {
  const Status too_long = ValidateClusterName(std::string(kMaxClusterNameLength + 1, 'a'));
  EXPECT_EQ(too_long.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(too_long.message().find("at most 42"), std::string::npos) << too_long.message();
  for (const std::string bad : {"", "Demo", "9lives", "demo-", "my.cluster", "demo_1"}) {
    const Status status = ValidateClusterName(bad);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_FALSE(status.message().empty());
  }
  for (const std::string good : {"a", "demo", "prod-eu-1"}) {
    EXPECT_TRUE(ValidateClusterName(good).ok()) << good;
  }
}

TEST(NamesTest, AddressesAndSelectors) {
  const KafkaCluster c = testing::ProductionCluster();
  EXPECT_EQ(BootstrapAddress(c), "production-bootstrap.kafka.svc.cluster.local:9092");
  EXPECT_EQ(BrokerInternalAddress(c, 2), "production-broker-2.kafka.svc.cluster.local:9094");
  EXPECT_EQ(ExternalBootstrapAddress(c, {0, 2}), "10.88.0.1:30092,10.88.0.1:30094");
  EXPECT_EQ(ExternalBootstrapAddress(testing::MinimalCluster(), {0}), "");
  EXPECT_EQ(BrokerLabelSelector(c),
            "app.kubernetes.io/instance=production,app.kubernetes.io/component=broker");
  EXPECT_EQ(ZooKeeperLabelSelector(c),
            "app.kubernetes.io/instance=production,app.kubernetes.io/component=zookeeper");
}

TEST(BrokerPodTest, OverrideResourcesNodeSelectorAndStorageApplyToThatBrokerOnly) {
  const KafkaCluster c = testing::ProductionCluster();
  const auto pod1 = BrokerPod(c, 1, "h", "zone-b");
  const auto pod0 = BrokerPod(c, 0, "h", "zone-a");
  const auto& container1 = pod1.at("spec").at("containers").at(0);
  const auto& container0 = pod0.at("spec").at("containers").at(0);
  EXPECT_EQ(container1.at("resources").at("requests").at("cpu").as_string(), "4");
  EXPECT_EQ(container0.at("resources").at("requests").at("cpu").as_string(), "2");
  EXPECT_EQ(pod1.at("spec").at("nodeSelector").at("disk").as_string(), "ssd");
  EXPECT_FALSE(pod0.at("spec").has_field("nodeSelector"));
  EXPECT_EQ(BrokerDataPvc(c, 1).at("spec").at("storageClassName").as_string(), "fast-ssd");
  EXPECT_EQ(BrokerDataPvc(c, 0).at("spec").at("storageClassName").as_string(), "standard");
  EXPECT_EQ(BrokerDataPvc(c, 1).at("spec").at("resources").at("requests").at("storage").as_string(),
            "200Gi");
  // Broker 1's override names no logs volume: it inherits the cluster's.
  EXPECT_EQ(BrokerLogsPvc(c, 1).at("spec").at("storageClassName").as_string(), "standard");
  EXPECT_EQ(BrokerLogsPvc(c, 1).at("spec").at("resources").at("requests").at("storage").as_string(),
            "2Gi");
}

TEST(BrokerPodTest, ZoneBecomesARequiredNodeAffinityOnTheTopologyKey) {
  KafkaCluster c = testing::ProductionCluster();
  c.spec.rack_awareness->topology_key = "example.com/rack";
  const auto pod = BrokerPod(c, 0, "h", "rack-7");
  const auto& expression = pod.at("spec")
                               .at("affinity")
                               .at("nodeAffinity")
                               .at("requiredDuringSchedulingIgnoredDuringExecution")
                               .at("nodeSelectorTerms")
                               .at(0)
                               .at("matchExpressions")
                               .at(0);
  EXPECT_EQ(expression.at("key").as_string(), "example.com/rack");
  EXPECT_EQ(expression.at("operator").as_string(), "In");
  EXPECT_EQ(expression.at("values").at(0).as_string(), "rack-7");
  EXPECT_FALSE(
      BrokerPod(c, 0, "h", std::nullopt).at("spec").at("affinity").has_field("nodeAffinity"));
}

// What controller/README.md promises for every object: the four labels (and the broker id on
// broker objects), an ownerReference making the KafkaCluster its controller, and TCP on every
// Service port.
TEST(AllObjectsTest, CarryLabelsOwnerAndProtocol) {
  const std::vector<std::pair<KafkaCluster, std::function<std::optional<std::string>(int32_t)>>>
      cases = {{testing::MinimalCluster(), testing::NoZone},
               {testing::ProductionCluster(), testing::ProductionZone},
               {testing::ExternalZooKeeperCluster(), testing::NoZone}};
  for (const auto& [c, zone_of] : cases) {
    for (const auto& owned : AllObjects(c, zone_of)) {
      SCOPED_TRACE(owned.kind + " " + owned.name);
      const auto& metadata = owned.object.at("metadata");
      EXPECT_EQ(metadata.at("namespace").as_string(), c.metadata.namespace_);
      const auto& labels = metadata.at("labels");
      EXPECT_EQ(labels.at("app.kubernetes.io/name").as_string(), "sluice");
      EXPECT_EQ(labels.at("app.kubernetes.io/instance").as_string(), c.metadata.name);
      EXPECT_EQ(labels.at("app.kubernetes.io/managed-by").as_string(), "sluice-operator");
      const std::string component = labels.at("app.kubernetes.io/component").as_string();
      EXPECT_TRUE(component == "broker" || component == "zookeeper") << component;
      const bool per_broker = owned.name.find("-broker-") != std::string::npos;
      EXPECT_EQ(labels.has_field(kBrokerIdLabel), per_broker);
      ASSERT_EQ(metadata.at("ownerReferences").size(), 1u);
      const auto& owner = metadata.at("ownerReferences").at(0);
      EXPECT_EQ(owner.serialize(), OwnerReference(c).serialize());
      EXPECT_EQ(owner.at("apiVersion").as_string(), "sluice.dev/v1alpha1");
      EXPECT_EQ(owner.at("kind").as_string(), "KafkaCluster");
      EXPECT_EQ(owner.at("uid").as_string(), c.metadata.uid);
      EXPECT_TRUE(owner.at("controller").as_bool());
      EXPECT_TRUE(owner.at("blockOwnerDeletion").as_bool());
      if (owned.kind == "Service") {
        for (const auto& port : owned.object.at("spec").at("ports").as_array()) {
          EXPECT_EQ(port.at("protocol").as_string(), "TCP");
        }
      }
    }
  }
}

TEST(PvcTest, LabelsSayWhichBrokerAndWhichVolume) {
  const KafkaCluster c = testing::MinimalCluster();
  const auto data = BrokerDataPvc(c, 0);
  const auto logs = BrokerLogsPvc(c, 0);
  EXPECT_EQ(data.at("metadata").at("name").as_string(), "minimal-broker-0-data");
  EXPECT_EQ(logs.at("metadata").at("name").as_string(), "minimal-broker-0-logs");
  EXPECT_EQ(data.at("metadata").at("labels").at(kVolumeLabel).as_string(), "data");
  EXPECT_EQ(logs.at("metadata").at("labels").at(kVolumeLabel).as_string(), "logs");
  EXPECT_EQ(data.at("metadata").at("labels").at(kBrokerIdLabel).as_string(), "0");
  EXPECT_EQ(data.at("spec").at("accessModes").at(0).as_string(), "ReadWriteOnce");
  EXPECT_EQ(data.at("spec").at("resources").at("requests").at("storage").as_string(), "1Gi");
  EXPECT_EQ(logs.at("spec").at("resources").at("requests").at("storage").as_string(), "256Mi");
}

TEST(PdbTest, ApiVersionIsTheOneGiven) {
  const KafkaCluster c = testing::MinimalCluster();
  EXPECT_EQ(BrokersPodDisruptionBudget(c, "policy/v1").at("apiVersion").as_string(), "policy/v1");
  const auto zk = ZooKeeperPodDisruptionBudget(c, "policy/v1beta1");
  EXPECT_EQ(zk.at("apiVersion").as_string(), "policy/v1beta1");
  EXPECT_EQ(zk.at("spec").at("maxUnavailable").as_integer(), 1);
  EXPECT_EQ(
      zk.at("spec").at("selector").at("matchLabels").at("app.kubernetes.io/component").as_string(),
      "zookeeper");
}

}  // namespace
}  // namespace sluice::operator_resources

// GoogleTest before cpprestsdk: cpprest defines a macro U that breaks gtest's templates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/api/validation.h"

#include "controller/api/defaults.h"

namespace sluice::operator_api {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

KafkaCluster Valid() {
  KafkaCluster cluster;
  cluster.metadata.name = "demo";
  cluster.spec.replicas = 3;
  return WithDefaults(cluster);
}

BrokerStatus StatusOf(int32_t id) {
  BrokerStatus broker;
  broker.id = id;
  return broker;
}

BrokerOverride Broker(int32_t id) {
  BrokerOverride broker;
  broker.id = id;
  return broker;
}

TEST(Validate, DefaultedClusterIsValid) {
  EXPECT_THAT(Validate(Valid()), IsEmpty());
  EXPECT_THAT(Validate(WithDefaults(KafkaCluster{})), IsEmpty());
}

TEST(Validate, ReplicasRange) {
  KafkaCluster c = Valid();
  c.spec.admin_port = 8080;  // below the 1000 brokers' ports 9092-10091
  c.spec.replicas = -1;
  EXPECT_THAT(Validate(c), ElementsAre("spec.replicas is -1; it must be between 0 and 1000"));
  c.spec.replicas = 1001;
  EXPECT_THAT(Validate(c), ElementsAre("spec.replicas is 1001; it must be between 0 and 1000"));
  c.spec.replicas = 0;
  EXPECT_THAT(Validate(c), IsEmpty());
  c.spec.replicas = 1000;
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(Validate, ReplicasCoverListedBrokers) {
  KafkaCluster c = Valid();
  c.spec.replicas = 1;
  c.spec.brokers = {Broker(0), Broker(1)};
  EXPECT_THAT(Validate(c), ElementsAre("spec.replicas is 1 but spec.brokers lists 2 brokers; "
                                       "raise spec.replicas to at least 2 or remove entries "
                                       "from spec.brokers"));
}

TEST(Validate, BrokerIds) {
  KafkaCluster c = Valid();
  c.spec.brokers = {Broker(-1), Broker(1), Broker(1)};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.brokers[0].id is -1; broker ids must be 0 or greater",
                          "spec.brokers lists broker id 1 more than once; merge the entries "
                          "into one"));
  c.spec.replicas = 4;
  c.spec.brokers = {Broker(2), Broker(2), Broker(2)};
  EXPECT_THAT(Validate(c), ElementsAre("spec.brokers lists broker id 2 more than once; merge "
                                       "the entries into one"));
}

TEST(Validate, BasePort) {
  KafkaCluster c = Valid();
  c.spec.listeners.internal.base_port = 80;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.listeners.internal.basePort is 80; it must be in 1024-65535 "
                          "because the broker runs as a non-root user (uid 10001), which cannot "
                          "listen on ports below 1024"));
  c.spec.listeners.internal.base_port = 65534;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.listeners.internal.basePort 65534 plus the highest broker id 2 "
                          "is 65536, above 65535; lower spec.listeners.internal.basePort (broker "
                          "i uses port basePort + i)"));
  c.spec.listeners.internal.base_port = 65533;
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(Validate, HighestBrokerIdCountsPinnedAndExistingBrokers) {
  KafkaCluster c = Valid();
  EXPECT_EQ(HighestBrokerId(c), 2);
  c.spec.brokers = {Broker(7)};
  EXPECT_EQ(HighestBrokerId(c), 7);
  c.status.brokers = {StatusOf(9)};
  EXPECT_EQ(HighestBrokerId(c), 9);
  c.spec.replicas = 0;
  c.spec.brokers.clear();
  c.status.brokers.clear();
  EXPECT_EQ(HighestBrokerId(c), 0);
}

TEST(Validate, NodePortBase) {
  KafkaCluster c = Valid();
  c.spec.listeners.external = ExternalListenerSpec{8080, "10.0.0.1"};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.listeners.external.nodePortBase is 8080; it must be in "
                          "30000-32767 (the API server's default NodePort range)"));
  c.spec.listeners.external->node_port_base = 32766;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.listeners.external.nodePortBase 32766 plus the highest broker "
                          "id 2 is 32768, above 32767; lower spec.listeners.external.nodePortBase "
                          "(broker i uses port nodePortBase + i)"));
  c.spec.listeners.external->node_port_base = 32765;
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(Validate, ExternalNeedsAdvertisedHost) {
  KafkaCluster c = Valid();
  c.spec.listeners.external = ExternalListenerSpec{30092, ""};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.listeners.external.advertisedHost is empty; set it to a node "
                          "address external clients can reach (broker i is advertised as "
                          "advertisedHost:nodePortBase+i)"));
}

TEST(Validate, InternalAndExternalPortsDiffer) {
  KafkaCluster c = Valid();
  c.spec.listeners.internal.base_port = 30092;
  c.spec.listeners.external = ExternalListenerSpec{30092, "10.0.0.1"};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.listeners.external.nodePortBase equals "
                          "spec.listeners.internal.basePort (30092); each broker needs different "
                          "ports for its internal and external listeners, so change one of them"));
}

TEST(Validate, DefaultPortsLeaveRoomFor552Brokers) {
  // adminPort 9644 is broker 552's port basePort 9092 + 552 in the default layout.
  KafkaCluster c = Valid();
  c.spec.replicas = 552;
  EXPECT_THAT(Validate(c), IsEmpty());
  c.spec.replicas = 553;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.adminPort 9644 is also broker 552's Kafka port "
                          "(spec.listeners.internal.basePort 9092 + 552); choose an adminPort "
                          "outside 9092-9644"));
}

TEST(Validate, AdminPort) {
  KafkaCluster c = Valid();
  c.spec.admin_port = 9093;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.adminPort 9093 is also broker 1's Kafka port "
                          "(spec.listeners.internal.basePort 9092 + 1); choose an adminPort "
                          "outside 9092-9094"));
  c.spec.admin_port = 9095;
  EXPECT_THAT(Validate(c), IsEmpty());
  c.spec.admin_port = 70000;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.adminPort is 70000; it must be in 1024-65535 because the broker "
                          "runs as a non-root user (uid 10001), which cannot listen on ports "
                          "below 1024"));
  c.spec.admin_port = 30094;
  c.spec.listeners.external = ExternalListenerSpec{30092, "10.0.0.1"};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.adminPort 30094 is also broker 2's external port "
                          "(spec.listeners.external.nodePortBase 30092 + 2); choose an adminPort "
                          "outside 30092-30094"));
}

TEST(Validate, ZooKeeperChoice) {
  KafkaCluster c = Valid();
  c.spec.zookeeper.external = ExternalZooKeeperSpec{"zk:2181"};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper sets both managed and external; keep one: managed "
                          "runs an ensemble for this cluster, external uses an existing one"));
  c.spec.zookeeper.managed.reset();
  EXPECT_THAT(Validate(c), IsEmpty());
  c.spec.zookeeper.external.reset();
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper sets neither managed nor external; set one (the "
                          "default is a managed ensemble of 3)"));
}

TEST(Validate, ExternalConnect) {
  KafkaCluster c = Valid();
  c.spec.zookeeper.managed.reset();
  c.spec.zookeeper.external = ExternalZooKeeperSpec{""};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper.external.connect is empty; set it to the ensemble's "
                          "host:port list, e.g. zk-0.zk:2181,zk-1.zk:2181"));
  const std::string how = "; write host:port[,host:port...], e.g. zk-0.zk:2181,zk-1.zk:2181";
  c.spec.zookeeper.external->connect = "zk-0.zk:2181,zk-1.zk";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.external.connect \"zk-0.zk:2181,zk-1.zk\" "
                                       "is malformed: \"zk-1.zk\" is not host:port" +
                                       how));
  c.spec.zookeeper.external->connect = "zk:2181/kafka";
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper.external.connect \"zk:2181/kafka\" is malformed: "
                          "\"zk:2181/kafka\" has a path; put the chroot in spec.zookeeper.chroot "
                          "instead" +
                          how));
  c.spec.zookeeper.external->connect = "zk:99999";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.external.connect \"zk:99999\" is "
                                       "malformed: \"zk:99999\" has port 99999, outside 1-65535" +
                                       how));
  c.spec.zookeeper.external->connect = "zk:2181,,zk2:2181";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.external.connect \"zk:2181,,zk2:2181\" is "
                                       "malformed: \"\" is not host:port" +
                                       how));
  for (const char* good : {"zk:2181", "zk-0.zk.infra.svc.cluster.local:2181,10.0.0.7:2182",
                           "[fd00::1]:2181", "ZK_1:2181"}) {
    c.spec.zookeeper.external->connect = good;
    EXPECT_THAT(Validate(c), IsEmpty()) << good;
  }
}

TEST(Validate, ManagedReplicasAreOdd) {
  KafkaCluster c = Valid();
  c.spec.zookeeper.managed->replicas = 4;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper.managed.replicas is 4; use 1, 3 or 5: an ensemble "
                          "works while a majority is up, so 4 members survive as many failures "
                          "as 3 while adding one more member that can fail"));
  c.spec.zookeeper.managed->replicas = 7;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper.managed.replicas is 7; use 1, 3 or 5: every write "
                          "waits for a majority, so more members slow writes down; 5 already "
                          "survive two failures"));
  c.spec.zookeeper.managed->replicas = 0;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.zookeeper.managed.replicas is 0; use 1, 3 or 5: 1 is for trying "
                          "things out, 3 survive one failure, 5 survive two"));
  for (int32_t n : {1, 3, 5}) {
    c.spec.zookeeper.managed->replicas = n;
    EXPECT_THAT(Validate(c), IsEmpty());
  }
}

TEST(Validate, Chroot) {
  KafkaCluster c = Valid();
  c.spec.zookeeper.chroot = "demo";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.chroot \"demo\" must start with \"/\"; "
                                       "write \"/demo\""));
  c.spec.zookeeper.chroot = "/demo/";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.chroot \"/demo/\" must not end with "
                                       "\"/\"; write \"/demo\""));
  c.spec.zookeeper.chroot = "/";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.chroot \"/\" must not end with \"/\"; "
                                       "write \"\" to use the ZooKeeper root"));
  c.spec.zookeeper.chroot = "/a//b";
  EXPECT_THAT(Validate(c), ElementsAre("spec.zookeeper.chroot \"/a//b\" has an empty path "
                                       "segment (\"//\"); separate segments with one \"/\""));
  c.spec.zookeeper.chroot = "/sluice/orders";
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(Validate, OperatorOwnedConfigKeys) {
  KafkaCluster c = Valid();
  c.spec.config = {{"zookeeper.connect", "zk:2181"}, {"num.io.threads", "8"}};
  BrokerOverride broker = Broker(1);
  broker.config = {{"broker.rack", "a"}, {"log.dirs", "/data"}};
  c.spec.brokers = {broker};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.brokers[0].config sets log.dirs, which the operator sets from "
                          "spec.storage.data; remove it from spec.brokers[0].config",
                          "spec.brokers[0].config sets broker.rack, which the operator sets from "
                          "spec.rackAwareness; remove it from spec.brokers[0].config",
                          "spec.config sets zookeeper.connect, which the operator sets from "
                          "spec.zookeeper; remove it from spec.config"));
}

TEST(Validate, EveryOperatorOwnedKeyFromTheReadmeIsRefused) {
  for (const char* key :
       {"broker.id", "listeners", "advertised.listeners", "listener.security.protocol.map",
        "inter.broker.listener.name", "zookeeper.connect", "log.dirs", "log.dir", "port",
        "host.name", "broker.rack"}) {
    KafkaCluster c = Valid();
    c.spec.config = {{key, "x"}};
    std::vector<std::string> problems = Validate(c);
    ASSERT_EQ(problems.size(), 1u) << key;
    EXPECT_EQ(problems[0].rfind(std::string("spec.config sets ") + key + ", which", 0), 0u)
        << problems[0];
  }
}

TEST(Validate, StorageSizes) {
  KafkaCluster c = Valid();
  c.spec.storage.data.size = "10GB";
  c.spec.storage.logs.size = "0";
  c.spec.zookeeper.managed->storage.size = "";
  BrokerOverride broker = Broker(0);
  broker.storage = StorageSpec{{"lots", std::nullopt}, {"1Gi", ""}};
  c.spec.brokers = {broker};
  EXPECT_THAT(
      Validate(c),
      ElementsAre("spec.brokers[0].storage.data.size \"lots\" is not a Kubernetes quantity; "
                  "write a number with an optional suffix such as 10Gi (binary Ki Mi Gi Ti, "
                  "decimal k M G T)",
                  "spec.brokers[0].storage.logs.storageClassName is empty; name a StorageClass, "
                  "or leave the field out to use the cluster's default class",
                  "spec.storage.data.size \"10GB\" is not a Kubernetes quantity; write a number "
                  "with an optional suffix such as 10Gi (binary Ki Mi Gi Ti, decimal k M G T)",
                  "spec.storage.logs.size is 0; a volume needs a size greater than zero",
                  "spec.zookeeper.managed.storage.size is empty; set a Kubernetes quantity such "
                  "as 10Gi"));
}

TEST(Validate, ResourceQuantities) {
  KafkaCluster c = Valid();
  c.spec.resources.value = web::json::value::parse(R"({"requests":{"cpu":"lots","memory":1}})");
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.resources.requests.cpu \"lots\" is not a Kubernetes quantity; "
                          "write e.g. 500m or 2 for cpu, 1Gi for memory"));
}

TEST(Validate, HealingDelay) {
  KafkaCluster c = Valid();
  c.spec.healing.replace_after_seconds = 29;
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.healing.replaceAfterSeconds is 29; it must be at least 30 so "
                          "that a broker that is only restarting (a rolling restart, a "
                          "rescheduled pod) is not replaced and its partitions moved"));
  c.spec.healing.replace_after_seconds = 30;
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(Validate, Images) {
  KafkaCluster c = Valid();
  c.spec.image = "";
  c.spec.image_pull_policy = "Sometimes";
  c.spec.zookeeper.managed->image = "";
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.image is empty; set a broker image, or leave the field out to "
                          "use sluice/broker:0.1.0",
                          "spec.imagePullPolicy is \"Sometimes\"; use Always, IfNotPresent or "
                          "Never",
                          "spec.zookeeper.managed.image is empty; set a ZooKeeper image with the "
                          "official image's interface, e.g. zookeeper:3.8"));
}

TEST(Validate, RackAwarenessKey) {
  KafkaCluster c = Valid();
  c.spec.rack_awareness = RackAwarenessSpec{""};
  EXPECT_THAT(Validate(c),
              ElementsAre("spec.rackAwareness.topologyKey is empty; name the node label whose "
                          "value is a broker's rack, e.g. topology.kubernetes.io/zone"));
}

TEST(ValidateUpdate, UnchangedAndGrowingAreFine) {
  KafkaCluster before = Valid();
  EXPECT_THAT(ValidateUpdate(before, before), IsEmpty());
  KafkaCluster after = before;
  after.spec.storage.data.size = "20Gi";
  after.spec.replicas = 5;
  after.spec.config["num.io.threads"] = "16";
  EXPECT_THAT(ValidateUpdate(before, after), IsEmpty());
}

TEST(ValidateUpdate, ShrinkingIsRefused) {
  KafkaCluster before = Valid();
  KafkaCluster after = before;
  after.spec.storage.data.size = "10000Mi";  // 9.77Gi < 10Gi
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.storage.data.size: shrinking from 10Gi to 10000Mi is refused "
                          "(brokers 0, 1, 2 already have volumes of 10Gi and a "
                          "PersistentVolumeClaim can only grow); set it back to at least 10Gi"));
  after = before;
  after.spec.storage.data.size = "10240Mi";  // the same size written differently
  EXPECT_THAT(ValidateUpdate(before, after), IsEmpty());
}

TEST(ValidateUpdate, ShrinkingOneBrokersOverrideNamesIt) {
  KafkaCluster before = Valid();
  BrokerOverride broker = Broker(1);
  broker.storage = StorageSpec{{"50Gi", std::nullopt}, {"", std::nullopt}};
  before.spec.brokers = {broker};
  before = WithDefaults(before);
  KafkaCluster after = before;
  after.spec.brokers[0].storage->data.size = "40Gi";
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.brokers[0].storage.data.size: shrinking from 50Gi to 40Gi is "
                          "refused (broker 1 already has a volume of 50Gi and a "
                          "PersistentVolumeClaim can only grow); set it back to at least 50Gi"));
  // Removing the override falls back to spec.storage's 10Gi: also a shrink, named there.
  after.spec.brokers.clear();
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.storage.data.size: shrinking from 50Gi to 10Gi is refused "
                          "(broker 1 already has a volume of 50Gi and a PersistentVolumeClaim "
                          "can only grow); set it back to at least 50Gi"));
}

TEST(ValidateUpdate, StorageClassOfExistingBrokers) {
  KafkaCluster before = Valid();
  before.status.brokers = {StatusOf(5)};
  KafkaCluster after = before;
  after.spec.storage.logs.storage_class_name = "fast";
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.storage.logs.storageClassName: changing the storage class from "
                          "the cluster's default class to \"fast\" is refused (brokers 0, 1, 2, "
                          "5 already have volumes, and a volume's class cannot change); set it "
                          "back, and to move brokers to other storage, add new brokers and "
                          "remove the old ones"));
  // A new broker may use another class.
  BrokerOverride new_broker = Broker(6);
  new_broker.storage = StorageSpec{{"", "fast"}, {"", "fast"}};
  after = before;
  after.spec.replicas = 5;
  after.spec.brokers = {new_broker};
  EXPECT_THAT(ValidateUpdate(before, after), IsEmpty());
}

TEST(ValidateUpdate, BasePortIsFixed) {
  KafkaCluster before = Valid();
  KafkaCluster after = before;
  after.spec.listeners.internal.base_port = 19092;
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.listeners.internal.basePort: changing it from 9092 to 19092 is "
                          "refused: every broker's advertised address would change under "
                          "connected clients; set it back to 9092"));
}

TEST(ValidateUpdate, ZooKeeperIdentityIsFixed) {
  KafkaCluster before = Valid();
  KafkaCluster after = before;
  after.spec.zookeeper.managed.reset();
  after.spec.zookeeper.external = ExternalZooKeeperSpec{"zk:2181"};
  after.spec.zookeeper.chroot = "/other";
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.zookeeper: switching between managed and external ZooKeeper is "
                          "refused: the brokers would lose every topic, partition and offset "
                          "the old ensemble holds; set it back, or create a new KafkaCluster "
                          "and move the data",
                          "spec.zookeeper.chroot: changing it from \"\" to \"/other\" is "
                          "refused: the brokers would start over in an empty ZooKeeper path and "
                          "lose every topic and offset; set it back to \"\""));
  after = before;
  after.spec.zookeeper.managed->storage.size = "2Gi";
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.zookeeper.managed.storage.size: changing it from 1Gi to 2Gi "
                          "is refused: a StatefulSet's volumeClaimTemplates cannot change; set "
                          "it back to 1Gi"));
  after.spec.zookeeper.managed->storage = VolumeSpec{"1Gi", "fast"};
  EXPECT_THAT(ValidateUpdate(before, after),
              ElementsAre("spec.zookeeper.managed.storage.storageClassName: changing it from "
                          "the cluster's default class to \"fast\" is refused: a StatefulSet's "
                          "volumeClaimTemplates cannot change; set it back to the cluster's "
                          "default class"));
  after = before;
  after.spec.zookeeper.managed->replicas = 5;  // resizing the ensemble is the operator's job
  EXPECT_THAT(ValidateUpdate(before, after), IsEmpty());
}

}  // namespace
}  // namespace sluice::operator_api

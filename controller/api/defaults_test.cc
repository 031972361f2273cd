// GoogleTest before cpprestsdk: cpprest defines a macro U that breaks gtest's templates.
#include <gtest/gtest.h>

#include "controller/api/defaults.h"

#include "controller/api/test_clusters.h"

namespace sluice::operator_api {
namespace {

TEST(Defaults, ImageIsTheBrokerImageOfThisVersion) {
  EXPECT_EQ(OperatorVersion(), "0.1.0");  // CMakeLists.txt: project(sluice VERSION 0.1.0)
  EXPECT_EQ(DefaultBrokerImage(), "sluice/broker:0.1.0");
  EXPECT_EQ(WithDefaults(KafkaCluster{}).spec.image, "sluice/broker:0.1.0");
}

TEST(Defaults, EmptySpecGetsTheReadmeDefaults) {
  const KafkaClusterSpec spec = WithDefaults(KafkaCluster{}).spec;
  EXPECT_EQ(spec.replicas, 1);
  EXPECT_TRUE(spec.brokers.empty());
  EXPECT_EQ(spec.image_pull_policy, "IfNotPresent");
  EXPECT_TRUE(spec.config.empty());
  EXPECT_EQ(spec.listeners.internal.base_port, 9092);
  EXPECT_FALSE(spec.listeners.external);
  EXPECT_EQ(spec.admin_port, 9644);
  EXPECT_EQ(spec.storage.data, (VolumeSpec{"10Gi", std::nullopt}));
  EXPECT_EQ(spec.storage.logs, (VolumeSpec{"1Gi", std::nullopt}));
  ASSERT_TRUE(spec.zookeeper.managed);
  EXPECT_EQ(spec.zookeeper.managed->replicas, 3);
  EXPECT_EQ(spec.zookeeper.managed->image, "zookeeper:3.8");
  EXPECT_EQ(spec.zookeeper.managed->storage, (VolumeSpec{"1Gi", std::nullopt}));
  EXPECT_FALSE(spec.zookeeper.external);
  EXPECT_EQ(spec.zookeeper.chroot, "");
  EXPECT_EQ(spec.healing.replace_after_seconds, 300);
  EXPECT_TRUE(spec.healing.replace_on_volume_loss);
  EXPECT_FALSE(spec.rack_awareness);
}

TEST(Defaults, ExternalZooKeeperIsNotJoinedByAManagedOne) {
  KafkaCluster cluster;
  cluster.spec.zookeeper.external = ExternalZooKeeperSpec{"zk:2181"};
  const KafkaClusterSpec spec = WithDefaults(cluster).spec;
  EXPECT_FALSE(spec.zookeeper.managed);
  EXPECT_EQ(spec.zookeeper.external->connect, "zk:2181");
}

TEST(Defaults, WhatTheUserSetIsKept) {
  const KafkaCluster full = testing::FullCluster();
  KafkaCluster defaulted = WithDefaults(full);
  // FullCluster's broker 0 sets both volumes fully; broker 2 has no storage override.
  EXPECT_EQ(defaulted, full);
}

TEST(Defaults, BrokerStorageInheritsWhatItLeavesOut) {
  KafkaCluster cluster;
  cluster.spec.storage = StorageSpec{{"20Gi", "standard"}, {"2Gi", std::nullopt}};
  BrokerOverride broker;
  broker.id = 1;
  broker.storage = StorageSpec{{"50Gi", std::nullopt}, {"", "fast"}};
  cluster.spec.brokers = {broker};
  const KafkaClusterSpec spec = WithDefaults(cluster).spec;
  EXPECT_EQ(spec.brokers[0].storage->data, (VolumeSpec{"50Gi", "standard"}));
  EXPECT_EQ(spec.brokers[0].storage->logs, (VolumeSpec{"2Gi", "fast"}));
}

TEST(Defaults, AreIdempotent) {
  KafkaCluster cluster;
  BrokerOverride broker;
  broker.id = 0;
  broker.storage = StorageSpec{{"", std::nullopt}, {"", std::nullopt}};
  cluster.spec.brokers = {broker};
  const KafkaCluster once = WithDefaults(cluster);
  EXPECT_EQ(WithDefaults(once), once);
  EXPECT_NE(once, cluster);
}

TEST(Defaults, EffectiveStorageUsesTheOverrideOnlyForItsBroker) {
  KafkaClusterSpec spec;
  spec.storage = StorageSpec{{"20Gi", "standard"}, {"2Gi", std::nullopt}};
  BrokerOverride broker;
  broker.id = 1;
  broker.storage = StorageSpec{{"50Gi", std::nullopt}, {"", std::nullopt}};
  BrokerOverride config_only;
  config_only.id = 2;
  spec.brokers = {broker, config_only};
  EXPECT_EQ(EffectiveStorage(spec, 0), spec.storage);
  EXPECT_EQ(EffectiveStorage(spec, 1), (StorageSpec{{"50Gi", "standard"}, {"2Gi", std::nullopt}}));
  EXPECT_EQ(EffectiveStorage(spec, 2), spec.storage);
}

}  // namespace
}  // namespace sluice::operator_api

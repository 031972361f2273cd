// The controller's requests (UpdateMetadata, LeaderAndIsr, StopReplica) as the handlers read
// them, for every version layout: each request goes through the wire codec first, so a field
// the version does not carry cannot leak into the mapping.
#include <gtest/gtest.h>

#include <tuple>

#include "broker/server/handlers/leader_and_isr.h"
#include "broker/server/handlers/stop_replica.h"
#include "broker/server/handlers/update_metadata.h"
#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::server {
namespace {

template <typename Message>
Message RoundTrip(const Message& message, int16_t version) {
  std::vector<uint8_t> bytes;
  kafka::Writer writer(bytes);
  message.Encode(writer, version);
  kafka::Reader reader(bytes);
  Message out;
  Status st = out.Decode(reader, version);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

using UpdateMetadata = kafka::UpdateMetadataRequest;

UpdateMetadata::UpdateMetadataBroker Broker(int32_t id, std::optional<std::string> rack) {
  UpdateMetadata::UpdateMetadataBroker b;
  b.id = id;
  b.v0_host = "h" + std::to_string(id);
  b.v0_port = 9090 + id;
  b.rack = std::move(rack);
  UpdateMetadata::UpdateMetadataEndpoint plain;
  plain.host = "h" + std::to_string(id);
  plain.port = 9090 + id;
  plain.listener = "INTERNAL";
  plain.security_protocol = 0;
  UpdateMetadata::UpdateMetadataEndpoint ssl;
  ssl.host = "s" + std::to_string(id);
  ssl.port = 9190 + id;
  ssl.listener = "EXTERNAL";
  ssl.security_protocol = 1;
  b.endpoints = {plain, ssl};
  return b;
}

UpdateMetadata::UpdateMetadataPartitionState UmState(const std::string& topic, int32_t partition,
                                                     int32_t leader) {
  UpdateMetadata::UpdateMetadataPartitionState p;
  p.topic_name = topic;
  p.partition_index = partition;
  p.controller_epoch = 4;
  p.leader = leader;
  p.leader_epoch = 9;
  p.isr = {1, 2};
  p.zk_version = 12;
  p.replicas = {1, 2, 3};
  p.offline_replicas = {3};
  return p;
}

UpdateMetadata UpdateMetadataRequest() {
  UpdateMetadata r;
  r.controller_id = 2;
  r.controller_epoch = 4;
  r.broker_epoch = 77;
  r.live_brokers = {Broker(1, std::nullopt), Broker(2, std::string("rack-b"))};
  r.ungrouped_partition_states = {UmState("t", 0, 1), UmState("gone", 0, kLeaderDuringDelete)};
  UpdateMetadata::UpdateMetadataTopicState t;
  t.topic_name = "t";
  t.topic_id.bytes[15] = 42;
  t.partition_states = {UmState("", 0, 1)};
  UpdateMetadata::UpdateMetadataTopicState gone;
  gone.topic_name = "gone";
  gone.partition_states = {UmState("", 0, kLeaderDuringDelete)};
  r.topic_states = {t, gone};
  return r;
}

TEST(UpdateMetadataMappingTest, EveryVersionYieldsTheSameClusterView) {
  for (int16_t version = 0; version <= 7; ++version) {
    SCOPED_TRACE("version " + std::to_string(version));
    MetadataUpdate u = ToMetadataUpdate(RoundTrip(UpdateMetadataRequest(), version), version);
    EXPECT_EQ(u.controller_id, 2);
    ASSERT_EQ(u.partitions.size(), 2u);
    const auto& p = u.partitions[0];
    EXPECT_EQ(p.topic, "t");
    EXPECT_EQ(p.state.partition, 0);
    EXPECT_EQ(p.state.leader, 1);
    EXPECT_EQ(p.state.leader_epoch, 9);
    EXPECT_EQ(p.state.isr, std::vector<int32_t>({1, 2}));
    EXPECT_EQ(p.state.replicas, std::vector<int32_t>({1, 2, 3}));
    // Offline replicas exist from v4, topic ids from v7.
    EXPECT_EQ(p.state.offline_replicas,
              version >= 4 ? std::vector<int32_t>({3}) : std::vector<int32_t>());
    EXPECT_EQ(p.topic_id.has_value(), version >= 7);
    if (p.topic_id) {
      EXPECT_EQ(p.topic_id->bytes[15], 42);
    }
    EXPECT_EQ(u.partitions[1].topic, "gone");
    EXPECT_EQ(u.partitions[1].state.leader, kLeaderDuringDelete);
    EXPECT_FALSE(u.partitions[1].topic_id);  // the zero UUID is no id

    // v0: one PLAINTEXT host:port per broker; v1-2: endpoints named by security protocol;
    // v3+: by listener. Racks from v2.
    const size_t per_broker = version == 0 ? 1 : 2;
    ASSERT_EQ(u.live_brokers.size(), 2 * per_broker);
    const BrokerEndpoint& first = u.live_brokers[0];
    EXPECT_EQ(first.id.value(), 1);
    EXPECT_EQ(first.host, "h1");
    EXPECT_EQ(first.port, 9091);
    EXPECT_EQ(first.listener,
              version == 0 ? "PLAINTEXT" : (version < 3 ? "PLAINTEXT" : "INTERNAL"));
    if (version > 0) {
      EXPECT_EQ(u.live_brokers[1].listener, version < 3 ? "SSL" : "EXTERNAL");
      EXPECT_EQ(u.live_brokers[1].host, "s1");
    }
    const BrokerEndpoint& second = u.live_brokers[per_broker];
    EXPECT_EQ(second.id.value(), 2);
    EXPECT_EQ(second.rack, version >= 2 ? std::optional<std::string>("rack-b") : std::nullopt);
  }
}

TEST(UpdateMetadataMappingTest, AppliedToTheCacheDeletesAndUpserts) {
  MetadataCache cache;
  PartitionMetadata old;
  old.partition = 0;
  old.leader = 3;
  cache.UpsertPartition("gone", old);
  cache.Apply(ToMetadataUpdate(RoundTrip(UpdateMetadataRequest(), 7), 7));
  EXPECT_FALSE(cache.topic("gone"));
  ASSERT_TRUE(cache.partition("t", 0));
  EXPECT_EQ(cache.partition("t", 0)->leader, 1);
  EXPECT_EQ(cache.topic("t")->topic_id.bytes[15], 42);
  EXPECT_EQ(cache.controller_id(), 2);
  EXPECT_EQ(cache.brokers().size(), 4u);
  EXPECT_EQ(cache.broker(2)->rack, "rack-b");
}

kafka::LeaderAndIsrRequest::LeaderAndIsrPartitionState LaiState(const std::string& topic,
                                                                int32_t partition) {
  kafka::LeaderAndIsrRequest::LeaderAndIsrPartitionState p;
  p.topic_name = topic;
  p.partition_index = partition;
  p.controller_epoch = 3;
  p.leader = 2;
  p.leader_epoch = 5;
  p.isr = {2, 1};
  p.zk_version = 8;
  p.replicas = {1, 2};
  p.adding_replicas = {2};
  p.removing_replicas = {3};
  p.is_new = true;
  return p;
}

TEST(LeaderAndIsrMappingTest, UngroupedBeforeV2GroupedAfter) {
  kafka::LeaderAndIsrRequest r;
  r.controller_id = 1;
  r.controller_epoch = 3;
  r.ungrouped_partition_states = {LaiState("a", 0), LaiState("b", 1)};
  kafka::LeaderAndIsrRequest::LeaderAndIsrTopicState a;
  a.topic_name = "a";
  a.partition_states = {LaiState("", 0)};
  kafka::LeaderAndIsrRequest::LeaderAndIsrTopicState b;
  b.topic_name = "b";
  b.partition_states = {LaiState("", 1)};
  r.topic_states = {a, b};
  for (int16_t version = 0; version <= 5; ++version) {
    SCOPED_TRACE("version " + std::to_string(version));
    auto states = LeaderAndIsrPartitions(RoundTrip(r, version), version);
    ASSERT_EQ(states.size(), 2u);
    EXPECT_EQ(states[0].tp.topic, "a");
    EXPECT_EQ(states[1].tp.topic, "b");
    EXPECT_EQ(states[1].tp.partition.value(), 1);
    const auto& s = states[0];
    EXPECT_EQ(s.controller_epoch, 3);
    EXPECT_EQ(s.leader, 2);
    EXPECT_EQ(s.leader_epoch, 5);
    EXPECT_EQ(s.isr, std::vector<int32_t>({2, 1}));
    EXPECT_EQ(s.zk_version, 8);
    EXPECT_EQ(s.replicas, std::vector<int32_t>({1, 2}));
    EXPECT_EQ(s.adding_replicas, version >= 3 ? std::vector<int32_t>({2}) : std::vector<int32_t>());
    EXPECT_EQ(s.is_new, version >= 1);
  }
}

TEST(StopReplicaMappingTest, DeleteFlagAndEpochPerVersion) {
  kafka::StopReplicaRequest r;
  r.delete_partitions = true;
  for (int32_t p : {0, 1}) {
    auto& v0 = r.ungrouped_partitions.emplace_back();
    v0.topic_name = "a";
    v0.partition_index = p;
  }
  kafka::StopReplicaRequest::StopReplicaTopicV1 v1;
  v1.name = "a";
  v1.partition_indexes = {0, 1};
  r.topics = {v1};
  kafka::StopReplicaRequest::StopReplicaTopicState v3;
  v3.topic_name = "a";
  for (auto [p, epoch, del] : {std::tuple{0, 7, true}, std::tuple{1, -2, false}}) {
    auto& state = v3.partition_states.emplace_back();
    state.partition_index = p;
    state.leader_epoch = epoch;
    state.delete_partition = del;
  }
  r.topic_states = {v3};
  for (int16_t version = 0; version <= 3; ++version) {
    SCOPED_TRACE("version " + std::to_string(version));
    auto parts = StopReplicaPartitions(RoundTrip(r, version), version);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(std::get<0>(parts[1]), (storage::TopicPartition{"a", PartitionId(1)}));
    if (version < 3) {
      EXPECT_EQ(std::get<1>(parts[0]), -1);
      EXPECT_TRUE(std::get<2>(parts[0]));
      EXPECT_TRUE(std::get<2>(parts[1]));
    } else {
      EXPECT_EQ(std::get<1>(parts[0]), 7);
      EXPECT_TRUE(std::get<2>(parts[0]));
      EXPECT_EQ(std::get<1>(parts[1]), -2);
      EXPECT_FALSE(std::get<2>(parts[1]));
    }
  }
}

}  // namespace
}  // namespace sluice::server

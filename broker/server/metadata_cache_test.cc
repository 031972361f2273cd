#include "broker/server/metadata_cache.h"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

PartitionMetadata State(int32_t partition, int32_t leader, int32_t epoch,
                        std::vector<int32_t> replicas, std::vector<int32_t> isr,
                        std::vector<int32_t> offline = {}) {
  PartitionMetadata p;
  p.partition = partition;
  p.leader = leader;
  p.leader_epoch = epoch;
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  p.offline_replicas = std::move(offline);
  return p;
}

MetadataUpdate TwoBrokers() {
  MetadataUpdate u;
  u.controller_id = 2;
  u.live_brokers = {{BrokerId(1), "PLAINTEXT", "h1", 9092, std::nullopt},
                    {BrokerId(2), "PLAINTEXT", "h2", 9092, std::string("r2")}};
  return u;
}

TEST(MetadataCacheTest, UpdateReplacesBrokersAndController) {
  MetadataCache cache;
  cache.Apply(TwoBrokers());
  EXPECT_EQ(cache.controller_id(), 2);
  ASSERT_EQ(cache.brokers().size(), 2u);
  EXPECT_EQ(cache.broker(2)->rack, "r2");

  MetadataUpdate next;
  next.controller_id = 1;
  next.live_brokers = {{BrokerId(1), "PLAINTEXT", "h1", 9092, std::nullopt}};
  cache.Apply(next);
  EXPECT_EQ(cache.controller_id(), 1);
  EXPECT_EQ(cache.brokers().size(), 1u);
  EXPECT_FALSE(cache.broker(2));
}

TEST(MetadataCacheTest, PartitionStatesAreUpsertedOthersKept) {
  MetadataCache cache;
  auto u = TwoBrokers();
  u.partitions.push_back({"t", std::nullopt, State(0, 1, 0, {1, 2}, {1, 2})});
  u.partitions.push_back({"t", std::nullopt, State(1, 2, 0, {2, 1}, {2, 1})});
  cache.Apply(u);

  auto v = TwoBrokers();  // a partial update: only t-0 changes
  v.partitions.push_back({"t", std::nullopt, State(0, 2, 1, {1, 2}, {2}, {1})});
  cache.Apply(v);
  auto p0 = cache.partition("t", 0);
  ASSERT_TRUE(p0);
  EXPECT_EQ(p0->leader, 2);
  EXPECT_EQ(p0->leader_epoch, 1);
  EXPECT_EQ(p0->isr, std::vector<int32_t>({2}));
  EXPECT_EQ(p0->offline_replicas, std::vector<int32_t>({1}));
  ASSERT_TRUE(cache.partition("t", 1));
  EXPECT_EQ(cache.partition("t", 1)->leader, 2);
}

TEST(MetadataCacheTest, LeaderDuringDeleteRemovesPartitionThenTopic) {
  MetadataCache cache;
  auto u = TwoBrokers();
  kafka::Uuid id;
  id.bytes[0] = 7;
  u.partitions.push_back({"t", id, State(0, 1, 0, {1}, {1})});
  u.partitions.push_back({"t", id, State(1, 1, 0, {1}, {1})});
  u.partitions.push_back({"__consumer_offsets", std::nullopt, State(0, 1, 0, {1}, {1})});
  cache.Apply(u);
  EXPECT_EQ(cache.topic("t")->topic_id.bytes[0], 7);
  EXPECT_TRUE(cache.topic("__consumer_offsets")->is_internal);

  auto d = TwoBrokers();
  d.partitions.push_back({"t", std::nullopt, State(0, kLeaderDuringDelete, 1, {1}, {1})});
  EXPECT_TRUE(cache.Apply(d).empty());
  EXPECT_FALSE(cache.partition("t", 0));
  EXPECT_TRUE(cache.partition("t", 1));

  auto d2 = TwoBrokers();
  d2.partitions.push_back({"t", std::nullopt, State(1, kLeaderDuringDelete, 1, {1}, {1})});
  d2.partitions.push_back({"gone", std::nullopt, State(0, kLeaderDuringDelete, 1, {1}, {1})});
  EXPECT_EQ(cache.Apply(d2), std::vector<std::string>({"t"}));
  EXPECT_FALSE(cache.topic("t"));
  EXPECT_FALSE(cache.topic("gone"));
  EXPECT_EQ(cache.topic_names(), std::vector<std::string>({"__consumer_offsets"}));
}

}  // namespace
}  // namespace sluice::server

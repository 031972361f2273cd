#include "libs/kafka/client/partitioner.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice::kafka::client {
namespace {

TEST(Partitioner, KeyedRecordsFollowMurmur2WhateverTheStrategy) {
  Partitioner sticky(NullKeyStrategy::kSticky, 1);
  Partitioner round_robin(NullKeyStrategy::kRoundRobin, 1);
  for (const char* key : {"a", "foobar", "21", ""}) {
    EXPECT_EQ(sticky.Choose("t", std::string(key), 6), PartitionForKey(key, 6));
    EXPECT_EQ(round_robin.Choose("t", std::string(key), 6), PartitionForKey(key, 6));
  }
}

TEST(Partitioner, EmptyKeyIsAKeyNotANullKey) {
  Partitioner p(NullKeyStrategy::kRoundRobin, 1);
  EXPECT_EQ(p.Choose("t", std::string(), 6), PartitionForKey("", 6));
  EXPECT_EQ(p.Choose("t", std::string(), 6), PartitionForKey("", 6));
}

TEST(Partitioner, StickyKeepsOnePartitionUntilABatchIsSent) {
  Partitioner p(NullKeyStrategy::kSticky, 42);
  const PartitionId first = p.Choose("t", std::nullopt, 8);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(p.Choose("t", std::nullopt, 8), first);
  p.OnBatchSent("t", first, 8);
  EXPECT_NE(p.Choose("t", std::nullopt, 8), first);
}

TEST(Partitioner, StickyIgnoresBatchesOfOtherPartitions) {
  Partitioner p(NullKeyStrategy::kSticky, 7);
  const PartitionId first = p.Choose("t", std::nullopt, 4);
  p.OnBatchSent("t", PartitionId((first.value() + 1) % 4), 4);
  EXPECT_EQ(p.Choose("t", std::nullopt, 4), first);
}

TEST(Partitioner, StickyIsPerTopic) {
  Partitioner p(NullKeyStrategy::kSticky, 3);
  const PartitionId a = p.Choose("a", std::nullopt, 1000);
  p.Choose("b", std::nullopt, 1000);
  p.OnBatchSent("b", p.Choose("b", std::nullopt, 1000), 1000);
  EXPECT_EQ(p.Choose("a", std::nullopt, 1000), a);
}

TEST(Partitioner, StickyWithOnePartitionStaysAtZero) {
  Partitioner p(NullKeyStrategy::kSticky, 3);
  EXPECT_EQ(p.Choose("t", std::nullopt, 1), PartitionId(0));
  p.OnBatchSent("t", PartitionId(0), 1);
  EXPECT_EQ(p.Choose("t", std::nullopt, 1), PartitionId(0));
}

TEST(Partitioner, StickyVisitsEveryPartitionOverManyBatches) {
  Partitioner p(NullKeyStrategy::kSticky, 9);
  std::set<int32_t> seen;
  for (int i = 0; i < 200; ++i) {
    PartitionId chosen = p.Choose("t", std::nullopt, 5);
    ASSERT_GE(chosen.value(), 0);
    ASSERT_LT(chosen.value(), 5);
    seen.insert(chosen.value());
    p.OnBatchSent("t", chosen, 5);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(Partitioner, StickyPartitionBeyondAShrunkCountIsChosenAgain) {
  Partitioner p(NullKeyStrategy::kSticky, 11);
  for (int i = 0; i < 50; ++i) {
    PartitionId chosen = p.Choose("t", std::nullopt, 100);
    if (chosen.value() >= 2) break;
    p.OnBatchSent("t", chosen, 100);
  }
  EXPECT_LT(p.Choose("t", std::nullopt, 2).value(), 2);
}

TEST(Partitioner, RoundRobinCyclesThroughPartitions) {
  Partitioner p(NullKeyStrategy::kRoundRobin, 1);
  std::vector<int32_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(p.Choose("t", std::nullopt, 3).value());
  EXPECT_EQ(got, (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0}));
}

}  // namespace
}  // namespace sluice::kafka::client

#include "broker/storage/offset_map.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::storage {
namespace {

std::span<const uint8_t> Key(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(KeyOffsetMapTest, EmptyMapKnowsNoKey) {
  KeyOffsetMap map(1 << 20);
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.Get(Key("a")).has_value());
  EXPECT_EQ(map.latest_offset(), Offset(-1));
}

TEST(KeyOffsetMapTest, LaterPutOfTheSameKeyWins) {
  KeyOffsetMap map(1 << 20);
  map.Put(Key("a"), Offset(3));
  map.Put(Key("b"), Offset(4));
  map.Put(Key("a"), Offset(7));
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.Get(Key("a")), Offset(7));
  EXPECT_EQ(map.Get(Key("b")), Offset(4));
  EXPECT_EQ(map.latest_offset(), Offset(7));
}

TEST(KeyOffsetMapTest, EmptyKeyAndKeysDifferingInOneByteAreDistinct) {
  KeyOffsetMap map(1 << 20);
  map.Put(Key(""), Offset(1));
  map.Put(Key("key-0000000000000"), Offset(2));
  map.Put(Key("key-0000000000001"), Offset(3));
  EXPECT_EQ(map.Get(Key("")), Offset(1));
  EXPECT_EQ(map.Get(Key("key-0000000000000")), Offset(2));
  EXPECT_EQ(map.Get(Key("key-0000000000001")), Offset(3));
  EXPECT_FALSE(map.Get(Key("key-0000000000002")).has_value());
}

TEST(KeyOffsetMapTest, GrowsPastItsInitialTableKeepingEveryEntry) {
  KeyOffsetMap map(24 * 100000);
  for (int i = 0; i < 50000; ++i) map.Put(Key("k" + std::to_string(i)), Offset(i));
  EXPECT_EQ(map.size(), 50000u);
  for (int i = 0; i < 50000; i += 97) EXPECT_EQ(map.Get(Key("k" + std::to_string(i))), Offset(i));
}

TEST(KeyOffsetMapTest, CapacityFollowsTheMemoryBudgetAndLoadFactor) {
  KeyOffsetMap map(24 * 1000, 0.5);
  EXPECT_EQ(map.capacity(), 500u);
  for (int i = 0; i < 500; ++i) {
    ASSERT_FALSE(map.full());
    map.Put(Key(std::to_string(i)), Offset(i));
  }
  EXPECT_TRUE(map.full());
  EXPECT_EQ(map.Get(Key("499")), Offset(499));
  EXPECT_FALSE(map.Get(Key("absent")).has_value());  // a probe of a full map still ends
}

TEST(KeyOffsetMapTest, ClearForgetsEverything) {
  KeyOffsetMap map(1 << 16);
  map.Put(Key("a"), Offset(1));
  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.Get(Key("a")).has_value());
  EXPECT_EQ(map.latest_offset(), Offset(-1));
}

}  // namespace
}  // namespace sluice::storage

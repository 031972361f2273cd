#include "libs/kafka/client/murmur2.h"

#include <gtest/gtest.h>

#include "libs/kafka/client/partitioner.h"

namespace sluice::kafka::client {
namespace {

// Vectors from Kafka's UtilsTest.testMurmur2 (the Java client's own expectations), covering
// every tail length (0-3 trailing bytes).
TEST(Murmur2, MatchesKafkaUtilsTestVectors) {
  EXPECT_EQ(Murmur2("21"), -973932308);                            // tail 2, no block
  EXPECT_EQ(Murmur2("foobar"), -790332482);                        // one block, tail 2
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);      // six blocks, no tail
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);   // tail 2
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);  // tail 1
  EXPECT_EQ(Murmur2("abc"), 479470107);                            // tail 3
}

TEST(Murmur2, EmptyInputHashesTheSeedAndLengthOnly) {
  EXPECT_EQ(Murmur2(""), 275646681);
}

TEST(Murmur2, BytesAbove0x7fAreUnsigned) {
  // Java masks each byte with 0xff; a sign-extending port would differ here.
  const std::string high("\xff\xfe\xfd", 3);
  const std::string low("\x7f\x7e\x7d", 3);
  EXPECT_NE(Murmur2(high), Murmur2(low));
  EXPECT_EQ(Murmur2(high), Murmur2(std::string("\xff\xfe\xfd", 3)));
}

TEST(Murmur2, ToPositiveClearsOnlyTheSignBit) {
  EXPECT_EQ(ToPositive(-790332482), 1357151166);
  EXPECT_EQ(ToPositive(INT32_MIN), 0);
  EXPECT_EQ(ToPositive(5), 5);
}

TEST(PartitionForKey, IsPositiveHashModuloPartitions) {
  EXPECT_EQ(PartitionForKey("foobar", 50), PartitionId(1357151166 % 50));
  EXPECT_EQ(PartitionForKey("21", 1), PartitionId(0));
  // 0x7fffffff & -973932308 = 1173551340
  EXPECT_EQ(PartitionForKey("21", 7), PartitionId(1173551340 % 7));
}

}  // namespace
}  // namespace sluice::kafka::client

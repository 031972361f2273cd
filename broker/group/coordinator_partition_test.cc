#include "broker/group/coordinator_partition.h"

#include <gtest/gtest.h>

namespace sluice::group {
namespace {

// Expected values computed with Java's String.hashCode (java 17, `"...".hashCode()`).
TEST(JavaStringHashCode, EmptyStringIsZero) { EXPECT_EQ(JavaStringHashCode(""), 0); }

TEST(JavaStringHashCode, AsciiMatchesJava) {
  EXPECT_EQ(JavaStringHashCode("a"), 97);
  EXPECT_EQ(JavaStringHashCode("group"), 98629247);
  EXPECT_EQ(JavaStringHashCode("my-group"), -1906497762);
  EXPECT_EQ(JavaStringHashCode("console-consumer-12345"), 158455506);
  EXPECT_EQ(JavaStringHashCode("test-group-1"), 2060176936);
}

TEST(JavaStringHashCode, NonAsciiIsHashedAsUtf16CodeUnits) {
  EXPECT_EQ(JavaStringHashCode("\xc3\xa9t\xc3\xa9"), 227742);  // "été"
  // U+1F600 is a surrogate pair in UTF-16: both halves are hashed.
  EXPECT_EQ(JavaStringHashCode("\xf0\x9f\x98\x80x"), 54959989);
}

TEST(JavaStringHashCode, MalformedUtf8CountsAsReplacementCharacter) {
  EXPECT_EQ(JavaStringHashCode("\xff"), 0xFFFD);
  EXPECT_EQ(JavaStringHashCode("\xc3"), 0xFFFD);  // truncated sequence
}

TEST(CoordinatorPartitionFor, IsAbsHashModuloPartitions) {
  EXPECT_EQ(CoordinatorPartitionFor("", 50), 0);
  EXPECT_EQ(CoordinatorPartitionFor("a", 50), 47);
  EXPECT_EQ(CoordinatorPartitionFor("group", 50), 47);
  EXPECT_EQ(CoordinatorPartitionFor("my-group", 50), 12);  // negative hash
  EXPECT_EQ(CoordinatorPartitionFor("kafkajs-groups", 50), 12);
  EXPECT_EQ(CoordinatorPartitionFor("group", 1), 0);
}

TEST(CoordinatorPartitionFor, Int32MinHashMapsToPartitionZero) {
  // Java: "polygenelubricants".hashCode() == Integer.MIN_VALUE; Kafka's Utils.abs gives 0.
  ASSERT_EQ(JavaStringHashCode("polygenelubricants"), INT32_MIN);
  EXPECT_EQ(CoordinatorPartitionFor("polygenelubricants", 50), 0);
  EXPECT_EQ(CoordinatorPartitionFor("polygenelubricants", 7), 0);
}

}  // namespace
}  // namespace sluice::group

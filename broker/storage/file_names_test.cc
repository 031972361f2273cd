#include "broker/storage/file_names.h"

#include <gtest/gtest.h>

namespace sluice::storage {
namespace {

TEST(FileNames, SegmentNamesAreTwentyZeroPaddedDigits) {
  EXPECT_EQ(OffsetFileNamePrefix(Offset(0)), "00000000000000000000");
  EXPECT_EQ(OffsetFileNamePrefix(Offset(368769)), "00000000000000368769");
  EXPECT_EQ(SegmentFilePath("/d", Offset(42), SegmentFileKind::kLog),
            std::filesystem::path("/d/00000000000000000042.log"));
  EXPECT_EQ(SegmentFilePath("/d", Offset(42), SegmentFileKind::kOffsetIndex),
            std::filesystem::path("/d/00000000000000000042.index"));
  EXPECT_EQ(SegmentFilePath("/d", Offset(42), SegmentFileKind::kTimeIndex),
            std::filesystem::path("/d/00000000000000000042.timeindex"));
}

TEST(FileNames, ParsesSegmentFilesWithAndWithoutTransientSuffixes) {
  auto log = ParseSegmentFileName("00000000000000000042.log");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->base_offset, Offset(42));
  EXPECT_EQ(log->kind, SegmentFileKind::kLog);
  EXPECT_EQ(log->transient_suffix, "");

  auto deleted = ParseSegmentFileName("00000000000000000007.timeindex.deleted");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->kind, SegmentFileKind::kTimeIndex);
  EXPECT_EQ(deleted->transient_suffix, ".deleted");

  auto swap = ParseSegmentFileName("00000000000000000007.index.swap");
  ASSERT_TRUE(swap);
  EXPECT_EQ(swap->kind, SegmentFileKind::kOffsetIndex);
  EXPECT_EQ(swap->transient_suffix, ".swap");
}

TEST(FileNames, RejectsNamesThatAreNotSegments) {
  EXPECT_FALSE(ParseSegmentFileName("leader-epoch-checkpoint"));
  EXPECT_FALSE(ParseSegmentFileName("42.log"));  // not 20 digits
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.log"));
  EXPECT_FALSE(ParseSegmentFileName("00000000000000000042.txnindex"));
  EXPECT_FALSE(ParseSegmentFileName(".log"));
}

TEST(FileNames, PartitionDirectoryRoundTripsTopicsContainingDashes) {
  TopicPartition tp{"my-topic.v2", PartitionId(11)};
  EXPECT_EQ(PartitionDirName(tp), "my-topic.v2-11");
  auto parsed = ParsePartitionDirName("my-topic.v2-11");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, tp);
}

TEST(FileNames, ATopicMayEndInADash) {
  auto parsed = ParsePartitionDirName("sports--1");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->topic, "sports-");
  EXPECT_EQ(parsed->partition, PartitionId(1));
}

TEST(FileNames, RejectsMalformedPartitionDirectories) {
  EXPECT_FALSE(ParsePartitionDirName("sports").ok());
  EXPECT_FALSE(ParsePartitionDirName("sports-").ok());
  EXPECT_FALSE(ParsePartitionDirName("-0").ok());
  EXPECT_FALSE(ParsePartitionDirName("sports-x").ok());
  EXPECT_FALSE(ParsePartitionDirName("lost+found").ok());
}

TEST(FileNames, DeletedDirectoriesAreRecognisedAndNotLive) {
  std::string uuid = RandomUuidHex();
  EXPECT_EQ(uuid.size(), 32u);
  std::string name = DeletedPartitionDirName({"sports", PartitionId(1)}, uuid);
  EXPECT_EQ(name, "sports-1." + uuid + "-delete");
  EXPECT_TRUE(IsDeletedPartitionDirName(name));
  EXPECT_FALSE(ParsePartitionDirName(name).ok());
  EXPECT_FALSE(IsDeletedPartitionDirName("sports-1"));
  EXPECT_TRUE(IsFuturePartitionDirName("sports-1." + uuid + "-future"));
}

TEST(FileNames, TopicNameRules) {
  EXPECT_TRUE(ValidateTopicName("Sports_2.x-y").ok());
  EXPECT_FALSE(ValidateTopicName("").ok());
  EXPECT_FALSE(ValidateTopicName(".").ok());
  EXPECT_FALSE(ValidateTopicName("..").ok());
  EXPECT_FALSE(ValidateTopicName("a/b").ok());
  EXPECT_FALSE(ValidateTopicName("a b").ok());
  EXPECT_TRUE(ValidateTopicName(std::string(249, 'a')).ok());
  EXPECT_FALSE(ValidateTopicName(std::string(250, 'a')).ok());
}

}  // namespace
}  // namespace sluice::storage

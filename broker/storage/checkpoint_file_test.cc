#include "broker/storage/checkpoint_file.h"

#include <gtest/gtest.h>

#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

TEST(CheckpointFile, FormatIsKafkas) {
  OffsetCheckpoint entries{{{"sports", PartitionId(0)}, Offset(42)},
                           {{"sports", PartitionId(1)}, Offset(17)}};
  EXPECT_EQ(FormatOffsetCheckpoint(entries), "0\n2\nsports 0 42\nsports 1 17\n");
  EXPECT_EQ(FormatOffsetCheckpoint({}), "0\n0\n");
}

TEST(CheckpointFile, RoundTripsThroughTheFileAndLeavesNoTmp) {
  TempDir dir;
  OffsetCheckpoint entries{{{"a-b.c", PartitionId(3)}, Offset(9000000000LL)},
                           {{"x", PartitionId(0)}, Offset(0)}};
  std::filesystem::path path = dir.path() / "recovery-point-offset-checkpoint";
  ASSERT_TRUE(WriteOffsetCheckpointFile(path, entries).ok());
  auto read = ReadOffsetCheckpointFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, entries);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "recovery-point-offset-checkpoint.tmp"));
}

TEST(CheckpointFile, RewriteReplacesTheOldContents) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "cp";
  ASSERT_TRUE(WriteOffsetCheckpointFile(
                  path, {{{"t", PartitionId(0)}, Offset(1)}, {{"t", PartitionId(1)}, Offset(2)}})
                  .ok());
  ASSERT_TRUE(WriteOffsetCheckpointFile(path, {{{"t", PartitionId(0)}, Offset(5)}}).ok());
  auto read = ReadOffsetCheckpointFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 1u);
  EXPECT_EQ(read->at({"t", PartitionId(0)}), Offset(5));
}

TEST(CheckpointFile, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_EQ(ReadOffsetCheckpointFile(dir.path() / "nope").status().code(), Status::Code::kNotFound);
}

TEST(CheckpointFile, ToleratesCrlfLineEnds) {
  auto parsed = ParseOffsetCheckpoint("0\r\n1\r\nt 0 5\r\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at({"t", PartitionId(0)}), Offset(5));
}

TEST(CheckpointFile, MalformedFilesAreCorruption) {
  const char* cases[] = {
      "",                       // empty
      "0\n",                    // no count
      "1\n0\n",                 // unknown version
      "x\n0\n",                 // version not a number
      "0\n2\nt 0 1\n",          // fewer entries than the count
      "0\n1\nt 0 1\nt 1 2\n",   // more entries than the count
      "0\n-1\n",                // negative count
      "0\n1\nt 0\n",            // missing field
      "0\n1\nt 0 1 2\n",        // extra field
      "0\n1\nt x 1\n",          // partition not a number
      "0\n1\nt -1 1\n",         // negative partition
      "0\n1\nt 0 1x\n",         // offset not a number
      "0\n1\nbad/topic 0 1\n",  // illegal topic
      "0\n1\nt 0 1\n\n",        // trailing blank line
  };
  for (const char* text : cases) {
    auto parsed = ParseOffsetCheckpoint(text);
    EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), Status::Code::kCorruption) << text;
    }
  }
}

}  // namespace
}  // namespace sluice::storage

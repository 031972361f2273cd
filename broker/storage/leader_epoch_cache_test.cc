#include "broker/storage/leader_epoch_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "broker/storage/file_names.h"
#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

std::vector<EpochEntry> Entries(std::initializer_list<std::pair<int32_t, int64_t>> list) {
  std::vector<EpochEntry> out;
  for (auto [epoch, offset] : list) out.push_back({epoch, Offset(offset)});
  return out;
}

std::string FileText(const std::filesystem::path& path) {
  auto bytes = testing::ReadFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

class LeaderEpochCacheTest : public ::testing::Test {
 protected:
  TempDir tmp_;  // declared first: cache_ is built from its path
  LeaderEpochCache cache_{tmp_.path()};
};

TEST(LeaderEpochCheckpoint, FormatIsKafkas) {
  EXPECT_EQ(FormatLeaderEpochCheckpoint(Entries({{0, 0}, {3, 150}})), "0\n2\n0 0\n3 150\n");
  EXPECT_EQ(FormatLeaderEpochCheckpoint({}), "0\n0\n");
}

TEST(LeaderEpochCheckpoint, ParseRejectsBadFiles) {
  EXPECT_TRUE(ParseLeaderEpochCheckpoint("0\n1\n2 10\n").ok());
  for (const char* bad : {"", "0\n", "1\n0\n", "0\n2\n1 5\n", "0\n1\n1\n", "0\n1\n1 2 3\n",
                          "0\n1\n-1 5\n", "0\n1\n1 -5\n", "0\n1\nx 5\n", "0\n1\n1 5x\n"}) {
    auto parsed = ParseLeaderEpochCheckpoint(bad);
    EXPECT_FALSE(parsed.ok()) << "accepted: " << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), Status::Code::kCorruption) << bad;
    }
  }
}

TEST_F(LeaderEpochCacheTest, AssignAppendsNewEpochsAndPersistsEachChange) {
  ASSERT_TRUE(cache_.Assign(0, Offset(0)).ok());
  ASSERT_TRUE(cache_.Assign(2, Offset(10)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{0, 0}, {2, 10}}));
  EXPECT_EQ(cache_.LatestEpoch(), 2);
  EXPECT_EQ(FileText(tmp_.path() / kLeaderEpochCheckpointFile), "0\n2\n0 0\n2 10\n");
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "leader-epoch-checkpoint.tmp"));
}

TEST_F(LeaderEpochCacheTest, SameEpochAtAHigherOffsetChangesNothing) {
  ASSERT_TRUE(cache_.Assign(1, Offset(5)).ok());
  ASSERT_TRUE(cache_.Assign(1, Offset(9)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{1, 5}}));
}

TEST_F(LeaderEpochCacheTest, SameEpochAtALowerOffsetMovesItsStart) {
  ASSERT_TRUE(cache_.Assign(1, Offset(5)).ok());
  ASSERT_TRUE(cache_.Assign(1, Offset(3)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{1, 3}}));
}

TEST_F(LeaderEpochCacheTest, ALowerStartOffsetRemovesTheConflictingEntries) {
  ASSERT_TRUE(cache_.Assign(1, Offset(0)).ok());
  ASSERT_TRUE(cache_.Assign(2, Offset(10)).ok());
  ASSERT_TRUE(cache_.Assign(3, Offset(20)).ok());
  // Epoch 4 starting at 15: entries starting at or after 15 contradict it.
  ASSERT_TRUE(cache_.Assign(4, Offset(15)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{1, 0}, {2, 10}, {4, 15}}));
}

TEST_F(LeaderEpochCacheTest, AnOlderEpochRemovesTheNewerOnes) {
  ASSERT_TRUE(cache_.Assign(1, Offset(0)).ok());
  ASSERT_TRUE(cache_.Assign(5, Offset(10)).ok());
  ASSERT_TRUE(cache_.Assign(3, Offset(20)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{1, 0}, {3, 20}}));
}

TEST_F(LeaderEpochCacheTest, NegativeEpochOrOffsetIsRefused) {
  EXPECT_EQ(cache_.Assign(-1, Offset(0)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(cache_.Assign(0, Offset(-1)).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(cache_.empty());
}

TEST_F(LeaderEpochCacheTest, EndOffsetForFollowsKafka) {
  const Offset leo(100);
  EXPECT_EQ(cache_.EndOffsetFor(0, leo), std::make_pair(-1, Offset(-1)));  // empty
  ASSERT_TRUE(cache_.Assign(2, Offset(10)).ok());
  ASSERT_TRUE(cache_.Assign(4, Offset(30)).ok());
  ASSERT_TRUE(cache_.Assign(7, Offset(60)).ok());
  EXPECT_EQ(cache_.EndOffsetFor(7, leo), std::make_pair(7, leo));         // latest: the LEO
  EXPECT_EQ(cache_.EndOffsetFor(4, leo), std::make_pair(4, Offset(60)));  // next epoch's start
  EXPECT_EQ(cache_.EndOffsetFor(2, leo), std::make_pair(2, Offset(30)));
  // Gaps: epochs 3, 5 and 6 never wrote; the largest epoch below answers.
  EXPECT_EQ(cache_.EndOffsetFor(3, leo), std::make_pair(2, Offset(30)));
  EXPECT_EQ(cache_.EndOffsetFor(5, leo), std::make_pair(4, Offset(60)));
  EXPECT_EQ(cache_.EndOffsetFor(6, leo), std::make_pair(4, Offset(60)));
  // Older than everything: the requested epoch with the first start offset (Kafka 2.8).
  EXPECT_EQ(cache_.EndOffsetFor(1, leo), std::make_pair(1, Offset(10)));
  // Newer than everything, or undefined.
  EXPECT_EQ(cache_.EndOffsetFor(8, leo), std::make_pair(-1, Offset(-1)));
  EXPECT_EQ(cache_.EndOffsetFor(-1, leo), std::make_pair(-1, Offset(-1)));
}

TEST_F(LeaderEpochCacheTest, TruncateFromEndRemovesEntriesAtOrAfterTheOffset) {
  ASSERT_TRUE(cache_.Assign(1, Offset(0)).ok());
  ASSERT_TRUE(cache_.Assign(2, Offset(10)).ok());
  ASSERT_TRUE(cache_.Assign(3, Offset(20)).ok());
  ASSERT_TRUE(cache_.TruncateFromEnd(Offset(21)).ok());
  EXPECT_EQ(cache_.entries().size(), 3u);
  ASSERT_TRUE(cache_.TruncateFromEnd(Offset(10)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{1, 0}}));
  EXPECT_EQ(FileText(tmp_.path() / kLeaderEpochCheckpointFile), "0\n1\n1 0\n");
}

TEST_F(LeaderEpochCacheTest, TruncateFromStartKeepsTheEpochHoldingTheNewStart) {
  ASSERT_TRUE(cache_.Assign(1, Offset(0)).ok());
  ASSERT_TRUE(cache_.Assign(2, Offset(10)).ok());
  ASSERT_TRUE(cache_.Assign(3, Offset(20)).ok());
  ASSERT_TRUE(cache_.TruncateFromStart(Offset(5)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{1, 5}, {2, 10}, {3, 20}}));
  ASSERT_TRUE(cache_.TruncateFromStart(Offset(15)).ok());
  EXPECT_EQ(cache_.entries(), Entries({{2, 15}, {3, 20}}));
  ASSERT_TRUE(cache_.TruncateFromStart(Offset(20)).ok());  // exclusive: keeps (3, 20)
  EXPECT_EQ(cache_.entries(), Entries({{3, 20}}));
  ASSERT_TRUE(cache_.TruncateFromStart(Offset(3)).ok());  // below everything: no-op
  EXPECT_EQ(cache_.entries(), Entries({{3, 20}}));
  EXPECT_EQ(FileText(tmp_.path() / kLeaderEpochCheckpointFile), "0\n1\n3 20\n");
}

TEST_F(LeaderEpochCacheTest, ClearWritesAnEmptyCheckpoint) {
  ASSERT_TRUE(cache_.Assign(1, Offset(0)).ok());
  ASSERT_TRUE(cache_.Clear().ok());
  EXPECT_TRUE(cache_.empty());
  EXPECT_EQ(FileText(tmp_.path() / kLeaderEpochCheckpointFile), "0\n0\n");
}

TEST_F(LeaderEpochCacheTest, LoadRestoresWhatWasWritten) {
  ASSERT_TRUE(cache_.Assign(1, Offset(0)).ok());
  ASSERT_TRUE(cache_.Assign(4, Offset(33)).ok());
  auto loaded = LeaderEpochCache::Load(tmp_.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->entries(), Entries({{1, 0}, {4, 33}}));
  EXPECT_EQ(loaded->StartOffsetOf(4), Offset(33));
  EXPECT_EQ(loaded->StartOffsetOf(2), std::nullopt);
}

TEST_F(LeaderEpochCacheTest, LoadOfAMissingFileIsNotFound) {
  EXPECT_EQ(LeaderEpochCache::Load(tmp_.path()).status().code(), Status::Code::kNotFound);
}

TEST_F(LeaderEpochCacheTest, LoadOfAGarbledFileIsCorruption) {
  testing::WriteFileBytes(tmp_.path() / kLeaderEpochCheckpointFile, {'0', '\n', '7', '\n'});
  EXPECT_EQ(LeaderEpochCache::Load(tmp_.path()).status().code(), Status::Code::kCorruption);
}

TEST_F(LeaderEpochCacheTest, LoadAppliesTheAssignRulesToAnOutOfOrderFileAndRewritesIt) {
  const std::string text = "0\n3\n1 0\n5 50\n3 40\n";  // epoch 3 after 5: 5 is dropped
  testing::WriteFileBytes(tmp_.path() / kLeaderEpochCheckpointFile,
                          std::vector<uint8_t>(text.begin(), text.end()));
  auto loaded = LeaderEpochCache::Load(tmp_.path());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->entries(), Entries({{1, 0}, {3, 40}}));
  ASSERT_TRUE(loaded->Persist().ok());
  EXPECT_EQ(FileText(tmp_.path() / kLeaderEpochCheckpointFile), "0\n2\n1 0\n3 40\n");
}

TEST(LeaderEpochCacheFailure, AFailedWriteKeepsTheChangeAndIsRetried) {
  TempDir tmp;
  std::filesystem::path dir = tmp.path() / "gone";
  LeaderEpochCache cache(dir);  // the directory does not exist: writes fail
  EXPECT_FALSE(cache.Assign(1, Offset(0)).ok());
  EXPECT_EQ(cache.entries(), Entries({{1, 0}}));
  std::filesystem::create_directories(dir);
  // A no-op assignment still writes the file that is behind.
  ASSERT_TRUE(cache.Assign(1, Offset(7)).ok());
  EXPECT_EQ(FileText(dir / kLeaderEpochCheckpointFile), "0\n1\n1 0\n");
}

}  // namespace
}  // namespace sluice::storage

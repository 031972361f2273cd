#include "broker/storage/offset_index.h"

#include <gtest/gtest.h>

#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;

class OffsetIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<OffsetIndex> OpenIndex(int64_t max_bytes = 1024) {
    auto index = OffsetIndex::Open(path_, Offset(100), max_bytes);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return std::move(*index);
  }
  // Entries (110,100) (120,200) (130,300).
  std::unique_ptr<OffsetIndex> ThreeEntries() {
    auto index = OpenIndex();
    for (int i = 1; i <= 3; ++i) EXPECT_TRUE(index->Append(Offset(100 + 10 * i), 100 * i).ok());
    return index;
  }
  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "00000000000000000100.index";
};

TEST_F(OffsetIndexTest, NewFileIsPreallocatedToMaxSizeRoundedToEntries) {
  auto index = OpenIndex(1023);
  EXPECT_EQ(std::filesystem::file_size(path_), 1016u);  // 127 whole entries
  EXPECT_EQ(index->entries(), 0u);
}

TEST_F(OffsetIndexTest, EmptyIndexLooksUpToTheSegmentStart) {
  auto index = OpenIndex();
  EXPECT_EQ(index->Lookup(Offset(500)), (OffsetPosition{Offset(100), 0}));
}

TEST_F(OffsetIndexTest, LookupBeforeFirstEntryGivesSegmentStart) {
  auto index = ThreeEntries();
  EXPECT_EQ(index->Lookup(Offset(105)), (OffsetPosition{Offset(100), 0}));
}

TEST_F(OffsetIndexTest, LookupExactFirstEntry) {
  auto index = ThreeEntries();
  EXPECT_EQ(index->Lookup(Offset(110)), (OffsetPosition{Offset(110), 100}));
}

TEST_F(OffsetIndexTest, LookupBetweenEntriesGivesTheLowerOne) {
  auto index = ThreeEntries();
  EXPECT_EQ(index->Lookup(Offset(125)), (OffsetPosition{Offset(120), 200}));
}

TEST_F(OffsetIndexTest, LookupExactLastEntry) {
  auto index = ThreeEntries();
  EXPECT_EQ(index->Lookup(Offset(130)), (OffsetPosition{Offset(130), 300}));
}

TEST_F(OffsetIndexTest, LookupBeyondEndGivesTheLastEntry) {
  auto index = ThreeEntries();
  EXPECT_EQ(index->Lookup(Offset(1000000)), (OffsetPosition{Offset(130), 300}));
}

TEST_F(OffsetIndexTest, EntriesAreBigEndianRelativeOffsetThenPosition) {
  auto index = ThreeEntries();
  ASSERT_TRUE(index->TrimToValidSize().ok());
  std::vector<uint8_t> bytes = ReadFileBytes(path_);
  ASSERT_EQ(bytes.size(), 24u);
  // (110 - 100 = 10, 100)
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 8),
            (std::vector<uint8_t>{0, 0, 0, 10, 0, 0, 0, 100}));
}

TEST_F(OffsetIndexTest, AppendMustIncreaseInOffsetAndPosition) {
  auto index = ThreeEntries();
  EXPECT_FALSE(index->Append(Offset(130), 400).ok());
  EXPECT_FALSE(index->Append(Offset(140), 300).ok());
  EXPECT_FALSE(index->Append(Offset(99), 500).ok());  // below the base
  EXPECT_EQ(index->entries(), 3u);
}

TEST_F(OffsetIndexTest, AppendRejectsOffsetsBeyondInt32OfTheBase) {
  auto index = OpenIndex();
  EXPECT_FALSE(index->Append(Offset(100 + (int64_t{1} << 31)), 1).ok());
}

TEST_F(OffsetIndexTest, FullIndexRefusesAppends) {
  auto index = OpenIndex(16);
  ASSERT_TRUE(index->Append(Offset(101), 1).ok());
  ASSERT_TRUE(index->Append(Offset(102), 2).ok());
  EXPECT_TRUE(index->IsFull());
  EXPECT_FALSE(index->Append(Offset(103), 3).ok());
}

TEST_F(OffsetIndexTest, TruncateToDropsEntriesAtOrAboveTheOffset) {
  auto index = ThreeEntries();
  index->TruncateTo(Offset(120));
  EXPECT_EQ(index->entries(), 1u);
  EXPECT_EQ(index->LastEntry(), (OffsetPosition{Offset(110), 100}));
  index->TruncateTo(Offset(0));
  EXPECT_EQ(index->entries(), 0u);
}

TEST_F(OffsetIndexTest, TrimmedIndexReopensWithItsEntriesAndRegrows) {
  {
    auto index = ThreeEntries();
    ASSERT_TRUE(index->TrimToValidSize().ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path_), 24u);
  auto index = OpenIndex();
  EXPECT_EQ(index->entries(), 3u);
  EXPECT_TRUE(index->IsFull());
  ASSERT_TRUE(index->Resize(1024).ok());
  EXPECT_FALSE(index->IsFull());
  ASSERT_TRUE(index->Append(Offset(140), 400).ok());
  EXPECT_EQ(index->Lookup(Offset(141)), (OffsetPosition{Offset(140), 400}));
  EXPECT_TRUE(index->SanityCheck(1000).ok());
}

TEST_F(OffsetIndexTest, SanityCheckPassesForAGoodIndex) {
  auto index = ThreeEntries();
  ASSERT_TRUE(index->TrimToValidSize().ok());
  EXPECT_TRUE(OpenIndex()->SanityCheck(301).ok());
}

TEST_F(OffsetIndexTest, SanityCheckCatchesAPositionPastTheLog) {
  auto index = ThreeEntries();
  ASSERT_TRUE(index->TrimToValidSize().ok());
  EXPECT_EQ(OpenIndex()->SanityCheck(300).code(), Status::Code::kCorruption);
}

TEST_F(OffsetIndexTest, SanityCheckCatchesAPartialEntry) {
  WriteFileBytes(path_, std::vector<uint8_t>(12, 0));
  EXPECT_EQ(OpenIndex()->SanityCheck(1000).code(), Status::Code::kCorruption);
}

TEST_F(OffsetIndexTest, SanityCheckCatchesUntrimmedZeroTailAfterACrash) {
  {
    auto index = ThreeEntries();  // preallocated 1 KiB, never trimmed
  }
  auto index = OpenIndex();
  EXPECT_EQ(index->entries(), 128u);
  EXPECT_EQ(index->SanityCheck(1000).code(), Status::Code::kCorruption);
}

TEST_F(OffsetIndexTest, SanityCheckCatchesGarbage) {
  std::vector<uint8_t> garbage(64);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 37 + 11);
  WriteFileBytes(path_, garbage);
  EXPECT_EQ(OpenIndex()->SanityCheck(1 << 30).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace sluice::storage

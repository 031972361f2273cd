#include "broker/storage/time_index.h"

#include <gtest/gtest.h>

#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::ReadFileBytes;
using testing::TempDir;

class TimeIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<TimeIndex> OpenIndex(int64_t max_bytes = 1200) {
    auto index = TimeIndex::Open(path_, Offset(100), max_bytes);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return std::move(*index);
  }
  // Entries (1000,110) (2000,120) (3000,130).
  std::unique_ptr<TimeIndex> ThreeEntries() {
    auto index = OpenIndex();
    for (int i = 1; i <= 3; ++i) {
      EXPECT_TRUE(index->MaybeAppend(TimestampMs(1000 * i), Offset(100 + 10 * i)).ok());
    }
    return index;
  }
  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "00000000000000000100.timeindex";
};

TEST_F(TimeIndexTest, EmptyIndexHasNoTimestamp) {
  auto index = OpenIndex();
  EXPECT_EQ(index->LastEntry(), (TimestampOffset{kNoTimestamp, Offset(100)}));
  EXPECT_EQ(index->Lookup(TimestampMs(5)), (TimestampOffset{kNoTimestamp, Offset(100)}));
}

TEST_F(TimeIndexTest, EmptySegmentClosingWithoutRecordsAddsNoEntry) {
  // A segment that never got a record closes with "no timestamp" at its base offset; an entry
  // for it would point at an offset the segment does not hold and fail the next sanity check.
  auto index = OpenIndex();
  ASSERT_TRUE(index->MaybeAppend(kNoTimestamp, Offset(100)).ok());
  EXPECT_EQ(index->entries(), 0u);
  EXPECT_TRUE(index->SanityCheck(Offset(100)).ok());
}

TEST_F(TimeIndexTest, AppendsOnlyWhenTheTimestampGrows) {
  auto index = ThreeEntries();
  ASSERT_TRUE(index->MaybeAppend(TimestampMs(3000), Offset(140)).ok());
  ASSERT_TRUE(index->MaybeAppend(TimestampMs(2500), Offset(150)).ok());
  EXPECT_EQ(index->entries(), 3u);
  ASSERT_TRUE(index->MaybeAppend(TimestampMs(3001), Offset(150)).ok());
  EXPECT_EQ(index->entries(), 4u);
}

TEST_F(TimeIndexTest, OffsetsMayNotGoBackwards) {
  auto index = ThreeEntries();
  EXPECT_FALSE(index->MaybeAppend(TimestampMs(9000), Offset(129)).ok());
}

TEST_F(TimeIndexTest, LookupFindsTheGreatestTimestampAtOrBelowTarget) {
  auto index = ThreeEntries();
  EXPECT_EQ(index->Lookup(TimestampMs(999)), (TimestampOffset{kNoTimestamp, Offset(100)}));
  EXPECT_EQ(index->Lookup(TimestampMs(1000)), (TimestampOffset{TimestampMs(1000), Offset(110)}));
  EXPECT_EQ(index->Lookup(TimestampMs(2999)), (TimestampOffset{TimestampMs(2000), Offset(120)}));
  EXPECT_EQ(index->Lookup(TimestampMs(99999)), (TimestampOffset{TimestampMs(3000), Offset(130)}));
}

TEST_F(TimeIndexTest, EntriesAreBigEndianTimestampThenRelativeOffset) {
  auto index = ThreeEntries();
  ASSERT_TRUE(index->TrimToValidSize().ok());
  std::vector<uint8_t> bytes = ReadFileBytes(path_);
  ASSERT_EQ(bytes.size(), 36u);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 12),
            (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 10}));
}

TEST_F(TimeIndexTest, FullIndexSkipsAppendsSilently) {
  auto index = OpenIndex(24);
  ASSERT_TRUE(index->MaybeAppend(TimestampMs(1), Offset(100)).ok());
  ASSERT_TRUE(index->MaybeAppend(TimestampMs(2), Offset(101)).ok());
  EXPECT_TRUE(index->IsFull());
  EXPECT_TRUE(index->MaybeAppend(TimestampMs(3), Offset(102)).ok());
  EXPECT_EQ(index->entries(), 2u);
}

TEST_F(TimeIndexTest, TruncateToDropsEntriesAtOrAboveTheOffset) {
  auto index = ThreeEntries();
  index->TruncateTo(Offset(121));
  EXPECT_EQ(index->entries(), 2u);
  index->TruncateTo(Offset(110));
  EXPECT_EQ(index->entries(), 0u);
}

TEST_F(TimeIndexTest, SanityCheckAcceptsGoodAndRejectsOutOfSegmentOffsets) {
  auto index = ThreeEntries();
  EXPECT_TRUE(index->SanityCheck(Offset(131)).ok());
  EXPECT_EQ(index->SanityCheck(Offset(130)).code(), Status::Code::kCorruption);
}

TEST_F(TimeIndexTest, SanityCheckCatchesUntrimmedZeroTail) {
  { auto index = ThreeEntries(); }
  auto index = OpenIndex();
  EXPECT_EQ(index->entries(), 100u);
  EXPECT_EQ(index->SanityCheck(Offset(1000)).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace sluice::storage

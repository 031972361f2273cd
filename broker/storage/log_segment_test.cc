#include "broker/storage/log_segment.h"

#include <gtest/gtest.h>

#include "broker/storage/file_names.h"
#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::MakeBatch;
using testing::MakeBatchWithTimestamps;
using testing::ReadFileBytes;
using testing::TempDir;

class LogSegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.index_interval_bytes = 256;
    options_.index_max_bytes = 1024;
    auto segment = LogSegment::Create(dir_.path(), Offset(100), options_, TimestampMs(0));
    ASSERT_TRUE(segment.ok()) << segment.status().ToString();
    segment_ = std::move(*segment);
  }

  // Appends `batch` at the segment's next offset, as the Log would. Returns its first offset.
  Offset Append(std::vector<uint8_t> batch) {
    Offset base = segment_->next_offset();
    kafka::SetBaseOffset(batch, base.value());
    auto header = kafka::ParseRecordBatchHeader(batch);
    EXPECT_TRUE(header.ok());
    AppendedBatch info{static_cast<int32_t>(batch.size()), Offset(header->last_offset()),
                       TimestampMs(header->max_timestamp)};
    Status s = segment_->Append(batch, std::span<const AppendedBatch>(&info, 1));
    EXPECT_TRUE(s.ok()) << s.ToString();
    return base;
  }

  // 20 batches of 5 records (offsets 100..199), timestamps 1000 + 10 * batch + record.
  void AppendTwentyBatches() {
    for (int i = 0; i < 20; ++i) Append(MakeBatch(5, 1000 + 10 * i, 20));
  }

  TempDir dir_;
  LogSegment::Options options_;
  std::unique_ptr<LogSegment> segment_;
};

TEST_F(LogSegmentTest, NewSegmentIsEmptyAtItsBase) {
  EXPECT_TRUE(segment_->empty());
  EXPECT_EQ(segment_->next_offset(), Offset(100));
  EXPECT_EQ(segment_->max_timestamp(), kNoTimestamp);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "00000000000000000100.log"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "00000000000000000100.index"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "00000000000000000100.timeindex"));
}

TEST_F(LogSegmentTest, CreatingOverANonEmptySegmentFails) {
  Append(MakeBatch(1, 1000));
  EXPECT_EQ(LogSegment::Create(dir_.path(), Offset(100), options_, TimestampMs(0)).status().code(),
            Status::Code::kAlreadyExists);
}

TEST_F(LogSegmentTest, AppendedBytesAreStoredVerbatim) {
  std::vector<uint8_t> batch = MakeBatch(3, 1000);
  Append(batch);
  kafka::SetBaseOffset(batch, 100);
  EXPECT_EQ(ReadFileBytes(dir_.path() / "00000000000000000100.log"), batch);
  EXPECT_EQ(segment_->next_offset(), Offset(103));
  EXPECT_EQ(segment_->max_timestamp(), TimestampMs(1002));
}

TEST_F(LogSegmentTest, IndexesOneEntryPerIntervalBytes) {
  AppendTwentyBatches();
  // Every entry is more than index_interval_bytes after the previous one (or the start).
  const OffsetIndex& index = segment_->offset_index();
  ASSERT_GT(index.entries(), 2u);
  int32_t previous = 0;
  for (size_t i = 0; i < index.entries(); ++i) {
    OffsetPosition e = index.EntryAt(i);
    EXPECT_GT(e.position - previous, options_.index_interval_bytes);
    EXPECT_LT(e.position - previous, 2 * options_.index_interval_bytes);
    previous = e.position;
  }
  EXPECT_GT(segment_->time_index().entries(), 0u);
}

TEST_F(LogSegmentTest, IndexEntryNamesTheLastOffsetOfTheBatchAtItsPosition) {
  AppendTwentyBatches();
  OffsetPosition e = segment_->offset_index().EntryAt(0);
  auto loc = segment_->FindBatch(e.offset);
  ASSERT_TRUE(loc.ok());
  ASSERT_TRUE(loc->has_value());
  EXPECT_EQ((*loc)->position, e.position);
  EXPECT_EQ((*loc)->last_offset, e.offset);
}

TEST_F(LogSegmentTest, RecoveryRebuildsByteIdenticalIndexes) {
  AppendTwentyBatches();
  ASSERT_TRUE(segment_->OnBecomeInactive().ok());
  auto index_before = ReadFileBytes(dir_.path() / "00000000000000000100.index");
  auto time_before = ReadFileBytes(dir_.path() / "00000000000000000100.timeindex");
  auto truncated = segment_->Recover();
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(*truncated, 0);
  ASSERT_TRUE(segment_->OnBecomeInactive().ok());
  EXPECT_EQ(ReadFileBytes(dir_.path() / "00000000000000000100.index"), index_before);
  EXPECT_EQ(ReadFileBytes(dir_.path() / "00000000000000000100.timeindex"), time_before);
  EXPECT_EQ(segment_->next_offset(), Offset(200));
}

TEST_F(LogSegmentTest, FindBatchFirstMiddleLastAndBeyond) {
  AppendTwentyBatches();
  auto first = segment_->FindBatch(Offset(100));
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->base_offset, Offset(100));
  EXPECT_EQ((*first)->position, 0);

  auto middle = segment_->FindBatch(Offset(153));  // inside batch 150..154
  ASSERT_TRUE(middle.ok() && middle->has_value());
  EXPECT_EQ((*middle)->base_offset, Offset(150));
  EXPECT_EQ((*middle)->last_offset, Offset(154));

  auto last = segment_->FindBatch(Offset(199));
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->base_offset, Offset(195));
  EXPECT_EQ((*last)->position + (*last)->size, segment_->size());

  auto beyond = segment_->FindBatch(Offset(200));
  ASSERT_TRUE(beyond.ok());
  EXPECT_FALSE(beyond->has_value());
}

TEST_F(LogSegmentTest, ReadReturnsWholeBatchesWithinMaxBytes) {
  AppendTwentyBatches();
  int32_t batch_size = (*segment_->FindBatch(Offset(100)))->size;
  auto read = segment_->Read(Offset(100), 2 * batch_size + batch_size / 2, Offset(200), true);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->size(), static_cast<size_t>(2 * batch_size));
}

TEST_F(LogSegmentTest, ReadStartingMidBatchBeginsAtThatBatch) {
  AppendTwentyBatches();
  auto read = segment_->Read(Offset(107), 1 << 20, Offset(200), true);
  ASSERT_TRUE(read.ok() && read->has_value());
  auto header = kafka::ParseRecordBatchHeader(**read);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->base_offset, 105);
}

TEST_F(LogSegmentTest, ReadPastTheLastBatchIsNullopt) {
  AppendTwentyBatches();
  auto read = segment_->Read(Offset(200), 1 << 20, Offset(1000), true);
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

TEST_F(LogSegmentTest, FindOffsetByTimestampDecodesToTheExactRecord) {
  AppendTwentyBatches();
  // Batch 3 (offsets 115..119) has timestamps 1030..1034.
  auto found = segment_->FindOffsetByTimestamp(TimestampMs(1032), Offset(0));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, Offset(117));
  EXPECT_EQ((*found)->timestamp, TimestampMs(1032));
  // Between batches: 1005 lies after batch 0 (1000..1004), so batch 1's first record.
  found = segment_->FindOffsetByTimestamp(TimestampMs(1005), Offset(0));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, Offset(105));
  EXPECT_EQ((*found)->timestamp, TimestampMs(1010));
  // After everything.
  found = segment_->FindOffsetByTimestamp(TimestampMs(5000), Offset(0));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(LogSegmentTest, FindOffsetByTimestampHonoursTheStartingOffset) {
  AppendTwentyBatches();
  auto found = segment_->FindOffsetByTimestamp(TimestampMs(0), Offset(163));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, Offset(163));
}

TEST_F(LogSegmentTest, FindOffsetByTimestampWithOutOfOrderTimestampsInABatch) {
  Append(MakeBatchWithTimestamps({50, 10, 70, 20}));
  auto found = segment_->FindOffsetByTimestamp(TimestampMs(60), Offset(0));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, Offset(102));
  EXPECT_EQ((*found)->timestamp, TimestampMs(70));
}

TEST_F(LogSegmentTest, TruncateMidBatchDropsTheWholeBatch) {
  AppendTwentyBatches();
  auto removed = segment_->TruncateTo(Offset(152));
  ASSERT_TRUE(removed.ok());
  EXPECT_GT(*removed, 0);
  EXPECT_EQ(segment_->next_offset(), Offset(150));
  EXPECT_EQ(segment_->max_timestamp(), TimestampMs(1094));
  EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(segment_->log_path())),
            segment_->size());
  // The indexes describe only what is left, and appends continue from there.
  EXPECT_LT(segment_->offset_index().LastEntry()->offset, Offset(150));
  EXPECT_EQ(Append(MakeBatch(2, 5000)), Offset(150));
}

TEST_F(LogSegmentTest, TruncateToTheBaseEmptiesTheSegment) {
  AppendTwentyBatches();
  ASSERT_TRUE(segment_->TruncateTo(Offset(100)).ok());
  EXPECT_TRUE(segment_->empty());
  EXPECT_EQ(segment_->next_offset(), Offset(100));
  EXPECT_EQ(segment_->offset_index().entries(), 0u);
  EXPECT_EQ(segment_->time_index().entries(), 0u);
}

TEST_F(LogSegmentTest, RecoverCutsATornTail) {
  AppendTwentyBatches();
  int64_t good = segment_->size();
  std::filesystem::resize_file(segment_->log_path(), static_cast<uintmax_t>(good - 7));
  auto truncated = segment_->Recover();
  ASSERT_TRUE(truncated.ok());
  EXPECT_GT(*truncated, 0);
  EXPECT_EQ(segment_->next_offset(), Offset(195));  // the last batch was torn
}

TEST_F(LogSegmentTest, ShouldRollWhenTheAppendWouldExceedSegmentBytes) {
  LogConfig config;
  config.segment_bytes = 1000;
  Append(MakeBatch(1, 1000, 500));
  EXPECT_FALSE(segment_->ShouldRoll(1000 - segment_->size(), TimestampMs(1000), Offset(101),
                                    TimestampMs(0), config));
  EXPECT_TRUE(segment_->ShouldRoll(1000 - segment_->size() + 1, TimestampMs(1000), Offset(101),
                                   TimestampMs(0), config));
}

TEST_F(LogSegmentTest, ShouldRollByTimeMeasuresFromTheFirstBatchTimestamp) {
  LogConfig config;
  config.segment_ms = 100;
  // An empty segment never rolls by time.
  EXPECT_FALSE(
      segment_->ShouldRoll(10, TimestampMs(1 << 30), Offset(100), TimestampMs(1 << 30), config));
  Append(MakeBatch(1, 1000));
  EXPECT_FALSE(segment_->ShouldRoll(10, TimestampMs(1100), Offset(101), TimestampMs(0), config));
  EXPECT_TRUE(segment_->ShouldRoll(10, TimestampMs(1101), Offset(101), TimestampMs(0), config));
}

TEST_F(LogSegmentTest, ShouldRollWhenARelativeOffsetWouldOverflow) {
  LogConfig config;
  EXPECT_TRUE(segment_->ShouldRoll(10, TimestampMs(0), Offset(100 + (int64_t{1} << 31)),
                                   TimestampMs(0), config));
}

TEST_F(LogSegmentTest, InactiveSegmentHasTrimmedIndexes) {
  AppendTwentyBatches();
  ASSERT_TRUE(segment_->OnBecomeInactive().ok());
  EXPECT_EQ(std::filesystem::file_size(dir_.path() / "00000000000000000100.index"),
            segment_->offset_index().entries() * 8);
  EXPECT_EQ(std::filesystem::file_size(dir_.path() / "00000000000000000100.timeindex"),
            segment_->time_index().entries() * 12);
  // The final time index entry covers the last batch.
  EXPECT_EQ(segment_->time_index().LastEntry().timestamp, TimestampMs(1194));
}

TEST_F(LogSegmentTest, LoadTailRestoresStateOfACleanlyClosedSegment) {
  AppendTwentyBatches();
  ASSERT_TRUE(segment_->OnBecomeInactive().ok());
  segment_.reset();
  auto reopened = LogSegment::Open(dir_.path(), Offset(100), options_, TimestampMs(0));
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE((*reopened)->LoadTail().ok());
  EXPECT_EQ((*reopened)->next_offset(), Offset(200));
  EXPECT_EQ((*reopened)->max_timestamp(), TimestampMs(1194));
}

TEST_F(LogSegmentTest, LoadTailRefusesMissingIndexes) {
  AppendTwentyBatches();
  ASSERT_TRUE(segment_->OnBecomeInactive().ok());
  segment_.reset();
  std::filesystem::remove(dir_.path() / "00000000000000000100.index");
  auto reopened = LogSegment::Open(dir_.path(), Offset(100), options_, TimestampMs(0));
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->LoadTail().code(), Status::Code::kCorruption);
}

TEST_F(LogSegmentTest, AddSuffixAndDeleteFiles) {
  Append(MakeBatch(1, 1000));
  ASSERT_TRUE(segment_->AddSuffix(".deleted").ok());
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "00000000000000000100.log.deleted"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "00000000000000000100.index.deleted"));
  ASSERT_TRUE(segment_->DeleteFiles().ok());
  EXPECT_TRUE(testing::ListDir(dir_.path()).empty());
}

}  // namespace
}  // namespace sluice::storage

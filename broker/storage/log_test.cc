#include "broker/storage/log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <thread>

#include "broker/storage/file_names.h"
#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::ListDir;
using testing::MakeBatch;
using testing::ReadFileBytes;
using testing::SmallConfig;
using testing::TempDir;

const LeaderEpoch kEpoch(5);
const TimestampMs kNow(1'700'000'000'000);

class LogTest : public ::testing::Test {
 protected:
  std::unique_ptr<Log> OpenLog(const LogConfig& config, LogLoadOptions options = {}) {
    auto log = Log::Open(dir(), {"t", PartitionId(0)}, config, options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }
  std::filesystem::path dir() const { return tmp_.path() / "t-0"; }

  AppendInfo MustAppend(Log& log, const std::vector<uint8_t>& batch, TimestampMs now = kNow) {
    auto info = log.Append(batch, kEpoch, now);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    if (info.ok()) log.SetHighWatermark(log.LogEndOffset());
    return info.ok() ? *info : AppendInfo{};
  }

  // All batches readable from `start` (following segments), as parsed headers.
  std::vector<kafka::RecordBatchHeader> ReadAllHeaders(const Log& log, Offset start) {
    std::vector<kafka::RecordBatchHeader> headers;
    while (start < log.LogEndOffset()) {
      auto read = log.Read(start, 1 << 20, log.LogEndOffset(), true);
      EXPECT_TRUE(read.ok()) << read.status().ToString();
      if (!read.ok() || read->records.empty()) break;
      auto batches = kafka::SplitRecordBatches(read->records);
      EXPECT_TRUE(batches.ok());
      for (auto batch : *batches) {
        EXPECT_TRUE(kafka::ValidateRecordBatch(batch, kafka::OffsetDeltaCheck::kIncreasing).ok());
        headers.push_back(*kafka::ParseRecordBatchHeader(batch));
        start = Offset(headers.back().last_offset() + 1);
      }
    }
    return headers;
  }

  TempDir tmp_;
};

// ---- Append: offsets, stamping, validation -------------------------------------------------

TEST_F(LogTest, NewLogIsEmptyAtOffsetZero) {
  auto log = OpenLog(SmallConfig());
  EXPECT_EQ(log->LogStartOffset(), Offset(0));
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
  EXPECT_EQ(log->NumSegments(), 1u);
  EXPECT_EQ(log->SizeInBytes(), 0);
}

TEST_F(LogTest, AppendAssignsConsecutiveOffsets) {
  auto log = OpenLog(SmallConfig());
  AppendInfo a = MustAppend(*log, MakeBatch(3, 1000));
  EXPECT_EQ(a.first_offset, Offset(0));
  EXPECT_EQ(a.last_offset, Offset(2));
  AppendInfo b = MustAppend(*log, MakeBatch(2, 1000));
  EXPECT_EQ(b.first_offset, Offset(3));
  EXPECT_EQ(b.last_offset, Offset(4));
  EXPECT_EQ(log->LogEndOffset(), Offset(5));
  EXPECT_EQ(b.log_start_offset, Offset(0));
  EXPECT_EQ(b.log_append_time, TimestampMs(-1));
}

TEST_F(LogTest, StoredBatchCarriesAssignedOffsetAndLeaderEpochWithAValidCrc) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  MustAppend(*log, MakeBatch(2, 1000));
  auto headers = ReadAllHeaders(*log, Offset(0));
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].base_offset, 3);
  EXPECT_EQ(headers[1].partition_leader_epoch, 5);
}

TEST_F(LogTest, SeveralBatchesInOneAppend) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> both = MakeBatch(3, 1000);
  std::vector<uint8_t> second = MakeBatch(4, 2000);
  both.insert(both.end(), second.begin(), second.end());
  AppendInfo info = MustAppend(*log, both);
  EXPECT_EQ(info.first_offset, Offset(0));
  EXPECT_EQ(info.last_offset, Offset(6));
  auto headers = ReadAllHeaders(*log, Offset(0));
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].base_offset, 3);
}

TEST_F(LogTest, LogAppendTimeStampsTheBatchAndReportsTheTime) {
  LogConfig config = SmallConfig();
  config.message_timestamp_type = TimestampType::kLogAppendTime;
  auto log = OpenLog(config);
  AppendInfo info = MustAppend(*log, MakeBatch(2, 1000));
  EXPECT_EQ(info.log_append_time, kNow);
  auto headers = ReadAllHeaders(*log, Offset(0));
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_TRUE(headers[0].log_append_time());
  EXPECT_EQ(headers[0].max_timestamp, kNow.value());
}

TEST_F(LogTest, BatchOverMaxMessageBytesIsOutOfRangeForMessageTooLarge) {
  LogConfig config = SmallConfig();
  config.max_message_bytes = 200;
  auto log = OpenLog(config);
  auto result = log->Append(MakeBatch(1, 1000, 300), kEpoch, kNow);
  EXPECT_EQ(result.status().code(), Status::Code::kOutOfRange);
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
}

TEST_F(LogTest, AppendLargerThanASegmentIsOutOfRange) {
  LogConfig config = SmallConfig();
  config.max_message_bytes = 1 << 20;
  auto log = OpenLog(config);
  EXPECT_EQ(log->Append(MakeBatch(1, 1000, 5000), kEpoch, kNow).status().code(),
            Status::Code::kOutOfRange);
}

TEST_F(LogTest, CrcMismatchIsCorruption) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> batch = MakeBatch(2, 1000);
  batch.back() ^= 0xFF;
  EXPECT_EQ(log->Append(batch, kEpoch, kNow).status().code(), Status::Code::kCorruption);
}

TEST_F(LogTest, TruncatedInputIsCorruption) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> batch = MakeBatch(2, 1000);
  batch.resize(batch.size() - 3);
  EXPECT_EQ(log->Append(batch, kEpoch, kNow).status().code(), Status::Code::kCorruption);
  std::vector<uint8_t> stub(30, 0);
  EXPECT_EQ(log->Append(stub, kEpoch, kNow).status().code(), Status::Code::kCorruption);
}

TEST_F(LogTest, OldMagicIsInvalidArgument) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> batch = MakeBatch(2, 1000);
  batch[kafka::batch_offsets::kMagic] = 1;
  EXPECT_EQ(log->Append(batch, kEpoch, kNow).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(LogTest, EmptyInputIsInvalidArgument) {
  auto log = OpenLog(SmallConfig());
  EXPECT_EQ(log->Append({}, kEpoch, kNow).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(LogTest, ControlBatchFromAClientIsInvalidArgument) {
  auto log = OpenLog(SmallConfig());
  kafka::Record marker;
  marker.key = std::string("\0\0\0\1", 4);
  marker.value = std::string("\0\0\0\0\0\0", 6);
  kafka::RecordBatchBuilderOptions options;
  options.control = true;
  options.transactional = true;
  options.producer_id = 1;
  options.producer_epoch = 0;
  options.base_sequence = 0;
  auto batch = kafka::BuildRecordBatch({marker}, options);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(log->Append(*batch, kEpoch, kNow).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(LogTest, ProducerIdWithoutSequenceIsInvalidArgument) {
  auto log = OpenLog(SmallConfig());
  kafka::Record r;
  r.value = "v";
  kafka::RecordBatchBuilderOptions options;
  options.producer_id = 7;
  options.base_sequence = -1;
  auto batch = kafka::BuildRecordBatch({r}, options);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(log->Append(*batch, kEpoch, kNow).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(LogTest, OneBadBatchRejectsTheWholeAppend) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> both = MakeBatch(3, 1000);
  std::vector<uint8_t> bad = MakeBatch(1, 1000);
  bad.back() ^= 1;
  both.insert(both.end(), bad.begin(), bad.end());
  EXPECT_FALSE(log->Append(both, kEpoch, kNow).ok());
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
  EXPECT_EQ(log->SizeInBytes(), 0);
}

TEST_F(LogTest, CompressedBatchesAreStoredAsSent) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(10, 1000, 50, kafka::Compression::kGzip));
  auto headers = ReadAllHeaders(*log, Offset(0));
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].compression(), kafka::Compression::kGzip);
  EXPECT_EQ(log->LogEndOffset(), Offset(10));
}

// ---- Rolling --------------------------------------------------------------------------------

TEST_F(LogTest, RollsBeforeASegmentWouldExceedSegmentBytes) {
  auto log = OpenLog(SmallConfig());  // 4 KiB segments
  for (int i = 0; i < 40; ++i) MustAppend(*log, MakeBatch(2, 1000 + i, 100));
  EXPECT_GT(log->NumSegments(), 2u);
  for (const auto& name : ListDir(dir())) {
    if (name.ends_with(".log")) {
      EXPECT_LE(std::filesystem::file_size(dir() / name), 4096u) << name;
    }
  }
  // Segment names are their base offsets, and the offsets are continuous across them.
  EXPECT_TRUE(std::filesystem::exists(
      dir() / (OffsetFileNamePrefix(log->ActiveSegmentBaseOffset()) + ".log")));
  auto headers = ReadAllHeaders(*log, Offset(0));
  ASSERT_EQ(headers.size(), 40u);
  for (size_t i = 0; i < headers.size(); ++i)
    EXPECT_EQ(headers[i].base_offset, 2 * static_cast<int64_t>(i));
}

TEST_F(LogTest, RolledSegmentsHaveTrimmedIndexes) {
  auto log = OpenLog(SmallConfig());
  for (int i = 0; i < 40; ++i) MustAppend(*log, MakeBatch(2, 1000 + i, 100));
  auto index = dir() / "00000000000000000000.index";
  EXPECT_EQ(std::filesystem::file_size(index) % 8, 0u);
  EXPECT_LT(std::filesystem::file_size(index), 1024u);
}

TEST_F(LogTest, RollsWhenTheFirstBatchIsOlderThanSegmentMs) {
  LogConfig config = SmallConfig();
  config.segment_bytes = 1 << 20;
  config.segment_ms = 1000;
  auto log = OpenLog(config);
  MustAppend(*log, MakeBatch(1, 10'000));
  MustAppend(*log, MakeBatch(1, 10'900));
  EXPECT_EQ(log->NumSegments(), 1u);
  MustAppend(*log, MakeBatch(1, 11'001));
  EXPECT_EQ(log->NumSegments(), 2u);
  EXPECT_EQ(log->ActiveSegmentBaseOffset(), Offset(2));
}

TEST_F(LogTest, UpdateConfigTakesEffectOnTheNextAppend) {
  LogConfig config = SmallConfig();
  config.segment_bytes = 1 << 20;
  auto log = OpenLog(config);
  for (int i = 0; i < 10; ++i) MustAppend(*log, MakeBatch(2, 1000, 100));
  EXPECT_EQ(log->NumSegments(), 1u);
  config.segment_bytes = 500;
  log->UpdateConfig(config);
  MustAppend(*log, MakeBatch(2, 1000, 100));
  EXPECT_EQ(log->NumSegments(), 2u);
}

// ---- Read -----------------------------------------------------------------------------------

TEST_F(LogTest, ReadReturnsExactlyTheStoredBytes) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  MustAppend(*log, MakeBatch(3, 1000));
  auto read = log->Read(Offset(0), 1 << 20, log->HighWatermark(), true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->records, ReadFileBytes(dir() / "00000000000000000000.log"));
  EXPECT_EQ(read->log_end_offset, Offset(6));
  EXPECT_EQ(read->high_watermark, Offset(6));
  EXPECT_EQ(read->log_start_offset, Offset(0));
}

TEST_F(LogTest, ReadWithMaxBytesSmallerThanTheFirstBatchReturnsItWholeWhenMinOneBatch) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> big = MakeBatch(3, 1000, 200);
  MustAppend(*log, big);
  MustAppend(*log, MakeBatch(1, 1000));
  auto read = log->Read(Offset(0), 10, log->HighWatermark(), true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->records.size(), big.size());
}

TEST_F(LogTest, ReadWithMaxBytesSmallerThanTheFirstBatchIsEmptyWithoutMinOneBatch) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000, 200));
  auto read = log->Read(Offset(0), 10, log->HighWatermark(), false);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->records.empty());
}

TEST_F(LogTest, ReadNeverReturnsAPartialBatch) {
  auto log = OpenLog(SmallConfig());
  std::vector<uint8_t> batch = MakeBatch(3, 1000, 50);
  for (int i = 0; i < 5; ++i) MustAppend(*log, batch);
  for (int32_t max = 1; max < static_cast<int32_t>(5 * batch.size()); max += 37) {
    auto read = log->Read(Offset(0), max, log->HighWatermark(), true);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->records.size() % batch.size(), 0u) << max;
    EXPECT_LE(read->records.size(), std::max<size_t>(batch.size(), static_cast<size_t>(max)));
  }
}

TEST_F(LogTest, ReadIsBoundedByTheHighWatermark) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  Offset hw = log->LogEndOffset();
  auto log_raw = log.get();
  (void)log_raw->Append(MakeBatch(3, 1000), kEpoch, kNow);  // not yet committed
  log->SetHighWatermark(hw);
  auto read = log->Read(Offset(0), 1 << 20, log->HighWatermark(), true);
  ASSERT_TRUE(read.ok());
  auto batches = kafka::SplitRecordBatches(read->records);
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ(batches->size(), 1u);
  EXPECT_EQ(read->high_watermark, Offset(3));
  // At the high watermark: nothing, but not an error.
  auto at_hw = log->Read(hw, 1 << 20, log->HighWatermark(), true);
  ASSERT_TRUE(at_hw.ok());
  EXPECT_TRUE(at_hw->records.empty());
  // A follower reads up to the log end.
  auto follower = log->Read(hw, 1 << 20, log->LogEndOffset(), true);
  ASSERT_TRUE(follower.ok());
  EXPECT_FALSE(follower->records.empty());
}

TEST_F(LogTest, HighWatermarkMidBatchExcludesThatBatch) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  MustAppend(*log, MakeBatch(3, 1000));
  auto read = log->Read(Offset(0), 1 << 20, Offset(4), true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(kafka::SplitRecordBatches(read->records)->size(), 1u);
}

TEST_F(LogTest, SetHighWatermarkIsClampedToTheLog) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  EXPECT_EQ(log->SetHighWatermark(Offset(100)), Offset(3));
  EXPECT_EQ(log->SetHighWatermark(Offset(-5)), Offset(0));
}

TEST_F(LogTest, ReadOutsideTheLogIsOutOfRange) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  EXPECT_EQ(log->Read(Offset(4), 100, Offset(100), true).status().code(),
            Status::Code::kOutOfRange);
  EXPECT_EQ(log->Read(Offset(-1), 100, Offset(100), true).status().code(),
            Status::Code::kOutOfRange);
}

TEST_F(LogTest, ReadAtTheLogEndIsEmpty) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  auto read = log->Read(Offset(3), 100, Offset(3), true);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->records.empty());
}

TEST_F(LogTest, ReadComesFromOneSegmentAndContinuesInTheNext) {
  auto log = OpenLog(SmallConfig());
  for (int i = 0; i < 40; ++i) MustAppend(*log, MakeBatch(2, 1000, 100));
  ASSERT_GT(log->NumSegments(), 1u);
  auto first = log->Read(Offset(0), 1 << 20, log->HighWatermark(), true);
  ASSERT_TRUE(first.ok());
  EXPECT_LE(first->records.size(), 4096u);
  EXPECT_EQ(ReadAllHeaders(*log, Offset(0)).size(), 40u);
}

// ---- Timestamps -----------------------------------------------------------------------------

TEST_F(LogTest, OffsetForTimestampFindsTheFirstRecordAtOrAfterIt) {
  auto log = OpenLog(SmallConfig());
  for (int i = 0; i < 40; ++i) MustAppend(*log, MakeBatch(2, 1000 + 10 * i, 100));
  ASSERT_GT(log->NumSegments(), 1u);
  auto found = log->OffsetForTimestamp(TimestampMs(1301));  // batch 30: 1300, 1301
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, Offset(61));
  EXPECT_EQ((*found)->timestamp, TimestampMs(1301));
  found = log->OffsetForTimestamp(TimestampMs(0));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, Offset(0));
  found = log->OffsetForTimestamp(TimestampMs(99999));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

// ---- Deleting records, retention ------------------------------------------------------------

// 40 batches of 2 records with timestamps 1000 + 10 * i, rolled into several 4 KiB segments.
class LogRetentionTest : public LogTest {
 protected:
  std::unique_ptr<Log> FilledLog(LogConfig config) {
    auto log = OpenLog(config);
    for (int i = 0; i < 40; ++i) MustAppend(*log, MakeBatch(2, 1000 + 10 * i, 100));
    EXPECT_GE(log->NumSegments(), 3u);
    return log;
  }
};

TEST_F(LogRetentionTest, DeleteRecordsBeforeMovesTheStartAndDropsWholeSegments) {
  auto log = FilledLog(SmallConfig());
  size_t segments = log->NumSegments();
  auto start = log->DeleteRecordsBefore(Offset(33), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(*start, Offset(33));
  EXPECT_EQ(log->LogStartOffset(), Offset(33));
  EXPECT_LT(log->NumSegments(), segments);
  EXPECT_EQ(log->Read(Offset(32), 100, log->HighWatermark(), true).status().code(),
            Status::Code::kOutOfRange);
  auto read = log->Read(Offset(33), 100, log->HighWatermark(), true);
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->records.empty());  // the batch holding 32..33 is still served
}

TEST_F(LogRetentionTest, DeleteRecordsPastTheHighWatermarkIsOutOfRange) {
  auto log = FilledLog(SmallConfig());
  log->SetHighWatermark(Offset(10));
  EXPECT_EQ(log->DeleteRecordsBefore(Offset(11), kNow).status().code(), Status::Code::kOutOfRange);
  EXPECT_EQ(log->LogStartOffset(), Offset(0));
}

TEST_F(LogRetentionTest, DeleteRecordsNeverMovesTheStartBackwards) {
  auto log = FilledLog(SmallConfig());
  ASSERT_TRUE(log->DeleteRecordsBefore(Offset(20), kNow).ok());
  auto start = log->DeleteRecordsBefore(Offset(5), kNow);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(*start, Offset(20));
}

TEST_F(LogRetentionTest, RetentionByTimeDeletesOnlyWholeExpiredSegments) {
  LogConfig config = SmallConfig();
  config.retention_ms = 100;
  auto log = FilledLog(config);
  size_t segments = log->NumSegments();
  // now - 100 = 1150: segments whose largest timestamp is < 1150 go.
  auto deleted = log->ApplyRetention(TimestampMs(1250));
  ASSERT_TRUE(deleted.ok());
  EXPECT_GE(*deleted, 1);
  EXPECT_EQ(log->NumSegments(), segments - static_cast<size_t>(*deleted));
  // The new start is a segment boundary, and no record at or after 1150 was lost.
  EXPECT_EQ(log->LogStartOffset(), log->LogStartOffset());
  auto headers = ReadAllHeaders(*log, log->LogStartOffset());
  ASSERT_FALSE(headers.empty());
  EXPECT_EQ(headers.front().base_offset, log->LogStartOffset().value());
  EXPECT_LE(headers.front().first_timestamp, 1150);
  EXPECT_EQ(headers.back().last_offset(), 79);
}

TEST_F(LogRetentionTest, RetentionByTimeRollsAndDeletesAnExpiredActiveSegment) {
  LogConfig config = SmallConfig();
  config.retention_ms = 100;
  auto log = FilledLog(config);
  auto deleted = log->ApplyRetention(TimestampMs(1'000'000));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(log->NumSegments(), 1u);
  EXPECT_EQ(log->LogEndOffset(), Offset(80));
  EXPECT_EQ(log->LogStartOffset(), Offset(80));
  EXPECT_EQ(log->SizeInBytes(), 0);
  // The log goes on at the same offsets.
  EXPECT_EQ(MustAppend(*log, MakeBatch(1, 5000)).first_offset, Offset(80));
}

TEST_F(LogRetentionTest, RetentionNeverDeletesAboveTheHighWatermark) {
  LogConfig config = SmallConfig();
  config.retention_ms = 100;
  auto log = FilledLog(config);
  log->SetHighWatermark(Offset(1));
  auto deleted = log->ApplyRetention(TimestampMs(1'000'000));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0);
  EXPECT_EQ(log->LogStartOffset(), Offset(0));
}

TEST_F(LogRetentionTest, RetentionMinusOneKeepsEverything) {
  LogConfig config = SmallConfig();
  config.retention_ms = -1;
  auto log = FilledLog(config);
  auto deleted = log->ApplyRetention(TimestampMs(1'000'000'000));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0);
}

TEST_F(LogRetentionTest, RetentionBySizeDeletesOldestWholeSegmentsOnly) {
  LogConfig config = SmallConfig();
  config.retention_ms = -1;
  auto log = FilledLog(config);
  const int64_t total = log->SizeInBytes();
  const auto first =
      static_cast<int64_t>(std::filesystem::file_size(dir() / "00000000000000000000.log"));
  // Kafka's rule: a segment goes only if the log stays at least retention.bytes without it.
  config.retention_bytes = total - first + 1;
  log->UpdateConfig(config);
  EXPECT_EQ(*log->ApplyRetention(kNow), 0);
  config.retention_bytes = total - first;
  log->UpdateConfig(config);
  EXPECT_EQ(*log->ApplyRetention(kNow), 1);
  EXPECT_EQ(log->SizeInBytes(), total - first);
  EXPECT_GT(log->LogStartOffset(), Offset(0));
  // Zero bytes: every segment goes, the active one after a roll; offsets carry on.
  config.retention_bytes = 0;
  log->UpdateConfig(config);
  ASSERT_TRUE(log->ApplyRetention(kNow).ok());
  EXPECT_EQ(log->SizeInBytes(), 0);
  EXPECT_EQ(log->NumSegments(), 1u);
  EXPECT_EQ(log->LogStartOffset(), Offset(80));
}

TEST_F(LogRetentionTest, DeletedSegmentsLingerUntilFileDeleteDelay) {
  LogConfig config = SmallConfig();
  config.retention_ms = 100;
  config.file_delete_delay_ms = 60000;
  auto log = FilledLog(config);
  ASSERT_TRUE(log->ApplyRetention(TimestampMs(1250)).ok());
  auto has_deleted = [&] {
    for (const auto& n : ListDir(dir())) {
      if (n.ends_with(".deleted")) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_deleted());
  config.retention_ms = -1;  // later passes only unlink what is due
  log->UpdateConfig(config);
  ASSERT_TRUE(log->ApplyRetention(TimestampMs(1250 + 59999)).ok());
  EXPECT_TRUE(has_deleted());
  ASSERT_TRUE(log->ApplyRetention(TimestampMs(1250 + 60000)).ok());
  EXPECT_FALSE(has_deleted());
}

// ---- Truncation, flush, close ---------------------------------------------------------------

TEST_F(LogRetentionTest, TruncateToDropsLaterSegmentsAndLowersTheMarks) {
  auto log = FilledLog(SmallConfig());
  ASSERT_TRUE(log->TruncateTo(Offset(30), kNow).ok());
  EXPECT_EQ(log->LogEndOffset(), Offset(30));
  EXPECT_EQ(log->HighWatermark(), Offset(30));
  EXPECT_LE(log->RecoveryPoint(), Offset(30));
  EXPECT_EQ(MustAppend(*log, MakeBatch(2, 9000)).first_offset, Offset(30));
  auto headers = ReadAllHeaders(*log, Offset(0));
  EXPECT_EQ(headers.back().base_offset, 30);
  EXPECT_EQ(headers.back().first_timestamp, 9000);
}

TEST_F(LogRetentionTest, TruncateBelowTheFirstSegmentRestartsTheLog) {
  auto log = FilledLog(SmallConfig());
  ASSERT_TRUE(log->DeleteRecordsBefore(Offset(60), kNow).ok());
  ASSERT_TRUE(log->TruncateTo(Offset(10), kNow).ok());
  EXPECT_EQ(log->NumSegments(), 1u);
  EXPECT_EQ(log->LogStartOffset(), Offset(10));
  EXPECT_EQ(log->LogEndOffset(), Offset(10));
  EXPECT_EQ(MustAppend(*log, MakeBatch(1, 9000)).first_offset, Offset(10));
}

TEST_F(LogTest, TruncateToTheEndIsANoOp) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  ASSERT_TRUE(log->TruncateTo(Offset(3), kNow).ok());
  EXPECT_EQ(log->LogEndOffset(), Offset(3));
  EXPECT_EQ(log->TruncateTo(Offset(-1), kNow).code(), Status::Code::kInvalidArgument);
}

TEST_F(LogTest, FlushAdvancesTheRecoveryPoint) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  MustAppend(*log, MakeBatch(3, 1000));
  EXPECT_EQ(log->RecoveryPoint(), Offset(0));
  ASSERT_TRUE(log->Flush(Offset(3)).ok());
  EXPECT_EQ(log->RecoveryPoint(), Offset(3));
  ASSERT_TRUE(log->Flush(Offset(100)).ok());
  EXPECT_EQ(log->RecoveryPoint(), Offset(6));
}

TEST_F(LogTest, FlushMessagesFlushesFromTheAppendPath) {
  LogConfig config = SmallConfig();
  config.flush_messages = 5;
  auto log = OpenLog(config);
  MustAppend(*log, MakeBatch(3, 1000));
  EXPECT_EQ(log->RecoveryPoint(), Offset(0));
  MustAppend(*log, MakeBatch(3, 1000));
  EXPECT_EQ(log->RecoveryPoint(), Offset(6));
}

TEST_F(LogTest, ClosedLogRefusesEverything) {
  auto log = OpenLog(SmallConfig());
  MustAppend(*log, MakeBatch(3, 1000));
  ASSERT_TRUE(log->Close().ok());
  EXPECT_TRUE(log->Close().ok());
  EXPECT_EQ(log->Append(MakeBatch(1, 1000), kEpoch, kNow).status().code(),
            Status::Code::kUnavailable);
  EXPECT_EQ(log->Read(Offset(0), 100, Offset(3), true).status().code(), Status::Code::kUnavailable);
}

TEST_F(LogTest, ReopenAfterCloseKeepsEverything) {
  {
    auto log = OpenLog(SmallConfig());
    for (int i = 0; i < 40; ++i) MustAppend(*log, MakeBatch(2, 1000 + i, 100));
    ASSERT_TRUE(log->Close().ok());
    EXPECT_EQ(log->RecoveryPoint(), Offset(80));
  }
  LogLoadOptions options;
  options.clean_shutdown = true;
  auto log = OpenLog(SmallConfig(), options);
  EXPECT_EQ(log->LogEndOffset(), Offset(80));
  EXPECT_EQ(ReadAllHeaders(*log, Offset(0)).size(), 40u);
  EXPECT_EQ(MustAppend(*log, MakeBatch(1, 5000)).first_offset, Offset(80));
}

// ---- Leader epochs and follower appends ----------------------------------------------------

std::vector<EpochEntry> Epochs(std::initializer_list<std::pair<int32_t, int64_t>> list) {
  std::vector<EpochEntry> out;
  for (auto [epoch, offset] : list) out.push_back({epoch, Offset(offset)});
  return out;
}

// A batch as a leader stored it: `count` records from offset `base`, stamped with `epoch`.
std::vector<uint8_t> LeaderBatch(int64_t base, int32_t epoch, int count = 2,
                                 size_t value_bytes = 100) {
  std::vector<uint8_t> batch = MakeBatch(count, 1000 + base, value_bytes);
  kafka::SetBaseOffset(batch, base);
  kafka::SetPartitionLeaderEpoch(batch, epoch);
  return batch;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::string EpochFileText(const std::filesystem::path& dir) {
  auto bytes = ReadFileBytes(dir / kLeaderEpochCheckpointFile);
  return std::string(bytes.begin(), bytes.end());
}

class LogEpochTest : public LogTest {
 protected:
  std::unique_ptr<Log> OpenFollower(const LogConfig& config) {
    auto log = Log::Open(tmp_.path() / "t-1", {"t", PartitionId(1)}, config, {});
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }
  static void AppendIn(Log& log, int32_t epoch, int batches) {
    for (int i = 0; i < batches; ++i) {
      ASSERT_TRUE(log.Append(MakeBatch(2, 1000 + i, 100), LeaderEpoch(epoch), kNow).ok());
    }
  }
  // Every byte of `log`, read the way a follower fetches: from the log start, one read (one
  // segment) at a time.
  static std::vector<std::vector<uint8_t>> Fetches(const Log& log) {
    std::vector<std::vector<uint8_t>> fetches;
    Offset next = log.LogStartOffset();
    while (next < log.LogEndOffset()) {
      auto read = log.Read(next, 1 << 20, log.LogEndOffset(), true);
      EXPECT_TRUE(read.ok()) << read.status().ToString();
      if (!read.ok() || read->records.empty()) break;
      auto batches = kafka::SplitRecordBatches(read->records);
      next = Offset(kafka::ParseRecordBatchHeader(batches->back())->last_offset() + 1);
      fetches.push_back(std::move(read->records));
    }
    return fetches;
  }
};

TEST_F(LogEpochTest, ANewLogHasNoEpochsAndWritesNoCheckpoint) {
  auto log = OpenLog(SmallConfig());
  EXPECT_EQ(log->LatestEpoch(), std::nullopt);
  EXPECT_EQ(log->EndOffsetForEpoch(0), std::make_pair(-1, Offset(-1)));
  EXPECT_FALSE(std::filesystem::exists(dir() / kLeaderEpochCheckpointFile));
}

TEST_F(LogEpochTest, AppendRecordsEachNewLeaderEpochAtItsFirstOffset) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 2);  // 0..3
  AppendIn(*log, 4, 1);  // 4..5
  AppendIn(*log, 4, 1);  // 6..7
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {4, 4}}));
  EXPECT_EQ(log->LatestEpoch(), 4);
  EXPECT_EQ(EpochFileText(dir()), "0\n2\n1 0\n4 4\n");
}

TEST_F(LogEpochTest, EndOffsetForEpochWithGapsBetweenEpochs) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 2);  // 0..3
  AppendIn(*log, 4, 2);  // 4..7
  AppendIn(*log, 6, 1);  // 8..9
  EXPECT_EQ(log->EndOffsetForEpoch(1), std::make_pair(1, Offset(4)));
  EXPECT_EQ(log->EndOffsetForEpoch(2), std::make_pair(1, Offset(4)));  // never led: epoch 1's end
  EXPECT_EQ(log->EndOffsetForEpoch(3), std::make_pair(1, Offset(4)));
  EXPECT_EQ(log->EndOffsetForEpoch(4), std::make_pair(4, Offset(8)));
  EXPECT_EQ(log->EndOffsetForEpoch(5), std::make_pair(4, Offset(8)));
  EXPECT_EQ(log->EndOffsetForEpoch(6), std::make_pair(6, Offset(10)));  // latest: the LEO
  EXPECT_EQ(log->EndOffsetForEpoch(7), std::make_pair(-1, Offset(-1)));
  EXPECT_EQ(log->EndOffsetForEpoch(0), std::make_pair(0, Offset(0)));  // before the first
  EXPECT_EQ(log->EndOffsetForEpoch(-1), std::make_pair(-1, Offset(-1)));
}

TEST_F(LogEpochTest, BeginLeaderEpochRecordsTheEpochAtTheLogEnd) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 2);  // 0..3
  ASSERT_TRUE(log->BeginLeaderEpoch(3).ok());
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {3, 4}}));
  // A follower of epoch 1 or 2 learns where epoch 1 ended before the new leader writes.
  EXPECT_EQ(log->EndOffsetForEpoch(2), std::make_pair(1, Offset(4)));
  EXPECT_EQ(log->EndOffsetForEpoch(3), std::make_pair(3, Offset(4)));
  AppendIn(*log, 3, 1);  // the epoch is already recorded: no new entry
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {3, 4}}));
  EXPECT_EQ(log->BeginLeaderEpoch(-1).code(), Status::Code::kInvalidArgument);
}

TEST_F(LogEpochTest, FollowerAppendKeepsOffsetsEpochsAndTimestamps) {
  LogConfig leader_config = SmallConfig();
  leader_config.message_timestamp_type = TimestampType::kLogAppendTime;
  auto leader = OpenLog(leader_config);
  AppendIn(*leader, 1, 10);
  AppendIn(*leader, 3, 10);
  ASSERT_GE(leader->NumSegments(), 2u);
  auto follower = OpenFollower(SmallConfig());  // CreateTime: nothing must be re-stamped
  std::vector<uint8_t> leader_bytes;
  for (const auto& fetched : Fetches(*leader)) {
    const Offset expected_first(kafka::ParseRecordBatchHeader(fetched)->base_offset);
    auto info = follower->AppendAsFollower(fetched, kNow + 60'000);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->first_offset, expected_first);
    EXPECT_EQ(info->last_offset + 1, follower->LogEndOffset());
    EXPECT_EQ(info->log_append_time, TimestampMs(-1));
    leader_bytes.insert(leader_bytes.end(), fetched.begin(), fetched.end());
  }
  EXPECT_EQ(follower->LogEndOffset(), leader->LogEndOffset());
  EXPECT_EQ(follower->HighWatermark(), Offset(0));  // the replication layer moves it
  EXPECT_EQ(follower->LeaderEpochEntries(), leader->LeaderEpochEntries());
  EXPECT_EQ(follower->LeaderEpochEntries(), Epochs({{1, 0}, {3, 20}}));
  std::vector<uint8_t> follower_bytes;
  for (const auto& fetched : Fetches(*follower)) {
    follower_bytes.insert(follower_bytes.end(), fetched.begin(), fetched.end());
  }
  EXPECT_EQ(follower_bytes, leader_bytes);  // byte for byte, LogAppendTime stamps included
}

TEST_F(LogEpochTest, FollowerAppendRecordsTheEpochOfEachBatch) {
  auto follower = OpenFollower(SmallConfig());
  auto info =
      follower->AppendAsFollower(Concat({LeaderBatch(0, 1), LeaderBatch(2, 1), LeaderBatch(4, 3),
                                         LeaderBatch(6, -1), LeaderBatch(8, 5)}),
                                 kNow);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->first_offset, Offset(0));
  EXPECT_EQ(info->last_offset, Offset(9));
  // A batch without an epoch (-1) adds nothing.
  EXPECT_EQ(follower->LeaderEpochEntries(), Epochs({{1, 0}, {3, 4}, {5, 8}}));
}

TEST_F(LogEpochTest, FollowerAppendBelowTheLogEndIsInvalidArgument) {
  auto follower = OpenFollower(SmallConfig());
  ASSERT_TRUE(follower->AppendAsFollower(LeaderBatch(0, 1), kNow).ok());
  EXPECT_EQ(follower->AppendAsFollower(LeaderBatch(1, 1), kNow).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(follower->AppendAsFollower(LeaderBatch(0, 1), kNow).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(follower->LogEndOffset(), Offset(2));
}

TEST_F(LogEpochTest, FollowerAppendAcceptsAGapFromACompactedLeader) {
  auto follower = OpenFollower(SmallConfig());
  ASSERT_TRUE(follower->AppendAsFollower(LeaderBatch(0, 1), kNow).ok());
  ASSERT_TRUE(follower->AppendAsFollower(LeaderBatch(10, 1), kNow).ok());
  EXPECT_EQ(follower->LogEndOffset(), Offset(12));
  // A read inside the gap returns the next batch.
  auto read = follower->Read(Offset(5), 1 << 20, follower->LogEndOffset(), true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(kafka::ParseRecordBatchHeader(read->records)->base_offset, 10);
}

TEST_F(LogEpochTest, FollowerAppendRejectsBatchesWhoseOffsetsDoNotIncrease) {
  auto follower = OpenFollower(SmallConfig());
  EXPECT_EQ(follower->AppendAsFollower(Concat({LeaderBatch(0, 1), LeaderBatch(1, 1)}), kNow)
                .status()
                .code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(follower->LogEndOffset(), Offset(0));
}

TEST_F(LogEpochTest, FollowerAppendRollsAtTheFirstOffsetOfTheAppend) {
  auto follower = OpenFollower(SmallConfig());  // 4 KiB segments
  int64_t next = 0;
  while (follower->SizeInBytes() < 3000) {
    ASSERT_TRUE(follower->AppendAsFollower(LeaderBatch(next, 1), kNow).ok());
    next += 2;
  }
  ASSERT_EQ(follower->NumSegments(), 1u);
  const int64_t gap_base = next + 1000;
  ASSERT_TRUE(follower->AppendAsFollower(LeaderBatch(gap_base, 2, 2, 1000), kNow).ok());
  EXPECT_EQ(follower->NumSegments(), 2u);
  EXPECT_EQ(follower->ActiveSegmentBaseOffset(), Offset(gap_base));
  EXPECT_EQ(follower->LogEndOffset(), Offset(gap_base + 2));
}

TEST_F(LogEpochTest, FollowerAppendChecksTheCrcAndFraming) {
  auto follower = OpenFollower(SmallConfig());
  std::vector<uint8_t> damaged = LeaderBatch(0, 1);
  damaged[damaged.size() - 3] ^= 0xff;
  EXPECT_EQ(follower->AppendAsFollower(damaged, kNow).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(follower->AppendAsFollower({}, kNow).status().code(), Status::Code::kInvalidArgument);
  std::vector<uint8_t> old_magic = LeaderBatch(0, 1);
  old_magic[kafka::batch_offsets::kMagic] = 1;
  EXPECT_EQ(follower->AppendAsFollower(old_magic, kNow).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(follower->LogEndOffset(), Offset(0));
  EXPECT_TRUE(follower->LeaderEpochEntries().empty());
}

TEST_F(LogEpochTest, FollowerAppendIgnoresATrailingPartialBatch) {
  auto follower = OpenFollower(SmallConfig());
  std::vector<uint8_t> second = LeaderBatch(2, 1);
  second.resize(second.size() / 2);  // the leader cut it at the fetch size
  auto info = follower->AppendAsFollower(Concat({LeaderBatch(0, 1), second}), kNow);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->last_offset, Offset(1));
  EXPECT_EQ(follower->LogEndOffset(), Offset(2));
  EXPECT_EQ(follower->AppendAsFollower(second, kNow).status().code(),
            Status::Code::kInvalidArgument);  // nothing complete to append
}

TEST_F(LogEpochTest, TruncateToDropsTheEpochsOfTheRemovedRecords) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 2);  // 0..3
  AppendIn(*log, 2, 2);  // 4..7
  AppendIn(*log, 3, 2);  // 8..11
  ASSERT_TRUE(log->TruncateTo(Offset(6), kNow).ok());
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {2, 4}}));
  ASSERT_TRUE(log->TruncateTo(Offset(4), kNow).ok());
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}}));
  EXPECT_EQ(EpochFileText(dir()), "0\n1\n1 0\n");
  // The follower then continues with the new leader's epoch.
  ASSERT_TRUE(log->AppendAsFollower(LeaderBatch(4, 5), kNow).ok());
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {5, 4}}));
}

TEST_F(LogEpochTest, TruncateBelowTheFirstSegmentClearsTheEpochs) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 20);
  AppendIn(*log, 2, 20);
  log->SetHighWatermark(log->LogEndOffset());
  ASSERT_TRUE(log->DeleteRecordsBefore(Offset(60), kNow).ok());
  ASSERT_GT(log->ActiveSegmentBaseOffset(), Offset(1));
  Offset first_base = log->LogStartOffset();
  ASSERT_TRUE(log->TruncateTo(Offset(1), kNow).ok());
  EXPECT_LT(Offset(1), first_base);
  EXPECT_EQ(log->LogEndOffset(), Offset(1));
  EXPECT_TRUE(log->LeaderEpochEntries().empty());
  EXPECT_EQ(EpochFileText(dir()), "0\n0\n");
}

TEST_F(LogEpochTest, TruncateFullyAndStartAtRestartsTheLogAnywhere) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 20);  // 0..39, several segments
  log->SetHighWatermark(Offset(30));
  // At the base of the existing first segment: it must not clash with the new one.
  ASSERT_TRUE(log->TruncateFullyAndStartAt(Offset(0), kNow).ok());
  EXPECT_EQ(log->NumSegments(), 1u);
  EXPECT_EQ(log->LogEndOffset(), Offset(0));
  EXPECT_EQ(log->HighWatermark(), Offset(0));
  EXPECT_TRUE(log->LeaderEpochEntries().empty());
  // Past the end: a follower behind the leader's log start.
  ASSERT_TRUE(log->TruncateFullyAndStartAt(Offset(5000), kNow).ok());
  EXPECT_EQ(log->LogStartOffset(), Offset(5000));
  EXPECT_EQ(log->LogEndOffset(), Offset(5000));
  EXPECT_EQ(log->RecoveryPoint(), Offset(5000));
  EXPECT_EQ(log->ActiveSegmentBaseOffset(), Offset(5000));
  ASSERT_TRUE(log->AppendAsFollower(LeaderBatch(5000, 7), kNow).ok());
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{7, 5000}}));
  EXPECT_EQ(log->TruncateFullyAndStartAt(Offset(-1), kNow).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(log->Close().ok());
  LogLoadOptions options;
  options.clean_shutdown = true;
  auto reopened = OpenLog(SmallConfig(), options);
  EXPECT_EQ(reopened->LogStartOffset(), Offset(5000));
  EXPECT_EQ(reopened->LogEndOffset(), Offset(5002));
}

TEST_F(LogEpochTest, DeleteRecordsMovesTheFirstEpochUpToTheNewStart) {
  auto log = OpenLog(SmallConfig());
  AppendIn(*log, 1, 10);  // 0..19
  AppendIn(*log, 2, 10);  // 20..39
  AppendIn(*log, 3, 10);  // 40..59
  log->SetHighWatermark(log->LogEndOffset());
  ASSERT_TRUE(log->DeleteRecordsBefore(Offset(33), kNow).ok());
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{2, 33}, {3, 40}}));
  // Older than every remaining epoch: the new start is where the follower must begin.
  EXPECT_EQ(log->EndOffsetForEpoch(1), std::make_pair(1, Offset(33)));
}

TEST_F(LogEpochTest, RetentionDeletingEverythingKeepsTheLatestEpochAtTheEnd) {
  LogConfig config = SmallConfig();
  auto log = OpenLog(config);
  AppendIn(*log, 1, 10);
  AppendIn(*log, 4, 10);
  log->SetHighWatermark(log->LogEndOffset());
  config.retention_ms = 1;  // every record is older than that at kNow
  log->UpdateConfig(config);
  auto deleted = log->ApplyRetention(kNow);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(log->LogStartOffset(), Offset(40));
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{4, 40}}));
  EXPECT_EQ(log->EndOffsetForEpoch(4), std::make_pair(4, Offset(40)));
}

TEST_F(LogEpochTest, TheCheckpointSurvivesACleanReopen) {
  {
    auto log = OpenLog(SmallConfig());
    AppendIn(*log, 1, 10);
    AppendIn(*log, 3, 10);
    ASSERT_TRUE(log->Close().ok());
  }
  LogLoadOptions options;
  options.clean_shutdown = true;
  auto log = OpenLog(SmallConfig(), options);
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {3, 20}}));
  EXPECT_FALSE(log->recovery_stats().leader_epochs_rebuilt);
  EXPECT_EQ(log->LatestEpoch(), 3);
}

TEST_F(LogEpochTest, ACrashThatLosesTheTailDropsTheEpochsOfTheLostRecords) {
  int64_t size_before_epoch_2 = 0;
  {
    auto log = OpenLog(SmallConfig());
    AppendIn(*log, 1, 2);  // 0..3
    ASSERT_TRUE(log->Flush(log->LogEndOffset()).ok());
    size_before_epoch_2 = log->SizeInBytes();
    AppendIn(*log, 2, 1);  // 4..5: its checkpoint entry is durable, its records are not
    ASSERT_EQ(EpochFileText(dir()), "0\n2\n1 0\n2 4\n");
    // Destroyed without Close(): a crash. The page cache loses the last batch.
  }
  std::filesystem::resize_file(dir() / "00000000000000000000.log",
                               static_cast<uintmax_t>(size_before_epoch_2));
  LogLoadOptions options;
  options.recovery_point = Offset(4);
  auto log = OpenLog(SmallConfig(), options);
  EXPECT_EQ(log->LogEndOffset(), Offset(4));
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}}));
  EXPECT_EQ(EpochFileText(dir()), "0\n1\n1 0\n");
  EXPECT_EQ(log->EndOffsetForEpoch(1), std::make_pair(1, Offset(4)));
}

TEST_F(LogEpochTest, ACrashBeforeTheCheckpointWriteIsRepairedFromTheRecoveredBatches) {
  {
    auto log = OpenLog(SmallConfig());
    AppendIn(*log, 1, 2);  // 0..3
    AppendIn(*log, 2, 2);  // 4..7
    AppendIn(*log, 3, 1);  // 8..9
  }
  // The checkpoint as it was before epochs 2 and 3 were recorded.
  std::string stale = "0\n1\n1 0\n";
  testing::WriteFileBytes(dir() / kLeaderEpochCheckpointFile,
                          std::vector<uint8_t>(stale.begin(), stale.end()));
  LogLoadOptions options;
  options.recovery_point = Offset(2);  // everything after it is re-validated and re-scanned
  auto log = OpenLog(SmallConfig(), options);
  EXPECT_EQ(log->LogEndOffset(), Offset(10));
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {2, 4}, {3, 8}}));
  EXPECT_FALSE(log->recovery_stats().leader_epochs_rebuilt);
  EXPECT_EQ(EpochFileText(dir()), "0\n3\n1 0\n2 4\n3 8\n");
}

TEST_F(LogEpochTest, AMissingOrUnreadableCheckpointIsRebuiltFromBatchHeaders) {
  {
    auto log = OpenLog(SmallConfig());
    AppendIn(*log, 1, 10);
    AppendIn(*log, 4, 10);
    AppendIn(*log, 9, 1);
    ASSERT_TRUE(log->Close().ok());
  }
  LogLoadOptions clean;
  clean.clean_shutdown = true;
  for (const std::string& replacement : {std::string(), std::string("0\n2\n1\n")}) {
    std::filesystem::remove(dir() / kLeaderEpochCheckpointFile);
    if (!replacement.empty()) {
      testing::WriteFileBytes(dir() / kLeaderEpochCheckpointFile,
                              std::vector<uint8_t>(replacement.begin(), replacement.end()));
    }
    auto log = OpenLog(SmallConfig(), clean);
    EXPECT_TRUE(log->recovery_stats().leader_epochs_rebuilt);
    EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{1, 0}, {4, 20}, {9, 40}}));
    EXPECT_EQ(EpochFileText(dir()), "0\n3\n1 0\n4 20\n9 40\n");
    ASSERT_TRUE(log->Close().ok());
  }
}

TEST_F(LogEpochTest, ARebuildKeepsOnlyEpochsAtOrAfterTheLogStart) {
  {
    auto log = OpenLog(SmallConfig());
    AppendIn(*log, 1, 10);  // 0..19
    AppendIn(*log, 2, 10);  // 20..39
    log->SetHighWatermark(log->LogEndOffset());
    ASSERT_TRUE(log->DeleteRecordsBefore(Offset(25), kNow).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  std::filesystem::remove(dir() / kLeaderEpochCheckpointFile);
  LogLoadOptions options;
  options.clean_shutdown = true;
  options.log_start_offset = Offset(25);
  auto log = OpenLog(SmallConfig(), options);
  EXPECT_EQ(log->LeaderEpochEntries(), Epochs({{2, 25}}));
}

// ---- Failures and concurrency ---------------------------------------------------------------

// Lowers RLIMIT_FSIZE so that writing past `bytes` in any file fails with EFBIG (SIGXFSZ is
// ignored so the kernel reports the error instead of killing the process).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    struct rlimit limited = old_;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  struct rlimit old_;
  sighandler_t old_handler_;
};

TEST_F(LogTest, DiskFullIsIoErrorAndLeavesTheLogAsItWas) {
  LogConfig config = SmallConfig();
  config.segment_bytes = 1 << 20;
  auto log = OpenLog(config);
  for (int i = 0; i < 5; ++i) MustAppend(*log, MakeBatch(2, 1000, 100));
  const int64_t size_before = log->SizeInBytes();
  const Offset end_before = log->LogEndOffset();
  {
    // The next batch fits partly: the write is cut short, then fails with EFBIG.
    FileSizeLimit limit(static_cast<rlim_t>(size_before + 50));
    auto failed = log->Append(MakeBatch(2, 1000, 100), kEpoch, kNow);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), Status::Code::kIoError) << failed.status().ToString();
  }
  EXPECT_FALSE(log->offline());
  EXPECT_EQ(log->LogEndOffset(), end_before);
  EXPECT_EQ(log->SizeInBytes(), size_before);
  EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(dir() / "00000000000000000000.log")),
            size_before);
  // With space again, appends continue at the same offset, and nothing torn is left behind.
  EXPECT_EQ(MustAppend(*log, MakeBatch(2, 1000, 100)).first_offset, end_before);
  log.reset();  // no Close: an unclean shutdown, full recovery on open
  auto reopened = OpenLog(config);
  EXPECT_EQ(reopened->LogEndOffset(), end_before + 2);
  EXPECT_EQ(ReadAllHeaders(*reopened, Offset(0)).size(), 6u);
}

TEST_F(LogTest, DiskFullDuringARollIsIoErrorAndTheRollIsRetriedLater) {
  auto log = OpenLog(SmallConfig());  // 4 KiB segments, 1 KiB preallocated indexes
  const std::vector<uint8_t> small = MakeBatch(2, 1000, 100);
  const std::vector<uint8_t> big = MakeBatch(2, 1000, 1500);
  while (log->NumSegments() == 1) MustAppend(*log, small);
  const int64_t first_segment = log->SizeInBytes() - static_cast<int64_t>(small.size());
  auto active_size = [&] { return log->SizeInBytes() - first_segment; };
  while (active_size() + static_cast<int64_t>(big.size()) <= 4096) {
    MustAppend(*log, small);
  }
  ASSERT_EQ(log->NumSegments(), 2u);
  const Offset end = log->LogEndOffset();
  {
    // Creating the next segment's index (preallocated to 1 KiB) now fails with EFBIG.
    FileSizeLimit limit(1000);
    auto failed = log->Append(big, kEpoch, kNow);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), Status::Code::kIoError) << failed.status().ToString();
  }
  EXPECT_FALSE(log->offline());
  EXPECT_EQ(log->LogEndOffset(), end);
  EXPECT_EQ(log->NumSegments(), 2u);
  EXPECT_EQ(MustAppend(*log, big).first_offset, end);
  EXPECT_EQ(log->NumSegments(), 3u);
  EXPECT_EQ(log->ActiveSegmentBaseOffset(), end);
}

TEST_F(LogTest, ConcurrentAppendsAndReadsSeeOnlyWholeContiguousBatches) {
  LogConfig config = SmallConfig();
  config.segment_bytes = 64 * 1024;
  auto log = OpenLog(config);
  constexpr int kBatches = 2000;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    Offset next(0);
    while (!done.load() || next < log->HighWatermark()) {
      auto read = log->Read(next, 8192, log->HighWatermark(), true);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      if (read->records.empty()) continue;
      auto batches = kafka::SplitRecordBatches(read->records);
      ASSERT_TRUE(batches.ok());
      size_t total = 0;
      for (auto batch : *batches) {
        ASSERT_TRUE(kafka::ValidateRecordBatch(batch).ok());
        auto header = kafka::ParseRecordBatchHeader(batch);
        ASSERT_EQ(header->base_offset, next.value());
        next = Offset(header->last_offset() + 1);
        total += batch.size();
      }
      ASSERT_EQ(total, read->records.size());
      reads++;
    }
    EXPECT_EQ(next, Offset(3 * kBatches));
  });
  std::thread flusher([&] {
    while (!done.load()) ASSERT_TRUE(log->Flush(log->LogEndOffset()).ok());
  });
  for (int i = 0; i < kBatches; ++i) {
    auto info = log->Append(MakeBatch(3, 1000 + i, 20), kEpoch, kNow);
    ASSERT_TRUE(info.ok());
    log->SetHighWatermark(info->last_offset + 1);
  }
  done = true;
  reader.join();
  flusher.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_GT(log->NumSegments(), 1u);
}

}  // namespace
}  // namespace sluice::storage

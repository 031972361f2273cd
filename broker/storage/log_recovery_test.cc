#include "broker/storage/log_recovery.h"

#include <gtest/gtest.h>

#include "broker/storage/file_names.h"
#include "broker/storage/log.h"
#include "broker/storage/log_segment.h"
#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::ListDir;
using testing::MakeBatch;
using testing::ReadFileBytes;
using testing::SmallConfig;
using testing::TempDir;
using testing::WriteFileBytes;

const TimestampMs kNow(1'700'000'000'000);

// Each test writes 40 batches of 2 records (offsets 0..79) over several 4 KiB segments, then
// damages the files and loads them again.
class LogRecoveryTest : public ::testing::Test {
 protected:
  void WriteLog(bool close_cleanly) {
    auto log = Log::Open(dir(), {"t", PartitionId(0)}, SmallConfig(), {});
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 40; ++i) {
      batch_sizes_.push_back(MakeBatch(2, 1000 + i, 100).size());
      ASSERT_TRUE((*log)->Append(MakeBatch(2, 1000 + i, 100), LeaderEpoch(0), kNow).ok());
    }
    bases_.clear();
    for (const auto& name : ListDir(dir())) {
      if (auto parsed = ParseSegmentFileName(name);
          parsed && parsed->kind == SegmentFileKind::kLog) {
        bases_.push_back(parsed->base_offset);
      }
    }
    ASSERT_GE(bases_.size(), 3u);
    if (close_cleanly) {
      ASSERT_TRUE((*log)->Close().ok());
    }
    // Otherwise the Log is just dropped: no flush, no trim (what a crash leaves behind).
  }

  Result<LoadedLog> Load(bool clean_shutdown, Offset recovery_point = Offset(0),
                         Offset log_start = Offset(0)) {
    LogLoadOptions options;
    options.clean_shutdown = clean_shutdown;
    options.recovery_point = recovery_point;
    options.log_start_offset = log_start;
    options.now = kNow;
    return LoadLogSegments(dir(), SmallConfig(), options);
  }

  std::filesystem::path SegmentPath(Offset base, SegmentFileKind kind) {
    return SegmentFilePath(dir(), base, kind);
  }
  // Flips a byte inside the records of the `n`th batch of segment `base` (breaking its CRC).
  void CorruptBatch(Offset base, int n) {
    auto path = SegmentPath(base, SegmentFileKind::kLog);
    std::vector<uint8_t> bytes = ReadFileBytes(path);
    size_t position = 0;
    for (int i = 0; i < n; ++i) {
      position += kafka::ParseRecordBatchHeader(std::span(bytes).subspan(position))->total_size();
    }
    bytes[position + kafka::kRecordBatchOverhead + 5] ^= 0x5A;
    WriteFileBytes(path, bytes);
  }
  std::filesystem::path dir() const { return tmp_.path() / "t-0"; }

  TempDir tmp_;
  std::vector<Offset> bases_;
  std::vector<size_t> batch_sizes_;
};

TEST_F(LogRecoveryTest, IntactLogRecoversWithoutLoss) {
  WriteLog(/*close_cleanly=*/false);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->log_end_offset, Offset(80));
  EXPECT_EQ(loaded->stats.bytes_truncated, 0);
  EXPECT_EQ(loaded->stats.segments_recovered, static_cast<int>(bases_.size()));
  EXPECT_EQ(loaded->segments.size(), bases_.size());
}

TEST_F(LogRecoveryTest, TruncatedTailPartialBatchIsCutOff) {
  WriteLog(false);
  auto path = SegmentPath(bases_.back(), SegmentFileKind::kLog);
  uintmax_t size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 10);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, Offset(78));
  EXPECT_EQ(loaded->stats.bytes_truncated, static_cast<int64_t>(batch_sizes_.back() - 10));
  EXPECT_EQ(std::filesystem::file_size(path), size - batch_sizes_.back());
}

TEST_F(LogRecoveryTest, TornHeaderIsCutOff) {
  WriteLog(false);
  auto path = SegmentPath(bases_.back(), SegmentFileKind::kLog);
  std::vector<uint8_t> bytes = ReadFileBytes(path);
  bytes.insert(bytes.end(), {0, 0, 0, 0, 0, 0, 0, 80, 0, 0});  // 10 bytes of a next header
  WriteFileBytes(path, bytes);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, Offset(80));
  EXPECT_EQ(loaded->stats.bytes_truncated, 10);
}

TEST_F(LogRecoveryTest, ZeroFilledTailIsCutOff) {
  WriteLog(false);
  auto path = SegmentPath(bases_.back(), SegmentFileKind::kLog);
  uintmax_t size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size + 4096);  // e.g. blocks allocated, data never written
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, Offset(80));
  EXPECT_EQ(std::filesystem::file_size(path), size);
}

TEST_F(LogRecoveryTest, CorruptCrcInTheMiddleOfTheLastSegmentTruncatesThere) {
  WriteLog(false);
  Offset last_base = bases_.back();
  int batches_in_last = static_cast<int>((80 - last_base.value()) / 2);
  ASSERT_GE(batches_in_last, 3);
  int middle = batches_in_last / 2;
  CorruptBatch(last_base, middle);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, last_base + 2 * middle);
  EXPECT_GT(loaded->stats.bytes_truncated, 0);
}

TEST_F(LogRecoveryTest, CorruptionInAnEarlierSegmentDropsEverySegmentAfterIt) {
  WriteLog(false);
  CorruptBatch(bases_[1], 1);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, bases_[1] + 2);
  EXPECT_EQ(loaded->segments.size(), 2u);
  EXPECT_EQ(loaded->stats.segments_deleted, static_cast<int>(bases_.size()) - 2);
  EXPECT_FALSE(std::filesystem::exists(SegmentPath(bases_.back(), SegmentFileKind::kLog)));
}

TEST_F(LogRecoveryTest, OffsetsThatGoBackwardsAreCorruption) {
  WriteLog(false);
  // Rewrite the last batch's base offset to repeat an earlier one (the CRC does not cover it).
  auto path = SegmentPath(bases_.back(), SegmentFileKind::kLog);
  std::vector<uint8_t> bytes = ReadFileBytes(path);
  size_t last = bytes.size() - batch_sizes_.back();
  kafka::SetBaseOffset(std::span(bytes).subspan(last), bases_.back().value());
  WriteFileBytes(path, bytes);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, Offset(78));
}

TEST_F(LogRecoveryTest, RecoveryPointLimitsTheScanToLaterSegments) {
  WriteLog(false);
  CorruptBatch(bases_[0], 1);  // below the recovery point: not scanned
  auto loaded = Load(false, /*recovery_point=*/bases_.back());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->stats.segments_recovered, 1);
  EXPECT_EQ(loaded->log_end_offset, Offset(80));
}

TEST_F(LogRecoveryTest, CleanShutdownSkipsTheScan) {
  WriteLog(/*close_cleanly=*/true);
  CorruptBatch(bases_.back(), 1);
  auto loaded = Load(/*clean_shutdown=*/true);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->stats.segments_recovered, 0);
  EXPECT_EQ(loaded->stats.bytes_truncated, 0);
  EXPECT_EQ(loaded->log_end_offset, Offset(80));
  EXPECT_EQ(loaded->recovery_point, Offset(80));
}

TEST_F(LogRecoveryTest, SameDamageWithoutTheCleanMarkerIsFound) {
  WriteLog(true);
  CorruptBatch(bases_.back(), 1);
  auto loaded = Load(/*clean_shutdown=*/false, /*recovery_point=*/Offset(0));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->log_end_offset, bases_.back() + 2);
}

TEST_F(LogRecoveryTest, GarbageIndexIsRebuiltIdentically) {
  WriteLog(true);
  auto index_path = SegmentPath(bases_[0], SegmentFileKind::kOffsetIndex);
  std::vector<uint8_t> good = ReadFileBytes(index_path);
  ASSERT_FALSE(good.empty());
  std::vector<uint8_t> garbage(good.size());
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 131 + 7);
  WriteFileBytes(index_path, garbage);
  {
    auto loaded = Load(true);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->stats.segments_recovered, 1);
    EXPECT_EQ(loaded->log_end_offset, Offset(80));
  }
  EXPECT_EQ(ReadFileBytes(index_path), good);
}

TEST_F(LogRecoveryTest, GarbageTimeIndexIsRebuilt) {
  WriteLog(true);
  auto path = SegmentPath(bases_[1], SegmentFileKind::kTimeIndex);
  std::vector<uint8_t> good = ReadFileBytes(path);
  WriteFileBytes(path, std::vector<uint8_t>(good.size() + 5, 0xEE));
  {
    auto loaded = Load(true);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->stats.segments_recovered, 1);
  }
  EXPECT_EQ(ReadFileBytes(path), good);
}

TEST_F(LogRecoveryTest, MissingIndexIsRebuilt) {
  WriteLog(true);
  auto index_path = SegmentPath(bases_[0], SegmentFileKind::kOffsetIndex);
  std::vector<uint8_t> good = ReadFileBytes(index_path);
  std::filesystem::remove(index_path);
  {
    auto loaded = Load(true);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->stats.segments_recovered, 1);
  }
  EXPECT_EQ(ReadFileBytes(index_path), good);
}

TEST_F(LogRecoveryTest, ReadsWorkAfterAnIndexRebuild) {
  WriteLog(true);
  WriteFileBytes(SegmentPath(bases_[0], SegmentFileKind::kOffsetIndex), {1, 2, 3});
  LogLoadOptions options;
  options.clean_shutdown = true;
  auto log = Log::Open(dir(), {"t", PartitionId(0)}, SmallConfig(), options);
  ASSERT_TRUE(log.ok());
  auto read = (*log)->Read(Offset(9), 1 << 20, Offset(80), true);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(kafka::ParseRecordBatchHeader(read->records)->base_offset, 8);
}

// A .log.swap is not stray: it is completed (log_cleaner_test.cc covers that).
TEST_F(LogRecoveryTest, StrayFilesAreRemovedAndOthersKept) {
  WriteLog(true);
  for (const char* name : {"00000000000000000000.log.deleted", "00000000000000000000.index.deleted",
                           "00000000000000000004.log.cleaned", "00000000000000000004.index.swap",
                           "00000000000000099999.index", "00000000000000099999.timeindex"}) {
    WriteFileBytes(dir() / name, {1, 2, 3});
  }
  WriteFileBytes(dir() / "leader-epoch-checkpoint", {'0', '\n', '0', '\n'});
  ASSERT_TRUE(Load(true).ok());
  for (const auto& name : ListDir(dir())) {
    EXPECT_FALSE(name.ends_with(".deleted") || name.ends_with(".cleaned") ||
                 name.ends_with(".swap") || name.starts_with("00000000000000099999"))
        << name;
  }
  EXPECT_TRUE(std::filesystem::exists(dir() / "leader-epoch-checkpoint"));
}

TEST_F(LogRecoveryTest, EmptyDirectoryStartsAtTheLogStartOffset) {
  std::filesystem::create_directories(dir());
  auto loaded = Load(false, Offset(0), /*log_start=*/Offset(42));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->segments.size(), 1u);
  EXPECT_EQ(loaded->segments.begin()->first, Offset(42));
  EXPECT_EQ(loaded->log_start_offset, Offset(42));
  EXPECT_EQ(loaded->log_end_offset, Offset(42));
  EXPECT_TRUE(std::filesystem::exists(dir() / "00000000000000000042.log"));
}

TEST_F(LogRecoveryTest, LogStartOffsetIsTheCheckpointOrTheFirstSegment) {
  WriteLog(true);
  EXPECT_EQ(Load(true, Offset(0), Offset(7))->log_start_offset, Offset(7));
  std::filesystem::remove(SegmentPath(bases_[0], SegmentFileKind::kLog));
  EXPECT_EQ(Load(true, Offset(0), Offset(7))->log_start_offset, bases_[1]);
}

TEST_F(LogRecoveryTest, ActiveSegmentIndexesRegrowAndOthersAreTrimmed) {
  WriteLog(false);
  auto loaded = Load(false);
  ASSERT_TRUE(loaded.ok());
  auto first_index = SegmentPath(bases_[0], SegmentFileKind::kOffsetIndex);
  EXPECT_EQ(std::filesystem::file_size(first_index),
            loaded->segments.begin()->second->offset_index().entries() * 8);
  EXPECT_EQ(std::filesystem::file_size(SegmentPath(bases_.back(), SegmentFileKind::kOffsetIndex)),
            1024u);
}

}  // namespace
}  // namespace sluice::storage

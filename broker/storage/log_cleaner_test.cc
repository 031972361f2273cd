// Compaction end to end on real files: LogCleaner passes over Logs (log_cleaner.h), the
// compactor's record rules (log_compactor.h), swaps and their crash recovery (log_recovery.h).
#include "broker/storage/log_cleaner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "broker/storage/checkpoint_file.h"
#include "broker/storage/file_names.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/test_util.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {
namespace {

using testing::ListDir;
using testing::ReadFileBytes;
using testing::SmallConfig;
using testing::TempDir;
using testing::WriteFileBytes;

const TimestampMs kNow(1'700'000'000'000);
const TopicPartition kTp{"t", PartitionId(0)};

// One record: a key and a value, nullopt for a tombstone.
struct Update {
  std::string key;
  std::optional<std::string> value;
};

std::vector<uint8_t> KeyedBatch(const std::vector<Update>& updates, int64_t timestamp,
                                kafka::Compression compression = kafka::Compression::kNone,
                                int64_t producer_id = -1, int32_t base_sequence = -1) {
  std::vector<kafka::Record> records;
  for (const Update& u : updates) {
    kafka::Record r;
    r.timestamp = timestamp;
    r.key = u.key;
    r.value = u.value;
    r.headers.push_back({"h", u.key});
    records.push_back(std::move(r));
  }
  kafka::RecordBatchBuilderOptions options;
  options.compression = compression;
  options.producer_id = producer_id;
  options.producer_epoch = producer_id >= 0 ? 0 : -1;
  options.base_sequence = base_sequence;
  auto batch = kafka::BuildRecordBatch(records, options);
  EXPECT_TRUE(batch.ok());
  return batch.ok() ? *batch : std::vector<uint8_t>{};
}

LogConfig CompactConfig() {
  LogConfig config = SmallConfig();
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  config.min_cleanable_dirty_ratio = 0.0001;
  return config;
}

void SetMtime(const std::filesystem::path& path, TimestampMs mtime) {
  auto sys = std::chrono::system_clock::time_point(std::chrono::milliseconds(mtime.value()));
  std::filesystem::last_write_time(path, std::chrono::file_clock::from_sys(sys));
}

class LogCleanerTest : public ::testing::Test {
 protected:
  std::filesystem::path dir() const { return tmp_.path() / "t-0"; }

  void OpenLog(const LogConfig& config, LogLoadOptions options = {}) {
    auto log = Log::Open(dir(), kTp, config, options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::shared_ptr<Log>(std::move(*log));
  }

  Offset Append(const std::vector<uint8_t>& batch, TimestampMs now = kNow) {
    auto info = log_->Append(batch, LeaderEpoch(1), now);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    log_->SetHighWatermark(log_->LogEndOffset());
    return info.ok() ? info->first_offset : Offset(-1);
  }
  Offset Put(const std::string& key, std::optional<std::string> value, int64_t ts = 1000) {
    return Append(KeyedBatch({{key, std::move(value)}}, ts));
  }

  LogCleaner& Cleaner() {
    if (!cleaner_) {
      LogCleanerConfig config;
      config.dedupe_buffer_bytes = 1 << 20;
      cleaner_ = std::make_unique<LogCleaner>(
          std::vector<std::filesystem::path>{tmp_.path()},
          [this] { return std::vector<std::shared_ptr<Log>>{log_}; }, config);
    }
    return *cleaner_;
  }
  CleanerPassResult Pass(TimestampMs now = kNow) {
    CleanerPassResult pass = Cleaner().RunPass(now);
    for (const Status& st : pass.errors) ADD_FAILURE() << st.ToString();
    return pass;
  }

  // Every record from the log start to the end, checking that batches are valid and offsets
  // strictly increase.
  std::vector<kafka::Record> ReadAll() {
    std::vector<kafka::Record> out;
    Offset position = log_->LogStartOffset();
    int64_t previous = -1;
    while (position < log_->LogEndOffset()) {
      auto read = log_->Read(position, 1 << 20, log_->LogEndOffset(), true);
      EXPECT_TRUE(read.ok()) << read.status().ToString();
      if (!read.ok() || read->records.empty()) break;
      auto batches = kafka::SplitRecordBatches(read->records);
      EXPECT_TRUE(batches.ok());
      for (auto batch : *batches) {
        EXPECT_TRUE(kafka::ValidateRecordBatch(batch, kafka::OffsetDeltaCheck::kIncreasing).ok());
        auto header = kafka::ParseRecordBatchHeader(batch);
        auto records = kafka::DecodeRecords(batch);
        EXPECT_TRUE(records.ok()) << records.status().ToString();
        for (auto& r : *records) {
          EXPECT_GT(r.offset, previous);
          previous = r.offset;
          out.push_back(std::move(r));
        }
        position = Offset(header->last_offset() + 1);
      }
    }
    return out;
  }

  static std::map<std::string, std::optional<std::string>> LatestByKey(
      const std::vector<kafka::Record>& records) {
    std::map<std::string, std::optional<std::string>> latest;
    for (const auto& r : records) latest[*r.key] = r.value;
    return latest;
  }

  std::vector<Offset> SegmentBases() {
    std::vector<Offset> bases;
    for (const auto& name : ListDir(dir())) {
      auto parsed = ParseSegmentFileName(name);
      if (parsed && parsed->kind == SegmentFileKind::kLog && parsed->transient_suffix.empty()) {
        bases.push_back(parsed->base_offset);
      }
    }
    return bases;
  }

  TempDir tmp_;
  std::shared_ptr<Log> log_;
  std::unique_ptr<LogCleaner> cleaner_;
};

TEST_F(LogCleanerTest, ManyUpdatesPerKeyShrinkToOneRecordPerKey) {
  OpenLog(CompactConfig());
  std::map<std::string, std::optional<std::string>> expected;
  for (int round = 0; round < 30; ++round) {
    for (int k = 0; k < 10; ++k) {
      std::string key = "key" + std::to_string(k);
      std::string value = "value-" + std::to_string(round) + "-" + std::string(40, 'x');
      Put(key, value);
      expected[key] = value;
    }
  }
  const int64_t size_before = log_->SizeInBytes();
  const size_t segments_before = log_->NumSegments();
  const Offset end_before = log_->LogEndOffset();
  const Offset active_base = log_->ActiveSegmentBaseOffset();
  ASSERT_GT(segments_before, 3u);

  CleanerPassResult pass = Pass();
  EXPECT_EQ(pass.logs_compacted, 1);
  EXPECT_LT(log_->SizeInBytes(), size_before / 3);
  EXPECT_EQ(log_->LogEndOffset(), end_before);

  std::vector<kafka::Record> records = ReadAll();
  EXPECT_EQ(LatestByKey(records), expected);
  // Below the active segment, each key appears once.
  std::map<std::string, int> seen;
  for (const auto& r : records) {
    if (Offset(r.offset) < active_base) {
      EXPECT_EQ(++seen[*r.key], 1) << *r.key;
    }
  }
  EXPECT_EQ(Cleaner().CheckpointOf(kTp), active_base);
  // Nothing new is dirty: a second pass does nothing.
  EXPECT_EQ(Pass().logs_compacted, 0);
  // The first pass groups segments by their size before compaction (Kafka's rule), so the
  // now small segments merge on the next compaction.
  for (int k = 0; k < 10; ++k) Put("key" + std::to_string(k), "last" + std::string(300, 'x'));
  for (int k = 0; k < 10; ++k) expected["key" + std::to_string(k)] = "last" + std::string(300, 'x');
  ASSERT_EQ(Pass().logs_compacted, 1);
  EXPECT_LT(log_->NumSegments(), segments_before / 2);
  EXPECT_EQ(LatestByKey(ReadAll()), expected);
}

TEST_F(LogCleanerTest, KeptRecordsKeepTheirOffsetsAndEveryOffsetStaysReadable) {
  OpenLog(CompactConfig());
  std::map<std::string, Offset> latest_offset;
  for (int i = 0; i < 200; ++i) {
    std::string key = "k" + std::to_string(i % 7);
    latest_offset[key] = Put(key, "v" + std::to_string(i) + std::string(30, 'y'));
  }
  std::map<int64_t, std::string> before;
  for (const auto& r : ReadAll()) before[r.offset] = *r.value;
  const Offset active_base = log_->ActiveSegmentBaseOffset();
  Pass();
  std::vector<kafka::Record> after = ReadAll();
  for (const auto& r : after) EXPECT_EQ(before[r.offset], *r.value) << "offset " << r.offset;
  for (const auto& [key, offset] : latest_offset) {
    bool found = false;
    for (const auto& r : after) found |= r.offset == offset.value();
    EXPECT_TRUE(found) << key << " lost its latest record at " << offset;
  }
  // A fetch from any offset returns the first kept record at or after it.
  for (int64_t o = 0; o < active_base.value(); ++o) {
    auto read = log_->Read(Offset(o), 1 << 16, log_->LogEndOffset(), true);
    ASSERT_TRUE(read.ok());
    ASSERT_FALSE(read->records.empty()) << "offset " << o;
    auto records = kafka::DecodeRecords(*kafka::SplitRecordBatches(read->records)->begin());
    ASSERT_TRUE(records.ok());
    int64_t expected = -1;
    for (const auto& r : after) {
      if (r.offset >= o) {
        expected = r.offset;
        break;
      }
    }
    int64_t first_at_or_after = -1;
    for (const auto& r : *records) {
      if (r.offset >= o) {
        first_at_or_after = r.offset;
        break;
      }
    }
    EXPECT_EQ(first_at_or_after, expected) << "fetch at " << o;
  }
}

TEST_F(LogCleanerTest, ActiveSegmentIsNeverTouched) {
  OpenLog(CompactConfig());
  for (int i = 0; i < 150; ++i) Put("same", "v" + std::to_string(i) + std::string(40, 'z'));
  const Offset active_base = log_->ActiveSegmentBaseOffset();
  const auto active_path = SegmentFilePath(dir(), active_base, SegmentFileKind::kLog);
  const std::vector<uint8_t> active_bytes = ReadFileBytes(active_path);
  ASSERT_GT(active_bytes.size(), 0u);
  Pass();
  EXPECT_EQ(ReadFileBytes(active_path), active_bytes);
  EXPECT_EQ(log_->ActiveSegmentBaseOffset(), active_base);
  // Appends continue where they were.
  const Offset end = log_->LogEndOffset();
  EXPECT_EQ(Put("same", "after"), end);
  EXPECT_EQ(LatestByKey(ReadAll())["same"], "after");
}

TEST_F(LogCleanerTest, EveryCodecIsRecompressedWithItsOwnCodec) {
  for (auto codec : {kafka::Compression::kNone, kafka::Compression::kGzip,
                     kafka::Compression::kSnappy, kafka::Compression::kLz4,
                     kafka::Compression::kZstd}) {
    SCOPED_TRACE(static_cast<int>(codec));
    TempDir tmp;
    auto log = Log::Open(tmp.path() / "t-0", kTp, CompactConfig(), {});
    ASSERT_TRUE(log.ok());
    log_ = std::shared_ptr<Log>(std::move(*log));
    cleaner_.reset();
    std::map<std::string, std::optional<std::string>> expected;
    // Each batch: its own key (kept) and a shared one (superseded by the next batch).
    for (int i = 0; i < 60; ++i) {
      std::string own = "own" + std::to_string(i);
      std::string shared = "shared" + std::to_string(i);
      Append(KeyedBatch({{own, own + std::string(50, 'o')}, {"shared", shared}}, 1000 + i, codec));
      expected[own] = own + std::string(50, 'o');
      expected["shared"] = shared;
    }
    const Offset active_base = log_->ActiveSegmentBaseOffset();
    cleaner_ = std::make_unique<LogCleaner>(
        std::vector<std::filesystem::path>{tmp.path()},
        [this] { return std::vector<std::shared_ptr<Log>>{log_}; }, LogCleanerConfig{});
    CleanerPassResult pass = cleaner_->RunPass(kNow);
    ASSERT_TRUE(pass.errors.empty()) << pass.errors[0].ToString();
    EXPECT_EQ(pass.logs_compacted, 1);
    std::vector<kafka::Record> records = ReadAll();
    EXPECT_EQ(LatestByKey(records), expected);
    // Batches below the active segment lost their shared record (all but the one holding its
    // latest offset below the active segment: the map covers only the dirty section) and kept
    // their codec and offsets.
    int with_shared = 0;
    int batches = 0;
    for (Offset position(0); position < active_base;) {
      auto read = log_->Read(position, 1 << 20, active_base, true);
      ASSERT_TRUE(read.ok());
      ASSERT_FALSE(read->records.empty());
      auto split = kafka::SplitRecordBatches(read->records);
      ASSERT_TRUE(split.ok());
      for (auto batch : *split) {
        auto h = kafka::ParseRecordBatchHeader(batch);
        EXPECT_EQ(h->compression(), codec);
        EXPECT_EQ(h->last_offset_delta, 1);
        EXPECT_EQ(h->base_offset % 2, 0);
        with_shared += h->record_count == 2;
        batches++;
        position = Offset(h->last_offset() + 1);
      }
    }
    EXPECT_GT(batches, 10);
    EXPECT_EQ(with_shared, 1);
    cleaner_.reset();
    log_.reset();
  }
}

// Segments: [a=1, a=tombstone, c...] [unique filler...]... then [b updates] to make a pass due
// again. Pass 1 keeps tombstones (nothing was clean yet); pass 2 drops the tombstone when its
// segment was last modified more than delete.retention.ms before the last clean segment.
class TombstoneTest : public LogCleanerTest {
 protected:
  void WriteAndCompactOnce(int64_t delete_retention_ms) {
    LogConfig config = CompactConfig();
    config.delete_retention_ms = delete_retention_ms;
    OpenLog(config);
    Put("a", "1");
    Put("b", "1");
    Put("a", std::nullopt);
    // Unique keys do not compact away, so several clean segments remain after pass 1.
    for (int i = 0; i < 80; ++i) Put("filler" + std::to_string(i), std::string(80, 'f'));
    ASSERT_EQ(Pass().logs_compacted, 1);
    auto latest = LatestByKey(ReadAll());
    ASSERT_TRUE(latest.contains("a"));
    EXPECT_EQ(latest["a"], std::nullopt) << "pass 1 keeps the tombstone";
    std::vector<Offset> bases = SegmentBases();
    ASSERT_GE(bases.size(), 3u);
    // The tombstone's segment is an hour older than the last clean one.
    SetMtime(SegmentFilePath(dir(), bases.front(), SegmentFileKind::kLog), kNow - 3'600'000);
    SetMtime(SegmentFilePath(dir(), bases[bases.size() - 2], SegmentFileKind::kLog), kNow);
    for (int i = 0; i < 60; ++i) Put("b", std::to_string(i) + std::string(80, 'b'));
  }
};

TEST_F(TombstoneTest, TombstoneWithinDeleteRetentionIsKept) {
  WriteAndCompactOnce(/*delete_retention_ms=*/2 * 3'600'000);
  ASSERT_EQ(Pass().logs_compacted, 1);
  auto latest = LatestByKey(ReadAll());
  ASSERT_TRUE(latest.contains("a"));
  EXPECT_EQ(latest["a"], std::nullopt);
}

TEST_F(TombstoneTest, TombstoneOlderThanDeleteRetentionIsRemoved) {
  WriteAndCompactOnce(/*delete_retention_ms=*/60'000);
  ASSERT_EQ(Pass().logs_compacted, 1);
  auto latest = LatestByKey(ReadAll());
  EXPECT_FALSE(latest.contains("a"));
  EXPECT_TRUE(latest.contains("b"));
}

TEST_F(LogCleanerTest, MinCompactionLagKeepsRecentSegmentsUncompacted) {
  LogConfig config = CompactConfig();
  config.min_compaction_lag_ms = 3'600'000;
  OpenLog(config);
  const int64_t old_ts = kNow.value() - 2 * 3'600'000;
  for (int i = 0; i < 100; ++i) Put("k", "old" + std::to_string(i) + std::string(40, 'o'), old_ts);
  Offset first_recent = log_->LogEndOffset();
  // Roll, so that the recent records start a segment of their own.
  for (int i = 0; i < 100; ++i) {
    Put("k", "new" + std::to_string(i) + std::string(40, 'n'), kNow.value());
  }
  std::vector<Offset> bases = SegmentBases();
  // The first segment holding a recent record, and its bytes.
  Offset recent_base(0);
  for (Offset b : bases) {
    if (b <= first_recent) recent_base = b;
  }
  const auto recent_path = SegmentFilePath(dir(), recent_base, SegmentFileKind::kLog);
  const std::vector<uint8_t> recent_bytes = ReadFileBytes(recent_path);

  ASSERT_EQ(Pass(kNow).logs_compacted, 1);
  EXPECT_EQ(Cleaner().CheckpointOf(kTp), recent_base);
  EXPECT_EQ(ReadFileBytes(recent_path), recent_bytes);
  int old_kept = 0;
  for (const auto& r : ReadAll()) old_kept += Offset(r.offset) < recent_base;
  EXPECT_EQ(old_kept, 1);
  // Once the lag has passed, the rest is compacted too.
  ASSERT_EQ(Pass(kNow + 2 * 3'600'000).logs_compacted, 1);
  EXPECT_NE(ReadFileBytes(recent_path), recent_bytes);
}

TEST_F(LogCleanerTest, BelowTheDirtyRatioNothingIsCompactedUnlessMaxLagPassed) {
  LogConfig config = CompactConfig();
  config.min_cleanable_dirty_ratio = 0.5;
  OpenLog(config);
  for (int i = 0; i < 200; ++i) Put("u" + std::to_string(i), std::string(60, 'u'));
  ASSERT_EQ(Pass().logs_compacted, 1);  // all dirty: ratio 1
  for (int i = 0; i < 60; ++i) Put("u1", std::to_string(i) + std::string(60, 'v'));
  EXPECT_EQ(Pass().logs_compacted, 0);  // a little dirty data over a lot of clean data
  config.max_compaction_lag_ms = 60'000;
  log_->UpdateConfig(config);
  EXPECT_EQ(Pass(kNow + 120'000).logs_compacted, 1);  // the dirty records are too old
}

TEST_F(LogCleanerTest, LogsWithoutCompactPolicyAreLeftAlone) {
  LogConfig config = CompactConfig();
  config.cleanup_compact = false;
  config.cleanup_delete = true;
  config.retention_ms = -1;
  OpenLog(config);
  for (int i = 0; i < 150; ++i) Put("same", std::string(60, 's'));
  const int64_t size = log_->SizeInBytes();
  EXPECT_EQ(Pass().logs_compacted, 0);
  EXPECT_EQ(log_->SizeInBytes(), size);
}

TEST_F(LogCleanerTest, CompactOnlyLogsAreNotAgedOutByRetention) {
  LogConfig config = CompactConfig();
  config.retention_ms = 1;
  config.retention_bytes = 1;
  OpenLog(config);
  for (int i = 0; i < 150; ++i) Put("k" + std::to_string(i), std::string(60, 's'), 1);
  auto deleted = log_->ApplyRetention(kNow);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0);
}

TEST_F(LogCleanerTest, RecordsWithoutKeyAreRefusedOnCompactedLogs) {
  OpenLog(CompactConfig());
  auto keyless = testing::MakeBatchWithTimestamps({1, 2});
  auto appended = log_->Append(keyless, LeaderEpoch(1), kNow);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(appended.status().message().find("without a key"), std::string::npos);
  // Also inside a compressed batch, after keyed records.
  std::vector<kafka::Record> records(2);
  records[0].key = "k";
  records[0].value = "v";
  records[1].value = "no key";
  kafka::RecordBatchBuilderOptions options;
  options.compression = kafka::Compression::kLz4;
  auto mixed = kafka::BuildRecordBatch(records, options);
  EXPECT_EQ(log_->Append(*mixed, LeaderEpoch(1), kNow).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(log_->LogEndOffset(), Offset(0));
  // A log without compaction takes them.
  LogConfig plain = CompactConfig();
  plain.cleanup_compact = false;
  log_->UpdateConfig(plain);
  EXPECT_TRUE(log_->Append(keyless, LeaderEpoch(1), kNow).ok());
}

TEST_F(LogCleanerTest, ProducersLastBatchStaysAsAnEmptyBatch) {
  OpenLog(CompactConfig());
  Offset first = Append(KeyedBatch({{"a", "p1"}}, 1000, kafka::Compression::kGzip, 7, 0));
  Offset second = Append(KeyedBatch({{"a", "p2"}, {"a", "p3"}}, 1001, kafka::Compression::kGzip,
                                    7, 1));
  for (int i = 0; i < 100; ++i) Put("a", "plain" + std::to_string(i) + std::string(50, 'p'));
  ASSERT_EQ(Pass().logs_compacted, 1);
  auto read = log_->Read(Offset(0), 1 << 20, log_->LogEndOffset(), true);
  ASSERT_TRUE(read.ok());
  auto batches = kafka::SplitRecordBatches(read->records);
  ASSERT_TRUE(batches.ok());
  auto h = kafka::ParseRecordBatchHeader((*batches)[0]);
  // The producer's first batch is gone; its last one remains, empty, offsets intact.
  EXPECT_NE(h->base_offset, first.value());
  EXPECT_EQ(h->base_offset, second.value());
  EXPECT_EQ(h->last_offset(), second.value() + 1);
  EXPECT_EQ(h->record_count, 0);
  EXPECT_EQ(h->producer_id, 7);
  EXPECT_EQ(h->base_sequence, 1);
  EXPECT_TRUE(kafka::ValidateRecordBatch((*batches)[0], kafka::OffsetDeltaCheck::kIncreasing).ok());
}

TEST_F(LogCleanerTest, AppendsAndReadsRunWhileTheCleanerCompacts) {
  OpenLog(CompactConfig());
  std::atomic<bool> done{false};
  std::atomic<int> read_failures{0};
  std::map<std::string, std::string> expected;
  std::thread writer([&] {
    for (int i = 0; i < 3000; ++i) {
      std::string key = "k" + std::to_string(i % 50);
      std::string value = std::to_string(i) + std::string(30, 'w');
      auto info = log_->Append(KeyedBatch({{key, value}}, 1000 + i), LeaderEpoch(1), kNow);
      if (!info.ok()) {
        ADD_FAILURE() << info.status().ToString();
        break;
      }
      log_->SetHighWatermark(log_->LogEndOffset());
      expected[key] = value;
    }
    done = true;
  });
  std::thread reader([&] {
    while (!done) {
      Offset position = log_->LogStartOffset();
      const Offset end = log_->LogEndOffset();
      int64_t previous = -1;
      while (position < end) {
        auto read = log_->Read(position, 1 << 16, end, true);
        if (!read.ok() || read->records.empty()) {
          read_failures++;
          break;
        }
        auto batches = kafka::SplitRecordBatches(read->records);
        for (auto batch : *batches) {
          auto records = kafka::DecodeRecords(batch);
          if (!records.ok()) read_failures++;
          for (const auto& r : *records) {
            if (r.offset <= previous) read_failures++;
            previous = r.offset;
          }
          position = Offset(kafka::ParseRecordBatchHeader(batch)->last_offset() + 1);
        }
      }
    }
  });
  int compactions = 0;
  while (!done) {
    compactions += Pass().logs_compacted;
  }
  writer.join();
  reader.join();
  compactions += Pass().logs_compacted;
  EXPECT_GT(compactions, 1);
  EXPECT_EQ(read_failures.load(), 0);
  auto latest = LatestByKey(ReadAll());
  ASSERT_EQ(latest.size(), expected.size());
  for (const auto& [key, value] : expected) EXPECT_EQ(latest[key], value) << key;
}

TEST_F(LogCleanerTest, CheckpointSurvivesACleanerRestart) {
  OpenLog(CompactConfig());
  for (int i = 0; i < 200; ++i) Put("k" + std::to_string(i % 5), std::string(60, 'c'));
  ASSERT_EQ(Pass().logs_compacted, 1);
  const Offset checkpoint = *Cleaner().CheckpointOf(kTp);
  auto file = ReadOffsetCheckpointFile(tmp_.path() / "cleaner-offset-checkpoint");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(*file, (OffsetCheckpoint{{kTp, checkpoint}}));
  cleaner_.reset();
  EXPECT_EQ(Cleaner().CheckpointOf(kTp), checkpoint);
  EXPECT_TRUE(Cleaner().warnings().empty());
  EXPECT_EQ(Pass().logs_compacted, 0);
}

TEST_F(LogCleanerTest, UnreadableCheckpointIsIgnoredWithAWarning) {
  WriteFileBytes(tmp_.path() / "cleaner-offset-checkpoint", {'x', '\n'});
  OpenLog(CompactConfig());
  ASSERT_EQ(Cleaner().warnings().size(), 1u);
  EXPECT_FALSE(Cleaner().CheckpointOf(kTp).has_value());
}

TEST_F(LogCleanerTest, CheckpointOutsideTheLogRestartsFromTheLogStart) {
  WriteFileBytes(tmp_.path() / "cleaner-offset-checkpoint",
                 {'0', '\n', '1', '\n', 't', ' ', '0', ' ', '9', '9', '9', '\n'});
  OpenLog(CompactConfig());
  for (int i = 0; i < 200; ++i) Put("k" + std::to_string(i % 5), std::string(60, 'c'));
  EXPECT_EQ(Cleaner().CheckpointOf(kTp), Offset(999));
  ASSERT_EQ(Pass().logs_compacted, 1);
  EXPECT_EQ(Cleaner().CheckpointOf(kTp), log_->ActiveSegmentBaseOffset());
}

// --- crash recovery (FORMAT.md §7) ---

class CompactionCrashTest : public LogCleanerTest {
 protected:
  void WriteAndCrash() {
    OpenLog(CompactConfig());
    for (int i = 0; i < 150; ++i) Put("k" + std::to_string(i), std::string(60, 'r'));
    original_ = ReadAll();
    bases_ = SegmentBases();
    ASSERT_GE(bases_.size(), 4u);
    log_.reset();  // no Close: a crash
  }
  void Reopen() {
    LogLoadOptions options;  // unclean: recovery point 0
    options.now = kNow;
    OpenLog(CompactConfig(), options);
  }
  std::filesystem::path Path(Offset base, SegmentFileKind kind, std::string_view suffix = "") {
    auto path = SegmentFilePath(dir(), base, kind);
    path += std::string(suffix);
    return path;
  }
  // What compaction of segments 0 and 1 into one would write (a merge without removals).
  std::vector<uint8_t> MergedFirstTwo() {
    std::vector<uint8_t> merged = ReadFileBytes(Path(bases_[0], SegmentFileKind::kLog));
    std::vector<uint8_t> second = ReadFileBytes(Path(bases_[1], SegmentFileKind::kLog));
    merged.insert(merged.end(), second.begin(), second.end());
    return merged;
  }
  void ExpectOriginalRecordsAndNoTransientFiles() {
    auto records = ReadAll();
    ASSERT_EQ(records.size(), original_.size());
    for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i], original_[i]);
    for (const auto& name : ListDir(dir())) {
      EXPECT_FALSE(name.ends_with(".cleaned") || name.ends_with(".swap") ||
                   name.ends_with(".deleted"))
          << name;
    }
  }

  std::vector<kafka::Record> original_;
  std::vector<Offset> bases_;
};

TEST_F(CompactionCrashTest, CleanedFilesAreDiscarded) {
  WriteAndCrash();
  WriteFileBytes(Path(bases_[0], SegmentFileKind::kLog, ".cleaned"), MergedFirstTwo());
  WriteFileBytes(Path(bases_[0], SegmentFileKind::kOffsetIndex, ".swap"), {1, 2, 3});
  Reopen();
  EXPECT_EQ(SegmentBases(), bases_);
  ExpectOriginalRecordsAndNoTransientFiles();
}

TEST_F(CompactionCrashTest, SwapBesideTheOldSegmentsIsCompleted) {
  WriteAndCrash();
  WriteFileBytes(Path(bases_[0], SegmentFileKind::kLog, ".swap"), MergedFirstTwo());
  WriteFileBytes(Path(bases_[0], SegmentFileKind::kTimeIndex, ".swap"), {1, 2, 3});
  Reopen();
  EXPECT_EQ(log_->recovery_stats().swaps_completed, 1);
  std::vector<Offset> expected_bases(bases_.begin() + 2, bases_.end());
  expected_bases.insert(expected_bases.begin(), bases_[0]);
  EXPECT_EQ(SegmentBases(), expected_bases);
  ExpectOriginalRecordsAndNoTransientFiles();
}

TEST_F(CompactionCrashTest, SwapWhoseOldSegmentsWereAlreadyRenamedIsCompleted) {
  WriteAndCrash();
  auto merged = MergedFirstTwo();
  for (int i = 0; i < 2; ++i) {
    for (auto kind :
         {SegmentFileKind::kLog, SegmentFileKind::kOffsetIndex, SegmentFileKind::kTimeIndex}) {
      std::filesystem::rename(Path(bases_[i], kind), Path(bases_[i], kind, ".deleted"));
    }
  }
  WriteFileBytes(Path(bases_[0], SegmentFileKind::kLog, ".swap"), merged);
  Reopen();
  EXPECT_EQ(SegmentBases().size(), bases_.size() - 1);
  ExpectOriginalRecordsAndNoTransientFiles();
}

TEST_F(LogCleanerTest, CompactedLogSurvivesARestart) {
  OpenLog(CompactConfig());
  for (int i = 0; i < 300; ++i) Put("k" + std::to_string(i % 9), std::to_string(i));
  ASSERT_EQ(Pass().logs_compacted, 1);
  auto compacted = ReadAll();
  ASSERT_TRUE(log_->Close().ok());
  // Clean restart (indexes checked) and unclean restart (every segment re-validated).
  for (bool clean : {true, false}) {
    LogLoadOptions options;
    options.clean_shutdown = clean;
    OpenLog(CompactConfig(), options);
    EXPECT_EQ(log_->recovery_stats().bytes_truncated, 0);
    EXPECT_EQ(ReadAll(), compacted);
    if (clean) log_.reset();
  }
}

TEST(LogManagerCleanerTest, CleanerThreadCompactsAndStopsWithTheManager) {
  TempDir tmp;
  auto manager = LogManager::Open({tmp.path()}, BrokerId(1), "", CompactConfig(), kNow);
  ASSERT_TRUE(manager.ok());
  auto log = (*manager)->GetOrCreateLog(kTp, CompactConfig(), kNow);
  ASSERT_TRUE(log.ok());
  auto doomed = (*manager)->GetOrCreateLog({"gone", PartitionId(0)}, CompactConfig(), kNow);
  ASSERT_TRUE(doomed.ok());
  for (int i = 0; i < 300; ++i) {
    for (auto* l : {&*log, &*doomed}) {
      ASSERT_TRUE((*l)->Append(KeyedBatch({{"k" + std::to_string(i % 3), std::string(50, 'm')}}, i),
                               LeaderEpoch(1), kNow)
                      .ok());
      (*l)->SetHighWatermark((*l)->LogEndOffset());
    }
  }
  const int64_t size = (*log)->SizeInBytes();
  LogCleanerConfig config;
  config.backoff_ms = 10;
  EXPECT_TRUE((*manager)->StartCleaner(config).empty());
  ASSERT_NE((*manager)->cleaner(), nullptr);
  EXPECT_TRUE((*manager)->DeleteLog({"gone", PartitionId(0)}).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!(*manager)->cleaner()->CheckpointOf(kTp) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT((*log)->SizeInBytes(), size / 2);
  ASSERT_TRUE((*manager)->Close().ok());
  auto file = ReadOffsetCheckpointFile(tmp.path() / "cleaner-offset-checkpoint");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_TRUE(file->contains(kTp));
  EXPECT_FALSE(file->contains({"gone", PartitionId(0)}));
}

}  // namespace
}  // namespace sluice::storage

#include "broker/storage/log_manager.h"

#include <gtest/gtest.h>

#include "broker/storage/checkpoint_file.h"
#include "broker/storage/file_names.h"
#include "broker/storage/meta_properties.h"
#include "broker/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::ListDir;
using testing::MakeBatch;
using testing::SmallConfig;
using testing::TempDir;
using testing::WriteFileBytes;

const TimestampMs kNow(1'700'000'000'000);
const TopicPartition kSports0{"sports", PartitionId(0)};
const TopicPartition kSports1{"sports", PartitionId(1)};

class LogManagerTest : public ::testing::Test {
 protected:
  std::vector<std::filesystem::path> Dirs(int n = 2) {
    std::vector<std::filesystem::path> dirs;
    for (int i = 0; i < n; ++i) dirs.push_back(tmp_.path() / ("kafka-logs-" + std::to_string(i)));
    return dirs;
  }
  std::unique_ptr<LogManager> MustOpen(int dirs = 2, BrokerId id = BrokerId(1),
                                       std::string_view cluster = "cluster-a") {
    auto manager = LogManager::Open(Dirs(dirs), id, cluster, SmallConfig(), kNow);
    EXPECT_TRUE(manager.ok()) << manager.status().ToString();
    return manager.ok() ? std::move(*manager) : nullptr;
  }
  static void AppendBatches(Log& log, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(log.Append(MakeBatch(2, 1000 + i, 100), LeaderEpoch(0), kNow).ok());
    }
    log.SetHighWatermark(log.LogEndOffset());
  }
  TempDir tmp_;
};

TEST_F(LogManagerTest, OpenCreatesDirectoriesAndMetaProperties) {
  auto manager = MustOpen();
  for (const auto& dir : Dirs()) {
    auto meta = ReadMetaPropertiesFile(dir / "meta.properties");
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    EXPECT_EQ(meta->version, 0);
    EXPECT_EQ(meta->broker_id, BrokerId(1));
    EXPECT_EQ(meta->cluster_id, "cluster-a");
  }
}

TEST_F(LogManagerTest, NoLogDirsIsInvalidArgument) {
  EXPECT_EQ(LogManager::Open({}, BrokerId(1), "c", SmallConfig(), kNow).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_F(LogManagerTest, BrokerIdMismatchIsRefused) {
  ASSERT_TRUE(MustOpen()->Close().ok());
  auto other = LogManager::Open(Dirs(), BrokerId(2), "cluster-a", SmallConfig(), kNow);
  EXPECT_EQ(other.status().code(), Status::Code::kConflict);
}

TEST_F(LogManagerTest, ClusterIdMismatchIsRefused) {
  ASSERT_TRUE(MustOpen()->Close().ok());
  auto other = LogManager::Open(Dirs(), BrokerId(1), "cluster-b", SmallConfig(), kNow);
  EXPECT_EQ(other.status().code(), Status::Code::kConflict);
}

TEST_F(LogManagerTest, ClusterIdLearnedLaterIsWrittenIntoMetaProperties) {
  ASSERT_TRUE(MustOpen(1, BrokerId(1), "")->Close().ok());
  EXPECT_FALSE(ReadMetaPropertiesFile(Dirs(1)[0] / "meta.properties")->cluster_id);
  ASSERT_TRUE(MustOpen(1, BrokerId(1), "cluster-a")->Close().ok());
  EXPECT_EQ(ReadMetaPropertiesFile(Dirs(1)[0] / "meta.properties")->cluster_id, "cluster-a");
}

TEST_F(LogManagerTest, ASecondManagerOnTheSameDirectoriesIsRefused) {
  auto first = MustOpen();
  auto second = LogManager::Open(Dirs(), BrokerId(1), "cluster-a", SmallConfig(), kNow);
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  ASSERT_TRUE(first->Close().ok());
  EXPECT_TRUE(LogManager::Open(Dirs(), BrokerId(1), "cluster-a", SmallConfig(), kNow).ok());
}

TEST_F(LogManagerTest, GetLogOfAnUnknownPartitionIsNull) {
  EXPECT_EQ(MustOpen()->GetLog(kSports0), nullptr);
}

TEST_F(LogManagerTest, GetOrCreateReturnsTheSameLogTwice) {
  auto manager = MustOpen();
  auto a = manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
  auto b = manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(manager->GetLog(kSports0), *a);
}

TEST_F(LogManagerTest, NewPartitionsGoToTheDirectoryWithFewest) {
  auto manager = MustOpen(2);
  for (int p = 0; p < 4; ++p) {
    ASSERT_TRUE(manager->GetOrCreateLog({"t", PartitionId(p)}, SmallConfig(), kNow).ok());
  }
  for (const auto& dir : Dirs(2)) {
    int partitions = 0;
    for (const auto& name : ListDir(dir)) partitions += ParsePartitionDirName(name).ok() ? 1 : 0;
    EXPECT_EQ(partitions, 2) << dir;
  }
}

TEST_F(LogManagerTest, IllegalTopicNamesAreRefused) {
  auto manager = MustOpen();
  EXPECT_EQ(manager->GetOrCreateLog({"a/b", PartitionId(0)}, SmallConfig(), kNow).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(manager->GetOrCreateLog({"ok", PartitionId(-1)}, SmallConfig(), kNow).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_F(LogManagerTest, DeleteLogRemovesTheDirectoryAndClosesTheLog) {
  auto manager = MustOpen(1);
  auto log = manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
  ASSERT_TRUE(log.ok());
  AppendBatches(**log, 3);
  ASSERT_TRUE(manager->DeleteLog(kSports0).ok());
  EXPECT_EQ(manager->GetLog(kSports0), nullptr);
  EXPECT_FALSE(std::filesystem::exists(Dirs(1)[0] / "sports-0"));
  for (const auto& name : ListDir(Dirs(1)[0])) EXPECT_FALSE(name.ends_with("-delete")) << name;
  // A handler still holding the log gets an error, not a crash.
  EXPECT_EQ((*log)->Append(MakeBatch(1, 1), LeaderEpoch(0), kNow).status().code(),
            Status::Code::kUnavailable);
  EXPECT_EQ(manager->DeleteLog(kSports0).code(), Status::Code::kNotFound);
  // The partition can be created again, empty.
  auto again = manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->LogEndOffset(), Offset(0));
}

TEST_F(LogManagerTest, LeftoverDeleteDirectoriesAreRemovedAtOpen) {
  auto dir = Dirs(1)[0];
  std::filesystem::create_directories(dir / DeletedPartitionDirName(kSports0, RandomUuidHex()));
  auto manager = MustOpen(1);
  EXPECT_TRUE(manager->AllLogs().empty());
  for (const auto& name : ListDir(dir)) EXPECT_FALSE(name.ends_with("-delete")) << name;
}

TEST_F(LogManagerTest, UnparseableDirectoriesAreSkippedWithAWarning) {
  std::filesystem::create_directories(Dirs(1)[0] / "lost+found");
  auto manager = MustOpen(1);
  EXPECT_TRUE(manager->AllLogs().empty());
  EXPECT_EQ(manager->load_report().warnings.size(), 1u);
}

TEST_F(LogManagerTest, CloseWritesCheckpointsAndTheCleanShutdownMarker) {
  auto manager = MustOpen(1);
  AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 5);
  AppendBatches(**manager->GetOrCreateLog(kSports1, SmallConfig(), kNow), 2);
  ASSERT_TRUE(manager->GetLog(kSports0)->DeleteRecordsBefore(Offset(3), kNow).ok());
  ASSERT_TRUE(manager->Close().ok());
  auto dir = Dirs(1)[0];
  EXPECT_TRUE(std::filesystem::exists(dir / ".kafka_cleanshutdown"));
  auto recovery = ReadOffsetCheckpointFile(dir / "recovery-point-offset-checkpoint");
  ASSERT_TRUE(recovery.ok());
  EXPECT_EQ(recovery->at(kSports0), Offset(10));
  EXPECT_EQ(recovery->at(kSports1), Offset(4));
  auto starts = ReadOffsetCheckpointFile(dir / "log-start-offset-checkpoint");
  ASSERT_TRUE(starts.ok());
  EXPECT_EQ(starts->at(kSports0), Offset(3));
}

TEST_F(LogManagerTest, CleanRestartSkipsRecoveryAndRemovesTheMarker) {
  {
    auto manager = MustOpen(1);
    AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 40);
    ASSERT_TRUE(manager->GetLog(kSports0)->DeleteRecordsBefore(Offset(3), kNow).ok());
    ASSERT_TRUE(manager->Close().ok());
  }
  auto manager = MustOpen(1);
  EXPECT_EQ(manager->load_report().logs_loaded, 1);
  EXPECT_EQ(manager->load_report().logs_recovered_uncleanly, 0);
  EXPECT_EQ(manager->load_report().segments_recovered, 0);
  EXPECT_FALSE(std::filesystem::exists(Dirs(1)[0] / ".kafka_cleanshutdown"));
  auto log = manager->GetLog(kSports0);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->LogEndOffset(), Offset(80));
  EXPECT_EQ(log->LogStartOffset(), Offset(3));
  EXPECT_EQ(log->RecoveryPoint(), Offset(80));
}

TEST_F(LogManagerTest, CrashRestartRecoversFromTheCheckpointedRecoveryPoint) {
  Offset active_base;
  {
    auto manager = MustOpen(1);
    auto log = *manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
    AppendBatches(*log, 40);
    active_base = log->ActiveSegmentBaseOffset();
    ASSERT_TRUE(manager->FlushDirtyLogs(kNow).ok());  // flushes the rolled segments
    EXPECT_EQ(log->RecoveryPoint(), active_base);
    ASSERT_TRUE(manager->CheckpointAll().ok());
    // Destroyed without Close(): a crash.
  }
  EXPECT_FALSE(std::filesystem::exists(Dirs(1)[0] / ".kafka_cleanshutdown"));
  auto manager = MustOpen(1);
  EXPECT_EQ(manager->load_report().logs_recovered_uncleanly, 1);
  EXPECT_EQ(manager->load_report().segments_recovered, 1);  // only the active segment
  EXPECT_EQ(manager->GetLog(kSports0)->LogEndOffset(), Offset(80));
}

TEST_F(LogManagerTest, MalformedCheckpointMeansFullRecoveryWithAWarning) {
  {
    auto manager = MustOpen(1);
    AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 40);
  }
  auto dir = Dirs(1)[0];
  std::string junk = "0\n5\nsports 0\n";
  WriteFileBytes(dir / "recovery-point-offset-checkpoint",
                 std::vector<uint8_t>(junk.begin(), junk.end()));
  auto manager = MustOpen(1);
  ASSERT_EQ(manager->load_report().warnings.size(), 1u);
  EXPECT_NE(manager->load_report().warnings[0].find("recovery-point-offset-checkpoint"),
            std::string::npos);
  EXPECT_GT(manager->load_report().segments_recovered, 1);
  EXPECT_EQ(manager->GetLog(kSports0)->LogEndOffset(), Offset(80));
}

// ---- replication-offset-checkpoint (high watermarks) ------------------------------------------

TEST_F(LogManagerTest, CheckpointAllWritesEachLogsHighWatermark) {
  auto manager = MustOpen(1);
  auto sports0 = *manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
  auto sports1 = *manager->GetOrCreateLog(kSports1, SmallConfig(), kNow);
  AppendBatches(*sports0, 5);
  AppendBatches(*sports1, 2);
  sports0->SetHighWatermark(Offset(6));  // a follower has 10 records, 6 of them committed
  ASSERT_TRUE(manager->CheckpointAll().ok());
  auto bytes = testing::ReadFileBytes(Dirs(1)[0] / "replication-offset-checkpoint");
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "0\n2\nsports 0 6\nsports 1 4\n");
}

TEST_F(LogManagerTest, HighWatermarksSurviveACleanRestart) {
  {
    auto manager = MustOpen(2);
    AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 5);
    AppendBatches(**manager->GetOrCreateLog(kSports1, SmallConfig(), kNow), 5);
    manager->GetLog(kSports0)->SetHighWatermark(Offset(7));
    ASSERT_TRUE(manager->Close().ok());
  }
  auto manager = MustOpen(2);
  EXPECT_EQ(manager->GetLog(kSports0)->HighWatermark(), Offset(7));
  EXPECT_EQ(manager->GetLog(kSports1)->HighWatermark(), Offset(10));
  EXPECT_EQ(manager->GetLog(kSports0)->LogEndOffset(), Offset(10));
}

TEST_F(LogManagerTest, AfterACrashTheHighWatermarkIsTheLastCheckpointedOne) {
  {
    auto manager = MustOpen(1);
    auto log = *manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
    AppendBatches(*log, 5);  // HW 10
    ASSERT_TRUE(manager->CheckpointAll().ok());
    AppendBatches(*log, 5);  // HW 20, never checkpointed
    ASSERT_TRUE(log->Flush(log->LogEndOffset()).ok());
    // Destroyed without Close(): a crash.
  }
  auto manager = MustOpen(1);
  EXPECT_EQ(manager->GetLog(kSports0)->LogEndOffset(), Offset(20));
  EXPECT_EQ(manager->GetLog(kSports0)->HighWatermark(), Offset(10));
}

TEST_F(LogManagerTest, ACheckpointedHighWatermarkPastTheLogIsClamped) {
  {
    auto manager = MustOpen(1);
    AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 5);
    ASSERT_TRUE(manager->Close().ok());
  }
  ASSERT_TRUE(WriteOffsetCheckpointFile(Dirs(1)[0] / "replication-offset-checkpoint",
                                        {{kSports0, Offset(1000)}})
                  .ok());
  auto manager = MustOpen(1);
  EXPECT_EQ(manager->GetLog(kSports0)->HighWatermark(), Offset(10));
}

TEST_F(LogManagerTest, ALogWithoutACheckpointedHighWatermarkStartsAtItsLogStart) {
  {
    auto manager = MustOpen(1);
    AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 20);
    ASSERT_TRUE(manager->GetLog(kSports0)->DeleteRecordsBefore(Offset(5), kNow).ok());
    ASSERT_TRUE(manager->Close().ok());
  }
  ASSERT_TRUE(WriteOffsetCheckpointFile(Dirs(1)[0] / "replication-offset-checkpoint", {}).ok());
  auto manager = MustOpen(1);
  EXPECT_EQ(manager->GetLog(kSports0)->LogStartOffset(), Offset(5));
  EXPECT_EQ(manager->GetLog(kSports0)->HighWatermark(), Offset(5));
}

TEST_F(LogManagerTest, AnUnreadableHighWatermarkCheckpointIsAWarning) {
  {
    auto manager = MustOpen(1);
    AppendBatches(**manager->GetOrCreateLog(kSports0, SmallConfig(), kNow), 5);
    ASSERT_TRUE(manager->Close().ok());
  }
  std::string junk = "0\n1\nsports\n";
  WriteFileBytes(Dirs(1)[0] / "replication-offset-checkpoint",
                 std::vector<uint8_t>(junk.begin(), junk.end()));
  auto manager = MustOpen(1);
  ASSERT_EQ(manager->load_report().warnings.size(), 1u);
  EXPECT_NE(manager->load_report().warnings[0].find("replication-offset-checkpoint"),
            std::string::npos);
  EXPECT_EQ(manager->GetLog(kSports0)->HighWatermark(), Offset(0));
  EXPECT_EQ(manager->GetLog(kSports0)->LogEndOffset(), Offset(10));
}

TEST_F(LogManagerTest, LeaderEpochCheckpointsLiveInThePartitionDirectories) {
  {
    auto manager = MustOpen(1);
    auto log = *manager->GetOrCreateLog(kSports0, SmallConfig(), kNow);
    ASSERT_TRUE(log->Append(MakeBatch(2, 1000), LeaderEpoch(3), kNow).ok());
    ASSERT_TRUE(log->Append(MakeBatch(2, 1000), LeaderEpoch(8), kNow).ok());
    ASSERT_TRUE(manager->Close().ok());
  }
  auto bytes = testing::ReadFileBytes(Dirs(1)[0] / "sports-0" / "leader-epoch-checkpoint");
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "0\n2\n3 0\n8 2\n");
  auto manager = MustOpen(1);
  EXPECT_EQ(manager->GetLog(kSports0)->LatestEpoch(), 8);
  EXPECT_EQ(manager->GetLog(kSports0)->EndOffsetForEpoch(3), std::make_pair(3, Offset(2)));
}

TEST_F(LogManagerTest, APartitionInTwoDirectoriesIsAConflict) {
  for (const auto& dir : Dirs(2)) std::filesystem::create_directories(dir / "sports-0");
  auto manager = LogManager::Open(Dirs(2), BrokerId(1), "cluster-a", SmallConfig(), kNow);
  EXPECT_EQ(manager.status().code(), Status::Code::kConflict);
}

TEST_F(LogManagerTest, LogsInEveryDirectoryAreLoaded) {
  {
    auto manager = MustOpen(2);
    for (int p = 0; p < 6; ++p) {
      AppendBatches(**manager->GetOrCreateLog({"t", PartitionId(p)}, SmallConfig(), kNow), p + 1);
    }
    ASSERT_TRUE(manager->Close().ok());
  }
  auto manager = MustOpen(2);
  ASSERT_EQ(manager->AllLogs().size(), 6u);
  for (int p = 0; p < 6; ++p) {
    EXPECT_EQ(manager->GetLog({"t", PartitionId(p)})->LogEndOffset(), Offset(2 * (p + 1)));
  }
}

TEST_F(LogManagerTest, RetentionPassCoversEveryLog) {
  auto manager = MustOpen(2);
  LogConfig config = SmallConfig();
  config.retention_ms = 100;
  for (int p = 0; p < 2; ++p) {
    AppendBatches(**manager->GetOrCreateLog({"t", PartitionId(p)}, config, kNow), 40);
  }
  auto deleted = manager->RunRetention(TimestampMs(1'000'000));
  ASSERT_TRUE(deleted.ok());
  EXPECT_GE(*deleted, 6);
  for (const auto& log : manager->AllLogs()) {
    EXPECT_EQ(log->LogStartOffset(), Offset(80));
    EXPECT_EQ(log->NumSegments(), 1u);
  }
}

TEST_F(LogManagerTest, FlushPassHonoursFlushMs) {
  auto manager = MustOpen(1);
  LogConfig config = SmallConfig();
  config.segment_bytes = 1 << 20;
  config.flush_ms = 1000;
  auto log = *manager->GetOrCreateLog(kSports0, config, kNow);
  AppendBatches(*log, 3);
  ASSERT_TRUE(manager->FlushDirtyLogs(log->LastFlushTime()).ok());
  EXPECT_EQ(log->RecoveryPoint(), Offset(0));
  ASSERT_TRUE(manager->FlushDirtyLogs(log->LastFlushTime() + 1000).ok());
  EXPECT_EQ(log->RecoveryPoint(), Offset(6));
}

}  // namespace
}  // namespace sluice::storage

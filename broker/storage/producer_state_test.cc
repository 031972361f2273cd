#include "broker/storage/producer_state.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

#include "broker/storage/test_util.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {
namespace {

using testing::ListDir;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;

constexpr int64_t kProducer = 1000;
constexpr int32_t kMaxSeq = std::numeric_limits<int32_t>::max();

// A batch of `count` records from kProducer: sequences [seq, seq + count), offsets
// [offset, offset + count).
ProducerBatchInfo Batch(int16_t epoch, int32_t seq, int32_t count, int64_t offset,
                        int64_t producer_id = kProducer) {
  ProducerBatchInfo b;
  b.producer_id = producer_id;
  b.producer_epoch = epoch;
  b.base_sequence = seq;
  b.last_sequence = IncrementSequence(seq, count - 1);
  b.first_offset = Offset(offset);
  b.last_offset = Offset(offset + count - 1);
  b.max_timestamp = TimestampMs(1'700'000'000'000 + offset);
  return b;
}

// What the leader does: check, then "append" at the given offsets and update.
ProducerCheck CheckAndUpdate(ProducerStateManager& state, const ProducerBatchInfo& batch) {
  ProducerCheckResult result = state.Check(batch);
  if (result.check == ProducerCheck::kNew) state.Update(batch);
  return result.check;
}

TEST(SequenceTest, IncrementAndDecrementWrapAtInt32Max) {
  EXPECT_EQ(IncrementSequence(5, 3), 8);
  EXPECT_EQ(IncrementSequence(kMaxSeq, 1), 0);
  EXPECT_EQ(IncrementSequence(kMaxSeq - 1, 3), 1);
  EXPECT_EQ(DecrementSequence(8, 3), 5);
  EXPECT_EQ(DecrementSequence(0, 1), kMaxSeq);
  EXPECT_EQ(DecrementSequence(1, 3), kMaxSeq - 1);
}

TEST(ProducerStateTest, NewProducerStartingAtZeroIsAccepted) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ProducerCheckResult result = state.Check(Batch(0, 0, 3, 0));
  EXPECT_EQ(result.check, ProducerCheck::kNew);
  EXPECT_TRUE(result.message.empty());
}

TEST(ProducerStateTest, UnknownProducerWithNonZeroSequenceIsAcceptedAsKafka28Does) {
  // KIP-360 (Kafka 2.5+): a producer whose state is gone (retention, DeleteRecords, truncation)
  // may continue where it was; 2.8 raises neither UNKNOWN_PRODUCER_ID nor OUT_OF_ORDER here.
  TempDir dir;
  ProducerStateManager state(dir.path());
  EXPECT_EQ(CheckAndUpdate(state, Batch(3, 42, 2, 10)), ProducerCheck::kNew);
  // ... and from then on its sequence is enforced.
  EXPECT_EQ(state.Check(Batch(3, 45, 1, 12)).check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_EQ(CheckAndUpdate(state, Batch(3, 44, 1, 12)), ProducerCheck::kNew);
}

TEST(ProducerStateTest, InOrderAppendsAreAcceptedAndRecorded) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  int64_t offset = 0;
  int32_t seq = 0;
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(CheckAndUpdate(state, Batch(0, seq, 4, offset)), ProducerCheck::kNew) << i;
    seq += 4;
    offset += 4;
  }
  auto producers = state.Producers();
  ASSERT_EQ(producers.size(), 1u);
  const ProducerStateEntry& entry = producers.at(kProducer);
  EXPECT_EQ(entry.producer_epoch, 0);
  ASSERT_EQ(entry.batches.size(), kProducerBatchesToRetain);
  EXPECT_EQ(entry.batches.front().first_sequence, 12);
  EXPECT_EQ(entry.batches.back().last_sequence, 31);
  EXPECT_EQ(entry.batches.back().last_offset, Offset(31));
}

TEST(ProducerStateTest, EachOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffsets) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  // Interleave another producer so that offsets and sequences differ.
  std::vector<ProducerBatchInfo> written;
  int64_t offset = 100;
  for (int i = 0; i < 7; ++i) {
    ProducerBatchInfo batch = Batch(2, i * 2, 2, offset);
    ASSERT_EQ(CheckAndUpdate(state, batch), ProducerCheck::kNew);
    written.push_back(batch);
    offset += 2;
    ASSERT_EQ(CheckAndUpdate(state, Batch(0, i, 1, offset, 7)), ProducerCheck::kNew);
    offset += 1;
  }
  for (size_t i = written.size() - kProducerBatchesToRetain; i < written.size(); ++i) {
    ProducerBatchInfo retry = written[i];
    retry.first_offset = Offset(0);  // a retry's offsets are unknown before the append
    retry.last_offset = Offset(1);
    ProducerCheckResult result = state.Check(retry);
    EXPECT_EQ(result.check, ProducerCheck::kDuplicate) << i;
    EXPECT_EQ(result.duplicate_first_offset, written[i].first_offset) << i;
    EXPECT_EQ(result.duplicate_last_offset, written[i].last_offset) << i;
  }
  // A duplicate changes nothing: the next in-order batch is still accepted.
  EXPECT_EQ(CheckAndUpdate(state, Batch(2, 14, 1, offset)), ProducerCheck::kNew);
}

TEST(ProducerStateTest, RetryOfABatchOlderThanTheLastFiveIsOutOfOrder) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(CheckAndUpdate(state, Batch(0, i * 10, 10, i * 10)), ProducerCheck::kNew);
  }
  // Batch 0 (sequences 0..9) has been evicted by the 6th batch.
  ProducerCheckResult result = state.Check(Batch(0, 0, 10, 0));
  EXPECT_EQ(result.check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_NE(result.message.find("expected 60"), std::string::npos) << result.message;
  // Batch 1 is still the oldest cached one.
  EXPECT_EQ(state.Check(Batch(0, 10, 10, 0)).check, ProducerCheck::kDuplicate);
}

TEST(ProducerStateTest, ARangeOverlappingACachedBatchIsNotADuplicate) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_EQ(CheckAndUpdate(state, Batch(0, 0, 5, 0)), ProducerCheck::kNew);
  EXPECT_EQ(state.Check(Batch(0, 0, 4, 0)).check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_EQ(state.Check(Batch(0, 1, 4, 0)).check, ProducerCheck::kOutOfOrderSequence);
}

TEST(ProducerStateTest, SequenceGapsAreOutOfOrder) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_EQ(CheckAndUpdate(state, Batch(0, 0, 5, 0)), ProducerCheck::kNew);
  EXPECT_EQ(state.Check(Batch(0, 6, 1, 5)).check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_EQ(state.Check(Batch(0, 100, 1, 5)).check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_EQ(state.Check(Batch(0, 0, 1, 5)).check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_EQ(state.Check(Batch(0, 5, 1, 5)).check, ProducerCheck::kNew);
}

TEST(ProducerStateTest, SequenceWrapsToZeroAfterInt32Max) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  // Established through replication (a follower accepts whatever the leader wrote).
  state.Update(Batch(1, kMaxSeq - 4, 5, 500));
  EXPECT_EQ(state.Check(Batch(1, 1, 1, 505)).check, ProducerCheck::kOutOfOrderSequence);
  ASSERT_EQ(CheckAndUpdate(state, Batch(1, 0, 3, 505)), ProducerCheck::kNew);
  EXPECT_EQ(CheckAndUpdate(state, Batch(1, 3, 1, 508)), ProducerCheck::kNew);
}

TEST(ProducerStateTest, ABatchSpanningTheWrapIsDetectedAsDuplicate) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  state.Update(Batch(1, kMaxSeq - 9, 10, 0));  // last sequence INT32_MAX
  ProducerBatchInfo spanning = Batch(1, kMaxSeq - 1, 4, 10);
  EXPECT_EQ(spanning.last_sequence, 1);
  ASSERT_EQ(CheckAndUpdate(state, spanning), ProducerCheck::kOutOfOrderSequence);
  ProducerBatchInfo next = Batch(1, 0, 4, 10);
  ASSERT_EQ(CheckAndUpdate(state, next), ProducerCheck::kNew);
  ProducerCheckResult result = state.Check(Batch(1, 0, 4, 99));
  EXPECT_EQ(result.check, ProducerCheck::kDuplicate);
  EXPECT_EQ(result.duplicate_first_offset, Offset(10));
}

TEST(ProducerStateTest, OlderEpochIsFenced) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_EQ(CheckAndUpdate(state, Batch(5, 0, 2, 0)), ProducerCheck::kNew);
  ProducerCheckResult result = state.Check(Batch(4, 2, 1, 2));
  EXPECT_EQ(result.check, ProducerCheck::kInvalidProducerEpoch);
  EXPECT_NE(result.message.find("smaller than the last seen epoch 5"), std::string::npos)
      << result.message;
  // Even a retry of the fenced epoch's own first batch is refused (it is not the current epoch).
  EXPECT_EQ(state.Check(Batch(4, 0, 2, 0)).check, ProducerCheck::kInvalidProducerEpoch);
}

TEST(ProducerStateTest, EpochBumpMustStartAtSequenceZero) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_EQ(CheckAndUpdate(state, Batch(0, 0, 10, 0)), ProducerCheck::kNew);
  EXPECT_EQ(state.Check(Batch(1, 10, 1, 10)).check, ProducerCheck::kOutOfOrderSequence);
  EXPECT_EQ(state.Check(Batch(1, 5, 1, 10)).check, ProducerCheck::kOutOfOrderSequence);
  ASSERT_EQ(CheckAndUpdate(state, Batch(1, 0, 3, 10)), ProducerCheck::kNew);
  // The new epoch replaced the old one's cache: the old batch is now fenced, not a duplicate.
  EXPECT_EQ(state.Check(Batch(0, 0, 10, 0)).check, ProducerCheck::kInvalidProducerEpoch);
  auto producers = state.Producers();
  EXPECT_EQ(producers.at(kProducer).producer_epoch, 1);
  EXPECT_EQ(producers.at(kProducer).batches.size(), 1u);
}

TEST(ProducerStateTest, ProducersAreIndependent) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_EQ(CheckAndUpdate(state, Batch(0, 0, 1, 0, 1)), ProducerCheck::kNew);
  ASSERT_EQ(CheckAndUpdate(state, Batch(7, 0, 1, 1, 2)), ProducerCheck::kNew);
  EXPECT_EQ(state.Check(Batch(0, 1, 1, 2, 1)).check, ProducerCheck::kNew);
  EXPECT_EQ(state.Check(Batch(6, 1, 1, 2, 2)).check, ProducerCheck::kInvalidProducerEpoch);
}

TEST(ProducerStateTest, CheckAllValidatesBatchesOfOneAppendInTurn) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_EQ(CheckAndUpdate(state, Batch(0, 0, 2, 0)), ProducerCheck::kNew);
  ProducerBatchInfo not_idempotent;  // producer_id -1: skipped
  std::vector<ProducerBatchInfo> append = {Batch(0, 2, 2, 0), not_idempotent, Batch(0, 4, 3, 0),
                                           Batch(0, 0, 1, 0, 9)};
  EXPECT_EQ(state.CheckAll(append).check, ProducerCheck::kNew);
  // Checked one by one against the stored state, the second would look like a gap.
  EXPECT_EQ(state.Check(append[2]).check, ProducerCheck::kOutOfOrderSequence);

  std::vector<ProducerBatchInfo> with_gap = {Batch(0, 2, 2, 0), Batch(0, 5, 1, 0)};
  EXPECT_EQ(state.CheckAll(with_gap).check, ProducerCheck::kOutOfOrderSequence);
  std::vector<ProducerBatchInfo> with_duplicate = {Batch(0, 2, 2, 0), Batch(0, 0, 2, 0)};
  ProducerCheckResult result = state.CheckAll(with_duplicate);
  EXPECT_EQ(result.check, ProducerCheck::kDuplicate);
  EXPECT_EQ(result.duplicate_first_offset, Offset(0));
  EXPECT_EQ(result.duplicate_last_offset, Offset(1));
}

TEST(ProducerStateTest, UpdateIgnoresBatchesWithoutProducerId) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  state.Update(ProducerBatchInfo{});
  EXPECT_TRUE(state.Producers().empty());
}

TEST(ProducerStateTest, FollowerUpdateAppliesEvenAnOlderEpoch) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  state.Update(Batch(3, 0, 1, 0));
  state.Update(Batch(2, 0, 1, 1));  // the leader accepted it: the replica must agree
  EXPECT_EQ(state.Producers().at(kProducer).producer_epoch, 2);
}

TEST(ProducerSnapshotTest, RoundTripKeepsTheLastBatchOfEachProducer) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  for (int i = 0; i < 3; ++i) state.Update(Batch(4, i * 5, 5, 10 + i * 5));
  state.Update(Batch(0, kMaxSeq - 1, 4, 30, 77));  // wraps: sequences MAX-1 .. 1
  ASSERT_TRUE(state.TakeSnapshot(Offset(34)).ok());
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"00000000000000000034.snapshot"});
  EXPECT_EQ(state.snapshot_offset(), Offset(34));

  ProducerStateManager reloaded(dir.path());
  ASSERT_TRUE(reloaded.LoadSnapshot(Offset(34)).ok());
  EXPECT_EQ(reloaded.snapshot_offset(), Offset(34));
  auto producers = reloaded.Producers();
  ASSERT_EQ(producers.size(), 2u);
  const ProducerStateEntry& first = producers.at(kProducer);
  EXPECT_EQ(first.producer_epoch, 4);
  ASSERT_EQ(first.batches.size(), 1u);
  EXPECT_EQ(first.batches[0].first_sequence, 10);
  EXPECT_EQ(first.batches[0].last_sequence, 14);
  EXPECT_EQ(first.batches[0].first_offset, Offset(20));
  EXPECT_EQ(first.batches[0].last_offset, Offset(24));
  EXPECT_EQ(first.last_timestamp, TimestampMs(1'700'000'000'000 + 20));
  const ProducerStateEntry& wrapped = producers.at(77);
  ASSERT_EQ(wrapped.batches.size(), 1u);
  EXPECT_EQ(wrapped.batches[0].first_sequence, kMaxSeq - 1);
  EXPECT_EQ(wrapped.batches[0].last_sequence, 1);

  // The reloaded state behaves like the original for the next batch and a retry of the last.
  EXPECT_EQ(reloaded.Check(Batch(4, 15, 1, 34)).check, ProducerCheck::kNew);
  EXPECT_EQ(reloaded.Check(Batch(4, 10, 5, 0)).check, ProducerCheck::kDuplicate);
  EXPECT_EQ(reloaded.Check(Batch(4, 5, 5, 0)).check, ProducerCheck::kOutOfOrderSequence);
}

TEST(ProducerSnapshotTest, FileLayoutIsKafkas) {
  std::map<int64_t, ProducerStateEntry> producers;
  ProducerStateEntry entry;
  entry.producer_epoch = 3;
  entry.batches.push_back({7, 9, Offset(40), Offset(42), TimestampMs(0x0102030405060708)});
  entry.last_timestamp = TimestampMs(0x0102030405060708);
  producers[0x1122334455667788] = entry;
  std::vector<uint8_t> bytes = SerializeProducerSnapshot(producers);
  ASSERT_EQ(bytes.size(), 2u + 4 + 4 + 46);
  std::vector<uint8_t> expected_body = {
      0x00, 0x00, 0x00, 0x01,                          // 1 entry
      0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,  // producer_id
      0x00, 0x03,                                      // epoch
      0x00, 0x00, 0x00, 0x09,                          // last_sequence
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  // last_offset 42
      0x00, 0x00, 0x00, 0x02,                          // offset_delta
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // timestamp
      0xff, 0xff, 0xff, 0xff,                          // coordinator_epoch -1
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // current_txn_first_offset -1
  };
  EXPECT_EQ(bytes[0], 0x00);
  EXPECT_EQ(bytes[1], 0x01);  // version 1
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 6, bytes.end()), expected_body);
  uint32_t crc = kafka::Crc32c(expected_body);
  EXPECT_EQ(bytes[2], static_cast<uint8_t>(crc >> 24));
  EXPECT_EQ(bytes[5], static_cast<uint8_t>(crc));
}

TEST(ProducerSnapshotTest, ParseRejectsDamage) {
  std::map<int64_t, ProducerStateEntry> producers;
  producers[1].producer_epoch = 0;
  producers[1].batches.push_back({0, 0, Offset(0), Offset(0), TimestampMs(5)});
  const std::vector<uint8_t> good = SerializeProducerSnapshot(producers);
  ASSERT_TRUE(ParseProducerSnapshot(good).ok());

  std::vector<uint8_t> flipped = good;
  flipped[20] ^= 0x01;
  EXPECT_NE(ParseProducerSnapshot(flipped).status().message().find("CRC"), std::string::npos);

  std::vector<uint8_t> version = good;
  version[1] = 2;
  EXPECT_NE(ParseProducerSnapshot(version).status().message().find("version 2"), std::string::npos);

  std::vector<uint8_t> truncated(good.begin(), good.end() - 3);
  EXPECT_EQ(ParseProducerSnapshot(truncated).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseProducerSnapshot(std::vector<uint8_t>{0, 1, 2}).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(ParseProducerSnapshot({}).status().code(), Status::Code::kCorruption);
}

TEST(ProducerSnapshotTest, EmptyStateRoundTrips) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  ASSERT_TRUE(state.TakeSnapshot(Offset(0)).ok());
  ProducerStateManager reloaded(dir.path());
  ASSERT_TRUE(reloaded.LoadSnapshot(Offset(0)).ok());
  EXPECT_TRUE(reloaded.Producers().empty());
  EXPECT_EQ(reloaded.snapshot_offset(), Offset(0));
}

TEST(ProducerSnapshotTest, TakeSnapshotKeepsTheTwoNewest) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  for (int64_t end : {10, 20, 30, 40}) {
    state.Update(Batch(0, static_cast<int32_t>(end - 10), 10, end - 10));
    ASSERT_TRUE(state.TakeSnapshot(Offset(end)).ok());
  }
  EXPECT_EQ(ListDir(dir.path()), (std::vector<std::string>{"00000000000000000030.snapshot",
                                                           "00000000000000000040.snapshot"}));
  auto offsets = state.SnapshotOffsets();
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (std::vector<Offset>{Offset(30), Offset(40)}));
}

TEST(ProducerSnapshotTest, CorruptNewestSnapshotFallsBackToTheOlderOne) {
  TempDir dir;
  {
    ProducerStateManager state(dir.path());
    state.Update(Batch(0, 0, 10, 0));
    ASSERT_TRUE(state.TakeSnapshot(Offset(10)).ok());
    state.Update(Batch(0, 10, 10, 10));
    ASSERT_TRUE(state.TakeSnapshot(Offset(20)).ok());
  }
  std::filesystem::path newest = ProducerSnapshotPath(dir.path(), Offset(20));
  std::vector<uint8_t> bytes = ReadFileBytes(newest);
  bytes.back() ^= 0xff;
  WriteFileBytes(newest, bytes);

  ProducerStateManager state(dir.path());
  ASSERT_TRUE(state.LoadSnapshot(Offset(20)).ok());
  EXPECT_EQ(state.snapshot_offset(), Offset(10));
  EXPECT_EQ(state.Producers().at(kProducer).batches.back().last_sequence, 9);
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"00000000000000000010.snapshot"});
  // The caller replays [10, 20) and ends where it would have with the newest snapshot.
  state.Update(Batch(0, 10, 10, 10));
  EXPECT_EQ(state.Check(Batch(0, 20, 1, 20)).check, ProducerCheck::kNew);
}

TEST(ProducerSnapshotTest, AllSnapshotsCorruptLeavesEmptyState) {
  TempDir dir;
  WriteFileBytes(ProducerSnapshotPath(dir.path(), Offset(5)), {1, 2, 3, 4, 5, 6, 7});
  WriteFileBytes(ProducerSnapshotPath(dir.path(), Offset(9)), {});
  ProducerStateManager state(dir.path());
  state.Update(Batch(0, 0, 1, 0));  // forgotten by LoadSnapshot
  ASSERT_TRUE(state.LoadSnapshot(Offset(100)).ok());
  EXPECT_EQ(state.snapshot_offset(), Offset(0));
  EXPECT_TRUE(state.Producers().empty());
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(ProducerSnapshotTest, LoadDropsSnapshotsAboveTheLogEnd) {
  TempDir dir;
  {
    ProducerStateManager state(dir.path());
    state.Update(Batch(0, 0, 10, 0));
    ASSERT_TRUE(state.TakeSnapshot(Offset(10)).ok());
    state.Update(Batch(0, 10, 10, 10));
    ASSERT_TRUE(state.TakeSnapshot(Offset(20)).ok());
  }
  // The log was truncated to 15: the snapshot at 20 describes records that are gone.
  ProducerStateManager state(dir.path());
  ASSERT_TRUE(state.LoadSnapshot(Offset(15)).ok());
  EXPECT_EQ(state.snapshot_offset(), Offset(10));
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"00000000000000000010.snapshot"});
  EXPECT_EQ(state.Producers().at(kProducer).batches.back().last_sequence, 9);

  // Truncated to exactly a snapshot's offset: that snapshot is kept and used.
  ASSERT_TRUE(state.LoadSnapshot(Offset(10)).ok());
  EXPECT_EQ(state.snapshot_offset(), Offset(10));
  // Truncated below every snapshot: nothing is left.
  ASSERT_TRUE(state.LoadSnapshot(Offset(3)).ok());
  EXPECT_EQ(state.snapshot_offset(), Offset(0));
  EXPECT_TRUE(state.Producers().empty());
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(ProducerSnapshotTest, LoadRemovesLeftoverTmpFilesAndIgnoresOtherFiles) {
  TempDir dir;
  WriteFileBytes(dir.path() / "00000000000000000007.snapshot.tmp", {1, 2});
  WriteFileBytes(dir.path() / "00000000000000000000.log", {});
  WriteFileBytes(dir.path() / "leader-epoch-checkpoint", {'0', '\n', '0', '\n'});
  ProducerStateManager state(dir.path());
  ASSERT_TRUE(state.LoadSnapshot(Offset(50)).ok());
  EXPECT_EQ(ListDir(dir.path()),
            (std::vector<std::string>{"00000000000000000000.log", "leader-epoch-checkpoint"}));
}

TEST(ProducerSnapshotTest, LoadOnAMissingDirectoryIsAnIoError) {
  TempDir dir;
  ProducerStateManager state(dir.path() / "missing");
  EXPECT_EQ(state.LoadSnapshot(Offset(0)).code(), Status::Code::kIoError);
}

TEST(ProducerStateTest, ClearForgetsEverything) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  state.Update(Batch(0, 0, 1, 0));
  ASSERT_TRUE(state.TakeSnapshot(Offset(1)).ok());
  state.Clear();
  EXPECT_TRUE(state.Producers().empty());
  EXPECT_EQ(state.snapshot_offset(), Offset(0));
  EXPECT_EQ(state.Check(Batch(0, 1, 1, 1)).check, ProducerCheck::kNew);
}

TEST(ProducerStateTest, ConcurrentUpdatesChecksAndSnapshotsAreSafe) {
  TempDir dir;
  ProducerStateManager state(dir.path());
  constexpr int kBatches = 2000;
  std::thread writer([&] {
    for (int i = 0; i < kBatches; ++i) state.Update(Batch(0, i, 1, i));
  });
  std::thread checker([&] {
    for (int i = 0; i < kBatches; ++i) {
      ProducerCheck check = state.Check(Batch(0, i, 1, i)).check;
      EXPECT_TRUE(check == ProducerCheck::kNew || check == ProducerCheck::kDuplicate ||
                  check == ProducerCheck::kOutOfOrderSequence);
    }
  });
  for (int i = 1; i <= 20; ++i) ASSERT_TRUE(state.TakeSnapshot(Offset(i * 100)).ok());
  writer.join();
  checker.join();
  EXPECT_EQ(state.Producers().at(kProducer).batches.back().last_sequence, kBatches - 1);
  auto offsets = state.SnapshotOffsets();
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (std::vector<Offset>{Offset(1900), Offset(2000)}));
}

// ProducerBatches over real record batches.
std::vector<uint8_t> BuildBatch(int count, int64_t base_offset, int64_t producer_id, int16_t epoch,
                                int32_t base_sequence, bool control = false) {
  std::vector<kafka::Record> records(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    records[static_cast<size_t>(i)].timestamp = 1000 + i;
    records[static_cast<size_t>(i)].value = "v" + std::to_string(i);
  }
  kafka::RecordBatchBuilderOptions options;
  options.base_offset = base_offset;
  options.producer_id = producer_id;
  options.producer_epoch = epoch;
  options.base_sequence = base_sequence;
  options.control = control;
  auto batch = kafka::BuildRecordBatch(records, options);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? std::move(*batch) : std::vector<uint8_t>{};
}

TEST(ProducerBatchesTest, ReadsTheProducerFieldsOfEveryBatch) {
  std::vector<uint8_t> payload = BuildBatch(3, 40, 12, 2, 7);
  std::vector<uint8_t> plain = BuildBatch(2, 43, -1, -1, -1);
  std::vector<uint8_t> control = BuildBatch(1, 45, 12, 2, -1, /*control=*/true);
  std::vector<uint8_t> wrapping = BuildBatch(4, 46, 12, 2, kMaxSeq - 1);
  payload.insert(payload.end(), plain.begin(), plain.end());
  payload.insert(payload.end(), control.begin(), control.end());
  payload.insert(payload.end(), wrapping.begin(), wrapping.end());

  auto batches = ProducerBatches(payload);
  ASSERT_TRUE(batches.ok()) << batches.status().ToString();
  ASSERT_EQ(batches->size(), 3u);  // the control batch is left out
  const ProducerBatchInfo& first = (*batches)[0];
  EXPECT_EQ(first.producer_id, 12);
  EXPECT_EQ(first.producer_epoch, 2);
  EXPECT_EQ(first.base_sequence, 7);
  EXPECT_EQ(first.last_sequence, 9);
  EXPECT_EQ(first.first_offset, Offset(40));
  EXPECT_EQ(first.last_offset, Offset(42));
  EXPECT_EQ(first.max_timestamp, TimestampMs(1002));
  EXPECT_EQ((*batches)[1].producer_id, -1);
  EXPECT_EQ((*batches)[1].base_sequence, kNoSequence);
  EXPECT_EQ((*batches)[1].last_sequence, kNoSequence);
  EXPECT_EQ((*batches)[2].base_sequence, kMaxSeq - 1);
  EXPECT_EQ((*batches)[2].last_sequence, 1);  // MAX-1, MAX, 0, 1
}

TEST(ProducerBatchesTest, EmptyInputAndTrailingPartialBatch) {
  auto none = ProducerBatches({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::vector<uint8_t> payload = BuildBatch(2, 0, 5, 0, 0);
  std::vector<uint8_t> second = BuildBatch(2, 2, 5, 0, 2);
  payload.insert(payload.end(), second.begin(), second.begin() + 30);  // a fetch cut it short
  auto batches = ProducerBatches(payload);
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ(batches->size(), 1u);
}

TEST(ProducerBatchesTest, MalformedHeaderIsCorruption) {
  std::vector<uint8_t> payload = BuildBatch(2, 0, 5, 0, 0);
  std::vector<uint8_t> negative_delta = payload;
  payload[kafka::batch_offsets::kMagic] = 1;
  EXPECT_EQ(ProducerBatches(payload).status().code(), Status::Code::kCorruption);

  negative_delta[kafka::batch_offsets::kLastOffsetDelta] = 0xff;  // -16777215
  auto parsed = ProducerBatches(negative_delta);
  EXPECT_EQ(parsed.status().code(), Status::Code::kCorruption);
  EXPECT_NE(parsed.status().message().find("negative lastOffsetDelta"), std::string::npos);
}

TEST(ProducerBatchesTest, AssignOffsetsAfterALeaderAppend) {
  std::vector<uint8_t> payload = BuildBatch(3, 0, 5, 0, 0);
  std::vector<uint8_t> second = BuildBatch(2, 0, 5, 0, 3);  // clients send base offset 0
  payload.insert(payload.end(), second.begin(), second.end());
  auto batches = ProducerBatches(payload);
  ASSERT_TRUE(batches.ok());
  AssignProducerBatchOffsets(*batches, Offset(100));
  EXPECT_EQ((*batches)[0].first_offset, Offset(100));
  EXPECT_EQ((*batches)[0].last_offset, Offset(102));
  EXPECT_EQ((*batches)[1].first_offset, Offset(103));
  EXPECT_EQ((*batches)[1].last_offset, Offset(104));

  // The leader's whole flow: check the payload, append, update, and a retry is a duplicate.
  TempDir dir;
  ProducerStateManager state(dir.path());
  auto fresh = ProducerBatches(payload);
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(state.CheckAll(*fresh).check, ProducerCheck::kNew);
  for (const auto& batch : *batches) state.Update(batch);
  ProducerCheckResult retry = state.Check((*fresh)[1]);
  EXPECT_EQ(retry.check, ProducerCheck::kDuplicate);
  EXPECT_EQ(retry.duplicate_first_offset, Offset(103));
  EXPECT_EQ(retry.duplicate_last_offset, Offset(104));
}

}  // namespace
}  // namespace sluice::storage

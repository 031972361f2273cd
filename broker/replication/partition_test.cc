#include "broker/replication/partition.h"

#include <gtest/gtest.h>

#include "broker/replication/test_fakes.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/test_util.h"

namespace sluice::replication {
namespace {

using kafka::ErrorCode;
using testing::ClientBatch;

constexpr int32_t kSelf = 1;
constexpr int64_t kLagMs = 10'000;

class PartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto logs = storage::LogManager::Open({dir_.path()}, BrokerId(kSelf), "",
                                          storage::testing::SmallConfig(), TimestampMs(0));
    ASSERT_TRUE(logs.ok()) << logs.status().ToString();
    logs_ = std::move(*logs);
    partition_ = Open();
  }

  std::shared_ptr<Partition> Open(int32_t min_isr = 1) {
    auto log = logs_->GetOrCreateLog(tp_, storage::testing::SmallConfig(), TimestampMs(0));
    EXPECT_TRUE(log.ok());
    PartitionConfig config{storage::testing::SmallConfig(), min_isr};
    auto partition = Partition::Create(tp_, *log, kSelf, config, kLagMs, writer_, listener_);
    EXPECT_TRUE(partition.ok()) << partition.status().ToString();
    return partition.ok() ? *partition : nullptr;
  }

  LeaderAndIsrPartitionState State(int32_t leader, int32_t epoch, std::vector<int32_t> isr,
                                   std::vector<int32_t> replicas = {1, 2, 3}) {
    LeaderAndIsrPartitionState state;
    state.tp = tp_;
    state.controller_epoch = 1;
    state.leader = leader;
    state.leader_epoch = epoch;
    state.isr = std::move(isr);
    state.zk_version = 7;
    state.replicas = std::move(replicas);
    return state;
  }

  void Append(int count, int16_t acks = 1) {
    auto outcome = partition_->AppendAsLeader(ClientBatch(count), acks, TimestampMs(1));
    ASSERT_TRUE(outcome.ok()) << outcome.message;
  }

  // A follower fetch at `offset` at time `now`.
  void Fetch(int32_t replica, int64_t offset, int64_t now) {
    auto read = partition_->ReadRecords(replica, Offset(offset), 1 << 20, true, TimestampMs(now));
    ASSERT_TRUE(read.ok()) << read.status().ToString();
  }

  int64_t Hw() const { return partition_->log().HighWatermark().value(); }

  storage::testing::TempDir dir_;
  storage::TopicPartition tp_{"orders", PartitionId(0)};
  testing::FakeIsrWriter writer_;
  testing::RecordingListener listener_;
  std::unique_ptr<storage::LogManager> logs_;
  std::shared_ptr<Partition> partition_;
};

TEST_F(PartitionTest, NewPartitionIsNeitherLeaderNorFollower) {
  EXPECT_FALSE(partition_->is_leader());
  EXPECT_EQ(partition_->leader_epoch(), -1);
  auto outcome = partition_->AppendAsLeader(ClientBatch(1), 1, TimestampMs(1));
  EXPECT_EQ(outcome.error, ErrorCode::kNotLeaderOrFollower);
}

TEST_F(PartitionTest, MakeLeaderTakesTheRequestsState) {
  auto made = partition_->MakeLeader(State(kSelf, 3, {1, 2}), TimestampMs(100));
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(*made);
  EXPECT_TRUE(partition_->is_leader());
  EXPECT_EQ(partition_->leader_epoch(), 3);
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(partition_->replicas(), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(partition_->zk_version(), 7);
  EXPECT_TRUE(partition_->IsUnderReplicated());
  // Only an epoch bump: no longer "new".
  made = partition_->MakeLeader(State(kSelf, 4, {1, 2}), TimestampMs(100));
  ASSERT_TRUE(made.ok());
  EXPECT_FALSE(*made);
}

TEST_F(PartitionTest, HighWatermarkIsTheSmallestLogEndOffsetInTheIsr) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2, 3}), TimestampMs(0)).ok());
  Append(5);
  EXPECT_EQ(Hw(), 0) << "followers' LEOs are unknown until they fetch";
  Fetch(2, 5, 10);
  EXPECT_EQ(Hw(), 0) << "replica 3 has not fetched yet";
  Fetch(3, 3, 10);
  EXPECT_EQ(Hw(), 3);
  Fetch(3, 5, 20);
  EXPECT_EQ(Hw(), 5);
  // A consumer reads only up to the HW; a follower up to the LEO.
  Append(2);
  auto consumer = partition_->ReadRecords(-1, Offset(5), 1 << 20, true, TimestampMs(30));
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(consumer->records.empty());
  auto follower = partition_->ReadRecords(2, Offset(5), 1 << 20, true, TimestampMs(30));
  ASSERT_TRUE(follower.ok());
  EXPECT_FALSE(follower->records.empty());
  EXPECT_EQ(follower->high_watermark, Offset(5));
}

TEST_F(PartitionTest, HighWatermarkNeverMovesBackward) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  Append(5);
  Fetch(2, 5, 10);
  EXPECT_EQ(Hw(), 5);
  Fetch(2, 2, 20);  // a follower that truncated and re-fetches
  EXPECT_EQ(Hw(), 5);
}

TEST_F(PartitionTest, SoleIsrMemberCommitsAtOnce) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 2, {1}, {1}), TimestampMs(0)).ok());
  Append(3, -1);
  EXPECT_EQ(Hw(), 3);
  EXPECT_EQ(partition_->CheckAcksAll(Offset(2)), ErrorCode::kNone);
}

TEST_F(PartitionTest, CheckAcksAllWaitsForTheIsr) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  auto outcome = partition_->AppendAsLeader(ClientBatch(4), -1, TimestampMs(1));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.info.last_offset, Offset(3));
  EXPECT_EQ(partition_->CheckAcksAll(Offset(3)), std::nullopt);
  Fetch(2, 2, 10);
  EXPECT_EQ(partition_->CheckAcksAll(Offset(3)), std::nullopt);
  const int changes_before = listener_.changes.load();
  Fetch(2, 4, 20);
  EXPECT_GT(listener_.changes.load(), changes_before);
  EXPECT_EQ(partition_->CheckAcksAll(Offset(3)), ErrorCode::kNone);
}

TEST_F(PartitionTest, CheckAcksAllAnswersNotLeaderAfterLosingLeadership) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  Append(1, -1);
  EXPECT_TRUE(partition_->MakeFollower(State(2, 2, {2}, {1, 2})));
  EXPECT_EQ(partition_->CheckAcksAll(Offset(0)), ErrorCode::kNotLeaderOrFollower);
}

TEST_F(PartitionTest, MinInsyncReplicasRefusesAcksAllBeforeWriting) {
  partition_ = nullptr;
  partition_ = Open(/*min_isr=*/2);
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1, 2}), TimestampMs(0)).ok());
  auto refused = partition_->AppendAsLeader(ClientBatch(2), -1, TimestampMs(1));
  EXPECT_EQ(refused.error, ErrorCode::kNotEnoughReplicas);
  EXPECT_EQ(partition_->log().LogEndOffset(), Offset(0));
  auto accepted = partition_->AppendAsLeader(ClientBatch(2), 1, TimestampMs(1));
  EXPECT_TRUE(accepted.ok()) << "acks=1 ignores min.insync.replicas";
}

TEST_F(PartitionTest, CommittedButIsrBelowMinIsNotEnoughReplicasAfterAppend) {
  partition_ = nullptr;
  partition_ = Open(/*min_isr=*/2);
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  auto outcome = partition_->AppendAsLeader(ClientBatch(2), -1, TimestampMs(1));
  ASSERT_TRUE(outcome.ok());
  // Replica 2 never fetches; it is shrunk out, which lets the HW advance to the leader's LEO.
  ASSERT_TRUE(partition_->MaybeShrinkIsr(TimestampMs(kLagMs + 1)));
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1}));
  EXPECT_EQ(Hw(), 2);
  EXPECT_EQ(partition_->CheckAcksAll(Offset(1)), ErrorCode::kNotEnoughReplicasAfterAppend);
}

TEST_F(PartitionTest, ShrinkFollowsLastCaughtUpTime) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2, 3}), TimestampMs(1000)).ok());
  Append(5);
  Fetch(2, 5, 2000);  // caught up at 2000
  Fetch(3, 5, 2000);
  Append(3);                                                     // leader LEO 8
  Fetch(3, 8, 9000);                                             // caught up at 9000
  EXPECT_FALSE(partition_->MaybeShrinkIsr(TimestampMs(12000)));  // 2: 10000 ms, not more
  EXPECT_TRUE(partition_->MaybeShrinkIsr(TimestampMs(12001)));
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1, 3}));
  ASSERT_EQ(writer_.writes().size(), 1u);
  EXPECT_EQ(writer_.writes()[0].isr, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(writer_.writes()[0].zk_version, 7);
  EXPECT_EQ(partition_->zk_version(), 8);
  EXPECT_EQ(Hw(), 8) << "without replica 2 everything is committed";
}

TEST_F(PartitionTest, FetchBehindButAtThePreviousLeaderEndCountsAsCaughtUpThen) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  Append(5);
  Fetch(2, 0, 1000);   // leader LEO 5 at this fetch
  Append(5);           // LEO 10
  Fetch(2, 5, 20000);  // >= LEO at the previous fetch: caught up as of 1000
  EXPECT_EQ(partition_->remote_replica(2)->last_caught_up_time, TimestampMs(1000));
  EXPECT_TRUE(partition_->MaybeShrinkIsr(TimestampMs(11001)));
}

TEST_F(PartitionTest, AFollowerAtTheLeaderEndIsNeverShrunk) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  Append(5);
  Fetch(2, 5, 100);
  EXPECT_FALSE(partition_->MaybeShrinkIsr(TimestampMs(1'000'000)));
}

TEST_F(PartitionTest, ShrinkConflictKeepsTheIsr) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1, 2}, {1, 2}), TimestampMs(0)).ok());
  Append(1);
  writer_.set_conflict(true);
  EXPECT_FALSE(partition_->MaybeShrinkIsr(TimestampMs(kLagMs + 1)));
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(partition_->zk_version(), 7);
}

TEST_F(PartitionTest, ExpandWhenTheFollowerReachesTheHighWatermark) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1, 2}), TimestampMs(0)).ok());
  Append(5);
  EXPECT_EQ(Hw(), 5);
  Fetch(2, 3, 10);
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1}));
  EXPECT_TRUE(writer_.writes().empty());
  Fetch(2, 5, 20);
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(partition_->zk_version(), 8);
  EXPECT_FALSE(partition_->IsUnderReplicated());
}

TEST_F(PartitionTest, ExpandNeedsTheCurrentEpochsStartOffset) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1, 2, 3}), TimestampMs(0)).ok());
  Append(5);
  // Lead epoch 3 from offset 5 with a high watermark of 3 (replica 3 has not fetched yet).
  partition_->log().SetHighWatermark(Offset(3));
  ASSERT_TRUE(partition_->MakeFollower(State(2, 2, {2}, {1, 2, 3})));
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 3, {1, 3}, {1, 2, 3}), TimestampMs(0)).ok());
  EXPECT_EQ(Hw(), 3);
  Fetch(2, 4, 10);  // >= HW, but below where epoch 3 starts
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1, 3}));
  Fetch(2, 5, 20);
  EXPECT_EQ(partition_->isr(), (std::vector<int32_t>{1, 3, 2}));
}

TEST_F(PartitionTest, EndOffsetForEpochAnswersTheNewEpochBeforeAnyAppend) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1}), TimestampMs(0)).ok());
  Append(4);
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 3, {1}, {1}), TimestampMs(0)).ok());
  EXPECT_EQ(partition_->EndOffsetForEpoch(3), (std::pair<int32_t, Offset>{3, Offset(4)}));
  EXPECT_EQ(partition_->EndOffsetForEpoch(1), (std::pair<int32_t, Offset>{1, Offset(4)}));
  EXPECT_EQ(partition_->EndOffsetForEpoch(2), (std::pair<int32_t, Offset>{1, Offset(4)}));
}

TEST_F(PartitionTest, FollowerRefusesProduceAndConsumerReads) {
  EXPECT_TRUE(partition_->MakeFollower(State(2, 1, {2, 1})));
  EXPECT_FALSE(partition_->is_leader());
  EXPECT_EQ(partition_->leader_id(), 2);
  EXPECT_EQ(partition_->AppendAsLeader(ClientBatch(1), 1, TimestampMs(1)).error,
            ErrorCode::kNotLeaderOrFollower);
  auto read = partition_->ReadRecords(-1, Offset(0), 100, true, TimestampMs(1));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Status::Code::kUnavailable);
}

TEST_F(PartitionTest, UnknownReplicaCannotFetch) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1, 2}), TimestampMs(0)).ok());
  auto read = partition_->ReadRecords(9, Offset(0), 100, true, TimestampMs(1));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Status::Code::kUnavailable);
}

TEST_F(PartitionTest, IdempotentDuplicateAnswersTheOriginalOffsets) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1}), TimestampMs(0)).ok());
  Append(2);  // offsets 0-1, not idempotent
  auto first = partition_->AppendAsLeader(ClientBatch(3, 42, 0, 0), 1, TimestampMs(1));
  ASSERT_TRUE(first.ok()) << first.message;
  EXPECT_EQ(first.info.first_offset, Offset(2));
  auto retry = partition_->AppendAsLeader(ClientBatch(3, 42, 0, 0), 1, TimestampMs(2));
  ASSERT_TRUE(retry.ok()) << retry.message;
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.info.first_offset, Offset(2));
  EXPECT_EQ(retry.info.last_offset, Offset(4));
  EXPECT_EQ(partition_->log().LogEndOffset(), Offset(5)) << "the retry wrote nothing";
  auto gap = partition_->AppendAsLeader(ClientBatch(1, 42, 0, 7), 1, TimestampMs(3));
  EXPECT_EQ(gap.error, ErrorCode::kOutOfOrderSequenceNumber);
  auto next = partition_->AppendAsLeader(ClientBatch(1, 42, 0, 3), 1, TimestampMs(3));
  EXPECT_TRUE(next.ok()) << next.message;
  auto bumped = partition_->AppendAsLeader(ClientBatch(1, 42, 1, 0), 1, TimestampMs(4));
  EXPECT_TRUE(bumped.ok()) << bumped.message;
  auto zombie = partition_->AppendAsLeader(ClientBatch(1, 42, 0, 4), 1, TimestampMs(5));
  EXPECT_EQ(zombie.error, ErrorCode::kInvalidProducerEpoch);
}

TEST_F(PartitionTest, ProducerStateSurvivesReopenAndTruncation) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1}), TimestampMs(0)).ok());
  ASSERT_TRUE(partition_->AppendAsLeader(ClientBatch(2, 7, 0, 0), 1, TimestampMs(1)).ok());
  ASSERT_TRUE(partition_->TakeProducerSnapshot().ok());
  ASSERT_TRUE(partition_->AppendAsLeader(ClientBatch(2, 7, 0, 2), 1, TimestampMs(1)).ok());
  // A new Partition over the same log: snapshot at 2, then replay of offsets 2-3.
  partition_ = Open();
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 2, {1}, {1}), TimestampMs(0)).ok());
  auto retry = partition_->AppendAsLeader(ClientBatch(2, 7, 0, 2), 1, TimestampMs(2));
  ASSERT_TRUE(retry.ok()) << retry.message;
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.info.first_offset, Offset(2));
  // As follower, truncating below the second batch forgets it: its retry is new again.
  ASSERT_TRUE(partition_->MakeFollower(State(2, 3, {2}, {1, 2})));
  ASSERT_TRUE(partition_->TruncateTo(Offset(2), TimestampMs(3)).ok());
  EXPECT_EQ(partition_->log().LogEndOffset(), Offset(2));
  auto entries = partition_->producer_state().Producers();
  ASSERT_EQ(entries.count(7), 1u);
  EXPECT_EQ(entries[7].batches.back().last_sequence, 1);
}

TEST_F(PartitionTest, FollowerAppendKeepsOffsetsAndFollowsTheLeaderHighWatermark) {
  EXPECT_TRUE(partition_->MakeFollower(State(2, 1, {2, 1})));
  auto batch = ClientBatch(3, 9, 0, 0);
  kafka::SetBaseOffset(batch, 0);
  kafka::SetPartitionLeaderEpoch(batch, 1);
  auto appended = partition_->AppendAsFollower(batch, Offset(2), Offset(0), TimestampMs(5));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(partition_->log().LogEndOffset(), Offset(3));
  EXPECT_EQ(Hw(), 2);
  EXPECT_EQ(partition_->log().LatestEpoch(), 1);
  EXPECT_EQ(partition_->producer_state().Producers().count(9), 1u);
  // An empty fetch answer still moves the HW (bounded by our LEO).
  ASSERT_TRUE(partition_->AppendAsFollower({}, Offset(10), Offset(0), TimestampMs(6)).ok());
  EXPECT_EQ(Hw(), 3);
}

TEST_F(PartitionTest, LeaderRefusesFollowerAppends) {
  ASSERT_TRUE(partition_->MakeLeader(State(kSelf, 1, {1}, {1}), TimestampMs(0)).ok());
  auto batch = ClientBatch(1);
  auto appended = partition_->AppendAsFollower(batch, Offset(0), Offset(0), TimestampMs(1));
  EXPECT_FALSE(appended.ok());
}

}  // namespace
}  // namespace sluice::replication

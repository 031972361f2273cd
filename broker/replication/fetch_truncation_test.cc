#include "broker/replication/fetch_truncation.h"

#include <gtest/gtest.h>

namespace sluice::replication {
namespace {

constexpr std::pair<int32_t, Offset> kNoEpoch{-1, Offset(-1)};

TEST(DecideTruncationTest, LeaderWithoutEpochInformationTruncatesToHighWatermark) {
  EXPECT_EQ(DecideTruncation(-1, Offset(-1), kNoEpoch, Offset(20), Offset(12)),
            (TruncationDecision{Offset(12), true}));
}

TEST(DecideTruncationTest, OldLeaderWithoutEpochInAnswerUsesItsEndOffset) {
  EXPECT_EQ(DecideTruncation(-1, Offset(15), {3, Offset(20)}, Offset(20), Offset(10)),
            (TruncationDecision{Offset(15), true}));
}

TEST(DecideTruncationTest, SameEpochTakesTheSmallerEnd) {
  // Follower wrote 5 more records in epoch 3 than the leader kept (KIP-101's scenario).
  EXPECT_EQ(DecideTruncation(3, Offset(15), {3, Offset(20)}, Offset(20), Offset(10)),
            (TruncationDecision{Offset(15), true}));
  // The leader has more in that epoch: nothing to remove.
  EXPECT_EQ(DecideTruncation(3, Offset(30), {3, Offset(20)}, Offset(20), Offset(10)),
            (TruncationDecision{Offset(20), true}));
}

TEST(DecideTruncationTest, FollowerLackingTheLeadersEpochTruncatesAndAsksAgain) {
  // Leader answers epoch 4 ending at 18; the follower has epochs 2 (to 16) then 5.
  EXPECT_EQ(DecideTruncation(4, Offset(18), {2, Offset(16)}, Offset(25), Offset(10)),
            (TruncationDecision{Offset(16), false}));
}

TEST(DecideTruncationTest, FollowerWithoutThatEpochAtAllUsesLeaderEnd) {
  EXPECT_EQ(DecideTruncation(4, Offset(18), kNoEpoch, Offset(25), Offset(10)),
            (TruncationDecision{Offset(18), true}));
}

TEST(DecideTruncationTest, NeverPastTheLogEnd) {
  EXPECT_EQ(DecideTruncation(4, Offset(18), {4, Offset(40)}, Offset(7), Offset(5)),
            (TruncationDecision{Offset(7), true}));
}

}  // namespace
}  // namespace sluice::replication

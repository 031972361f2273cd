// The follower's truncation decision after OffsetForLeaderEpoch (KIP-101, KIP-279), as a pure
// function of what the leader answered and what the follower's own log says: Kafka 2.8's
// AbstractFetcherThread.getOffsetTruncationState.
#pragma once

#include <cstdint>
#include <utility>

#include "libs/base/ids.h"

namespace sluice::replication {

struct TruncationDecision {
  Offset truncate_to;
  // False: the follower did not know the leader's epoch, so it truncated to where its own
  // older epoch ends and must ask again with its (new) latest epoch (KIP-279).
  bool completed = true;

  bool operator==(const TruncationDecision&) const = default;
};

// `leader_epoch`/`leader_end_offset`: the leader's answer for the follower's latest epoch
// (-1 when undefined). `follower_end_for_leader_epoch`: the follower's own
// Log::EndOffsetForEpoch(leader_epoch) (-1, -1 when it has no such epoch).
//   * leader end offset undefined (leader has no epoch information): truncate to the HW;
//   * leader epoch undefined (a pre-v1 answer): min(leader end, LEO);
//   * the follower lacks the leader's epoch: min(leader end, LEO);
//   * the follower's largest epoch <= the leader's differs from it: truncate to where that
//     epoch ends on the follower (min with LEO) and ask again (completed = false);
//   * otherwise min(leader end, follower's end of that epoch, LEO).
TruncationDecision DecideTruncation(int32_t leader_epoch, Offset leader_end_offset,
                                    std::pair<int32_t, Offset> follower_end_for_leader_epoch,
                                    Offset log_end_offset, Offset high_watermark);

}  // namespace sluice::replication

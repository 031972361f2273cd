#include "broker/replication/fetch_truncation.h"

#include <algorithm>

namespace sluice::replication {

TruncationDecision DecideTruncation(int32_t leader_epoch, Offset leader_end_offset,
                                    std::pair<int32_t, Offset> follower_end_for_leader_epoch,
                                    Offset log_end_offset, Offset high_watermark) {
  constexpr Offset kUndefinedOffset{-1};
  if (leader_end_offset == kUndefinedOffset) {
    return {std::min(high_watermark, log_end_offset), true};
  }
  if (leader_epoch < 0) return {std::min(leader_end_offset, log_end_offset), true};
  const auto [follower_epoch, follower_end] = follower_end_for_leader_epoch;
  if (follower_end == kUndefinedOffset) {
    return {std::min(leader_end_offset, log_end_offset), true};
  }
  if (follower_epoch != leader_epoch) {
    // The follower's epochs between follower_epoch and leader_epoch were never the leader's:
    // drop them and ask again with follower_epoch as the latest.
    return {std::min(follower_end, log_end_offset), false};
  }
  return {std::min({leader_end_offset, follower_end, log_end_offset}), true};
}

}  // namespace sluice::replication

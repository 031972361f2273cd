// DelayedProduce: a Produce request with acks=-1 (all) waiting in the purgatory until every
// partition it appended to is committed, i.e. the leader's high watermark passed the last
// offset it wrote (Kafka's DelayedProduce).
//
// The partitions are watched under their purgatory keys; the replication layer's
// OnPartitionChanged (high watermark or ISR moved) re-checks them. Each partition's answer is
// decided once, by `check` (Partition::CheckAcksAll): kNone when committed,
// NOT_ENOUGH_REPLICAS_AFTER_APPEND when committed after the ISR fell below
// min.insync.replicas, NOT_LEADER_OR_FOLLOWER when leadership moved, nullopt while waiting. At
// the request's timeout_ms the partitions still waiting answer REQUEST_TIMED_OUT (their data
// may still be committed later, as in Kafka). The response goes out once, for the whole request.
//
// Thread-safety: TryComplete may run concurrently from several notifiers and the timer; the
// per-partition state is guarded by mu_, and the response is sent outside it.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/server/purgatory.h"
#include "libs/base/ids.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

class DelayedProduce : public DelayedOperation {
 public:
  // Partition::CheckAcksAll for one partition of the request.
  using CheckAcks = std::function<std::optional<kafka::ErrorCode>(
      const std::string& topic, int32_t partition, Offset last_offset)>;
  // A partition of `response` that was appended and waits: where its answer sits in the
  // response (responses[topic_index].partition_responses[partition_index]) and the last offset
  // the append wrote.
  struct Waiting {
    size_t topic_index = 0;
    size_t partition_index = 0;
    Offset last_offset{-1};
  };

  // `response` already holds every partition's answer as of the append (errors included);
  // the waiting ones are overwritten with their error code when decided.
  DelayedProduce(kafka::ProduceResponse response, std::vector<Waiting> waiting, CheckAcks check,
                 std::function<void(kafka::ProduceResponse)> respond);

  bool TryComplete() override;
  void OnComplete() override;

 private:
  // Checks the undecided partitions; true when none is left. REQUIRES(mu_).
  bool CheckWaitingLocked();

  const CheckAcks check_;
  const std::function<void(kafka::ProduceResponse)> respond_;
  std::mutex mu_;
  kafka::ProduceResponse response_;  // GUARDED_BY(mu_)
  std::vector<Waiting> waiting_;     // GUARDED_BY(mu_): the partitions not decided yet
};

}  // namespace sluice::server

// Where the coordinator keeps its state: the __consumer_offsets partitions this broker leads.
// The interface keeps the coordinator testable without a broker; ReplicaOffsetsLog is the
// broker's implementation over the replica manager.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/scheduler.h"
#include "broker/replication/replica_manager.h"
#include "libs/base/status.h"

namespace sluice::group {

// A record of __consumer_offsets: key and value as offsets_records.h encodes them; no value is
// a tombstone.
struct OffsetsRecord {
  std::string key;
  std::optional<std::string> value;
};

class OffsetsLog {
 public:
  // The verdict of an append, passed to its `done` callback.
  using AppendCallback = std::function<void(Status)>;

  virtual ~OffsetsLog() = default;
  // Appends `records` to `partition` as one batch with timestamp `timestamp_ms`. The leader
  // append happens before this returns (so appends made under the coordinator's lock keep its
  // order); `done` runs later, once the batch is committed or has failed, never on the caller's
  // stack (it may take the coordinator's lock).
  // Verdicts, as the coordinator maps them to Kafka's errors:
  //   Ok           committed (the high watermark passed the batch);
  //   NotFound     this broker does not lead the partition, or stopped leading it before the
  //                commit (NOT_LEADER_OR_FOLLOWER);
  //   Unavailable  the ISR is below min.insync.replicas (NOT_ENOUGH_REPLICAS[_AFTER_APPEND]);
  //   Timeout      the ISR did not replicate the batch within offsets.commit.timeout.ms;
  //   OutOfRange   the batch is too large; IoError a storage error; others as Log::Append.
  virtual void Append(int32_t partition, std::vector<OffsetsRecord> records, int64_t timestamp_ms,
                      AppendCallback done) = 0;
  // Calls `visit` for every record of `partition`, in offset order (the partition is read in
  // chunks; records of control batches are skipped).
  virtual Status Replay(int32_t partition,
                        const std::function<void(const OffsetsRecord&)>& visit) = 0;
};

// Appends as a producer with acks=-1 would (Kafka's GroupMetadataManager appends with
// required acks -1): refused when the ISR is below min.insync.replicas, and acknowledged only
// once the high watermark passed the batch, waiting at most offsets.commit.timeout.ms. Nothing
// blocks meanwhile: an append waiting for its commit is kept here (Kafka's delayed produce),
// re-checked on every OnPartitionChanged() and expired by a timer. Verdicts are delivered
// through the scheduler (RunAfter with no delay), also when the ISR is this broker alone and
// the append is the commit. After the scheduler shut down, pending callbacks are dropped.
//
// Thread-safety: every method may be called from any thread.
class ReplicaOffsetsLog : public OffsetsLog {
 public:
  // `on_append(partition)` runs after each leader append (the broker wakes fetches waiting on
  // it), on the appending thread.
  ReplicaOffsetsLog(replication::ReplicaManager& replicas, Scheduler& scheduler,
                    std::function<void(int32_t partition)> on_append,
                    std::chrono::milliseconds commit_timeout);

  void Append(int32_t partition, std::vector<OffsetsRecord> records, int64_t timestamp_ms,
              AppendCallback done) override;
  Status Replay(int32_t partition, const std::function<void(const OffsetsRecord&)>& visit) override;

  // A __consumer_offsets partition's high watermark, ISR or role changed
  // (ReplicationListener::OnPartitionChanged): completes the appends that now have a verdict.
  // May be called with replication locks held or from within an append: it only posts.
  void OnPartitionChanged();

  // Appends still waiting for their commit.
  size_t PendingCount() const;

 private:
  struct Waiter {
    std::shared_ptr<replication::Partition> replica;
    Offset last_offset;
    std::string name;  // topic-partition, for messages
    AppendCallback done;
  };
  // Shared with the expiry timers, which may outlive this object.
  struct Pending {
    std::mutex mu;
    uint64_t next_id = 0;                // GUARDED_BY(mu)
    std::map<uint64_t, Waiter> waiters;  // GUARDED_BY(mu)
  };

  // Runs `done(status)` through the scheduler.
  void Post(AppendCallback done, Status status);

  replication::ReplicaManager& replicas_;
  Scheduler& scheduler_;
  std::function<void(int32_t)> on_append_;
  const std::chrono::milliseconds commit_timeout_;
  const std::shared_ptr<Pending> pending_ = std::make_shared<Pending>();
};

}  // namespace sluice::group

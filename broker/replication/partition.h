// Partition: the replica of one partition hosted by this broker, leader or follower (Kafka's
// kafka.cluster.Partition at 2.8, ZooKeeper mode).
//
// As leader it accepts produce (AppendAsLeader), serves consumers up to the high watermark and
// followers up to the log end offset (ReadRecords), tracks each remote replica's fetch state,
// and maintains the ISR and the high watermark:
//   * HW = min log end offset over the ISR (this broker included); it only moves forward while
//     this broker stays leader. A remote replica whose LEO is not known yet (no fetch since this
//     broker became leader) holds the HW where it is.
//   * A follower joins the ISR at a fetch that shows its LEO >= HW and >= the start offset of
//     the current leader epoch (so it holds everything committed, and nothing from an older
//     epoch that this leader did not keep).
//   * A follower leaves the ISR (MaybeShrinkIsr) when its LEO != the leader's LEO and it has not
//     been caught up for more than replica.lag.time.max.ms (Kafka's Replica.lastCaughtUpTime:
//     caught up at a fetch whose offset is >= the leader's LEO at that moment, or at the
//     previous fetch's time when this fetch offset is >= the leader's LEO at the previous fetch).
//   * Every ISR change is written to ZooKeeper through IsrWriter first; memory changes only when
//     the write succeeded (on Conflict the controller moved the znode on and will tell us).
// As follower it only stores what the fetcher brings (AppendAsFollower, TruncateTo); produce and
// fetch answer NOT_LEADER_OR_FOLLOWER.
//
// Idempotent producers: a ProducerStateManager is loaded when the partition is created (newest
// snapshot, then a replay of the log from it), checked and updated on leader appends, updated on
// follower appends, rebuilt after truncation and snapshotted by TakeProducerSnapshot.
//
// Thread-safety: every method may be called from any thread. Lock order: append_mu_ (serialises
// appends, truncations and producer-state checks), then isr_update_mu_ (serialises ISR writes,
// which block on ZooKeeper), then mu_ (role, ISR, replica states; never held across I/O except
// the cheap Log calls). The Log has its own locking. Listener callbacks run with no lock held.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "broker/replication/replication_types.h"
#include "broker/storage/log.h"
#include "broker/storage/producer_state.h"
#include "broker/storage/thread_annotations.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::replication {

// The leader's view of one remote replica (Kafka's Replica.scala).
struct RemoteReplicaState {
  Offset log_end_offset{-1};    // -1: unknown (no fetch since this broker became leader)
  Offset log_start_offset{-1};  // as the follower reported it
  TimestampMs last_fetch_time{0};
  Offset last_fetch_leader_log_end_offset{-1};  // the leader's LEO at the last fetch
  TimestampMs last_caught_up_time{0};
};

class Partition {
 public:
  // Creates the replica over `log` (not yet leader nor follower: leader_epoch() is -1 until
  // MakeLeader/MakeFollower) and loads its producer state. IoError when the producer snapshots
  // cannot be read or the log cannot be replayed.
  static Result<std::shared_ptr<Partition>> Create(storage::TopicPartition tp,
                                                   std::shared_ptr<storage::Log> log, int32_t self,
                                                   PartitionConfig config,
                                                   int64_t replica_lag_time_max_ms,
                                                   IsrWriter& isr_writer,
                                                   ReplicationListener& listener);

  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  const storage::TopicPartition& topic_partition() const { return tp_; }
  storage::Log& log() const { return *log_; }
  std::shared_ptr<storage::Log> shared_log() const { return log_; }

  bool is_leader() const SLUICE_EXCLUDES(mu_);
  int32_t leader_id() const SLUICE_EXCLUDES(mu_);     // -1 when unknown
  int32_t leader_epoch() const SLUICE_EXCLUDES(mu_);  // -1 before the first LeaderAndIsr
  int32_t controller_epoch() const SLUICE_EXCLUDES(mu_);
  int32_t zk_version() const SLUICE_EXCLUDES(mu_);
  std::vector<int32_t> isr() const SLUICE_EXCLUDES(mu_);
  std::vector<int32_t> replicas() const SLUICE_EXCLUDES(mu_);
  int32_t min_insync_replicas() const SLUICE_EXCLUDES(mu_);
  // Leader and ISR smaller than the replica set (kafka_server_replicamanager_underreplicated).
  bool IsUnderReplicated() const SLUICE_EXCLUDES(mu_);
  // The leader's view of a remote replica; nullopt when not leader or not a replica.
  std::optional<RemoteReplicaState> remote_replica(int32_t replica_id) const SLUICE_EXCLUDES(mu_);

  void UpdateConfig(const PartitionConfig& config) SLUICE_EXCLUDES(mu_);

  // ---- role transitions (ReplicaManager calls these; fetchers for the partition are already
  // ---- stopped when MakeLeader runs) ----

  // Kafka's Partition.makeLeader: takes epoch, ISR, replicas and zk_version from `state`, marks
  // the epoch's start at the log end offset (Log::BeginLeaderEpoch), resets the remote replicas'
  // catch-up times (now for ISR members) and, when this broker was not leader before, their
  // LEOs to unknown. Returns true when this broker was not leader before.
  Result<bool> MakeLeader(const LeaderAndIsrPartitionState& state, TimestampMs now)
      SLUICE_EXCLUDES(mu_);
  // Kafka's Partition.makeFollower: records the new leader and epoch. Returns true when the
  // leader or epoch changed (the fetcher must restart from the new leader).
  bool MakeFollower(const LeaderAndIsrPartitionState& state) SLUICE_EXCLUDES(mu_);

  // ---- leader ----

  // Leader only. acks=-1 with isr.size() < min.insync.replicas -> NOT_ENOUGH_REPLICAS (nothing
  // written). Idempotent batches are checked with the ProducerStateManager (a duplicate answers
  // the original offsets without writing; OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
  // UNKNOWN_PRODUCER_ID otherwise). Storage errors map as broker/server/errors.cc's
  // AppendErrorCode does. With an ISR of just this broker the HW advances at once.
  AppendOutcome AppendAsLeader(std::span<const uint8_t> records, int16_t required_acks,
                               TimestampMs now) SLUICE_EXCLUDES(append_mu_, isr_update_mu_, mu_);
  // For a waiting acks=-1 produce: kNone when HW > last_offset; NOT_ENOUGH_REPLICAS_AFTER_APPEND
  // when committed but the ISR fell below min.insync.replicas; NOT_LEADER_OR_FOLLOWER if no
  // longer leader; nullopt while still waiting.
  std::optional<kafka::ErrorCode> CheckAcksAll(Offset last_offset) const SLUICE_EXCLUDES(mu_);
  // Fetch. replica_id >= 0 is a follower: reads up to the LEO, then updates its fetch state,
  // which may expand the ISR and advance the HW (the returned high_watermark is the one after
  // that). replica_id < 0 is a consumer: reads up to the HW. Errors: Unavailable ("not the
  // leader": NOT_LEADER_OR_FOLLOWER), also for a replica_id that is not an assigned replica;
  // the Log's errors (OutOfRange: OFFSET_OUT_OF_RANGE).
  Result<storage::ReadResult> ReadRecords(int32_t replica_id, Offset fetch_offset,
                                          int32_t max_bytes, bool min_one_batch, TimestampMs now)
      SLUICE_EXCLUDES(isr_update_mu_, mu_);
  // OffsetForLeaderEpoch: (largest epoch <= `epoch`, its end offset), as Log::EndOffsetForEpoch.
  std::pair<int32_t, Offset> EndOffsetForEpoch(int32_t epoch) const;
  // Removes from the ISR the followers out of sync at `now` (see class comment). Leader only.
  // Returns true when the ISR shrank.
  bool MaybeShrinkIsr(TimestampMs now) SLUICE_EXCLUDES(isr_update_mu_, mu_);

  // ---- follower (the fetcher) ----

  // Appends fetched batches exactly as the leader wrote them, updates the producer state, then
  // sets HW = min(leader_high_watermark, LEO) and follows the leader's log start offset.
  // FailedPrecondition-like InvalidArgument when this broker is the leader.
  Result<storage::AppendInfo> AppendAsFollower(std::span<const uint8_t> records,
                                               Offset leader_high_watermark,
                                               Offset leader_log_start_offset, TimestampMs now)
      SLUICE_EXCLUDES(append_mu_, mu_);
  // Truncates the log to `offset` (no-op at or beyond the LEO) and rebuilds the producer state.
  Status TruncateTo(Offset offset, TimestampMs now) SLUICE_EXCLUDES(append_mu_);
  // The leader's log starts beyond our end: drop everything; the next append starts at `offset`.
  Status TruncateFullyAndStartAt(Offset offset, TimestampMs now) SLUICE_EXCLUDES(append_mu_);

  // Writes a producer-state snapshot at the log end offset when it moved since the last one.
  Status TakeProducerSnapshot() SLUICE_EXCLUDES(append_mu_);
  const storage::ProducerStateManager& producer_state() const { return producers_; }

 private:
  Partition(storage::TopicPartition tp, std::shared_ptr<storage::Log> log, int32_t self,
            PartitionConfig config, int64_t replica_lag_time_max_ms, IsrWriter& isr_writer,
            ReplicationListener& listener);

  // LoadSnapshot at the LEO, then replay the log's batches from the snapshot offset.
  Status RebuildProducerState() SLUICE_REQUIRES(append_mu_);
  // HW = min LEO over the ISR, when that is higher than now. Returns true when it moved.
  bool MaybeIncrementHighWatermark() SLUICE_REQUIRES(mu_);
  // Writes `new_isr` via IsrWriter for the epoch it was computed in; applies it on success.
  // Returns true when applied.
  bool WriteAndApplyIsr(const std::vector<int32_t>& new_isr, int32_t leader_epoch,
                        int32_t controller_epoch, int32_t zk_version, const char* change)
      SLUICE_REQUIRES(isr_update_mu_) SLUICE_EXCLUDES(mu_);
  void MaybeExpandIsr(int32_t replica_id) SLUICE_EXCLUDES(isr_update_mu_, mu_);
  bool InIsr(int32_t broker) const SLUICE_REQUIRES(mu_);

  const storage::TopicPartition tp_;
  const std::shared_ptr<storage::Log> log_;
  const int32_t self_;
  const int64_t replica_lag_time_max_ms_;
  IsrWriter& isr_writer_;
  ReplicationListener& listener_;
  storage::ProducerStateManager producers_;

  storage::Mutex append_mu_;
  Offset last_snapshot_offset_ SLUICE_GUARDED_BY(append_mu_){-1};
  storage::Mutex isr_update_mu_;

  mutable storage::Mutex mu_;
  PartitionConfig config_ SLUICE_GUARDED_BY(mu_);
  int32_t leader_ SLUICE_GUARDED_BY(mu_) = -1;
  int32_t leader_epoch_ SLUICE_GUARDED_BY(mu_) = -1;
  Offset leader_epoch_start_offset_ SLUICE_GUARDED_BY(mu_){-1};  // leader only
  int32_t controller_epoch_ SLUICE_GUARDED_BY(mu_) = 0;
  int32_t zk_version_ SLUICE_GUARDED_BY(mu_) = 0;
  std::vector<int32_t> replicas_ SLUICE_GUARDED_BY(mu_);
  std::vector<int32_t> isr_ SLUICE_GUARDED_BY(mu_);
  std::map<int32_t, RemoteReplicaState> remotes_ SLUICE_GUARDED_BY(mu_);  // replicas but self
};

}  // namespace sluice::replication

// ReplicaManager: the partitions this broker hosts and the transitions the controller orders
// (Kafka 2.8's kafka.server.ReplicaManager in ZooKeeper mode).
//
// The controller decides; this broker obeys LeaderAndIsr and StopReplica:
//   * a request whose controller epoch is older than the newest seen is refused whole with
//     STALE_CONTROLLER_EPOCH (a deposed controller must not undo its successor's decisions);
//   * per partition, a leader epoch not newer than the one held is skipped with
//     STALE_CONTROLLER_EPOCH (2.8's answer), and a partition whose replica list lacks this
//     broker gets UNKNOWN_TOPIC_OR_PARTITION;
//   * leaders: fetchers stop first, then Partition::MakeLeader; followers: Partition::MakeFollower
//     and a fetcher from the leader named in live_leaders (none when the leader is not live:
//     the partition then only stops serving).
// It also runs the ISR-expiration task (every replica.lag.time.max.ms / 2) and snapshots
// producer state every replica.high.watermark.checkpoint.interval.ms. The high watermark
// checkpoint file itself is written by LogManager::CheckpointAll (the server's task); the
// partitions keep each Log's HighWatermark() current.
//
// Thread-safety: every method is safe from any thread. LeaderAndIsr and StopReplica are
// serialised with each other (Kafka's replicaStateChangeLock).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "broker/replication/leader_endpoint.h"
#include "broker/replication/partition.h"
#include "broker/replication/replica_fetcher.h"
#include "broker/replication/replication_types.h"
#include "broker/storage/log_manager.h"

namespace sluice::replication {

struct ReplicaManagerOptions {
  int32_t broker_id = 0;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_wait_max_ms = 500;
  int32_t replica_fetch_max_bytes = 1048576;
  int32_t replica_fetch_min_bytes = 1;
  int32_t replica_fetch_response_max_bytes = 10485760;
  int64_t replica_fetch_backoff_ms = 1000;
  int32_t replica_socket_timeout_ms = 30000;
  int64_t replica_high_watermark_checkpoint_interval_ms = 5000;
  // Wall clock in ms; defaults to the system clock. Tests inject their own.
  std::function<TimestampMs()> clock;
  // How fetchers reach a leader; defaults to MakeNetworkLeaderEndpoint. Tests inject their own.
  LeaderEndpointFactory leader_endpoint_factory;
};

class ReplicaManager {
 public:
  ReplicaManager(ReplicaManagerOptions options, storage::LogManager& logs, IsrWriter& isr_writer,
                 ReplicationListener& listener,
                 std::function<PartitionConfig(const std::string& topic)> config_for_topic);
  ~ReplicaManager();  // Stop()
  ReplicaManager(const ReplicaManager&) = delete;
  ReplicaManager& operator=(const ReplicaManager&) = delete;

  // Starts the ISR-expiration / producer-snapshot task. Fetchers start as partitions need them.
  void Start();
  // Stops fetchers and the task, then snapshots producer state. Idempotent.
  void Stop();

  LeaderAndIsrResult BecomeLeaderOrFollower(
      int32_t controller_id, int32_t controller_epoch,
      const std::vector<LeaderAndIsrPartitionState>& partitions,
      const std::vector<BrokerAddress>& live_leaders);
  // Each entry: (partition, leader epoch (-1: none given, -2: topic being deleted), delete).
  // A stopped partition that is not deleted stays hosted (without a fetcher), as in Kafka.
  StopReplicaResult StopReplicas(
      int32_t controller_id, int32_t controller_epoch,
      const std::vector<std::tuple<storage::TopicPartition, int32_t, bool>>& partitions);

  // For UpdateMetadata, which is fenced by the same controller epoch: false when
  // `controller_epoch` is older than the newest seen (answer STALE_CONTROLLER_EPOCH); otherwise
  // records it and returns true.
  bool AcceptControllerEpoch(int32_t controller_epoch);
  int32_t controller_epoch() const;

  // Re-reads the topic's config (config_for_topic) into its partitions and logs.
  void UpdateTopicConfig(const std::string& topic);

  std::shared_ptr<Partition> Get(const storage::TopicPartition& tp) const;  // nullptr if absent
  std::vector<std::shared_ptr<Partition>> All() const;
  size_t size() const;
  size_t LeaderCount() const;
  size_t UnderReplicatedCount() const;

  // One pass of the ISR-expiration task (exposed for tests).
  void MaybeShrinkIsrs();
  const ReplicaFetcherManager& fetchers() const { return fetchers_; }

 private:
  TimestampMs Now() const;
  // Creates the partition (and its log) when absent. nullptr with a logged error on failure.
  std::shared_ptr<Partition> GetOrCreatePartition(const storage::TopicPartition& tp);
  void RunBackground();

  const ReplicaManagerOptions options_;
  storage::LogManager& logs_;
  IsrWriter& isr_writer_;
  ReplicationListener& listener_;
  const std::function<PartitionConfig(const std::string&)> config_for_topic_;
  ReplicaFetcherManager fetchers_;

  std::mutex state_change_mu_;  // serialises LeaderAndIsr and StopReplica
  mutable std::mutex mu_;
  std::map<storage::TopicPartition, std::shared_ptr<Partition>> partitions_;  // guarded by mu_
  int32_t controller_epoch_ = 0;                                              // guarded by mu_

  std::mutex background_mu_;
  std::condition_variable background_cv_;
  bool stopping_ = false;  // guarded by background_mu_
  bool stopped_ = false;   // guarded by background_mu_
  std::thread background_;
};

}  // namespace sluice::replication

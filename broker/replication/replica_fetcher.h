// ReplicaFetcher: one thread that replicates, from one leader broker, every partition this
// broker follows there (Kafka's ReplicaFetcherThread; num.replica.fetchers = 1, so one per
// source broker). ReplicaFetcherManager owns them, keyed by the leader's id and address.
//
// Per partition the fetcher first truncates (state kTruncating): it asks the leader, with
// OffsetForLeaderEpoch, where the follower's latest epoch ends and truncates its log by
// DecideTruncation (fetch_truncation.h); a log without epochs is truncated to its high
// watermark. Then it fetches (state kFetching): one Fetch per round for all fetching
// partitions, replica_id = this broker, fetch_offset = the log end offset, appending what comes
// with Partition::AppendAsFollower. OFFSET_OUT_OF_RANGE: when the fetch offset is past the
// leader's end the partition truncates again by epoch; when the leader's log now starts past
// ours, the log restarts at the leader's start. Leadership errors (NOT_LEADER_OR_FOLLOWER,
// FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, ...) delay the partition by
// replica.fetch.backoff.ms; the controller's next LeaderAndIsr moves it. A transport error
// backs the whole fetcher off and reconnects.
//
// Thread-safety: all public methods are safe from any thread. Responses are applied under the
// fetcher's mutex, so once RemovePartitions returns no fetched data is appended to those
// partitions any more (a new leader must not receive its predecessor's records).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "broker/replication/leader_endpoint.h"
#include "broker/replication/partition.h"
#include "broker/replication/replication_types.h"
#include "broker/storage/topic_partition.h"

namespace sluice::replication {

struct ReplicaFetcherOptions {
  int32_t broker_id = 0;
  int32_t fetch_wait_max_ms = 500;              // replica.fetch.wait.max.ms
  int32_t fetch_min_bytes = 1;                  // replica.fetch.min.bytes
  int32_t fetch_max_bytes = 1048576;            // replica.fetch.max.bytes (per partition)
  int32_t fetch_response_max_bytes = 10485760;  // replica.fetch.response.max.bytes
  int64_t fetch_backoff_ms = 1000;              // replica.fetch.backoff.ms
  std::function<TimestampMs()> clock;           // wall clock (ms)
};

// Where a follower partition starts fetching (Kafka's InitialFetchState).
struct InitialFetchState {
  std::shared_ptr<Partition> partition;
  BrokerAddress leader;
  int32_t leader_epoch = 0;
};

enum class FetchPhase { kTruncating, kFetching };

// One partition's fetch state, as tests and diagnostics see it.
struct PartitionFetchState {
  FetchPhase phase = FetchPhase::kTruncating;
  int32_t leader_epoch = 0;
  TimestampMs delayed_until{0};
};

class ReplicaFetcher {
 public:
  ReplicaFetcher(BrokerAddress leader, std::unique_ptr<LeaderEndpoint> endpoint,
                 ReplicaFetcherOptions options);
  ~ReplicaFetcher();  // Shutdown()
  ReplicaFetcher(const ReplicaFetcher&) = delete;
  ReplicaFetcher& operator=(const ReplicaFetcher&) = delete;

  const BrokerAddress& leader() const { return leader_; }
  void Start();
  // Stops the thread (an in-flight request finishes first, bounded by its timeout). Idempotent.
  void Shutdown();

  // Adds or replaces partitions; each starts in kTruncating.
  void AddPartitions(const std::vector<InitialFetchState>& partitions);
  // Returns once the fetcher no longer touches these partitions.
  void RemovePartitions(const std::set<storage::TopicPartition>& partitions);
  size_t partition_count() const;
  std::optional<PartitionFetchState> fetch_state(const storage::TopicPartition& tp) const;

 private:
  struct Entry {
    std::shared_ptr<Partition> partition;
    PartitionFetchState state;
  };
  enum class WorkResult { kWorked, kIdle, kTransportError };
  void Run();
  // One round: truncation requests, then one Fetch, for the partitions not delayed.
  WorkResult DoWork();
  // false on a transport error (the caller backs off; the endpoint reconnects next time).
  bool TruncatePartitions(const std::vector<std::pair<storage::TopicPartition, Entry>>& batch);
  bool FetchPartitions(const std::vector<std::pair<storage::TopicPartition, Entry>>& batch);
  // OFFSET_OUT_OF_RANGE: asks the leader for its end and start offsets (ListOffsets), then
  // truncates by epoch again (fetch offset past the leader's end) or restarts the log at the
  // leader's start (our end below it).
  void HandleOutOfRange(const storage::TopicPartition& tp, const Entry& snapshot,
                        Offset fetch_offset);
  // The live entry for `tp` if it is still the one `snapshot` was taken from (same partition
  // object, leader epoch and phase); nullptr otherwise. REQUIRES: mu_ held.
  Entry* FindSame(const storage::TopicPartition& tp, const Entry& snapshot);
  void Delay(Entry& entry);
  TimestampMs Now() const;

  const BrokerAddress leader_;
  const std::unique_ptr<LeaderEndpoint> endpoint_;  // used by the fetcher thread only
  const ReplicaFetcherOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<storage::TopicPartition, Entry> partitions_;  // guarded by mu_
  bool stopping_ = false;                                // guarded by mu_
  std::thread thread_;
};

class ReplicaFetcherManager {
 public:
  ReplicaFetcherManager(ReplicaFetcherOptions options, LeaderEndpointFactory endpoint_factory);
  ~ReplicaFetcherManager();  // Shutdown()

  // Moves each partition to the fetcher of its leader (creating and starting it when needed).
  void AddFetcherForPartitions(const std::vector<InitialFetchState>& partitions);
  void RemoveFetcherForPartitions(const std::set<storage::TopicPartition>& partitions);
  // Stops fetchers without partitions.
  void ShutdownIdleFetcherThreads();
  void Shutdown();

  // The leader a partition is fetched from; nullopt when no fetcher has it.
  std::optional<BrokerAddress> LeaderFor(const storage::TopicPartition& tp) const;
  std::optional<PartitionFetchState> fetch_state(const storage::TopicPartition& tp) const;
  size_t fetcher_count() const;

 private:
  const ReplicaFetcherOptions options_;
  const LeaderEndpointFactory endpoint_factory_;
  mutable std::mutex mu_;
  // Keyed by the leader's id; a fetcher whose address no longer matches is replaced.
  std::map<int32_t, std::unique_ptr<ReplicaFetcher>> fetchers_;  // guarded by mu_
  std::map<storage::TopicPartition, int32_t> leader_of_;         // guarded by mu_
  std::map<storage::TopicPartition, InitialFetchState> states_;  // guarded by mu_
};

}  // namespace sluice::replication

// GroupConsumer: a member of a consumer group (classic protocol, protocol type "consumer",
// assignor "range").
//
//   FindCoordinator(group) -> JoinGroup (v4+: MEMBER_ID_REQUIRED, then again with the id)
//   -> the leader computes the range assignment from the members' subscriptions and metadata
//   -> SyncGroup -> OffsetFetch for the assigned partitions (no commit: auto_offset_reset)
//   -> Fetch (a Consumer), Heartbeat every heartbeat_interval on a background thread,
//   OffsetCommit (auto every auto_commit_interval, or CommitSync) -> LeaveGroup on Close.
//
// The heartbeat thread only reports: REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID or a coordinator error make the next Poll rejoin (committing first when auto
// commit is on and the generation is still valid). A pattern subscription (--whitelist) is
// resolved against all topics' metadata at each join, and a topic appearing later triggers a
// rejoin on the next metadata check (every metadata_max_age).
//
// Thread safety: the public methods must be called from one thread; the heartbeat thread shares
// only the coordinator connection and an atomic rejoin flag.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/consumer.h"
#include "libs/kafka/client/types.h"

namespace sluice::kafka::client {

struct GroupConsumerOptions {
  std::string group_id;
  std::optional<std::string> group_instance_id;          // static membership (KIP-345)
  std::chrono::milliseconds session_timeout{10'000};     // session.timeout.ms (Kafka 2.8: 10 s)
  std::chrono::milliseconds rebalance_timeout{300'000};  // max.poll.interval.ms
  std::chrono::milliseconds heartbeat_interval{3'000};   // heartbeat.interval.ms
  bool enable_auto_commit = true;
  std::chrono::milliseconds auto_commit_interval{5'000};
  std::chrono::milliseconds metadata_max_age{300'000};  // re-resolve a pattern subscription
  ConsumerOptions fetch;                                // includes auto_offset_reset
};

class GroupConsumer {
 public:
  GroupConsumer(Client& client, GroupConsumerOptions options);
  // Close()s if the caller did not.
  ~GroupConsumer();
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  // Sets the topics (or a regex over topic names, matched as a whole, like Kafka's pattern
  // subscription); takes effect at the next Poll (joining, or rejoining when it changed).
  void Subscribe(std::vector<std::string> topics);
  void Subscribe(std::regex pattern);

  // Joins/rejoins as needed, auto-commits when due, then fetches. Empty when `timeout` passes.
  // Fails when the group cannot be joined (e.g. INCONSISTENT_GROUP_PROTOCOL, GROUP_AUTHORIZATION
  // _FAILED, INVALID_SESSION_TIMEOUT) or the fetch fails.
  Result<std::vector<ConsumerRecord>> Poll(std::chrono::milliseconds timeout);

  // Commits the positions of the assigned partitions (what has been returned by Poll).
  Status CommitSync();
  // Commits the given offsets (the next offset to read, as Kafka commits).
  Status CommitSync(const std::map<TopicPartition, Offset>& offsets);

  // Commits (when auto commit is on), stops the heartbeat thread, and sends LeaveGroup (v3+:
  // with the member id and group instance id; a static member does not leave, as in Kafka).
  // Idempotent.
  Status Close();

  std::vector<TopicPartition> Assignment() const;
  // Moves an assigned partition's position (e.g. back to the first record the caller did not
  // use, before Close commits). Ignored for a partition not assigned.
  void Seek(const TopicPartition& partition, Offset offset);
  // Empty and -1 before the first join.
  std::string member_id() const;
  int32_t generation_id() const;

 private:
  Status EnsureActive(std::chrono::steady_clock::time_point deadline);
  Status Join(std::chrono::steady_clock::time_point deadline);
  Status ConnectCoordinator();
  Result<std::vector<std::string>> ResolveSubscription();
  Status RestorePositions();
  Status MaybeAutoCommit(bool force);
  void StartHeartbeat();
  void StopHeartbeat();
  void HeartbeatLoop();

  Client& client_;
  const GroupConsumerOptions options_;
  Consumer consumer_;

  std::vector<std::string> topics_;
  std::optional<std::regex> pattern_;
  std::vector<std::string> subscribed_;  // what the current generation was joined with
  bool subscription_changed_ = true;
  std::chrono::steady_clock::time_point next_auto_commit_;
  std::chrono::steady_clock::time_point next_metadata_check_;
  bool closed_ = false;

  // Shared with the heartbeat thread.
  mutable std::mutex mutex_;
  std::shared_ptr<Connection> coordinator_;  // guarded by mutex_
  std::string member_id_;                    // guarded by mutex_
  int32_t generation_id_ = -1;               // guarded by mutex_
  std::atomic<bool> needs_rejoin_{true};
  std::atomic<bool> coordinator_lost_{false};

  std::thread heartbeat_thread_;
  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_wakeup_;
  bool stop_heartbeat_ = false;  // guarded by heartbeat_mutex_
};

}  // namespace sluice::kafka::client

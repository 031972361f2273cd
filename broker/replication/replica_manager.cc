#include "broker/replication/replica_manager.h"
#include "libs/base/clock.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

namespace sluice::replication {

using kafka::ErrorCode;

namespace {

Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

ReplicaFetcherOptions FetcherOptions(const ReplicaManagerOptions& options) {
  ReplicaFetcherOptions out;
  out.broker_id = options.broker_id;
  out.fetch_wait_max_ms = options.replica_fetch_wait_max_ms;
  out.fetch_min_bytes = options.replica_fetch_min_bytes;
  out.fetch_max_bytes = options.replica_fetch_max_bytes;
  out.fetch_response_max_bytes = options.replica_fetch_response_max_bytes;
  out.fetch_backoff_ms = options.replica_fetch_backoff_ms;
  out.clock = options.clock;
  return out;
}

LeaderEndpointFactory EndpointFactory(const ReplicaManagerOptions& options) {
  if (options.leader_endpoint_factory) return options.leader_endpoint_factory;
  NetworkLeaderEndpointOptions network;
  network.client_id = "broker-" + std::to_string(options.broker_id) + "-fetcher";
  network.socket_timeout = std::chrono::milliseconds(options.replica_socket_timeout_ms);
  network.fetch_max_wait = std::chrono::milliseconds(options.replica_fetch_wait_max_ms);
  return
      [network](const BrokerAddress& leader) { return MakeNetworkLeaderEndpoint(leader, network); };
}

}  // namespace

ReplicaManager::ReplicaManager(ReplicaManagerOptions options, storage::LogManager& logs,
                               IsrWriter& isr_writer, ReplicationListener& listener,
                               std::function<PartitionConfig(const std::string&)> config_for_topic)
    : options_(std::move(options)),
      logs_(logs),
      isr_writer_(isr_writer),
      listener_(listener),
      config_for_topic_(std::move(config_for_topic)),
      fetchers_(FetcherOptions(options_), EndpointFactory(options_)) {}

ReplicaManager::~ReplicaManager() { Stop(); }

TimestampMs ReplicaManager::Now() const {
  return options_.clock ? options_.clock() : WallClockNow();
}

void ReplicaManager::Start() {
  std::lock_guard lock(background_mu_);
  if (background_.joinable() || stopped_) return;
  background_ = std::thread([this] { RunBackground(); });
}

void ReplicaManager::Stop() {
  {
    std::lock_guard lock(background_mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  background_cv_.notify_all();
  if (background_.joinable()) background_.join();
  fetchers_.Shutdown();
  for (const auto& partition : All()) {
    Status snapshot = partition->TakeProducerSnapshot();
    if (!snapshot.ok()) {
      StateChangeLog().warning("Cannot snapshot the producer state of " +
                               partition->topic_partition().ToString() + ": " +
                               snapshot.ToString());
    }
  }
}

void ReplicaManager::RunBackground() {
  using Clock = std::chrono::steady_clock;
  const auto shrink_interval =
      std::chrono::milliseconds(std::max<int64_t>(options_.replica_lag_time_max_ms / 2, 1));
  const auto snapshot_interval = std::chrono::milliseconds(
      std::max<int64_t>(options_.replica_high_watermark_checkpoint_interval_ms, 1));
  auto next_shrink = Clock::now() + shrink_interval;
  auto next_snapshot = Clock::now() + snapshot_interval;
  std::unique_lock lock(background_mu_);
  while (!stopping_) {
    background_cv_.wait_until(lock, std::min(next_shrink, next_snapshot),
                              [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const auto now = Clock::now();
    if (now >= next_shrink) {
      MaybeShrinkIsrs();
      next_shrink = now + shrink_interval;
    }
    if (now >= next_snapshot) {
      for (const auto& partition : All()) {
        Status snapshot = partition->TakeProducerSnapshot();
        if (!snapshot.ok()) {
          StateChangeLog().warning("Cannot snapshot the producer state of " +
                                   partition->topic_partition().ToString() + ": " +
                                   snapshot.ToString());
        }
      }
      next_snapshot = now + snapshot_interval;
    }
    lock.lock();
  }
}

void ReplicaManager::MaybeShrinkIsrs() {
  const TimestampMs now = Now();
  for (const auto& partition : All()) {
    if (partition->is_leader()) partition->MaybeShrinkIsr(now);
  }
}

bool ReplicaManager::AcceptControllerEpoch(int32_t controller_epoch) {
  std::lock_guard lock(mu_);
  if (controller_epoch < controller_epoch_) return false;
  controller_epoch_ = controller_epoch;
  return true;
}

int32_t ReplicaManager::controller_epoch() const {
  std::lock_guard lock(mu_);
  return controller_epoch_;
}

std::shared_ptr<Partition> ReplicaManager::GetOrCreatePartition(const storage::TopicPartition& tp) {
  if (auto existing = Get(tp)) return existing;
  PartitionConfig config = config_for_topic_(tp.topic);
  auto log = logs_.GetOrCreateLog(tp, config.log, Now());
  if (!log.ok()) {
    StateChangeLog().error("Cannot create the log of " + tp.ToString() + ": " +
                           log.status().ToString());
    return nullptr;
  }
  (*log)->UpdateConfig(config.log);
  auto partition = Partition::Create(tp, *log, options_.broker_id, config,
                                     options_.replica_lag_time_max_ms, isr_writer_, listener_);
  if (!partition.ok()) {
    StateChangeLog().error(partition.status().ToString());
    return nullptr;
  }
  std::lock_guard lock(mu_);
  return partitions_.emplace(tp, *partition).first->second;
}

LeaderAndIsrResult ReplicaManager::BecomeLeaderOrFollower(
    int32_t controller_id, int32_t controller_epoch,
    const std::vector<LeaderAndIsrPartitionState>& partitions,
    const std::vector<BrokerAddress>& live_leaders) {
  std::lock_guard state_change(state_change_mu_);
  LeaderAndIsrResult result;
  const std::string from =
      "controller " + std::to_string(controller_id) + " epoch " + std::to_string(controller_epoch);
  {
    std::lock_guard lock(mu_);
    if (controller_epoch < controller_epoch_) {
      StateChangeLog().warning("Ignoring LeaderAndIsr request from " + from +
                               " since its controller epoch is older than the latest " +
                               std::to_string(controller_epoch_));
      result.error = ErrorCode::kStaleControllerEpoch;
      return result;
    }
    controller_epoch_ = controller_epoch;
  }

  using Change = std::pair<std::shared_ptr<Partition>, const LeaderAndIsrPartitionState*>;
  std::vector<Change> to_lead;
  std::vector<Change> to_follow;
  for (const auto& state : partitions) {
    std::shared_ptr<Partition> partition = Get(state.tp);
    const int32_t current_epoch = partition ? partition->leader_epoch() : -1;
    if (state.leader_epoch <= current_epoch) {
      StateChangeLog().information(
          "Ignoring LeaderAndIsr request from " + from + " for partition " + state.tp.ToString() +
          " since its associated leader epoch " + std::to_string(state.leader_epoch) +
          " is not higher than the current leader epoch " + std::to_string(current_epoch));
      result.partitions[state.tp] = ErrorCode::kStaleControllerEpoch;
      continue;
    }
    if (std::find(state.replicas.begin(), state.replicas.end(), options_.broker_id) ==
        state.replicas.end()) {
      StateChangeLog().warning("Ignoring LeaderAndIsr request from " + from + " for partition " +
                               state.tp.ToString() + " as broker " +
                               std::to_string(options_.broker_id) +
                               " is not among its assigned replicas");
      result.partitions[state.tp] = ErrorCode::kUnknownTopicOrPartition;
      continue;
    }
    if (partition == nullptr) partition = GetOrCreatePartition(state.tp);
    if (partition == nullptr) {
      result.partitions[state.tp] = ErrorCode::kKafkaStorageError;
      continue;
    }
    result.partitions[state.tp] = ErrorCode::kNone;
    (state.leader == options_.broker_id ? to_lead : to_follow).emplace_back(partition, &state);
  }

  const TimestampMs now = Now();
  // makeLeaders: stop fetching first, so no fetched record lands after we lead.
  std::set<storage::TopicPartition> stop_fetching;
  for (const auto& [partition, state] : to_lead) stop_fetching.insert(state->tp);
  fetchers_.RemoveFetcherForPartitions(stop_fetching);
  std::vector<Change> became_leader;
  for (const auto& change : to_lead) {
    auto made = change.first->MakeLeader(*change.second, now);
    if (!made.ok()) {
      StateChangeLog().error("Cannot make broker " + std::to_string(options_.broker_id) +
                             " the leader of " + (change.second->tp).ToString() + ": " +
                             made.status().ToString());
      result.partitions[change.second->tp] = ErrorCode::kKafkaStorageError;
      continue;
    }
    if (*made) became_leader.push_back(change);
  }

  // makeFollowers
  std::set<storage::TopicPartition> restart;
  std::vector<InitialFetchState> fetch_from;
  std::vector<Change> became_follower;
  for (const auto& change : to_follow) {
    const LeaderAndIsrPartitionState& state = *change.second;
    if (!change.first->MakeFollower(state)) continue;
    became_follower.push_back(change);
    restart.insert(state.tp);
    auto leader = std::find_if(live_leaders.begin(), live_leaders.end(),
                               [&](const BrokerAddress& b) { return b.id == state.leader; });
    if (leader == live_leaders.end()) {
      StateChangeLog().information("Broker " + std::to_string(options_.broker_id) + " follows " +
                                   state.tp.ToString() + " but its leader " +
                                   std::to_string(state.leader) +
                                   " is not live; not fetching until it is");
      continue;
    }
    fetch_from.push_back({change.first, *leader, state.leader_epoch});
  }
  fetchers_.RemoveFetcherForPartitions(restart);
  fetchers_.AddFetcherForPartitions(fetch_from);
  fetchers_.ShutdownIdleFetcherThreads();

  for (const auto& [partition, state] : became_leader) {
    listener_.OnBecomeLeader(state->tp, state->leader_epoch);
    listener_.OnPartitionChanged(state->tp);
  }
  for (const auto& [partition, state] : became_follower) {
    listener_.OnBecomeFollower(state->tp, state->leader_epoch);
    listener_.OnPartitionChanged(state->tp);
  }
  return result;
}

StopReplicaResult ReplicaManager::StopReplicas(
    int32_t controller_id, int32_t controller_epoch,
    const std::vector<std::tuple<storage::TopicPartition, int32_t, bool>>& partitions) {
  std::lock_guard state_change(state_change_mu_);
  StopReplicaResult result;
  {
    std::lock_guard lock(mu_);
    if (controller_epoch < controller_epoch_) {
      StateChangeLog().warning("Ignoring StopReplica request from controller " +
                               std::to_string(controller_id) + " with epoch " +
                               std::to_string(controller_epoch) +
                               " since its controller epoch is older than the latest " +
                               std::to_string(controller_epoch_));
      result.error = ErrorCode::kStaleControllerEpoch;
      return result;
    }
    controller_epoch_ = controller_epoch;
  }

  // Kafka's sentinels: -2 (EpochDuringDelete: deletion does not bump the epoch) and -1
  // (NoEpoch: a request version without epochs) bypass the epoch check.
  constexpr int32_t kEpochDuringDelete = -2;
  constexpr int32_t kNoEpoch = -1;
  std::vector<std::pair<storage::TopicPartition, bool>> stopped;
  for (const auto& [tp, leader_epoch, delete_partition] : partitions) {
    std::shared_ptr<Partition> partition = Get(tp);
    if (partition != nullptr && leader_epoch != kEpochDuringDelete && leader_epoch != kNoEpoch &&
        leader_epoch <= partition->leader_epoch()) {
      StateChangeLog().information("Ignoring StopReplica request from controller " +
                                   std::to_string(controller_id) + " for partition " +
                                   tp.ToString() + " since its associated leader epoch " +
                                   std::to_string(leader_epoch) + " is not higher than " +
                                   std::to_string(partition->leader_epoch()));
      result.partitions[tp] = ErrorCode::kFencedLeaderEpoch;
      continue;
    }
    stopped.emplace_back(tp, delete_partition);
  }

  std::set<storage::TopicPartition> stop_fetching;
  for (const auto& [tp, del] : stopped) stop_fetching.insert(tp);
  fetchers_.RemoveFetcherForPartitions(stop_fetching);
  for (const auto& [tp, delete_partition] : stopped) {
    result.partitions[tp] = ErrorCode::kNone;
    if (!delete_partition) continue;
    {
      std::lock_guard lock(mu_);
      partitions_.erase(tp);
    }
    Status deleted = logs_.DeleteLog(tp);
    if (!deleted.ok() && deleted.code() != Status::Code::kNotFound) {
      StateChangeLog().error("Cannot delete the log of " + tp.ToString() + ": " +
                             deleted.ToString());
      result.partitions[tp] = ErrorCode::kKafkaStorageError;
    }
  }
  fetchers_.ShutdownIdleFetcherThreads();
  for (const auto& [tp, delete_partition] : stopped) {
    listener_.OnStopReplica(tp, delete_partition);
    listener_.OnPartitionChanged(tp);
  }
  return result;
}

void ReplicaManager::UpdateTopicConfig(const std::string& topic) {
  const PartitionConfig config = config_for_topic_(topic);
  for (const auto& partition : All()) {
    if (partition->topic_partition().topic == topic) partition->UpdateConfig(config);
  }
}

std::shared_ptr<Partition> ReplicaManager::Get(const storage::TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Partition>> ReplicaManager::All() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Partition>> out;
  out.reserve(partitions_.size());
  for (const auto& [tp, partition] : partitions_) out.push_back(partition);
  return out;
}

size_t ReplicaManager::size() const {
  std::lock_guard lock(mu_);
  return partitions_.size();
}

size_t ReplicaManager::LeaderCount() const {
  size_t count = 0;
  for (const auto& partition : All()) count += partition->is_leader() ? 1 : 0;
  return count;
}

size_t ReplicaManager::UnderReplicatedCount() const {
  size_t count = 0;
  for (const auto& partition : All()) count += partition->IsUnderReplicated() ? 1 : 0;
  return count;
}

}  // namespace sluice::replication

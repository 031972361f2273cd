#include "broker/replication/replica_fetcher.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "broker/replication/fetch_truncation.h"
#include "libs/base/clock.h"

namespace sluice::replication {

using kafka::ErrorCode;

namespace {

Poco::Logger& FetcherLog() { return Poco::Logger::get("replica-fetcher"); }

// How long the thread sleeps when no partition is ready (delayed or none assigned).
constexpr std::chrono::milliseconds kIdleWait{100};

}  // namespace

ReplicaFetcher::ReplicaFetcher(BrokerAddress leader, std::unique_ptr<LeaderEndpoint> endpoint,
                               ReplicaFetcherOptions options)
    : leader_(std::move(leader)), endpoint_(std::move(endpoint)), options_(std::move(options)) {}

ReplicaFetcher::~ReplicaFetcher() { Shutdown(); }

void ReplicaFetcher::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void ReplicaFetcher::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // A fetch in progress may wait for the leader up to replica.socket.timeout.ms.
  endpoint_->Interrupt();
  if (thread_.joinable()) thread_.join();
}

void ReplicaFetcher::AddPartitions(const std::vector<InitialFetchState>& partitions) {
  {
    std::lock_guard lock(mu_);
    for (const auto& initial : partitions) {
      Entry entry;
      entry.partition = initial.partition;
      entry.state.phase = FetchPhase::kTruncating;
      entry.state.leader_epoch = initial.leader_epoch;
      partitions_[initial.partition->topic_partition()] = std::move(entry);
    }
  }
  cv_.notify_all();
}

void ReplicaFetcher::RemovePartitions(const std::set<storage::TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  for (const auto& tp : partitions) partitions_.erase(tp);
}

size_t ReplicaFetcher::partition_count() const {
  std::lock_guard lock(mu_);
  return partitions_.size();
}

std::optional<PartitionFetchState> ReplicaFetcher::fetch_state(
    const storage::TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.state;
}

TimestampMs ReplicaFetcher::Now() const {
  return options_.clock ? options_.clock() : WallClockNow();
}

void ReplicaFetcher::Delay(Entry& entry) {
  entry.state.delayed_until = Now() + options_.fetch_backoff_ms;
}

void ReplicaFetcher::Run() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    WorkResult result = DoWork();
    if (result == WorkResult::kWorked) continue;
    std::unique_lock lock(mu_);
    const auto wait = result == WorkResult::kTransportError
                          ? std::chrono::milliseconds(options_.fetch_backoff_ms)
                          : kIdleWait;
    cv_.wait_for(lock, wait, [this] { return stopping_; });
  }
  endpoint_->Close();
}

ReplicaFetcher::WorkResult ReplicaFetcher::DoWork() {
  const TimestampMs now = Now();
  std::vector<std::pair<storage::TopicPartition, Entry>> truncating;
  std::vector<std::pair<storage::TopicPartition, Entry>> fetching;
  {
    std::lock_guard lock(mu_);
    for (const auto& [tp, entry] : partitions_) {
      if (entry.state.delayed_until > now) continue;
      (entry.state.phase == FetchPhase::kTruncating ? truncating : fetching)
          .emplace_back(tp, entry);
    }
  }
  if (truncating.empty() && fetching.empty()) return WorkResult::kIdle;
  if (!truncating.empty() && !TruncatePartitions(truncating)) return WorkResult::kTransportError;
  if (!fetching.empty() && !FetchPartitions(fetching)) return WorkResult::kTransportError;
  return WorkResult::kWorked;
}

ReplicaFetcher::Entry* ReplicaFetcher::FindSame(const storage::TopicPartition& tp,
                                                const Entry& snapshot) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return nullptr;
  Entry& entry = it->second;
  if (entry.partition != snapshot.partition ||
      entry.state.leader_epoch != snapshot.state.leader_epoch ||
      entry.state.phase != snapshot.state.phase) {
    return nullptr;
  }
  return &entry;
}

bool ReplicaFetcher::TruncatePartitions(
    const std::vector<std::pair<storage::TopicPartition, Entry>>& batch) {
  kafka::OffsetForLeaderEpochRequest request;
  request.replica_id = options_.broker_id;
  std::map<storage::TopicPartition, const Entry*> asked;
  {
    // A log without epochs (written before epochs existed, or empty) truncates to its HW:
    // everything above it may not have been committed (Kafka's truncateToHighWatermark).
    std::lock_guard lock(mu_);
    for (const auto& [tp, snapshot] : batch) {
      Entry* entry = FindSame(tp, snapshot);
      if (entry == nullptr) continue;
      storage::Log& log = entry->partition->log();
      std::optional<int32_t> latest = log.LatestEpoch();
      if (latest.has_value()) {
        asked.emplace(tp, &snapshot);
        continue;
      }
      Status truncated = entry->partition->TruncateTo(log.HighWatermark(), Now());
      if (!truncated.ok()) {
        FetcherLog().warning("Cannot truncate " + tp.ToString() +
                             " to its high watermark: " + truncated.ToString());
        Delay(*entry);
        continue;
      }
      entry->state.phase = FetchPhase::kFetching;
    }
  }
  if (asked.empty()) return true;

  for (const auto& [tp, snapshot] : asked) {
    auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const auto& t) { return t.topic == tp.topic; });
    if (topic == request.topics.end()) {
      topic = request.topics.emplace(request.topics.end());
      topic->topic = tp.topic;
    }
    auto& partition = topic->partitions.emplace_back();
    partition.partition = tp.partition.value();
    partition.current_leader_epoch = snapshot->state.leader_epoch;
    partition.leader_epoch = snapshot->partition->log().LatestEpoch().value_or(-1);
  }
  auto response = endpoint_->OffsetForLeaderEpoch(request);
  if (!response.ok()) {
    FetcherLog().warning("OffsetForLeaderEpoch to broker " + std::to_string(leader_.id) +
                         " failed: " + response.status().ToString());
    endpoint_->Close();
    return false;
  }

  std::lock_guard lock(mu_);
  for (const auto& topic : response->topics) {
    for (const auto& result : topic.partitions) {
      storage::TopicPartition tp{topic.topic, PartitionId(result.partition)};
      auto snapshot = asked.find(tp);
      if (snapshot == asked.end()) continue;
      Entry* entry = FindSame(tp, *snapshot->second);
      if (entry == nullptr) continue;
      if (result.error_code != kafka::Code(ErrorCode::kNone)) {
        FetcherLog().information("OffsetForLeaderEpoch for " + tp.ToString() + " answered error " +
                                 std::to_string(result.error_code) + "; retrying later");
        Delay(*entry);
        continue;
      }
      storage::Log& log = entry->partition->log();
      const Offset end_before = log.LogEndOffset();
      TruncationDecision decision = DecideTruncation(result.leader_epoch, Offset(result.end_offset),
                                                     log.EndOffsetForEpoch(result.leader_epoch),
                                                     end_before, log.HighWatermark());
      Status truncated = entry->partition->TruncateTo(decision.truncate_to, Now());
      if (!truncated.ok()) {
        FetcherLog().warning("Cannot truncate " + tp.ToString() + ": " + truncated.ToString());
        Delay(*entry);
        continue;
      }
      // Not completed: ask again with the (now older) latest epoch; a decision that removed
      // nothing cannot make progress by asking again, so it completes.
      if (decision.completed || decision.truncate_to >= end_before) {
        entry->state.phase = FetchPhase::kFetching;
      }
    }
  }
  return true;
}

bool ReplicaFetcher::FetchPartitions(
    const std::vector<std::pair<storage::TopicPartition, Entry>>& batch) {
  kafka::FetchRequest request;
  request.replica_id = options_.broker_id;
  request.max_wait_ms = options_.fetch_wait_max_ms;
  request.min_bytes = options_.fetch_min_bytes;
  request.max_bytes = options_.fetch_response_max_bytes;
  request.isolation_level = 0;
  request.session_id = 0;
  request.session_epoch = -1;  // a full fetch, no session
  std::map<storage::TopicPartition, std::pair<const Entry*, Offset>> asked;
  for (const auto& [tp, entry] : batch) {
    storage::Log& log = entry.partition->log();
    auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const auto& t) { return t.topic == tp.topic; });
    if (topic == request.topics.end()) {
      topic = request.topics.emplace(request.topics.end());
      topic->topic = tp.topic;
    }
    auto& partition = topic->partitions.emplace_back();
    partition.partition = tp.partition.value();
    partition.current_leader_epoch = entry.state.leader_epoch;
    partition.fetch_offset = log.LogEndOffset().value();
    // -1: truncation goes through OffsetForLeaderEpoch; a leader given an epoch here would
    // answer DivergingEpoch instead of records (KIP-595), which this fetcher does not act on.
    partition.last_fetched_epoch = -1;
    partition.log_start_offset = log.LogStartOffset().value();
    partition.partition_max_bytes = options_.fetch_max_bytes;
    asked.emplace(tp, std::make_pair(&entry, Offset(partition.fetch_offset)));
  }
  auto response = endpoint_->Fetch(request);
  if (!response.ok()) {
    FetcherLog().warning("Fetch from broker " + std::to_string(leader_.id) +
                         " failed: " + response.status().ToString());
    endpoint_->Close();
    return false;
  }
  if (response->error_code != kafka::Code(ErrorCode::kNone)) {
    FetcherLog().warning("Fetch from broker " + std::to_string(leader_.id) + " answered error " +
                         std::to_string(response->error_code));
    return false;
  }

  std::vector<std::tuple<storage::TopicPartition, Entry, Offset>> out_of_range;
  {
    std::lock_guard lock(mu_);
    const TimestampMs now = Now();
    for (const auto& topic : response->responses) {
      for (const auto& data : topic.partitions) {
        storage::TopicPartition tp{topic.topic, PartitionId(data.partition_index)};
        auto asked_it = asked.find(tp);
        if (asked_it == asked.end()) continue;
        const auto& [snapshot, fetch_offset] = asked_it->second;
        Entry* entry = FindSame(tp, *snapshot);
        if (entry == nullptr) continue;
        Partition& partition = *entry->partition;
        if (partition.log().LogEndOffset() != fetch_offset) continue;  // truncated meanwhile
        const auto error = static_cast<ErrorCode>(data.error_code);
        if (error == ErrorCode::kNone) {
          std::span<const uint8_t> records;
          if (data.records.has_value()) records = *data.records;
          auto appended = partition.AppendAsFollower(records, Offset(data.high_watermark),
                                                     Offset(data.log_start_offset), now);
          if (!appended.ok()) {
            FetcherLog().warning("Cannot append fetched records to " + tp.ToString() +
                                 " at offset " + std::to_string(fetch_offset.value()) + ": " +
                                 appended.status().ToString());
            Delay(*entry);
          }
          continue;
        }
        if (error == ErrorCode::kOffsetOutOfRange) {
          out_of_range.emplace_back(tp, *entry, fetch_offset);
          continue;
        }
        FetcherLog().information("Fetch of " + tp.ToString() + " at leader epoch " +
                                 std::to_string(entry->state.leader_epoch) + " from broker " +
                                 std::to_string(leader_.id) + " answered error " +
                                 std::to_string(data.error_code) + "; retrying in " +
                                 std::to_string(options_.fetch_backoff_ms) + " ms");
        Delay(*entry);
      }
    }
  }
  for (auto& [tp, snapshot, fetch_offset] : out_of_range) {
    HandleOutOfRange(tp, snapshot, fetch_offset);
  }
  return true;
}

void ReplicaFetcher::HandleOutOfRange(const storage::TopicPartition& tp, const Entry& snapshot,
                                      Offset fetch_offset) {
  // Ask the leader for its end and start (Kafka's fetchOffsetAndTruncate).
  auto list = [&](int64_t timestamp) -> Result<int64_t> {
    kafka::ListOffsetsRequest request;
    request.replica_id = options_.broker_id;
    auto& topic = request.topics.emplace_back();
    topic.name = tp.topic;
    auto& partition = topic.partitions.emplace_back();
    partition.partition_index = tp.partition.value();
    partition.current_leader_epoch = snapshot.state.leader_epoch;
    partition.timestamp = timestamp;
    auto response = endpoint_->ListOffsets(request);
    if (!response.ok()) {
      endpoint_->Close();
      return response.status();
    }
    for (const auto& t : response->topics) {
      for (const auto& p : t.partitions) {
        if (t.name != tp.topic || p.partition_index != tp.partition.value()) continue;
        if (p.error_code != 0) {
          return Status::Unavailable("ListOffsets answered error " + std::to_string(p.error_code));
        }
        return p.offset;
      }
    }
    return Status::Unavailable("ListOffsets answer lacks " + tp.ToString());
  };
  Result<int64_t> leader_end = list(-1);
  Result<int64_t> leader_start = leader_end.ok() ? list(-2) : Result<int64_t>(leader_end.status());

  std::lock_guard lock(mu_);
  Entry* entry = FindSame(tp, snapshot);
  if (entry == nullptr) return;
  if (!leader_start.ok()) {
    FetcherLog().warning("Cannot resolve the out-of-range fetch offset " +
                         std::to_string(fetch_offset.value()) + " of " + tp.ToString() + ": " +
                         leader_start.status().ToString());
    Delay(*entry);
    return;
  }
  if (fetch_offset.value() > *leader_end) {
    // Our log runs past the leader's: find the divergence by epoch again.
    entry->state.phase = FetchPhase::kTruncating;
    return;
  }
  if (*leader_start > fetch_offset.value()) {
    Status truncated = entry->partition->TruncateFullyAndStartAt(Offset(*leader_start), Now());
    if (!truncated.ok()) {
      FetcherLog().warning("Cannot restart " + tp.ToString() + " at the leader's log start " +
                           std::to_string(*leader_start) + ": " + truncated.ToString());
      Delay(*entry);
    }
  }
}

// ---- ReplicaFetcherManager ----

ReplicaFetcherManager::ReplicaFetcherManager(ReplicaFetcherOptions options,
                                             LeaderEndpointFactory endpoint_factory)
    : options_(std::move(options)), endpoint_factory_(std::move(endpoint_factory)) {}

ReplicaFetcherManager::~ReplicaFetcherManager() { Shutdown(); }

void ReplicaFetcherManager::AddFetcherForPartitions(
    const std::vector<InitialFetchState>& partitions) {
  std::lock_guard lock(mu_);
  std::map<int32_t, std::vector<InitialFetchState>> by_leader;
  for (const auto& initial : partitions) {
    const auto& tp = initial.partition->topic_partition();
    if (auto it = leader_of_.find(tp); it != leader_of_.end() && it->second != initial.leader.id) {
      if (auto f = fetchers_.find(it->second); f != fetchers_.end()) {
        f->second->RemovePartitions({tp});
      }
    }
    leader_of_[tp] = initial.leader.id;
    states_[tp] = initial;
    by_leader[initial.leader.id].push_back(initial);
  }
  for (auto& [leader_id, group] : by_leader) {
    const BrokerAddress& address = group.front().leader;
    auto it = fetchers_.find(leader_id);
    if (it != fetchers_.end() && !(it->second->leader() == address)) {
      // The leader came back on another endpoint: its other partitions move to the new fetcher.
      it->second->Shutdown();
      fetchers_.erase(it);
      for (const auto& [tp, state] : states_) {
        if (state.leader.id != leader_id) continue;
        bool in_group = std::any_of(group.begin(), group.end(), [&](const auto& g) {
          return g.partition->topic_partition() == tp;
        });
        if (!in_group) {
          InitialFetchState moved = state;
          moved.leader = address;
          group.push_back(moved);
        }
      }
      it = fetchers_.end();
    }
    if (it == fetchers_.end()) {
      auto fetcher =
          std::make_unique<ReplicaFetcher>(address, endpoint_factory_(address), options_);
      fetcher->Start();
      it = fetchers_.emplace(leader_id, std::move(fetcher)).first;
      FetcherLog().information("Started the replica fetcher from broker " +
                               std::to_string(leader_id) + " at " + address.host + ":" +
                               std::to_string(address.port));
    }
    it->second->AddPartitions(group);
  }
}

void ReplicaFetcherManager::RemoveFetcherForPartitions(
    const std::set<storage::TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  std::map<int32_t, std::set<storage::TopicPartition>> by_leader;
  for (const auto& tp : partitions) {
    auto it = leader_of_.find(tp);
    if (it == leader_of_.end()) continue;
    by_leader[it->second].insert(tp);
    leader_of_.erase(it);
    states_.erase(tp);
  }
  for (const auto& [leader_id, group] : by_leader) {
    if (auto f = fetchers_.find(leader_id); f != fetchers_.end())
      f->second->RemovePartitions(group);
  }
}

void ReplicaFetcherManager::ShutdownIdleFetcherThreads() {
  std::lock_guard lock(mu_);
  for (auto it = fetchers_.begin(); it != fetchers_.end();) {
    if (it->second->partition_count() == 0) {
      it->second->Shutdown();
      it = fetchers_.erase(it);
    } else {
      ++it;
    }
  }
}

void ReplicaFetcherManager::Shutdown() {
  std::map<int32_t, std::unique_ptr<ReplicaFetcher>> fetchers;
  {
    std::lock_guard lock(mu_);
    fetchers.swap(fetchers_);
    leader_of_.clear();
    states_.clear();
  }
  for (auto& [id, fetcher] : fetchers) fetcher->Shutdown();
}

std::optional<BrokerAddress> ReplicaFetcherManager::LeaderFor(
    const storage::TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = states_.find(tp);
  if (it == states_.end()) return std::nullopt;
  return it->second.leader;
}

std::optional<PartitionFetchState> ReplicaFetcherManager::fetch_state(
    const storage::TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = leader_of_.find(tp);
  if (it == leader_of_.end()) return std::nullopt;
  auto f = fetchers_.find(it->second);
  if (f == fetchers_.end()) return std::nullopt;
  return f->second->fetch_state(tp);
}

size_t ReplicaFetcherManager::fetcher_count() const {
  std::lock_guard lock(mu_);
  return fetchers_.size();
}

}  // namespace sluice::replication

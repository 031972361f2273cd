#include "broker/replication/replica_manager.h"

namespace sluice::replication {

ReplicaManager::ReplicaManager(BrokerId self, storage::LogManager& logs)
    : self_(self), logs_(logs) {}

Status ReplicaManager::BecomeLeader(const storage::TopicPartition& tp, PartitionRole role,
                                    const storage::LogConfig& config, TimestampMs now) {
  {
    std::lock_guard lock(mu_);
    auto it = partitions_.find(tp);
    if (it != partitions_.end()) {
      it->second->SetRole(std::move(role));
      return Status::Ok();
    }
  }
  auto log = logs_.GetOrCreateLog(tp, config, now);
  if (!log.ok()) return log.status();
  // A leader's high watermark starts at its log end offset: with an ISR of one, everything
  // on disk was committed by this broker before it stopped.
  (*log)->SetHighWatermark((*log)->LogEndOffset());
  auto partition = std::make_shared<Partition>(tp, *log, self_, std::move(role));
  std::lock_guard lock(mu_);
  partitions_.emplace(tp, std::move(partition));
  return Status::Ok();
}

Status ReplicaManager::StopReplica(const storage::TopicPartition& tp, bool delete_log) {
  {
    std::lock_guard lock(mu_);
    partitions_.erase(tp);
  }
  if (delete_log) return logs_.DeleteLog(tp);
  return Status::Ok();
}

void ReplicaManager::UpdateTopicConfig(const std::string& topic, const storage::LogConfig& config) {
  std::lock_guard lock(mu_);
  for (auto& [tp, partition] : partitions_) {
    if (tp.topic == topic) partition->log().UpdateConfig(config);
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
  for (const auto& [tp, p] : partitions_) out.push_back(p);
  return out;
}

size_t ReplicaManager::size() const {
  std::lock_guard lock(mu_);
  return partitions_.size();
}

}  // namespace sluice::replication

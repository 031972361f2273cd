#include "broker/replication/partition.h"

namespace sluice::replication {

Partition::Partition(storage::TopicPartition tp, std::shared_ptr<storage::Log> log, BrokerId self,
                     PartitionRole role)
    : tp_(std::move(tp)), log_(std::move(log)), self_(self), role_(std::move(role)) {}

PartitionRole Partition::role() const {
  std::lock_guard lock(mu_);
  return role_;
}

void Partition::SetRole(PartitionRole role) {
  std::lock_guard lock(mu_);
  role_ = std::move(role);
}

LeaderEpoch Partition::leader_epoch() const {
  std::lock_guard lock(mu_);
  return role_.leader_epoch;
}

Result<storage::AppendInfo> Partition::AppendAsLeader(std::span<const uint8_t> records,
                                                      TimestampMs now) {
  auto info = log_->Append(records, leader_epoch(), now);
  if (!info.ok()) return info;
  // ISR = {this broker}: everything appended is committed.
  log_->SetHighWatermark(log_->LogEndOffset());
  return info;
}

}  // namespace sluice::replication

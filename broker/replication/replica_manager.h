// The partitions this broker hosts, keyed by topic-partition, and the transitions the
// controller broker asks for (become leader, stop replica, delete).
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "broker/replication/partition.h"
#include "broker/storage/log_manager.h"

namespace sluice::replication {

class ReplicaManager {
 public:
  ReplicaManager(BrokerId self, storage::LogManager& logs);

  // Creates the log if needed and makes this broker the partition's leader at `role`.
  Status BecomeLeader(const storage::TopicPartition& tp, PartitionRole role,
                      const storage::LogConfig& config, TimestampMs now);
  // Stops hosting the partition; with `delete_log` its directory is removed.
  Status StopReplica(const storage::TopicPartition& tp, bool delete_log);
  // Applies a topic's changed configuration to its partitions' logs.
  void UpdateTopicConfig(const std::string& topic, const storage::LogConfig& config);

  std::shared_ptr<Partition> Get(const storage::TopicPartition& tp) const;
  std::vector<std::shared_ptr<Partition>> All() const;
  size_t size() const;

 private:
  const BrokerId self_;
  storage::LogManager& logs_;
  mutable std::mutex mu_;
  std::map<storage::TopicPartition, std::shared_ptr<Partition>> partitions_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::replication

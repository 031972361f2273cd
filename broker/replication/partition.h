// One partition replica hosted by this broker: its log and its role.
//
// Issue scope: this broker is the partition's leader (replication between brokers arrives with
// the multi-broker work). The leader's high watermark is the smallest log end offset in the ISR;
// with an ISR of just this broker that is the log end offset, advanced after every append.
//
// Thread-safety: methods may be called from any thread; role fields are guarded by mu_, the
// Log has its own locking.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "broker/storage/log.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::replication {

struct PartitionRole {
  LeaderEpoch leader_epoch{0};
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
};

class Partition {
 public:
  Partition(storage::TopicPartition tp, std::shared_ptr<storage::Log> log, BrokerId self,
            PartitionRole role);

  const storage::TopicPartition& topic_partition() const { return tp_; }
  storage::Log& log() const { return *log_; }
  std::shared_ptr<storage::Log> shared_log() const { return log_; }

  PartitionRole role() const;
  void SetRole(PartitionRole role);
  LeaderEpoch leader_epoch() const;

  // Appends as leader and advances the high watermark (see class comment).
  Result<storage::AppendInfo> AppendAsLeader(std::span<const uint8_t> records, TimestampMs now);

 private:
  const storage::TopicPartition tp_;
  const std::shared_ptr<storage::Log> log_;
  const BrokerId self_;
  mutable std::mutex mu_;
  PartitionRole role_;  // GUARDED_BY(mu_)
};

}  // namespace sluice::replication

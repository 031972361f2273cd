// Where the coordinator keeps its state: the __consumer_offsets partitions this broker leads.
// The interface keeps the coordinator testable without a broker; ReplicaOffsetsLog is the
// broker's implementation over the replica manager.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "broker/replication/replica_manager.h"
#include "libs/base/status.h"

namespace sluice::group {

// A record of __consumer_offsets: key and value as offsets_records.h encodes them; no value is
// a tombstone.
struct OffsetsRecord {
  std::string key;
  std::optional<std::string> value;
};

class OffsetsLog {
 public:
  virtual ~OffsetsLog() = default;
  // Appends `records` to `partition` as one batch with timestamp `timestamp_ms`, returning once
  // they are committed (the coordinator answers only then). With one replica the leader's
  // append is the commit; waiting for followers belongs to replication (acks=-1 semantics).
  // Unavailable when this broker does not lead the partition; other codes as Log::Append.
  virtual Status Append(int32_t partition, const std::vector<OffsetsRecord>& records,
                        int64_t timestamp_ms) = 0;
  // Calls `visit` for every record of `partition`, in offset order (the partition is read in
  // chunks; records of control batches are skipped).
  virtual Status Replay(int32_t partition,
                        const std::function<void(const OffsetsRecord&)>& visit) = 0;
};

class ReplicaOffsetsLog : public OffsetsLog {
 public:
  // `on_append(partition)` runs after each append (the broker wakes fetches waiting on it).
  ReplicaOffsetsLog(replication::ReplicaManager& replicas,
                    std::function<void(int32_t partition)> on_append);

  Status Append(int32_t partition, const std::vector<OffsetsRecord>& records,
                int64_t timestamp_ms) override;
  Status Replay(int32_t partition, const std::function<void(const OffsetsRecord&)>& visit) override;

 private:
  replication::ReplicaManager& replicas_;
  std::function<void(int32_t)> on_append_;
};

}  // namespace sluice::group

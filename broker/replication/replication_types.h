// The vocabulary shared by the replication layer and the broker that hosts it: what one
// LeaderAndIsr partition entry says, where a leader can be reached, the per-topic settings a
// partition needs, and the two interfaces the broker implements (ZooKeeper ISR writes and
// notifications about role and state changes).
//
// Broker ids, epochs and zkVersions are plain int32_t here because these structs mirror the
// wire messages field for field (LeaderAndIsrRequest v0-5); offsets keep their own type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "broker/storage/log.h"
#include "broker/storage/log_config.h"
#include "broker/storage/topic_partition.h"
#include "libs/base/status.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::replication {

// One partition from a LeaderAndIsr request (LeaderAndIsrPartitionState in Kafka's JSON).
struct LeaderAndIsrPartitionState {
  storage::TopicPartition tp;
  int32_t controller_epoch = 0;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
  int32_t zk_version = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> adding_replicas;
  std::vector<int32_t> removing_replicas;
  bool is_new = false;
};

// A leader's inter-broker endpoint, from LeaderAndIsr's LiveLeaders.
struct BrokerAddress {
  int32_t id = -1;
  std::string host;
  int32_t port = 0;

  bool operator==(const BrokerAddress&) const = default;
};

struct LeaderAndIsrResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;  // whole request (STALE_CONTROLLER_EPOCH)
  std::map<storage::TopicPartition, kafka::ErrorCode> partitions;
};

struct StopReplicaResult {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::map<storage::TopicPartition, kafka::ErrorCode> partitions;
};

// A topic's settings as a partition replica needs them (the server maps topic configs here).
struct PartitionConfig {
  storage::LogConfig log;
  int32_t min_insync_replicas = 1;
};

// What Partition::AppendAsLeader did. On success `info` holds the offsets; a duplicate of an
// idempotent batch already in the log also succeeds, with the original batch's offsets and
// nothing written (`duplicate` set).
struct AppendOutcome {
  kafka::ErrorCode error = kafka::ErrorCode::kNone;
  std::string message;  // why, when error != kNone
  storage::AppendInfo info{Offset(-1), Offset(-1), TimestampMs(-1), Offset(-1)};
  bool duplicate = false;

  bool ok() const { return error == kafka::ErrorCode::kNone; }
};

// Implemented by the Broker (the composition root). Called without any replication lock held,
// from the thread that made the change (a request handler, a fetcher, the ISR-expiration task);
// implementations must be quick and must not call back into ReplicaManager::BecomeLeaderOrFollower
// or StopReplicas.
class ReplicationListener {
 public:
  virtual ~ReplicationListener() = default;
  virtual void OnBecomeLeader(const storage::TopicPartition& tp, int32_t leader_epoch) = 0;
  virtual void OnBecomeFollower(const storage::TopicPartition& tp, int32_t leader_epoch) = 0;
  virtual void OnStopReplica(const storage::TopicPartition& tp, bool deleted) = 0;
  // The leader's high watermark moved or its ISR changed, or a follower's log end offset moved,
  // or the partition changed role: the server re-checks waiting Produce (acks=all) and Fetch
  // requests keyed on this partition.
  virtual void OnPartitionChanged(const storage::TopicPartition& tp) = 0;
};

// The ZooKeeper write of a leader's ISR change (implementation: ZkIsrWriter).
class IsrWriter {
 public:
  virtual ~IsrWriter() = default;
  // Conditional on zk_version; returns the new zk_version, Conflict when the znode moved on
  // (then the leader must NOT change its ISR: the controller knows better). Other errors
  // (Unavailable: ZooKeeper unreachable) also leave the ISR unchanged; the next check retries.
  virtual Result<int32_t> WriteIsr(const storage::TopicPartition& tp, int32_t leader,
                                   int32_t leader_epoch, int32_t controller_epoch,
                                   const std::vector<int32_t>& isr, int32_t zk_version) = 0;
};

}  // namespace sluice::replication

// ZkIsrWriter: IsrWriter over ZooKeeper. A leader's ISR change is a conditional write of the
// partition's state znode (/brokers/topics/<t>/partitions/<p>/state, against the zkVersion the
// leader holds), followed by an /isr_change_notification/isr_change_<seq> znode naming the
// partition so the controller re-reads it and broadcasts UpdateMetadata (Kafka's
// ReplicationUtils.updateLeaderAndIsr + propagateIsrChanges, without 2.8's 2.5 s batching:
// ISR changes are rare, and a prompt notification keeps metadata fresh).
//
// Thread-safety: as KafkaZkClient (any thread).
#pragma once

#include "broker/metadata/kafka_zk_client.h"
#include "broker/replication/replication_types.h"

namespace sluice::replication {

class ZkIsrWriter : public IsrWriter {
 public:
  explicit ZkIsrWriter(metadata::KafkaZkClient& zk) : zk_(zk) {}

  // Conflict when the znode's version is no longer `zk_version` (the controller changed it).
  // A failed notification is logged, not returned: the ISR is already written, and the
  // controller also re-reads states at its next event.
  Result<int32_t> WriteIsr(const storage::TopicPartition& tp, int32_t leader, int32_t leader_epoch,
                           int32_t controller_epoch, const std::vector<int32_t>& isr,
                           int32_t zk_version) override;

 private:
  metadata::KafkaZkClient& zk_;
};

}  // namespace sluice::replication

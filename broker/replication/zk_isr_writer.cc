#include "broker/replication/zk_isr_writer.h"

#include <Poco/Logger.h>

#include <string>

namespace sluice::replication {

Result<int32_t> ZkIsrWriter::WriteIsr(const storage::TopicPartition& tp, int32_t leader,
                                      int32_t leader_epoch, int32_t controller_epoch,
                                      const std::vector<int32_t>& isr, int32_t zk_version) {
  metadata::PartitionState state;
  state.leader = BrokerId(leader);
  state.leader_epoch = LeaderEpoch(leader_epoch);
  for (int32_t id : isr) state.isr.push_back(BrokerId(id));
  state.controller_epoch = ControllerEpoch(controller_epoch);
  state.zk_version = zk_version;
  Result<int32_t> written = zk_.SetPartitionState(tp.topic, tp.partition, state);
  if (!written.ok()) return written.status();
  Status notified = zk_.CreateIsrChangeNotification({{tp.topic, tp.partition}});
  if (!notified.ok()) {
    Poco::Logger::get("state-change")
        .warning("Could not create the ISR change notification for " + tp.topic + "-" +
                 std::to_string(tp.partition.value()) + ": " + notified.ToString());
  }
  return written;
}

}  // namespace sluice::replication

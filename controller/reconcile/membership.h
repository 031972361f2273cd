// Which broker ids a KafkaCluster should have, from its spec and the ids its status remembers.
//
// Pure: reconcile calls it each pass. Rules (controller/README.md, "ids are never reused"):
//   - every listed id (spec.brokers[].id) is desired;
//   - the remaining spec.replicas - |listed| slots go to the existing auto brokers (status
//     entries not listed and not leaving: Draining, Removing, Replacing), lowest ids first;
//   - slots still free get new ids from status.nextBrokerId upwards, skipping every id the
//     status or the spec already uses;
//   - existing auto brokers beyond the slots are surplus (the highest ids): scale-down removes
//     them once they are drained.
#pragma once

#include <cstdint>
#include <vector>

#include "controller/api/kafka_cluster.h"

namespace sluice::reconcile {

struct Membership {
  std::vector<int32_t> desired;  // sorted
  std::vector<int32_t> new_ids;  // in desired, without a status entry yet (sorted)
  std::vector<int32_t> surplus;  // existing auto ids no longer wanted, not yet leaving (sorted)
  // status.nextBrokerId once new_ids are recorded: above every id ever handed out or listed.
  int32_t next_broker_id = 0;
};

bool IsLeavingPhase(operator_api::BrokerPhase phase);

Membership ComputeMembership(const operator_api::KafkaClusterSpec& spec,
                             const operator_api::KafkaClusterStatus& status);

}  // namespace sluice::reconcile

#include "broker/metadata/partition_leader_election.h"

#include <algorithm>

namespace sluice::metadata {
namespace {

bool Contains(const std::vector<BrokerId>& ids, BrokerId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

ElectionResult Elected(const PartitionState& current, BrokerId leader, std::vector<BrokerId> isr,
                       bool unclean) {
  ElectionResult result{current, unclean};
  result.state.leader = leader;
  result.state.leader_epoch = current.leader_epoch + 1;
  result.state.isr = std::move(isr);
  return result;
}

}  // namespace

std::optional<ElectionResult> ElectOfflinePartitionLeader(const std::vector<BrokerId>& assignment,
                                                          const PartitionState& current,
                                                          const std::set<BrokerId>& online,
                                                          bool unclean_enabled) {
  for (BrokerId replica : assignment) {
    if (online.contains(replica) && Contains(current.isr, replica)) {
      std::vector<BrokerId> isr;
      for (BrokerId member : current.isr) {
        if (online.contains(member)) isr.push_back(member);
      }
      return Elected(current, replica, std::move(isr), false);
    }
  }
  if (!unclean_enabled) return std::nullopt;
  for (BrokerId replica : assignment) {
    if (online.contains(replica)) return Elected(current, replica, {replica}, true);
  }
  return std::nullopt;
}

std::optional<ElectionResult> ElectReassignedPartitionLeader(
    const std::vector<BrokerId>& target_replicas, const PartitionState& current,
    const std::set<BrokerId>& online) {
  for (BrokerId replica : target_replicas) {
    if (online.contains(replica) && Contains(current.isr, replica)) {
      return Elected(current, replica, current.isr, false);
    }
  }
  return std::nullopt;
}

std::optional<ElectionResult> ElectPreferredReplicaLeader(const std::vector<BrokerId>& assignment,
                                                          const PartitionState& current,
                                                          const std::set<BrokerId>& online) {
  if (assignment.empty()) return std::nullopt;
  BrokerId preferred = assignment.front();
  if (!online.contains(preferred) || !Contains(current.isr, preferred)) return std::nullopt;
  return Elected(current, preferred, current.isr, false);
}

std::optional<ElectionResult> ElectControlledShutdownLeader(
    const std::vector<BrokerId>& assignment, const PartitionState& current,
    const std::set<BrokerId>& online, const std::set<BrokerId>& shutting_down) {
  for (BrokerId replica : assignment) {
    if (online.contains(replica) && Contains(current.isr, replica) &&
        !shutting_down.contains(replica)) {
      std::vector<BrokerId> isr;
      for (BrokerId member : current.isr) {
        if (!shutting_down.contains(member)) isr.push_back(member);
      }
      return Elected(current, replica, std::move(isr), false);
    }
  }
  return std::nullopt;
}

std::optional<ElectionResult> RemoveReplicaFromIsr(const PartitionState& current, BrokerId broker) {
  if (!Contains(current.isr, broker)) return std::nullopt;
  std::vector<BrokerId> isr;
  for (BrokerId member : current.isr) {
    if (member != broker) isr.push_back(member);
  }
  BrokerId leader = current.leader == broker ? kNoLeader : current.leader;
  if (isr.empty()) {
    // The last in-sync replica stays recorded so that a clean election can pick it when it
    // returns; the partition is offline meanwhile.
    isr = current.isr;
    leader = kNoLeader;
  }
  return Elected(current, leader, std::move(isr), false);
}

}  // namespace sluice::metadata

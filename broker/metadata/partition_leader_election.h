// Kafka 2.8's leader-election rules (PartitionLeaderElectionAlgorithms and the
// PartitionStateMachine strategies around them) as pure functions: given a partition's
// assignment, current state and which brokers are usable, what should its new state be?
//
// Every function returns nullopt when there is no eligible leader; the caller then leaves the
// partition as it is (and reports it as an error where an API asked for the election).
// A successful election always bumps the leader epoch; the caller sets controller_epoch and
// writes the result to ZooKeeper conditional on `current.zk_version`.
#pragma once

#include <optional>
#include <set>
#include <vector>

#include "broker/metadata/znodes.h"
#include "libs/base/ids.h"

namespace sluice::metadata {

struct ElectionResult {
  PartitionState state;  // leader, leader_epoch + 1, isr; zk_version as `current`
  bool unclean = false;  // the leader was not in the ISR (data may have been lost)
};

// Broker failure or a partition without a leader: the first replica in assignment order that is
// `online` and in the ISR; ISR = its online members. With no such replica and
// `unclean_enabled`, the first online replica, with ISR = [it] (unclean). `online` excludes
// brokers being shut down.
std::optional<ElectionResult> ElectOfflinePartitionLeader(const std::vector<BrokerId>& assignment,
                                                          const PartitionState& current,
                                                          const std::set<BrokerId>& online,
                                                          bool unclean_enabled);

// Reassignment: the first replica of the *target* replica list that is online and in the ISR.
// ISR unchanged.
std::optional<ElectionResult> ElectReassignedPartitionLeader(
    const std::vector<BrokerId>& target_replicas, const PartitionState& current,
    const std::set<BrokerId>& online);

// Preferred-leader election: the first replica of the assignment, if online and in the ISR.
// ISR unchanged. (The caller skips partitions already led by their preferred replica.)
std::optional<ElectionResult> ElectPreferredReplicaLeader(const std::vector<BrokerId>& assignment,
                                                          const PartitionState& current,
                                                          const std::set<BrokerId>& online);

// Controlled shutdown of the brokers in `shutting_down` (the current leader among them): the
// first replica in assignment order that is online, in the ISR and not shutting down; ISR
// without the shutting-down brokers.
std::optional<ElectionResult> ElectControlledShutdownLeader(
    const std::vector<BrokerId>& assignment, const PartitionState& current,
    const std::set<BrokerId>& online, const std::set<BrokerId>& shutting_down);

// Removes `broker` from the ISR without moving leadership (controlled shutdown of a follower,
// Kafka's OfflineReplica transition). If `broker` is the leader, the leader becomes -1 (no
// leader). Never leaves the ISR empty: a partition whose only ISR member goes keeps it, leader
// -1, so that the last in-sync replica is remembered (Kafka 2.8's rule). Bumps the leader epoch.
// nullopt when `broker` is not in the ISR (nothing to change).
std::optional<ElectionResult> RemoveReplicaFromIsr(const PartitionState& current, BrokerId broker);

}  // namespace sluice::metadata

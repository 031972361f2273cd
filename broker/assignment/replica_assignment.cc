#include "broker/assignment/replica_assignment.h"

#include <algorithm>
#include <random>
#include <set>

namespace sluice::assignment {

namespace {

int32_t RandomIndex(size_t n) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<int32_t>(std::uniform_int_distribution<size_t>(0, n - 1)(rng));
}

// Kafka's replicaIndex: follower `j` of a partition whose first replica is at `first`, in a list
// of `n` brokers. The distance 1 + (...) % (n - 1) is never 0 nor n, so a follower never lands on
// the first replica.
size_t FollowerIndex(size_t first, int64_t shift, int64_t j, size_t n) {
  const auto distance = static_cast<size_t>(1 + (shift + j) % static_cast<int64_t>(n - 1));
  return (first + distance) % n;
}

ReplicaAssignment AssignRackUnaware(const std::vector<BrokerId>& brokers, int32_t partitions,
                                    int32_t replication_factor, int32_t fixed_start_index,
                                    int32_t start_partition_id) {
  const size_t n = brokers.size();
  const int32_t start = fixed_start_index >= 0 ? fixed_start_index : RandomIndex(n);
  int64_t shift = fixed_start_index >= 0 ? fixed_start_index : RandomIndex(n);
  ReplicaAssignment out;
  int64_t p = std::max(0, start_partition_id);
  for (int32_t i = 0; i < partitions; ++i, ++p) {
    // Each full round over the brokers moves the followers one step further from the leader.
    if (p > 0 && p % static_cast<int64_t>(n) == 0) ++shift;
    const auto first = static_cast<size_t>((p + start) % static_cast<int64_t>(n));
    std::vector<BrokerId> replicas{brokers[first]};
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      replicas.push_back(brokers[FollowerIndex(first, shift, j, n)]);
    }
    out.emplace(PartitionId(static_cast<int32_t>(p)), std::move(replicas));
  }
  return out;
}

ReplicaAssignment AssignRackAware(const std::vector<BrokerRack>& brokers, int32_t partitions,
                                  int32_t replication_factor, int32_t fixed_start_index,
                                  int32_t start_partition_id) {
  std::map<BrokerId, std::string> rack_of;
  std::set<std::string> racks;
  for (const BrokerRack& b : brokers) {
    rack_of[b.id] = *b.rack;
    racks.insert(*b.rack);
  }
  const auto num_racks = racks.size();
  const std::vector<BrokerId> arranged = RackAlternatedBrokerList(brokers);
  const size_t n = arranged.size();
  const int32_t start = fixed_start_index >= 0 ? fixed_start_index : RandomIndex(n);
  int64_t shift = fixed_start_index >= 0 ? fixed_start_index : RandomIndex(n);
  ReplicaAssignment out;
  int64_t p = std::max(0, start_partition_id);
  for (int32_t i = 0; i < partitions; ++i, ++p) {
    if (p > 0 && p % static_cast<int64_t>(n) == 0) ++shift;
    const auto first = static_cast<size_t>((p + start) % static_cast<int64_t>(n));
    const BrokerId leader = arranged[first];
    std::vector<BrokerId> replicas{leader};
    std::set<std::string> racks_with_replicas{rack_of[leader]};
    std::set<BrokerId> brokers_with_replicas{leader};
    // k walks the candidates; it always terminates because once every rack (and every broker)
    // holds a replica, the next candidate is accepted.
    int64_t k = 0;
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      while (true) {
        const BrokerId candidate =
            arranged[FollowerIndex(first, shift * static_cast<int64_t>(num_racks), k, n)];
        const std::string& rack = rack_of[candidate];
        ++k;
        const bool rack_ok =
            !racks_with_replicas.contains(rack) || racks_with_replicas.size() == num_racks;
        const bool broker_ok =
            !brokers_with_replicas.contains(candidate) || brokers_with_replicas.size() == n;
        if (rack_ok && broker_ok) {
          replicas.push_back(candidate);
          racks_with_replicas.insert(rack);
          brokers_with_replicas.insert(candidate);
          break;
        }
      }
    }
    out.emplace(PartitionId(static_cast<int32_t>(p)), std::move(replicas));
  }
  return out;
}

}  // namespace

std::vector<BrokerId> RackAlternatedBrokerList(const std::vector<BrokerRack>& brokers) {
  std::map<std::string, std::vector<BrokerId>> by_rack;  // racks sorted by name
  for (const BrokerRack& b : brokers) {
    if (b.rack) by_rack[*b.rack].push_back(b.id);
  }
  size_t total = 0;
  for (auto& [rack, ids] : by_rack) {
    std::sort(ids.begin(), ids.end());
    total += ids.size();
  }
  std::vector<BrokerId> out;
  out.reserve(total);
  for (size_t round = 0; out.size() < total; ++round) {
    for (const auto& [rack, ids] : by_rack) {
      if (round < ids.size()) out.push_back(ids[round]);
    }
  }
  return out;
}

Result<ReplicaAssignment> AssignReplicasToBrokers(std::vector<BrokerRack> brokers,
                                                  int32_t partitions, int32_t replication_factor,
                                                  int32_t fixed_start_index,
                                                  int32_t start_partition_id) {
  if (partitions <= 0) {
    return Status::InvalidArgument("Number of partitions must be larger than 0.");
  }
  if (replication_factor <= 0) {
    return Status::InvalidArgument("Replication factor must be larger than 0.");
  }
  if (static_cast<size_t>(replication_factor) > brokers.size()) {
    return Status::InvalidArgument(
        "Replication factor: " + std::to_string(replication_factor) +
        " larger than available brokers: " + std::to_string(brokers.size()) + ".");
  }
  std::sort(brokers.begin(), brokers.end(),
            [](const BrokerRack& a, const BrokerRack& b) { return a.id < b.id; });
  for (size_t i = 1; i < brokers.size(); ++i) {
    if (brokers[i].id == brokers[i - 1].id) {
      return Status::InvalidArgument(
          "Duplicate broker id " + std::to_string(brokers[i].id.value()) + " in the broker list.");
    }
  }
  const auto with_rack = std::count_if(brokers.begin(), brokers.end(),
                                       [](const BrokerRack& b) { return b.rack.has_value(); });
  if (with_rack == 0) {
    std::vector<BrokerId> ids;
    for (const BrokerRack& b : brokers) ids.push_back(b.id);
    return AssignRackUnaware(ids, partitions, replication_factor, fixed_start_index,
                             start_partition_id);
  }
  if (static_cast<size_t>(with_rack) != brokers.size()) {
    return Status::InvalidArgument(
        "Not all brokers have rack information for replica rack aware assignment.");
  }
  return AssignRackAware(brokers, partitions, replication_factor, fixed_start_index,
                         start_partition_id);
}

Result<ReplicaAssignment> AssignReplicasToBrokers(const std::vector<BrokerId>& brokers,
                                                  int32_t partitions, int32_t replication_factor,
                                                  int32_t fixed_start_index,
                                                  int32_t start_partition_id) {
  std::vector<BrokerRack> rackless;
  for (BrokerId id : brokers) rackless.push_back({id, std::nullopt});
  return AssignReplicasToBrokers(std::move(rackless), partitions, replication_factor,
                                 fixed_start_index, start_partition_id);
}

Result<std::vector<BrokerRack>> ApplyRackAwareMode(std::vector<BrokerRack> brokers,
                                                   RackAwareMode mode) {
  std::sort(brokers.begin(), brokers.end(),
            [](const BrokerRack& a, const BrokerRack& b) { return a.id < b.id; });
  const bool all = std::all_of(brokers.begin(), brokers.end(),
                               [](const BrokerRack& b) { return b.rack.has_value(); });
  const bool none = std::none_of(brokers.begin(), brokers.end(),
                                 [](const BrokerRack& b) { return b.rack.has_value(); });
  if (mode == RackAwareMode::kEnforced && !all && !none) {
    return Status::InvalidArgument(
        "Not all brokers have rack information. Add --disable-rack-aware in command line to make "
        "replica assignment without rack information.");
  }
  if (mode == RackAwareMode::kDisabled || (mode == RackAwareMode::kSafe && !all)) {
    for (BrokerRack& b : brokers) b.rack.reset();
  }
  return brokers;
}

}  // namespace sluice::assignment

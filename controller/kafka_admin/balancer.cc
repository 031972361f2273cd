// The balancer's planning functions (balancer.h). Everything here is deterministic: partitions
// are visited in (topic, partition) order and every choice between brokers is broken by a count
// first and the broker id last, so the same ClusterState always gives the same moves.
#include "controller/kafka_admin/balancer.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace sluice::kafka_admin {

namespace {

using PartitionKey = std::pair<std::string, int32_t>;
// (topic, partition) -> replica list, ordered, so iteration order is the tie-break order.
using Assignment = std::map<PartitionKey, std::vector<int32_t>>;

bool Contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string Join(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

std::string PartitionName(const std::string& topic, int32_t partition) {
  return topic + "-" + std::to_string(partition);
}

// The replica list a partition will have once a reassignment in progress finishes: Metadata
// lists the target replicas followed by the ones being removed, so the target is the list
// without `removing`. Plans start from this, so an ongoing move is built upon, not undone.
std::vector<int32_t> SettledReplicas(const PartitionState& partition) {
  std::vector<int32_t> settled;
  for (int32_t id : partition.replicas) {
    if (!Contains(partition.removing, id)) settled.push_back(id);
  }
  return settled;
}

Assignment SettledAssignment(const ClusterState& state) {
  Assignment assignment;
  for (const TopicState& topic : state.topics) {
    for (const PartitionState& partition : topic.partitions) {
      assignment[{topic.name, partition.partition}] = SettledReplicas(partition);
    }
  }
  return assignment;
}

// The moves that turn `before` into `after` (same keys): one per partition whose list changed,
// order included (a new order moves the preferred leader).
std::vector<Move> Diff(const Assignment& before, const Assignment& after) {
  std::vector<Move> moves;
  for (const auto& [key, replicas] : after) {
    if (before.at(key) != replicas) moves.push_back(Move{key.first, key.second, replicas});
  }
  return moves;
}

std::vector<int32_t> SortedUnique(std::vector<int32_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Replicas and preferred leaderships (first replica) per broker of `brokers`, counted over
// `assignment`; replicas on other brokers are not counted.
struct Counts {
  std::map<int32_t, int32_t> replicas;
  std::map<int32_t, int32_t> leaders;
};

Counts CountOn(const Assignment& assignment, const std::vector<int32_t>& brokers) {
  Counts counts;
  for (int32_t id : brokers) {
    counts.replicas[id] = 0;
    counts.leaders[id] = 0;
  }
  for (const auto& [key, replicas] : assignment) {
    for (size_t i = 0; i < replicas.size(); ++i) {
      auto it = counts.replicas.find(replicas[i]);
      if (it == counts.replicas.end()) continue;
      ++it->second;
      if (i == 0) ++counts.leaders[replicas[i]];
    }
  }
  return counts;
}

// Brokers ordered by count (ascending or descending), ties by id ascending.
std::vector<int32_t> ByCount(const std::map<int32_t, int32_t>& counts, bool descending) {
  std::vector<int32_t> ids;
  for (const auto& [id, count] : counts) ids.push_back(id);
  std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return descending ? counts.at(a) > counts.at(b) : counts.at(a) < counts.at(b);
  });
  return ids;
}

// One replica move of PlanRebalance's first phase: the replica of `donor` in some partition goes
// to `receiver`, in the same position. Among the partitions that host `donor` and not
// `receiver`, it takes the first (in key order) whose position suits the leaders: a preferred
// leadership travels along when the donor leads at least two more partitions than the receiver,
// otherwise a follower replica moves so leadership stays put. Returns false when no partition
// can move between the two.
bool MoveOneReplica(Assignment& assignment, Counts& counts, int32_t donor, int32_t receiver) {
  const bool want_leader = counts.leaders[donor] - counts.leaders[receiver] > 1;
  std::vector<int32_t>* fallback = nullptr;
  size_t fallback_position = 0;
  for (auto& [key, replicas] : assignment) {
    if (Contains(replicas, receiver)) continue;
    auto it = std::find(replicas.begin(), replicas.end(), donor);
    if (it == replicas.end()) continue;
    const size_t position = static_cast<size_t>(it - replicas.begin());
    const bool suits = (position == 0) == want_leader;
    if (suits || fallback == nullptr) {
      fallback = &replicas;
      fallback_position = position;
      if (suits) break;
    }
  }
  if (fallback == nullptr) return false;
  (*fallback)[fallback_position] = receiver;
  --counts.replicas[donor];
  ++counts.replicas[receiver];
  if (fallback_position == 0) {
    --counts.leaders[donor];
    ++counts.leaders[receiver];
  }
  return true;
}

// One preferred-leadership move of PlanRebalance's second phase: in the first partition (key
// order) that `donor` leads and `receiver` follows in, the two swap positions. No data moves.
bool MoveOneLeadership(Assignment& assignment, Counts& counts, int32_t donor, int32_t receiver) {
  for (auto& [key, replicas] : assignment) {
    if (replicas.empty() || replicas[0] != donor) continue;
    auto it = std::find(replicas.begin() + 1, replicas.end(), receiver);
    if (it == replicas.end()) continue;
    std::iter_swap(replicas.begin(), it);
    --counts.leaders[donor];
    ++counts.leaders[receiver];
    return true;
  }
  return false;
}

// Repeats `step(donor, receiver)` for the most loaded donor and least loaded receiver whose
// counts differ by two or more (trying the next pairs when a pair has nothing to exchange) until
// no pair differs by two or more, i.e. every count is within one of the mean. Each step narrows
// a gap of at least two, so the sum of squared counts falls and the loop ends.
template <typename Step>
void Equalize(std::map<int32_t, int32_t>& counts, Step step) {
  for (;;) {
    bool moved = false;
    const std::vector<int32_t> donors = ByCount(counts, /*descending=*/true);
    const std::vector<int32_t> receivers = ByCount(counts, /*descending=*/false);
    for (int32_t donor : donors) {
      for (int32_t receiver : receivers) {
        if (counts[donor] - counts[receiver] < 2) break;  // receivers only get fuller from here
        if (step(donor, receiver)) {
          moved = true;
          break;
        }
      }
      if (moved) break;
    }
    if (!moved) return;
  }
}

}  // namespace

std::vector<Move> PlanDrain(const ClusterState& state, const std::set<int32_t>& leaving,
                            const std::vector<int32_t>& brokers) {
  std::vector<int32_t> staying;
  for (int32_t id : SortedUnique(brokers)) {
    if (!leaving.contains(id)) staying.push_back(id);
  }
  const Assignment before = SettledAssignment(state);
  Assignment after = before;
  Counts counts = CountOn(after, staying);
  auto is_leaving = [&](int32_t id) { return leaving.contains(id); };

  for (auto& [key, replicas] : after) {
    const auto leaving_replicas = std::count_if(replicas.begin(), replicas.end(), is_leaving);
    if (leaving_replicas == 0) continue;
    const auto free_brokers = std::count_if(staying.begin(), staying.end(),
                                            [&](int32_t id) { return !Contains(replicas, id); });
    // Keeping the replication factor is impossible here; the partition stays as it is and
    // RemovalBlockers gives the reason, so a caller never drains into a smaller factor.
    if (free_brokers < leaving_replicas) continue;

    std::vector<int32_t> next = replicas;
    if (is_leaving(next[0])) {
      // The preferred leader goes to a staying replica that already holds the data, the one
      // with the fewest preferred leaderships (earlier position on ties).
      size_t best = 0;
      for (size_t i = 1; i < next.size(); ++i) {
        if (is_leaving(next[i])) continue;
        if (best == 0 || counts.leaders[next[i]] < counts.leaders[next[best]]) best = i;
      }
      if (best != 0) {
        std::swap(next[0], next[best]);
        ++counts.leaders[next[0]];
      }
    }
    for (size_t i = 0; i < next.size(); ++i) {
      if (!is_leaving(next[i])) continue;
      // Least loaded staying broker not yet in the list; for the first position (every
      // replica was leaving) preferred leaderships count next; the id breaks ties.
      int32_t chosen = -1;
      for (int32_t candidate : staying) {
        if (Contains(next, candidate)) continue;
        auto rank = [&](int32_t id) {
          return std::make_tuple(counts.replicas[id], i == 0 ? counts.leaders[id] : 0, id);
        };
        if (chosen < 0 || rank(candidate) < rank(chosen)) chosen = candidate;
      }
      next[i] = chosen;
      ++counts.replicas[chosen];
      if (i == 0) ++counts.leaders[chosen];
    }
    replicas = std::move(next);
  }
  return Diff(before, after);
}

std::vector<Move> PlanRebalance(const ClusterState& state, const std::vector<int32_t>& brokers) {
  const std::vector<int32_t> members = SortedUnique(brokers);
  const Assignment before = SettledAssignment(state);
  Assignment after = before;
  Counts counts = CountOn(after, members);
  // Phase 1 moves data, so it runs only until replica counts are within one of the mean; it
  // carries preferred leaderships along where that helps. Phase 2 then evens out preferred
  // leaders by reordering replica lists, which moves no data.
  Equalize(counts.replicas, [&](int32_t donor, int32_t receiver) {
    return MoveOneReplica(after, counts, donor, receiver);
  });
  Equalize(counts.leaders, [&](int32_t donor, int32_t receiver) {
    return MoveOneLeadership(after, counts, donor, receiver);
  });
  return Diff(before, after);
}

std::vector<Move> PlanReplace(const ClusterState& state, int32_t dead, int32_t replacement) {
  const Assignment before = SettledAssignment(state);
  Assignment after = before;
  for (auto& [key, replicas] : after) {
    auto it = std::find(replicas.begin(), replicas.end(), dead);
    // A partition that already has the replacement cannot take it twice; it keeps its list
    // (the dead replica stays until a drain moves it), never a smaller replication factor.
    if (it == replicas.end() || Contains(replicas, replacement)) continue;
    *it = replacement;
  }
  return Diff(before, after);
}

std::vector<std::string> RemovalBlockers(const ClusterState& state,
                                         const std::set<int32_t>& leaving,
                                         const std::vector<int32_t>& brokers) {
  int32_t remaining = 0;
  for (int32_t id : SortedUnique(brokers)) {
    if (!leaving.contains(id)) ++remaining;
  }
  std::vector<const TopicState*> topics;
  for (const TopicState& topic : state.topics) topics.push_back(&topic);
  std::sort(topics.begin(), topics.end(),
            [](const TopicState* a, const TopicState* b) { return a->name < b->name; });
  const std::string would_remain = " but only " + std::to_string(remaining) + " broker" +
                                   (remaining == 1 ? "" : "s") + " would remain";
  std::vector<std::string> blockers;
  for (const TopicState* topic : topics) {
    size_t replication_factor = 0;
    for (const PartitionState& partition : topic->partitions) {
      replication_factor = std::max(replication_factor, SettledReplicas(partition).size());
    }
    if (replication_factor > static_cast<size_t>(remaining)) {
      blockers.push_back("topic " + topic->name + " has replication factor " +
                         std::to_string(replication_factor) + would_remain);
    }
    if (topic->min_insync_replicas > remaining) {
      blockers.push_back("topic " + topic->name + " has min.insync.replicas " +
                         std::to_string(topic->min_insync_replicas) + would_remain);
    }
  }
  return blockers;
}

std::vector<std::string> RestartBlockers(const ClusterState& state, int32_t broker) {
  std::vector<std::string> blockers;
  for (const TopicState& topic : state.topics) {
    const int32_t min_isr = topic.min_insync_replicas;
    for (const PartitionState& partition : topic.partitions) {
      if (!Contains(partition.replicas, broker)) continue;
      const auto replicas = static_cast<int32_t>(partition.replicas.size());
      const auto isr = static_cast<int32_t>(partition.isr.size());
      // Strimzi ignores partitions with no more replicas than min.insync.replicas: they lose
      // acks=all availability whenever any replica restarts, so holding the roll cannot help.
      if (replicas <= min_isr) continue;
      const std::string name = PartitionName(topic.name, partition.partition);
      if (isr < min_isr) {
        blockers.push_back("partition " + name + " is already under min.insync.replicas " +
                           std::to_string(min_isr) + " (ISR [" + Join(partition.isr) +
                           "]); broker " + std::to_string(broker) +
                           " holds a replica and may be the first to catch up");
      } else if (isr == min_isr && Contains(partition.isr, broker)) {
        blockers.push_back("partition " + name + " would fall below min.insync.replicas " +
                           std::to_string(min_isr) + " if broker " + std::to_string(broker) +
                           " restarted (ISR [" + Join(partition.isr) + "])");
      }
    }
  }
  return blockers;
}

std::map<int32_t, BrokerLoad> LoadPerBroker(const ClusterState& state) {
  std::map<int32_t, BrokerLoad> load;
  for (int32_t id : state.live_brokers) load[id];
  for (const TopicState& topic : state.topics) {
    for (const PartitionState& partition : topic.partitions) {
      for (int32_t id : partition.replicas) ++load[id].replicas;
      if (partition.leader < 0) continue;
      BrokerLoad& leader = load[partition.leader];
      ++leader.leaders;
      if (partition.isr.size() < partition.replicas.size()) ++leader.under_replicated;
    }
  }
  return load;
}

}  // namespace sluice::kafka_admin

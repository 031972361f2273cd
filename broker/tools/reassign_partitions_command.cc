#include "broker/tools/reassign_partitions_command.h"

#include <algorithm>
#include <ranges>
#include <set>

namespace sluice::tools {

namespace {

// "s" for plural counts, as Kafka's messages say "reassignment%s".
const char* Plural(size_t n) { return n == 1 ? "" : "s"; }

template <typename Container>
std::string JoinPartitions(const Container& partitions) {
  std::string out;
  for (const TopicPartition& tp : partitions) out += (out.empty() ? "" : ",") + tp.ToString();
  return out;
}

std::set<std::string> TopicsOf(const PartitionReplicas& parts) {
  std::set<std::string> topics;
  for (const auto& [tp, replicas] : parts) topics.insert(tp.topic);
  return topics;
}

}  // namespace

Status GenerateAssignment(ReassignmentCluster& cluster, const std::string& topics_json,
                          const std::string& broker_list, bool rack_aware, std::ostream& out) {
  auto brokers = ParseBrokerList(broker_list);
  if (!brokers.ok()) return brokers.status();
  auto topics = ParseTopicsToMoveJson(topics_json);
  if (!topics.ok()) return topics.status();
  std::set<std::string> unique, repeated;
  for (const std::string& t : *topics) {
    if (!unique.insert(t).second) repeated.insert(t);
  }
  if (!repeated.empty()) {
    std::string names;
    for (const std::string& t : repeated) names += (names.empty() ? "" : ",") + t;
    return Status::InvalidArgument("List of topics to reassign contains duplicate entries: " +
                                   names);
  }
  auto current = cluster.ReplicaAssignment(unique);
  if (!current.ok()) return current.status();
  const std::set<std::string> found = TopicsOf(*current);
  for (const std::string& t : *topics) {
    if (!found.contains(t)) return Status::NotFound("Topic '" + t + "' does not exist.");
  }
  auto registered = cluster.Brokers();
  if (!registered.ok()) return registered.status();
  std::vector<assignment::BrokerRack> chosen;
  for (BrokerId id : *brokers) {
    auto it = std::find_if(registered->begin(), registered->end(),
                           [&](const assignment::BrokerRack& b) { return b.id == id; });
    if (it == registered->end()) {
      return Status::InvalidArgument("Unknown broker id " + std::to_string(id.value()) +
                                     " in --broker-list");
    }
    chosen.push_back(*it);
  }
  auto placed_on = assignment::ApplyRackAwareMode(
      std::move(chosen),
      rack_aware ? assignment::RackAwareMode::kEnforced : assignment::RackAwareMode::kDisabled);
  if (!placed_on.ok()) return placed_on.status();

  PartitionReplicas proposed;
  for (const std::string& topic : unique) {
    int32_t partitions = 0;
    int32_t replication_factor = 0;
    for (const auto& [tp, replicas] : *current) {
      if (tp.topic != topic) continue;
      if (partitions++ == 0) replication_factor = static_cast<int32_t>(replicas.size());
    }
    auto placed = assignment::AssignReplicasToBrokers(*placed_on, partitions, replication_factor);
    if (!placed.ok()) return placed.status();
    for (auto& [partition, replicas] : *placed) {
      proposed.emplace(TopicPartition{topic, partition}, std::move(replicas));
    }
  }
  out << "Current partition replica assignment\n" << FormatReassignmentJson(*current) << "\n\n";
  out << "Proposed partition reassignment configuration\n"
      << FormatReassignmentJson(proposed) << "\n";
  return Status::Ok();
}

Status ExecuteAssignment(ReassignmentCluster& cluster, const std::string& reassignment_json,
                         bool additional, std::ostream& out) {
  auto entries = ParseReassignmentJson(reassignment_json);
  if (!entries.ok()) return entries.status();
  auto proposed = ValidateReassignment(*entries);
  if (!proposed.ok()) return proposed.status();

  auto ongoing = cluster.Ongoing();
  if (!ongoing.ok()) return ongoing.status();
  if (!ongoing->empty() && (cluster.via_zookeeper() || !additional)) {
    return Status::Conflict(kCannotExecuteBecauseOfExisting);
  }
  auto current = cluster.ReplicaAssignment(TopicsOf(*proposed));
  if (!current.ok()) return current.status();
  std::vector<TopicPartition> missing;
  for (const auto& [tp, replicas] : *proposed) {
    if (!current->contains(tp)) missing.push_back(tp);
  }
  if (!missing.empty()) {
    return Status::NotFound("The proposed assignment contains non-existent partitions: " +
                            JoinPartitions(missing));
  }
  auto brokers = cluster.Brokers();
  if (!brokers.ok()) return brokers.status();
  std::set<BrokerId> registered;
  for (const auto& b : *brokers) registered.insert(b.id);
  std::set<BrokerId> unknown;
  for (const auto& [tp, replicas] : *proposed) {
    for (BrokerId b : replicas) {
      if (!registered.contains(b)) unknown.insert(b);
    }
  }
  if (!unknown.empty()) {
    if (cluster.via_zookeeper()) {
      return Status::InvalidArgument(
          "The proposed assignment contains non-existent brokerIDs: " +
          JoinBrokerIds(std::vector<BrokerId>(unknown.begin(), unknown.end())));
    }
    return Status::InvalidArgument("Unknown broker id " + std::to_string(unknown.begin()->value()));
  }

  PartitionReplicas rollback;
  for (const auto& [tp, replicas] : *current) {
    if (proposed->contains(tp)) rollback.emplace(tp, replicas);
  }
  out << "Current partition replica assignment\n\n"
      << FormatReassignmentJson(rollback)
      << "\n\nSave this to use as the --reassignment-json-file option during rollback\n";

  std::map<TopicPartition, std::optional<std::vector<BrokerId>>> targets;
  for (const auto& [tp, replicas] : *proposed) targets.emplace(tp, replicas);
  auto errors = cluster.Alter(targets);
  if (!errors.ok()) {
    if (errors.status().code() == Status::Code::kConflict) {
      return Status::Conflict(kCannotExecuteBecauseOfExisting);
    }
    return errors.status();
  }
  if (!errors->empty()) {
    std::string lines;
    for (const auto& [tp, message] : *errors) lines += "\n" + tp.ToString() + ": " + message;
    return Status::InvalidArgument("Error reassigning partition(s):" + lines);
  }
  out << "Successfully started partition reassignment" << Plural(proposed->size()) << " for "
      << JoinPartitions(std::views::keys(*proposed)) << "\n";
  return Status::Ok();
}

Result<bool> VerifyAssignment(ReassignmentCluster& cluster, const std::string& reassignment_json,
                              std::ostream& out) {
  auto entries = ParseReassignmentJson(reassignment_json);
  if (!entries.ok()) return entries.status();
  PartitionReplicas targets;
  for (const ReassignmentEntry& e : *entries) {
    for (const std::string& dir : e.log_dirs) {
      if (dir != kAnyLogDir) {
        return Status::InvalidArgument("Log directory \"" + dir + "\" for partition " +
                                       e.partition.ToString() +
                                       ": replica log directory moves are not supported");
      }
    }
    targets[e.partition] = e.replicas;  // the last entry wins, as Kafka's toMap
  }
  if (cluster.via_zookeeper()) {
    out << "Warning: because you are using the deprecated --zookeeper option, the results may "
           "be incomplete.  Use --bootstrap-server instead for more accurate results.\n";
  }
  auto ongoing = cluster.Ongoing();
  if (!ongoing.ok()) return ongoing.status();
  auto current = cluster.ReplicaAssignment(TopicsOf(targets));
  if (!current.ok()) return current.status();

  bool all_complete = true;
  out << "Status of partition reassignment:\n";
  for (const auto& [tp, target] : targets) {
    if (ongoing->contains(tp)) {
      all_complete = false;
      out << "Reassignment of partition " << tp.ToString() << " is still in progress.\n";
      continue;
    }
    auto it = current->find(tp);
    const std::vector<BrokerId> replicas =
        it == current->end() ? std::vector<BrokerId>{} : it->second;
    if (replicas == target) {
      out << "Reassignment of partition " << tp.ToString() << " is complete.\n";
    } else {
      all_complete = false;
      out << "There is no active reassignment of partition " << tp.ToString()
          << ", but replica set is " << JoinBrokerIds(replicas) << " rather than "
          << JoinBrokerIds(target) << ".\n";
    }
  }
  return all_complete;
}

Status ListReassignments(ReassignmentCluster& cluster, std::ostream& out) {
  auto ongoing = cluster.Ongoing();
  if (!ongoing.ok()) return ongoing.status();
  if (ongoing->empty()) {
    out << "No partition reassignments found.\n";
    return Status::Ok();
  }
  out << "Current partition reassignments:\n";
  for (const auto& [tp, r] : *ongoing) {
    out << tp.ToString() << ": replicas: " << JoinBrokerIds(r.replicas) << ".";
    if (!r.adding.empty()) out << " adding: " << JoinBrokerIds(r.adding) << ".";
    if (!r.removing.empty()) out << " removing: " << JoinBrokerIds(r.removing) << ".";
    out << "\n";
  }
  return Status::Ok();
}

Status CancelAssignment(ReassignmentCluster& cluster, const std::string& reassignment_json,
                        std::ostream& out) {
  auto entries = ParseReassignmentJson(reassignment_json);
  if (!entries.ok()) return entries.status();
  auto ongoing = cluster.Ongoing();
  if (!ongoing.ok()) return ongoing.status();
  std::map<TopicPartition, std::optional<std::vector<BrokerId>>> cancels;
  for (const ReassignmentEntry& e : *entries) {
    auto it = ongoing->find(e.partition);
    if (it != ongoing->end() && (!it->second.adding.empty() || !it->second.removing.empty())) {
      cancels.emplace(e.partition, std::nullopt);
    }
  }
  if (cancels.empty()) {
    out << "None of the specified partition reassignments are active.\n";
  } else {
    auto errors = cluster.Alter(cancels);
    if (!errors.ok()) return errors.status();
    if (!errors->empty()) {
      std::string lines;
      for (const auto& [tp, message] : *errors) lines += "\n" + tp.ToString() + ": " + message;
      return Status::InvalidArgument(std::string("Error cancelling partition reassignment") +
                                     Plural(errors->size()) + " for:" + lines);
    }
    out << "Successfully cancelled partition reassignment" << Plural(cancels.size())
        << " for: " << JoinPartitions(std::views::keys(cancels)) << "\n";
  }
  // Sluice moves no replicas between log directories, so there is never a move to cancel.
  out << "None of the specified partition moves are active.\n";
  return Status::Ok();
}

}  // namespace sluice::tools

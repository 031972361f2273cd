#include "broker/tools/replica_assignment.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "broker/config/topic_config.h"

namespace sluice::tools {

namespace {

std::string Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const size_t end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

std::string JoinWith(const std::vector<BrokerId>& ids, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += sep;
    out += std::to_string(ids[i].value());
  }
  return out;
}

}  // namespace

std::string JoinIds(const std::vector<BrokerId>& ids) { return JoinWith(ids, ","); }

Result<PartitionAssignment> ParseReplicaAssignment(const std::string& text) {
  PartitionAssignment assignment;
  const std::vector<std::string> partitions = Split(text, ',');
  for (size_t i = 0; i < partitions.size(); ++i) {
    std::vector<BrokerId> replicas;
    for (const std::string& raw : Split(partitions[i], ':')) {
      const std::string id = Trim(raw);
      int32_t value = 0;
      auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
      if (id.empty() || ec != std::errc() || ptr != id.data() + id.size()) {
        return Status::InvalidArgument("Invalid --replica-assignment '" + text + "': broker id '" +
                                       id + "' of partition " + std::to_string(i) +
                                       " is not a number");
      }
      replicas.emplace_back(value);
    }
    std::set<BrokerId> seen, duplicates;
    for (BrokerId b : replicas) {
      if (!seen.insert(b).second) duplicates.insert(b);
    }
    if (!duplicates.empty()) {
      return Status::InvalidArgument(
          "Partition replica lists may not contain duplicate entries: " +
          JoinIds(std::vector<BrokerId>(duplicates.begin(), duplicates.end())));
    }
    if (!assignment.empty() && replicas.size() != assignment.begin()->second.size()) {
      return Status::InvalidArgument("Partition " + std::to_string(i) +
                                     " has different replication factor: " + JoinIds(replicas));
    }
    assignment.emplace(PartitionId(static_cast<int32_t>(i)), std::move(replicas));
  }
  return assignment;
}

Result<ConfigMap> ParseTopicConfigs(const std::vector<std::string>& entries) {
  ConfigMap configs;
  for (const std::string& entry : entries) {
    const std::vector<std::string> parts = Split(entry, '=');
    if (parts.size() != 2) {
      return Status::InvalidArgument(
          "Invalid topic config: all configs to be added must be in the format \"key=val\".");
    }
    configs[Trim(parts[0])] = Trim(parts[1]);
  }
  SLUICE_RETURN_IF_ERROR(config::ValidateTopicConfigs(configs));
  return configs;
}

Result<std::vector<std::string>> ParseTopicConfigNames(const std::vector<std::string>& names) {
  std::vector<std::string> trimmed;
  for (const std::string& name : names) {
    trimmed.push_back(Trim(name));
    if (config::FindTopicConfigSpec(trimmed.back()) == nullptr) {
      return Status::InvalidArgument("Unknown topic config name: " + trimmed.back());
    }
  }
  return trimmed;
}

Status ValidateReplicaAssignment(const PartitionAssignment& assignment,
                                 std::optional<size_t> replication_factor,
                                 const std::vector<BrokerId>& live_brokers) {
  const std::set<BrokerId> live(live_brokers.begin(), live_brokers.end());
  for (const auto& [partition, replicas] : assignment) {
    const std::string id = std::to_string(partition.value());
    if (replicas.empty()) {
      return Status::InvalidArgument("Cannot have replication factor of 0 for partition id " + id +
                                     ".");
    }
    if (std::set<BrokerId>(replicas.begin(), replicas.end()).size() != replicas.size()) {
      return Status::InvalidArgument("Duplicate brokers not allowed in replica assignment: " +
                                     JoinWith(replicas, ", ") + " for partition id " + id + ".");
    }
    for (BrokerId b : replicas) {
      if (!live.contains(b)) {
        return Status::InvalidArgument(
            "Some brokers specified for partition id " + id +
            " are not available. Specified brokers: " + JoinWith(replicas, ", ") +
            ", available brokers: " + JoinWith(live_brokers, ", ") + ".");
      }
    }
    if (!replication_factor) replication_factor = replicas.size();
    if (replicas.size() != *replication_factor) {
      return Status::InvalidArgument(
          "Inconsistent replication factor between partitions, partition 0 has " +
          std::to_string(*replication_factor) + " while partition " + id + " has " +
          std::to_string(replicas.size()) + " replicas.");
    }
  }
  return Status::Ok();
}

}  // namespace sluice::tools

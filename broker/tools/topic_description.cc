#include "broker/tools/topic_description.h"

#include <algorithm>
#include <regex>

#include "broker/tools/replica_assignment.h"

namespace sluice::tools {

namespace {

// IncludeList's clean-up of a user's pattern (kafka.utils.TopicFilter): commas separate
// alternatives, spaces are dropped, and quotes a shell left around the pattern are stripped.
std::string CleanPattern(std::string pattern) {
  std::replace(pattern.begin(), pattern.end(), ',', '|');
  std::erase(pattern, ' ');
  const size_t first = pattern.find_first_not_of("\"'");
  if (first == std::string::npos) return "";
  const size_t last = pattern.find_last_not_of("\"'");
  return pattern.substr(first, last - first + 1);
}

// Replica sets as Kafka counts them during a reassignment: adding replicas do not count towards
// the replication factor yet.
size_t ReplicationFactor(const PartitionDescription& p) {
  return p.replicas.size() - std::min(p.replicas.size(), p.adding_replicas.size());
}

}  // namespace

bool IsInternalTopic(const std::string& topic) {
  return topic == "__consumer_offsets" || topic == "__transaction_state";
}

bool HasCollisionChars(const std::string& topic) {
  return topic.find_first_of("._") != std::string::npos;
}

Result<TopicFilter> TopicFilter::Create(std::optional<std::string> pattern,
                                        bool exclude_internal) {
  TopicFilter filter;
  filter.exclude_internal_ = exclude_internal;
  if (pattern) {
    filter.pattern_ = CleanPattern(*pattern);
    try {
      std::regex compiled(*filter.pattern_);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("Invalid --topic pattern '" + *pattern + "': " + e.what());
    }
  }
  return filter;
}

bool TopicFilter::Matches(const std::string& topic) const {
  if (exclude_internal_ && IsInternalTopic(topic)) return false;
  if (!pattern_) return true;
  // Checked in Create; compiling again per call keeps the class copyable and simple, and topic
  // lists are small.
  return std::regex_match(topic, std::regex(*pattern_));
}

std::vector<std::string> TopicFilter::Select(std::vector<std::string> topics) const {
  std::erase_if(topics, [&](const std::string& t) { return !Matches(t); });
  std::sort(topics.begin(), topics.end());
  return topics;
}

std::string FormatTopicLine(const TopicDescription& topic) {
  std::string configs;
  for (const auto& [key, value] : topic.configs) {
    if (!configs.empty()) configs += ",";
    configs += key + "=" + value;
  }
  const size_t replication_factor =
      topic.partitions.empty() ? 0 : ReplicationFactor(topic.partitions.front());
  std::string line = "Topic: " + topic.name;
  if (topic.topic_id) line += "\tTopicId: " + *topic.topic_id;
  line += "\tPartitionCount: " + std::to_string(topic.partitions.size());
  line += "\tReplicationFactor: " + std::to_string(replication_factor);
  line += "\tConfigs: " + configs;
  if (topic.marked_for_deletion) line += "\tMarkedForDeletion: true";
  return line;
}

std::string FormatPartitionLine(const TopicDescription& topic, const PartitionDescription& p) {
  std::string line = "\tTopic: " + topic.name;
  line += "\tPartition: " + std::to_string(p.partition.value());
  line += "\tLeader: " + (p.leader ? std::to_string(p.leader->value()) : std::string("none"));
  line += "\tReplicas: " + JoinIds(p.replicas);
  line += "\tIsr: " + JoinIds(p.isr);
  if (!p.adding_replicas.empty() || !p.removing_replicas.empty()) {
    line += "\tAdding Replicas: " + JoinIds(p.adding_replicas);
    line += "\tRemoving Replicas: " + JoinIds(p.removing_replicas);
  }
  if (topic.marked_for_deletion) line += "\tMarkedForDeletion: true";
  return line;
}

void PrintDescriptions(const std::vector<TopicDescription>& topics, const DescribeFilter& filter,
                       const std::set<BrokerId>& live_brokers, std::ostream& out) {
  const bool partition_filter =
      filter.under_replicated || filter.unavailable || filter.under_min_isr || filter.at_min_isr;
  const bool describe_configs = !partition_filter;
  const bool describe_partitions = !filter.with_overrides;
  for (const TopicDescription& topic : topics) {
    if (describe_configs && (!filter.with_overrides || !topic.configs.empty())) {
      out << FormatTopicLine(topic) << "\n";
    }
    if (!describe_partitions) continue;
    for (const PartitionDescription& p : topic.partitions) {
      const bool under_replicated = p.isr.size() < ReplicationFactor(p);
      const bool unavailable = !p.leader || !live_brokers.contains(*p.leader);
      const auto isr = static_cast<int32_t>(p.isr.size());
      const bool under_min_isr = !p.leader || (p.min_isr && isr < *p.min_isr);
      const bool at_min_isr = p.min_isr && isr == *p.min_isr;
      if (!partition_filter || (filter.under_replicated && under_replicated) ||
          (filter.unavailable && unavailable) || (filter.under_min_isr && under_min_isr) ||
          (filter.at_min_isr && at_min_isr)) {
        out << FormatPartitionLine(topic, p) << "\n";
      }
    }
  }
}

}  // namespace sluice::tools

// What `sluice topics --list/--describe` print, independent of where the facts came from
// (ZooKeeper's znodes or the Metadata/DescribeConfigs APIs): topic selection by Kafka's
// include-list regex, and Kafka 2.8's describe lines (TopicCommand.TopicDescription and
// PartitionDescription):
//
//   Topic: t\tTopicId: <id>\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: k=v,k2=v2
//   \tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1
//
// "TopicId" only when the topic has one; "\tMarkedForDeletion: true" ends both lines of a topic
// queued for deletion; "\tAdding Replicas: ..\tRemoving Replicas: .." follow Isr during a
// reassignment; a partition without leader prints "Leader: none".
#pragma once

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::tools {

// Kafka's internal topics (org.apache.kafka.common.internals.Topic.INTERNAL_TOPICS).
bool IsInternalTopic(const std::string& topic);
// Names with '.' or '_' may collide in metric names (Topic.hasCollisionChars).
bool HasCollisionChars(const std::string& topic);
// The WARNING Kafka prints when creating such a topic.
inline constexpr const char* kCollisionWarning =
    "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') "
    "could collide. To avoid issues it is best to use either, but not both.";

// --topic as a filter (kafka.utils.IncludeList): a Java-style regex matched against the whole
// name, after Kafka's clean-up (',' means '|', spaces and surrounding quotes dropped). No
// pattern selects every topic. InvalidArgument for a pattern that does not compile.
class TopicFilter {
 public:
  static Result<TopicFilter> Create(std::optional<std::string> pattern, bool exclude_internal);
  bool Matches(const std::string& topic) const;
  // The matching topics, sorted.
  std::vector<std::string> Select(std::vector<std::string> topics) const;

 private:
  TopicFilter() = default;
  std::optional<std::string> pattern_;  // cleaned-up regex text
  bool exclude_internal_ = false;
};

struct PartitionDescription {
  PartitionId partition{0};
  std::optional<BrokerId> leader;  // nullopt: no leader
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  std::vector<BrokerId> adding_replicas;  // non-empty only during a reassignment
  std::vector<BrokerId> removing_replicas;
  // The topic's min.insync.replicas, when known (--bootstrap-server only; Kafka's ZooKeeper mode
  // does not resolve it either).
  std::optional<int32_t> min_isr;
};

struct TopicDescription {
  std::string name;
  std::optional<std::string> topic_id;  // Kafka's 22-character base64 form
  // Only the entries that are not defaults (what Kafka shows), in the order to print.
  std::vector<std::pair<std::string, std::string>> configs;
  bool marked_for_deletion = false;
  std::vector<PartitionDescription> partitions;  // sorted by partition id
};

// --under-replicated-partitions, --unavailable-partitions, --under-min-isr-partitions,
// --at-min-isr-partitions, --topics-with-overrides.
struct DescribeFilter {
  bool under_replicated = false;
  bool unavailable = false;
  bool under_min_isr = false;  // no leader, or fewer in-sync replicas than min.insync.replicas
  bool at_min_isr = false;     // exactly min.insync.replicas in sync
  bool with_overrides = false;
};

std::string FormatTopicLine(const TopicDescription& topic);
std::string FormatPartitionLine(const TopicDescription& topic, const PartitionDescription& p);

// Kafka's DescribeOptions: with a partition filter only matching partitions print (and no topic
// line); with --topics-with-overrides only topic lines of topics with overrides print.
// `live_brokers` decides "unavailable" (no leader, or a leader that is not live).
void PrintDescriptions(const std::vector<TopicDescription>& topics, const DescribeFilter& filter,
                       const std::set<BrokerId>& live_brokers, std::ostream& out);

}  // namespace sluice::tools

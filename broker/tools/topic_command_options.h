// `sluice topics` flags and their rules: Kafka 2.8's TopicCommandOptions (which flags exist,
// which are required with which action, which may not be combined), with Kafka's messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "broker/tools/flags.h"
#include "broker/tools/replica_assignment.h"
#include "broker/tools/topic_description.h"
#include "libs/base/status.h"

namespace sluice::tools {

enum class TopicAction { kCreate, kList, kDescribe, kAlter, kDelete };

struct TopicCommandOptions {
  TopicAction action = TopicAction::kList;
  // Exactly one of the two is set.
  std::optional<std::string> zookeeper;         // host:port[,host:port][/chroot]
  std::optional<std::string> bootstrap_server;  // host:port[,host:port]
  std::optional<std::string> topic;  // a name for --create, a regex for the other actions
  std::optional<int32_t> partitions;
  std::optional<int32_t> replication_factor;
  std::optional<PartitionAssignment> replica_assignment;
  ConfigMap configs_to_add;
  std::vector<std::string> configs_to_delete;
  bool if_exists = false;
  bool if_not_exists = false;
  bool exclude_internal = false;
  bool disable_rack_aware = false;  // --disable-rack-aware: place replicas ignoring broker.rack
  DescribeFilter describe_filter;
};

// Every flag of the tool, with Kafka's descriptions.
FlagSet TopicFlags();

// Kafka's checkArgs: exactly one action, exactly one of --zookeeper/--bootstrap-server, the
// flags each action requires, and no flag that the action does not take. InvalidArgument with
// Kafka's message; the caller prints it with the help (a usage error).
Status CheckTopicFlags(const ParsedFlags& flags);

// The values, after CheckTopicFlags passed: numbers, --replica-assignment, --config and
// --delete-config. InvalidArgument naming the bad value (Kafka reports these as "Error while
// executing topic command : ...", without the help).
Result<TopicCommandOptions> ReadTopicOptions(const ParsedFlags& flags);

}  // namespace sluice::tools

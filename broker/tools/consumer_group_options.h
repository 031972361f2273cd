// `sluice consumer-groups` flags and their rules: Kafka 2.8's ConsumerGroupCommandOptions, with
// Kafka's messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/tools/flags.h"
#include "libs/base/status.h"

namespace sluice::tools {

enum class GroupAction { kList, kDescribe, kDelete, kResetOffsets };

// What --describe shows: offsets (the default), members, or the group's state.
enum class DescribeView { kOffsets, kMembers, kState };

// --reset-offsets scenarios (Kafka's allResetOffsetScenarioOpts that Sluice implements).
enum class ResetScenario { kToEarliest, kToLatest, kToOffset, kShiftBy, kToCurrent };

// One --topic value: "t" (every partition) or "t:0,2".
struct TopicPartitionsArg {
  std::string topic;
  std::vector<int32_t> partitions;  // empty: every partition of the topic
};

struct ConsumerGroupCommandOptions {
  GroupAction action = GroupAction::kList;
  std::string bootstrap_server;
  std::vector<std::string> groups;  // --group, repeatable
  bool all_groups = false;
  std::vector<TopicPartitionsArg> topics;  // --topic, repeatable
  bool all_topics = false;
  DescribeView view = DescribeView::kOffsets;
  bool verbose = false;  // --members --verbose adds the ASSIGNMENT column
  ResetScenario scenario = ResetScenario::kToEarliest;
  int64_t scenario_value = 0;  // --to-offset / --shift-by
  bool execute = false;        // --reset-offsets without --execute is a dry run
  bool dry_run_implicit = false;  // neither --dry-run nor --execute: Kafka warns
  int64_t timeout_ms = 5000;
};

FlagSet ConsumerGroupFlags();

// Exactly one action and Kafka's checkArgs. InvalidArgument with Kafka's message (a usage error,
// printed with the help).
Status CheckConsumerGroupFlags(const ParsedFlags& flags);

// The values after CheckConsumerGroupFlags passed; InvalidArgument naming a bad value.
Result<ConsumerGroupCommandOptions> ReadConsumerGroupOptions(const ParsedFlags& flags);

// "t" or "t:0,1,2"; InvalidArgument naming the bad partition.
Result<TopicPartitionsArg> ParseTopicPartitionsArg(const std::string& text);

}  // namespace sluice::tools

#include "broker/tools/consumer_group_options.h"

#include <charconv>

namespace sluice::tools {

namespace {

// joptsimple prints an option as "[name]" in these messages.
std::string Opt(std::string_view name) { return "[" + std::string(name) + "]"; }

constexpr const char* kGroupScope = "[group], [all-groups]";

}  // namespace

FlagSet ConsumerGroupFlags() {
  FlagSet flags("kafka-consumer-groups.sh",
                "This tool helps to list all consumer groups, describe a consumer group, delete "
                "consumer group info, or reset consumer group offsets.");
  flags
      .Switch("all-groups", "Apply to all consumer groups.")
      .Switch("all-topics",
              "Consider all topics assigned to a group in the `reset-offsets` process.")
      .Value("bootstrap-server", "String: server to connect to",
             "REQUIRED: The server(s) to connect to.")
      .Switch("delete", "Pass in groups to delete topic partition offsets and ownership "
                        "information over the entire consumer group. For instance --group g1 "
                        "--group g2")
      .Switch("describe", "Describe consumer group and list offset lag (number of messages not "
                          "yet processed) related to given group.")
      .Switch("dry-run", "Only show results without executing changes on Consumer Groups. "
                         "Supported operations: reset-offsets.")
      .Switch("execute", "Execute operation. Supported operations: reset-offsets.")
      .Repeated("group", "String: consumer group", "The consumer group we wish to act on.")
      .Switch("list", "List all consumer groups.")
      .Switch("members", "Describe members of the group. This option may be used with "
                         "'--describe' and '--bootstrap-server' options only.")
      .Switch("offsets", "Describe the group and list all topic partitions in the group along "
                         "with their offset lag. This is the default sub-action of and may be "
                         "used with '--describe' and '--bootstrap-server' options only.")
      .Switch("reset-offsets",
              "Reset offsets of consumer group. Supports one consumer group at the time, and "
              "instances should be inactive. Has 2 execution options: --dry-run (the default) "
              "to plan which offsets to reset, and --execute to update the offsets. You must "
              "choose one of the following reset specifications: --to-earliest, --to-latest, "
              "--to-offset, --shift-by, --to-current. To define the scope use --all-topics or "
              "--topic.")
      .Value("shift-by", "Long: number-of-offsets",
             "Reset offsets shifting current offset by 'n', where 'n' can be positive or "
             "negative.")
      .Switch("state", "When specified with '--describe', includes the state of the group. "
                       "When specified with '--list', shows each group's state.")
      .Value("timeout", "Long: timeout (ms)",
             "The timeout that can be set for some use cases. For example, it can be used when "
             "describing the group to specify the maximum amount of time in milliseconds to "
             "wait before the group stabilizes (when the group is just created, or is going "
             "through some changes). (default: 5000)")
      .Switch("to-current", "Reset offsets to current offset.")
      .Switch("to-earliest", "Reset offsets to earliest offset.")
      .Switch("to-latest", "Reset offsets to latest offset.")
      .Value("to-offset", "Long: offset", "Reset offsets to a specific offset.")
      .Repeated("topic", "String: topic",
                "The topic whose consumer group information should be deleted or topic whose "
                "should be included in the reset offset process. In `reset-offsets` case, "
                "partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 "
                "are the partition to be included in the process.")
      .Switch("verbose", "Provide additional information, if any, when describing the group. "
                         "This option may be used with '--members' and '--describe' only.");
  return flags;
}

Status CheckConsumerGroupFlags(const ParsedFlags& f) {
  if (CountGiven(f, {"list", "describe", "delete", "reset-offsets"}) != 1) {
    return Status::InvalidArgument(
        "Command must include exactly one action: --list, --describe, --delete, "
        "--reset-offsets");
  }
  SLUICE_RETURN_IF_ERROR(RequireFlags(f, {"bootstrap-server"}));
  const bool has_group_scope = f.Has("group") || f.Has("all-groups");
  if (f.Has("describe")) {
    if (!has_group_scope) {
      return Status::InvalidArgument("Option " + Opt("describe") +
                                     " takes one of these options: " + kGroupScope);
    }
    if (CountGiven(f, {"members", "offsets", "state"}) > 1) {
      return Status::InvalidArgument("Option " + Opt("describe") +
                                     " takes at most one of these options: [members], "
                                     "[offsets], [state]");
    }
  }
  if (f.Has("delete")) {
    if (!has_group_scope) {
      return Status::InvalidArgument("Option " + Opt("delete") +
                                     " takes one of these options: " + kGroupScope);
    }
    if (f.Has("topic")) {
      return Status::InvalidArgument(
          "The consumer does not support topic-specific offset deletion from a consumer "
          "group.");
    }
  }
  if (f.Has("reset-offsets")) {
    if (f.Has("dry-run") && f.Has("execute")) {
      return Status::InvalidArgument("Option " + Opt("reset-offsets") + " only accepts one of " +
                                     Opt("execute") + " and " + Opt("dry-run"));
    }
    if (!has_group_scope) {
      return Status::InvalidArgument("Option " + Opt("reset-offsets") +
                                     " takes one of these options: " + kGroupScope);
    }
    if (CountGiven(f, {"to-earliest", "to-latest", "to-offset", "shift-by", "to-current"}) == 0) {
      return Status::InvalidArgument(
          "Option '" + Opt("reset-offsets") +
          "' requires one of the following scenarios: [to-earliest], [to-latest], "
          "[to-offset], [shift-by], [to-current]");
    }
    for (std::string_view scenario :
         {"to-earliest", "to-latest", "to-offset", "shift-by", "to-current"}) {
      for (std::string_view other :
           {"to-earliest", "to-latest", "to-offset", "shift-by", "to-current"}) {
        if (scenario != other && f.Has(scenario) && f.Has(other)) {
          return Status::InvalidArgument("Option " + QuoteFlag(scenario) +
                                         " can't be used with option " + QuoteFlag(other));
        }
      }
    }
    if (!f.Has("topic") && !f.Has("all-topics")) {
      return Status::InvalidArgument(
          "One of the reset scopes should be defined: --all-topics, --topic.");
    }
    SLUICE_RETURN_IF_ERROR(RejectCombination(f, "all-topics", {"topic"}));
  }
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "group", {"all-groups"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "group", {"list"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "all-groups", {"list"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "topic", {"list", "describe"}));
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "all-topics", {"list", "describe", "delete"}));
  for (std::string_view describe_only : {"members", "offsets", "verbose"}) {
    SLUICE_RETURN_IF_ERROR(
        RejectCombination(f, describe_only, {"list", "delete", "reset-offsets"}));
  }
  SLUICE_RETURN_IF_ERROR(RejectCombination(f, "state", {"delete", "reset-offsets"}));
  if (f.Has("verbose") && !f.Has("members")) {
    return Status::InvalidArgument("Option " + QuoteFlag("verbose") +
                                   " can only be used with option " + QuoteFlag("members"));
  }
  for (std::string_view reset_only : {"dry-run", "execute", "to-earliest", "to-latest",
                                      "to-offset", "shift-by", "to-current"}) {
    SLUICE_RETURN_IF_ERROR(RejectCombination(f, reset_only, {"list", "describe", "delete"}));
  }
  return Status::Ok();
}

Result<TopicPartitionsArg> ParseTopicPartitionsArg(const std::string& text) {
  TopicPartitionsArg arg;
  const size_t colon = text.find(':');
  arg.topic = text.substr(0, colon);
  if (arg.topic.empty()) return Status::InvalidArgument("Invalid --topic '" + text + "'");
  if (colon == std::string::npos) return arg;
  std::string_view rest = std::string_view(text).substr(colon + 1);
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    int32_t partition = -1;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), partition);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || partition < 0) {
      return Status::InvalidArgument("Invalid partition '" + std::string(part) +
                                     "' in --topic '" + text + "'");
    }
    arg.partitions.push_back(partition);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return arg;
}

Result<ConsumerGroupCommandOptions> ReadConsumerGroupOptions(const ParsedFlags& f) {
  ConsumerGroupCommandOptions o;
  if (f.Has("list")) o.action = GroupAction::kList;
  if (f.Has("describe")) o.action = GroupAction::kDescribe;
  if (f.Has("delete")) o.action = GroupAction::kDelete;
  if (f.Has("reset-offsets")) o.action = GroupAction::kResetOffsets;
  o.bootstrap_server = *f.Get("bootstrap-server");
  o.groups = f.GetAll("group");
  o.all_groups = f.Has("all-groups");
  for (const std::string& text : f.GetAll("topic")) {
    auto topic = ParseTopicPartitionsArg(text);
    if (!topic.ok()) return topic.status();
    o.topics.push_back(std::move(*topic));
  }
  o.all_topics = f.Has("all-topics");
  if (f.Has("members")) o.view = DescribeView::kMembers;
  if (f.Has("state")) o.view = DescribeView::kState;
  o.verbose = f.Has("verbose");
  if (f.Has("to-earliest")) o.scenario = ResetScenario::kToEarliest;
  if (f.Has("to-latest")) o.scenario = ResetScenario::kToLatest;
  if (f.Has("to-current")) o.scenario = ResetScenario::kToCurrent;
  if (f.Has("to-offset")) {
    auto offset = f.GetInt64("to-offset");
    if (!offset.ok()) return offset.status();
    o.scenario = ResetScenario::kToOffset;
    o.scenario_value = *offset;
  }
  if (f.Has("shift-by")) {
    auto shift = f.GetInt64("shift-by");
    if (!shift.ok()) return shift.status();
    o.scenario = ResetScenario::kShiftBy;
    o.scenario_value = *shift;
  }
  o.execute = f.Has("execute");
  o.dry_run_implicit = o.action == GroupAction::kResetOffsets && !f.Has("execute") &&
                       !f.Has("dry-run");
  auto timeout = f.GetInt64("timeout", 5000);
  if (!timeout.ok()) return timeout.status();
  if (*timeout <= 0) return Status::InvalidArgument("--timeout must be positive, got " +
                                                    std::to_string(*timeout));
  o.timeout_ms = *timeout;
  return o;
}

}  // namespace sluice::tools

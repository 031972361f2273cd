// `sluice consumer-groups` (bin/kafka-consumer-groups.sh): Kafka 2.8's ConsumerGroupCommand with
// --list, --describe [--offsets|--members [--verbose]|--state], --reset-offsets and --delete.
// Flags: consumer_group_options.h; tables and reset planning: consumer_group_report.h; cluster
// calls: consumer_group_client.h.
//
// Output follows Kafka's, including its quirks (tables start with an empty line; errors about a
// group are printed as "\nError: ..." on stdout). Exit status: 0 when every requested group was
// handled, 1 after a usage error, a failed call, or a group that could not be described, reset
// or deleted (Kafka exits 0 there; scripts deserve to know).
#include <iostream>
#include <set>

#include "broker/tools/consumer_group_client.h"
#include "broker/tools/consumer_group_options.h"
#include "broker/tools/consumer_group_report.h"
#include "broker/tools/kafka_error_text.h"
#include "broker/tools/tool.h"
#include "libs/kafka/client/errors.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

constexpr const char* kDryRunWarning =
    "WARN: No action will be performed as the --execute option is missing.In a future major "
    "release, the default behavior of this command will be to prompt the user before executing "
    "the reset rather than doing a dry run. You should add the --dry-run option explicitly if "
    "you are scripting this command and want to keep the current default behavior without "
    "prompting.";

// Kafka's printError: an empty line, then "Error: ...", on stdout.
void PrintError(const std::string& message) { std::cout << "\nError: " << message << "\n"; }

// The exception Kafka's AdminClient would raise for a DeleteGroups error, as its toString.
std::string DeleteGroupErrorText(int16_t code) {
  using kafka::ErrorCode;
  std::string exception;
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kGroupIdNotFound:
      exception = "GroupIdNotFoundException";
      break;
    case ErrorCode::kNonEmptyGroup:
      exception = "GroupNotEmptyException";
      break;
    case ErrorCode::kInvalidGroupId:
      exception = "InvalidGroupIdException";
      break;
    case ErrorCode::kGroupAuthorizationFailed:
      exception = "GroupAuthorizationException";
      break;
    default:
      return kafka::client::DescribeKafkaError(code) + ": " + KafkaErrorText(code);
  }
  return "org.apache.kafka.common.errors." + exception + ": " + KafkaErrorText(code);
}

std::string QuotedList(const std::vector<std::string>& groups) {
  std::string out;
  for (const std::string& g : groups) out += (out.empty() ? "'" : ", '") + g + "'";
  return out;
}

class ConsumerGroupCommand {
 public:
  ConsumerGroupCommand(ConsumerGroupClient& client, const ConsumerGroupCommandOptions& options)
      : client_(client), o_(options) {}

  // Returns the exit code; a failed call is a Status.
  Result<int> Run() {
    switch (o_.action) {
      case GroupAction::kList:
        return List();
      case GroupAction::kDescribe:
        return Describe();
      case GroupAction::kResetOffsets:
        return ResetOffsets();
      case GroupAction::kDelete:
        return Delete();
    }
    return Status::Internal("unknown action");
  }

 private:
  Result<std::vector<std::string>> SelectedGroups() {
    if (!o_.all_groups) {
      std::set<std::string> unique(o_.groups.begin(), o_.groups.end());
      return std::vector<std::string>(unique.begin(), unique.end());
    }
    auto listed = client_.ListGroups();
    if (!listed.ok()) return listed.status();
    std::vector<std::string> ids;
    for (const ListedGroup& g : *listed) ids.push_back(g.group_id);
    return ids;
  }

  Result<int> List() {
    auto groups = client_.ListGroups();
    if (!groups.ok()) return groups.status();
    if (o_.view != DescribeView::kState) {
      for (const ListedGroup& g : *groups) std::cout << g.group_id << "\n";
      return 0;
    }
    size_t width = 15;
    for (const ListedGroup& g : *groups) width = std::max(width, g.group_id.size());
    auto line = [&](const std::string& group, const std::string& state) {
      return group + std::string(width - std::min(width, group.size()), ' ') + " " + state;
    };
    std::cout << "\n" << line("GROUP", "STATE") << "\n";
    for (const ListedGroup& g : *groups) {
      std::cout << line(g.group_id, g.state.empty() ? "-" : g.state) << "\n";
    }
    return 0;
  }

  Result<int> Describe() {
    auto groups = SelectedGroups();
    if (!groups.ok()) return groups.status();
    int exit_code = 0;
    for (const std::string& group : *groups) {
      auto info = client_.DescribeGroup(group);
      if (!info.ok()) return info.status();
      if (info->state == "Dead") exit_code = 1;
      switch (o_.view) {
        case DescribeView::kOffsets: {
          auto rows = OffsetRows(*info);
          if (!rows.ok()) return rows.status();
          if (ReportGroupState(group, info->state, rows->size(), std::cout, std::cerr)) {
            PrintOffsetsTable(*rows, std::cout);
          }
          break;
        }
        case DescribeView::kMembers:
          if (ReportGroupState(group, info->state, info->members.size(), std::cout, std::cerr)) {
            PrintMembersTable(*info, o_.verbose, std::cout);
          }
          break;
        case DescribeView::kState:
          if (ReportGroupState(group, info->state, 1, std::cout, std::cerr)) {
            PrintStateTable(*info, std::cout);
          }
          break;
      }
    }
    return exit_code;
  }

  Result<std::vector<OffsetRow>> OffsetRows(const GroupInfo& info) {
    auto committed = client_.CommittedOffsets(info.group_id);
    if (!committed.ok()) return committed.status();
    std::set<TopicPartition> partitions;
    for (const auto& [tp, offset] : *committed) partitions.insert(tp);
    for (const GroupMemberInfo& m : info.members) partitions.insert(m.assignment.begin(), m.assignment.end());
    auto log_end = client_.Offsets({partitions.begin(), partitions.end()}, /*latest=*/true);
    if (!log_end.ok()) return log_end.status();
    return BuildOffsetRows(info, *committed, *log_end);
  }

  Result<int> ResetOffsets() {
    if (o_.dry_run_implicit) std::cerr << kDryRunWarning << "\n";
    auto groups = SelectedGroups();
    if (!groups.ok()) return groups.status();
    std::map<std::string, std::map<TopicPartition, int64_t>> plan;
    int exit_code = 0;
    for (const std::string& group : *groups) {
      auto info = client_.DescribeGroup(group);
      if (!info.ok()) return info.status();
      if (info->state != "Empty" && info->state != "Dead") {
        PrintError("Assignments can only be reset if the group '" + group +
                   "' is inactive, but the current state is " + info->state + ".");
        plan[group] = {};
        exit_code = 1;
        continue;
      }
      auto inputs = ResetInputsFor(group);
      if (!inputs.ok()) return inputs.status();
      auto offsets = PlanOffsetReset(o_.scenario, o_.scenario_value, *inputs, std::cerr);
      if (!offsets.ok()) return offsets.status();
      if (o_.execute) SLUICE_RETURN_IF_ERROR(client_.Commit(group, *offsets));
      plan[group] = std::move(*offsets);
    }
    PrintResetTable(plan, std::cout);
    return exit_code;
  }

  Result<ResetInputs> ResetInputsFor(const std::string& group) {
    ResetInputs in;
    auto committed = client_.CommittedOffsets(group);
    if (!committed.ok()) return committed.status();
    in.committed = std::move(*committed);
    if (o_.all_topics) {
      for (const auto& [tp, offset] : in.committed) in.partitions.push_back(tp);
    } else {
      for (const TopicPartitionsArg& arg : o_.topics) {
        if (arg.partitions.empty()) {
          auto all = client_.PartitionsOf(arg.topic);
          if (!all.ok()) return all.status();
          in.partitions.insert(in.partitions.end(), all->begin(), all->end());
        } else {
          for (int32_t p : arg.partitions) in.partitions.push_back({arg.topic, PartitionId(p)});
        }
      }
    }
    auto earliest = client_.Offsets(in.partitions, /*latest=*/false);
    if (!earliest.ok()) return earliest.status();
    in.earliest = std::move(*earliest);
    auto latest = client_.Offsets(in.partitions, /*latest=*/true);
    if (!latest.ok()) return latest.status();
    in.latest = std::move(*latest);
    return in;
  }

  Result<int> Delete() {
    auto groups = SelectedGroups();
    if (!groups.ok()) return groups.status();
    auto results = client_.DeleteGroups(*groups);
    if (!results.ok()) return results.status();
    std::vector<std::string> deleted;
    std::vector<std::pair<std::string, int16_t>> failed;
    for (const auto& [group, code] : *results) {
      if (code == 0) {
        deleted.push_back(group);
      } else {
        failed.emplace_back(group, code);
      }
    }
    if (failed.empty()) {
      std::cout << "Deletion of requested consumer groups (" << QuotedList(deleted)
                << ") was successful.\n";
      return 0;
    }
    PrintError("Deletion of some consumer groups failed:");
    for (const auto& [group, code] : failed) {
      std::cout << "* Group '" << group
                << "' could not be deleted due to: " << DeleteGroupErrorText(code) << "\n";
    }
    if (!deleted.empty()) {
      std::cout << "\nThese other groups were deleted successfully: " << QuotedList(deleted)
                << "\n";
    }
    return 1;
  }

  ConsumerGroupClient& client_;
  const ConsumerGroupCommandOptions& o_;
};

}  // namespace

int RunConsumerGroups(const std::vector<std::string>& args) {
  const FlagSet flags = ConsumerGroupFlags();
  if (args.empty()) {
    return flags.UsageError(
        "List all consumer groups, describe a consumer group, delete consumer group info, or "
        "reset consumer group offsets.");
  }
  auto parsed = flags.Parse(args);
  if (!parsed.ok()) return flags.UsageError(parsed.status().message());
  if (parsed->Has("help")) {
    flags.PrintHelp(std::cout);
    return 0;
  }
  if (Status usage = CheckConsumerGroupFlags(*parsed); !usage.ok()) {
    return flags.UsageError(usage.message());
  }
  auto options = ReadConsumerGroupOptions(*parsed);
  if (!options.ok()) return flags.UsageError(options.status().message());

  auto client = ConsumerGroupClient::Connect(options->bootstrap_server,
                                             std::chrono::milliseconds(options->timeout_ms));
  if (!client.ok()) {
    PrintError("Executing consumer group command failed due to " + client.status().message());
    return 1;
  }
  ConsumerGroupCommand command(**client, *options);
  auto exit_code = command.Run();
  std::cout.flush();
  if (!exit_code.ok()) {
    PrintError("Executing consumer group command failed due to " + exit_code.status().message());
    return 1;
  }
  return *exit_code;
}

}  // namespace sluice::tools

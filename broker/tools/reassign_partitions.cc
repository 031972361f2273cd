// `sluice reassign-partitions` (bin/kafka-reassign-partitions.sh): Kafka 2.8's
// ReassignPartitionsCommand. Flags in reassign_partitions_options.h, the actions in
// reassign_partitions_command.h, the two cluster paths in reassignment_cluster.h. Exit codes as
// Kafka's: 0 on success (--verify included, whatever the progress), 1 on a usage error (message
// and help on stderr) or a failed action ("Error: <why>" on stderr, nothing changed).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "broker/tools/reassign_partitions_command.h"
#include "broker/tools/reassign_partitions_options.h"
#include "broker/tools/tool.h"

namespace sluice::tools {

namespace {

int ActionError(const Status& status) {
  std::cout.flush();
  std::cerr << "Error: " << status.message() << "\n";
  return 1;
}

Result<std::string> ReadFile(std::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("Cannot read --" + std::string(flag) + " '" + path +
                            "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status Run(const ReassignOptions& o, ReassignmentCluster& cluster) {
  switch (o.action) {
    case ReassignAction::kGenerate: {
      auto topics = ReadFile("topics-to-move-json-file", *o.topics_to_move_json_file);
      if (!topics.ok()) return topics.status();
      return GenerateAssignment(cluster, *topics, *o.broker_list, !o.disable_rack_aware, std::cout);
    }
    case ReassignAction::kExecute: {
      auto json = ReadFile("reassignment-json-file", *o.reassignment_json_file);
      if (!json.ok()) return json.status();
      return ExecuteAssignment(cluster, *json, o.additional, std::cout);
    }
    case ReassignAction::kVerify: {
      auto json = ReadFile("reassignment-json-file", *o.reassignment_json_file);
      if (!json.ok()) return json.status();
      auto verified = VerifyAssignment(cluster, *json, std::cout);
      return verified.ok() ? Status::Ok() : verified.status();
    }
    case ReassignAction::kCancel: {
      auto json = ReadFile("reassignment-json-file", *o.reassignment_json_file);
      if (!json.ok()) return json.status();
      return CancelAssignment(cluster, *json, std::cout);
    }
    case ReassignAction::kList:
      return ListReassignments(cluster, std::cout);
  }
  return Status::Internal("unknown action");
}

}  // namespace

int RunReassignPartitions(const std::vector<std::string>& args) {
  const FlagSet flags = ReassignFlags();
  if (args.empty()) return flags.UsageError(flags.summary());
  auto parsed = flags.Parse(args);
  if (!parsed.ok()) return flags.UsageError(parsed.status().message());
  if (parsed->Has("help")) {
    flags.PrintHelp(std::cout);
    return 0;
  }
  if (Status usage = CheckReassignFlags(*parsed); !usage.ok()) {
    return flags.UsageError(usage.message());
  }
  auto options = ReadReassignOptions(*parsed);
  if (!options.ok()) return ActionError(options.status());
  if (auto file = parsed->Get("command-config")) {
    auto props = ReadFile("command-config", *file);
    if (!props.ok()) return ActionError(props.status());
  }

  Result<std::unique_ptr<ReassignmentCluster>> cluster = Status::Internal("not connected");
  if (options->bootstrap_server) {
    if (options->zookeeper) {
      std::cout << "Warning: ignoring deprecated --zookeeper option because --bootstrap-server "
                   "was specified.  The --zookeeper option will be removed in a future version "
                   "of Kafka.\n";
    }
    cluster = ConnectAdminReassignmentCluster(*options->bootstrap_server);
  } else {
    std::cout << "Warning: --zookeeper is deprecated, and will be removed in a future version of "
                 "Kafka.\n";
    cluster = ConnectZookeeperReassignmentCluster(*options->zookeeper);
  }
  if (!cluster.ok()) return ActionError(cluster.status());
  Status done = Run(*options, **cluster);
  std::cout.flush();
  if (!done.ok()) return ActionError(done);
  return 0;
}

}  // namespace sluice::tools

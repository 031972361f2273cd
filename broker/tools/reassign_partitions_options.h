// `sluice reassign-partitions` flags and their rules: Kafka 2.8's
// ReassignPartitionsCommandOptions and validateAndParseArgs, with Kafka's messages:
//   "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list"
//   "Please specify --bootstrap-server"                (neither it nor --zookeeper given)
//   Missing required argument "[reassignment-json-file]"
//   Option "[throttle]" can't be used with action "[verify]"
//   You must specify --bootstrap-server when using "[list]"   (--list, --cancel, --additional,
//                                                              --timeout need the Admin API)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/tools/flags.h"
#include "libs/base/status.h"

namespace sluice::tools {

enum class ReassignAction { kGenerate, kExecute, kVerify, kCancel, kList };

struct ReassignOptions {
  ReassignAction action = ReassignAction::kList;
  // At least one is set; --bootstrap-server wins when both are (Kafka warns and ignores
  // --zookeeper).
  std::optional<std::string> bootstrap_server;
  std::optional<std::string> zookeeper;
  std::optional<std::string> reassignment_json_file;
  std::optional<std::string> topics_to_move_json_file;
  std::optional<std::string> broker_list;
  bool disable_rack_aware = false;
  bool additional = false;          // --execute while other reassignments run
  bool preserve_throttles = false;  // accepted; Sluice sets no replication throttles
  int64_t timeout_ms = 10000;       // --timeout (Kafka: log-dir moves only)
};

FlagSet ReassignFlags();

// Kafka's validateAndParseArgs (usage errors: the caller prints them with the help).
Status CheckReassignFlags(const ParsedFlags& flags);

// The values, after CheckReassignFlags passed. InvalidArgument for a bad number, for the
// bootstrap-only flags without --bootstrap-server, and for --throttle /
// --replica-alter-log-dirs-throttle >= 0 (Sluice has no replication throttles: refusing is
// better than silently moving data at full speed).
Result<ReassignOptions> ReadReassignOptions(const ParsedFlags& flags);

}  // namespace sluice::tools

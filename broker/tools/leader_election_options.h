// `sluice leader-election` flags (Kafka 2.8's LeaderElectionCommandOptions) and the
// --path-to-json-file format. Parsing only; leader_election.cc talks to the cluster.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/tools/flags.h"
#include "libs/base/status.h"

namespace sluice::tools {

// ElectLeaders' ElectionType field (KIP-460): the values on the wire.
enum class ElectionType : int8_t { kPreferred = 0, kUnclean = 1 };

// Kafka's ElectionType enum name, as the tool prints it: "PREFERRED", "UNCLEAN".
std::string_view ElectionTypeName(ElectionType type);

// A partition named on the command line or in the JSON file.
using ElectionPartition = std::pair<std::string, int32_t>;

struct LeaderElectionOptions {
  std::string bootstrap_server;
  ElectionType election_type = ElectionType::kPreferred;
  // nullopt: --all-topic-partitions (the request's null topic list, every partition).
  std::optional<std::vector<ElectionPartition>> partitions;
  // Set when the partitions come from --path-to-json-file (read by the caller).
  std::optional<std::string> path_to_json_file;
};

FlagSet LeaderElectionFlags();

// Checks the combination and values of the flags (every message names the flag): required
// --bootstrap-server and --election-type (preferred/unclean, any case), exactly one of
// --all-topic-partitions, --topic, --path-to-json-file; --partition exactly with --topic;
// --admin.config refused. With --path-to-json-file, `partitions` is left empty for the caller
// to fill from ParseElectionJson.
Result<LeaderElectionOptions> ReadLeaderElectionOptions(const ParsedFlags& flags);

// {"partitions": [{"topic": "t", "partition": 0}, ...]} -> the partitions in file order, with
// Kafka's messages: "Replica election data is empty", "Replica election data is missing
// \"partitions\" field", "Replica election data contains duplicate partitions: t-0,u-1"; a
// malformed entry is named by its index.
Result<std::vector<ElectionPartition>> ParseElectionJson(std::string_view json);

}  // namespace sluice::tools

#include "broker/tools/leader_election_options.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

namespace sluice::tools {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

Status InvalidEntry(size_t index, std::string_view detail) {
  return Status::InvalidArgument("Replica election data: partitions[" + std::to_string(index) +
                                 "] " + std::string(detail));
}

}  // namespace

std::string_view ElectionTypeName(ElectionType type) {
  return type == ElectionType::kUnclean ? "UNCLEAN" : "PREFERRED";
}

FlagSet LeaderElectionFlags() {
  FlagSet flags("sluice leader-election",
                "This tool attempts to elect a new leader from a set of topic partitions. The type "
                "of elections supported are preferred replicas and unclean replicas.");
  flags
      .Value("bootstrap-server", "host:port",
             "A hostname and port for the broker to connect to, in the form host:port. Multiple "
             "comma separated URLs can be given. REQUIRED.")
      .Value("admin.config", "config file",
             "Configuration properties files to pass to the admin client (not supported by "
             "Sluice: refused).")
      .Value("path-to-json-file", "Path to JSON file",
             "The JSON file with the list of partitions for which leader elections should be "
             "performed, e.g. {\"partitions\": [{\"topic\": \"foo\", \"partition\": 1}]}. Not "
             "allowed if --all-topic-partitions or --topic flags are specified.")
      .Value("topic", "topic name",
             "Name of topic for which to perform an election. Not allowed if --path-to-json-file "
             "or --all-topic-partitions is specified.")
      .Value("partition", "partition id",
             "Partition id for which to perform an election. REQUIRED if --topic is specified.")
      .Switch("all-topic-partitions",
              "Perform election on all of the topic partitions. Not allowed if --topic or "
              "--path-to-json-file is specified.")
      .Value("election-type", "election type",
             "Type of election to attempt. Possible values are \"preferred\" for preferred leader "
             "election or \"unclean\" for unclean leader election. REQUIRED.");
  return flags;
}

Result<LeaderElectionOptions> ReadLeaderElectionOptions(const ParsedFlags& flags) {
  if (flags.Has("admin.config")) {
    return Status::InvalidArgument(
        "Option \"[admin.config]\" is not supported by sluice leader-election (it connects with "
        "default admin client settings); remove it");
  }
  SLUICE_RETURN_IF_ERROR(RequireFlags(flags, {"bootstrap-server", "election-type"}));
  LeaderElectionOptions options;
  options.bootstrap_server = *flags.Get("bootstrap-server");
  if (options.bootstrap_server.empty()) {
    return Status::InvalidArgument("Option \"[bootstrap-server]\" needs a host:port value");
  }

  const std::string type = *flags.Get("election-type");
  if (Upper(type) == "PREFERRED") {
    options.election_type = ElectionType::kPreferred;
  } else if (Upper(type) == "UNCLEAN") {
    options.election_type = ElectionType::kUnclean;
  } else {
    return Status::InvalidArgument("Invalid value '" + type +
                                   "' for option \"[election-type]\": expected preferred or "
                                   "unclean");
  }

  if (CountGiven(flags, {"all-topic-partitions", "topic", "path-to-json-file"}) != 1) {
    return Status::InvalidArgument(
        "Exactly one of the options \"[all-topic-partitions]\", \"[topic]\" (with "
        "\"[partition]\") and \"[path-to-json-file]\" is required");
  }
  if (flags.Has("topic") && !flags.Has("partition")) {
    return Status::InvalidArgument(
        "Missing required argument \"[partition]\" (required with "
        "\"[topic]\")");
  }
  if (flags.Has("partition") && !flags.Has("topic")) {
    return Status::InvalidArgument(
        "Option \"[partition]\" can only be used with option "
        "\"[topic]\"");
  }

  if (flags.Has("topic")) {
    const std::string topic = *flags.Get("topic");
    if (topic.empty()) return Status::InvalidArgument("Option \"[topic]\" needs a topic name");
    auto partition = flags.GetInt32("partition");
    if (!partition.ok()) return partition.status();
    if (*partition < 0) {
      return Status::InvalidArgument("Invalid value '" + std::to_string(*partition) +
                                     "' for option \"[partition]\": must be >= 0");
    }
    options.partitions = std::vector<ElectionPartition>{{topic, *partition}};
  } else if (flags.Has("path-to-json-file")) {
    options.path_to_json_file = *flags.Get("path-to-json-file");
    options.partitions = std::vector<ElectionPartition>{};
  }
  return options;
}

Result<std::vector<ElectionPartition>> ParseElectionJson(std::string_view json) {
  Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(std::string(json));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("Replica election data is not valid JSON (") +
                                   e.what() + ")");
  }
  if (parsed.isEmpty() || parsed.type() != typeid(Object::Ptr) ||
      parsed.extract<Object::Ptr>().isNull()) {
    return Status::InvalidArgument("Replica election data is empty");
  }
  const Object::Ptr root = parsed.extract<Object::Ptr>();
  if (!root->has("partitions")) {
    return Status::InvalidArgument("Replica election data is missing \"partitions\" field");
  }
  const Array::Ptr list = root->getArray("partitions");
  if (list.isNull()) {
    return Status::InvalidArgument("Replica election data: \"partitions\" is not an array");
  }

  std::vector<ElectionPartition> partitions;
  std::set<ElectionPartition> seen;
  std::vector<std::string> duplicates;
  for (size_t i = 0; i < list->size(); ++i) {
    const Object::Ptr entry = list->getObject(static_cast<unsigned>(i));
    if (entry.isNull()) return InvalidEntry(i, "is not an object");
    const Var topic = entry->get("topic");
    if (topic.isEmpty() || !topic.isString()) return InvalidEntry(i, "has no string \"topic\"");
    const Var partition = entry->get("partition");
    if (partition.isEmpty() || !partition.isInteger() || partition.isBoolean()) {
      return InvalidEntry(i, "has no integer \"partition\"");
    }
    const auto value = partition.convert<Poco::Int64>();
    if (value < 0 || value > std::numeric_limits<int32_t>::max()) {
      return InvalidEntry(i, "has \"partition\" out of range: " + std::to_string(value));
    }
    ElectionPartition tp{topic.convert<std::string>(), static_cast<int32_t>(value)};
    if (!seen.insert(tp).second) {
      const std::string name = tp.first + "-" + std::to_string(tp.second);
      if (std::find(duplicates.begin(), duplicates.end(), name) == duplicates.end())
        duplicates.push_back(name);
      continue;
    }
    partitions.push_back(std::move(tp));
  }
  if (!duplicates.empty()) {
    std::string names;
    for (const auto& d : duplicates) names += (names.empty() ? "" : ",") + d;
    return Status::InvalidArgument("Replica election data contains duplicate partitions: " + names);
  }
  return partitions;
}

}  // namespace sluice::tools

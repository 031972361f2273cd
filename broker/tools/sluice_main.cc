// sluice: Kafka-style command-line tools for Sluice (and any Kafka cluster).
//
//   sluice topics --bootstrap-server localhost:9092 --list
//   sluice console-producer --bootstrap-server localhost:9092 --topic t
//   sluice console-consumer --bootstrap-server localhost:9092 --topic t --from-beginning
//   sluice consumer-groups --bootstrap-server localhost:9092 --list
//   sluice reassign-partitions --bootstrap-server localhost:9092 --list
//   sluice leader-election --bootstrap-server localhost:9092 --election-type preferred
//   --all-topic-partitions
#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "broker/tools/tool.h"

namespace {

struct Tool {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

constexpr Tool kTools[] = {
    {"topics", sluice::tools::RunTopics, "create, list, describe, alter and delete topics"},
    {"console-producer", sluice::tools::RunConsoleProducer, "produce lines read from stdin"},
    {"console-consumer", sluice::tools::RunConsoleConsumer, "consume records to stdout"},
    {"consumer-groups", sluice::tools::RunConsumerGroups,
     "list, describe, reset offsets of and delete consumer groups"},
    {"reassign-partitions", sluice::tools::RunReassignPartitions,
     "move partitions between brokers (generate, execute, verify, list, cancel)"},
    {"leader-election", sluice::tools::RunLeaderElection,
     "elect the preferred (or an unclean) leader for partitions"},
};

void PrintUsage(std::ostream& out) {
  out << "Usage: sluice <tool> [options]   (sluice <tool> --help for a tool's options)\n\nTools:\n";
  for (const Tool& t : kTools)
    out << "  " << t.name << std::string(std::max<size_t>(2, 22 - std::strlen(t.name)), ' ')
        << t.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return 1;
  }
  const std::string name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    PrintUsage(std::cout);
    return 0;
  }
  // kafka-topics.sh style names work too: "kafka-topics", "kafka-console-producer", ...
  const std::string bare = name.rfind("kafka-", 0) == 0 ? name.substr(6) : name;
  for (const Tool& t : kTools) {
    if (bare == t.name) return t.run(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::cerr << "sluice: unknown tool '" << name << "'\n";
  PrintUsage(std::cerr);
  return 1;
}

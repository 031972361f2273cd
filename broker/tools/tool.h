// The `sluice` command-line tools: one file per tool (topics, console-producer,
// console-consumer, consumer-groups, reassign-partitions, leader-election), each exposing one
// entry point. sluice_main.cc dispatches
// `sluice <tool> [flags]`, and bin/kafka-<tool>.sh wrappers call the same entry points, so a
// Kafka user's commands work as typed.
//
// Conventions every tool follows (Kafka's tools do the same): flags as Kafka names them;
// `--help` prints usage and exits 0; a missing, unknown or conflicting flag, or a bad value, prints
// a message naming it plus the usage to stderr and exits 1; results go to stdout, progress and
// diagnostics to stderr.
#pragma once

#include <string>
#include <vector>

namespace sluice::tools {

// Each returns the process exit code. `args` excludes the program and tool names.
int RunTopics(const std::vector<std::string>& args);
int RunConsoleProducer(const std::vector<std::string>& args);
int RunConsoleConsumer(const std::vector<std::string>& args);
int RunConsumerGroups(const std::vector<std::string>& args);
int RunReassignPartitions(const std::vector<std::string>& args);
int RunLeaderElection(const std::vector<std::string>& args);

}  // namespace sluice::tools

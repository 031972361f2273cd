// The JSON files of `sluice reassign-partitions` (Kafka 2.8's ReassignPartitionsCommand):
//
//   --topics-to-move-json-file   {"topics":[{"topic":"foo1"},{"topic":"foo2"}],"version":1}
//   --reassignment-json-file     {"version":1,"partitions":[{"topic":"foo1","partition":0,
//                                  "replicas":[5,6],"log_dirs":["any","any"]}]}
//
// "version" may be absent (1 is assumed) and must be 1 when present; "log_dirs" is optional and,
// when present, as long as "replicas". The tool prints assignments in the second format exactly as
// Kafka's Json.encodeAsString does: compact, keys in the order above, partitions sorted by topic
// then partition, every log dir "any".
//
// Parsing keeps duplicates (the checks below name them, as Kafka's do); errors are
// InvalidArgument naming the bad entry.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/types.h"

namespace sluice::tools {

using TopicPartition = kafka::client::TopicPartition;
// partition -> replicas (preferred leader first), sorted by topic then partition.
using PartitionReplicas = std::map<TopicPartition, std::vector<BrokerId>>;

// Kafka's log_dirs value meaning "wherever the broker puts it".
inline constexpr std::string_view kAnyLogDir = "any";

struct ReassignmentEntry {
  TopicPartition partition;
  std::vector<BrokerId> replicas;
  std::vector<std::string> log_dirs;  // one per replica; "any" when the file had none
};

// The topic names of a --topics-to-move-json-file, in file order (duplicates kept).
Result<std::vector<std::string>> ParseTopicsToMoveJson(std::string_view json);

// The entries of a --reassignment-json-file, in file order (duplicates kept).
Result<std::vector<ReassignmentEntry>> ParseReassignmentJson(std::string_view json);

// Kafka's parseExecuteAssignmentArgs checks, in its order and words:
//   no entries                 "Partition reassignment list cannot be empty"
//   an empty replica list      "Partition replica list cannot be empty"
//   a partition listed twice   "Partition reassignment contains duplicate topic partitions: t-0"
//   a replica listed twice     "Partition replica lists may not contain duplicate entries: t-0
//                               contains multiple entries for 1"
// plus, since Sluice has one log directory per replica placement decision and no
// AlterReplicaLogDirs, a log dir other than "any" is refused, naming it.
Result<PartitionReplicas> ValidateReassignment(const std::vector<ReassignmentEntry>& entries);

// --broker-list "5,6": InvalidArgument naming a non-number; "Broker list contains duplicate
// entries: 5" for repeats (Kafka's parseGenerateAssignmentArgs).
Result<std::vector<BrokerId>> ParseBrokerList(std::string_view text);

// Kafka's formatAsReassignmentJson with no log dirs: one line, no spaces.
std::string FormatReassignmentJson(const PartitionReplicas& assignment);

// "1,2,3" (Scala's mkString(",")).
std::string JoinBrokerIds(const std::vector<BrokerId>& ids);

}  // namespace sluice::tools

// The five actions of `sluice reassign-partitions`, as Kafka 2.8's ReassignPartitionsCommand
// performs and prints them (stdout), against a ReassignmentCluster. A failure is a Status whose
// message the entry point prints after "Error: "; nothing is changed in the cluster when the
// input is bad (every check runs before the one write).
//
//   --generate  "Current partition replica assignment\n<json>\n\n"
//               "Proposed partition reassignment configuration\n<json>\n"
//   --execute   "Current partition replica assignment\n\n<json>\n\n"
//               "Save this to use as the --reassignment-json-file option during rollback\n"
//               "Successfully started partition reassignment[s] for t-0,t-1\n"
//   --verify    "Status of partition reassignment:\n"
//               "Reassignment of partition t-0 is complete.\n" | "... is still in progress.\n" |
//               "There is no active reassignment of partition t-0, but replica set is 1,2 rather
//                than 2,3.\n"
//   --list      "Current partition reassignments:\nt-0: replicas: 1,2,3. adding: 3. removing:
//                1.\n" | "No partition reassignments found.\n"
//   --cancel    "Successfully cancelled partition reassignment[s] for: t-0\n" | "None of the
//                specified partition reassignments are active.\n", then "None of the specified
//                partition moves are active.\n"
#pragma once

#include <ostream>
#include <string>

#include "broker/tools/reassignment_cluster.h"
#include "libs/base/status.h"

namespace sluice::tools {

// Kafka's message when --execute finds reassignments running and --additional was not given.
inline constexpr const char* kCannotExecuteBecauseOfExisting =
    "Cannot execute because there is an existing partition assignment.  Use --additional to "
    "override this and create a new partition assignment in addition to the existing one. The "
    "--additional flag can also be used to change the throttle by resubmitting the current "
    "reassignment.";

// --generate: the partitions of the topics in `topics_json`, placed on `broker_list` by Kafka's
// assignReplicasToBrokers (rack-aware unless disabled), keeping each topic's partition count and
// replication factor. Errors: duplicate topics or brokers, a topic that does not exist, a broker
// id that is not registered, more replicas than brokers, partial rack information.
Status GenerateAssignment(ReassignmentCluster& cluster, const std::string& topics_json,
                          const std::string& broker_list, bool rack_aware, std::ostream& out);

// --execute: validates the file against the cluster (partitions exist, brokers registered, no
// reassignment running unless `additional`), prints the current assignment for rollback and
// starts the reassignments.
Status ExecuteAssignment(ReassignmentCluster& cluster, const std::string& reassignment_json,
                         bool additional, std::ostream& out);

// --verify: one line per partition of the file. Returns whether every one is complete (the
// exit code stays 0 either way, as Kafka's).
Result<bool> VerifyAssignment(ReassignmentCluster& cluster, const std::string& reassignment_json,
                              std::ostream& out);

// --list (Admin API only).
Status ListReassignments(ReassignmentCluster& cluster, std::ostream& out);

// --cancel (Admin API only): cancels those partitions of the file that are being reassigned.
Status CancelAssignment(ReassignmentCluster& cluster, const std::string& reassignment_json,
                        std::ostream& out);

}  // namespace sluice::tools

// What `sluice consumer-groups` computes and prints, apart from how the facts are fetched: the
// rows of --describe (Kafka 2.8's ConsumerGroupCommand.collectGroupsOffsets), its three tables,
// the messages about a group's state, and the offsets --reset-offsets plans. Pure functions over
// plain values, so every format and edge case is unit-tested.
//
// Kafka's tables (left-aligned columns, each followed by one space, widths growing to the
// longest value; a missing value prints "-"; every table starts with an empty line):
//   --describe [--offsets]  GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID
//                           HOST CLIENT-ID
//   --describe --members    GROUP CONSUMER-ID [GROUP-INSTANCE-ID] HOST CLIENT-ID #PARTITIONS
//                           [ASSIGNMENT with --verbose]
//   --describe --state      GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS
//   --reset-offsets         GROUP TOPIC PARTITION NEW-OFFSET
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "broker/tools/consumer_group_options.h"
#include "libs/base/status.h"
#include "libs/kafka/client/types.h"

namespace sluice::tools {

using kafka::client::TopicPartition;

struct GroupMemberInfo {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;  // decoded from the member's assignment bytes
};

struct GroupInfo {
  std::string group_id;
  std::string state;  // Kafka's names: Stable, Empty, PreparingRebalance, CompletingRebalance, Dead
  std::string assignment_strategy;  // DescribeGroups' protocol_data, e.g. "range"
  std::vector<GroupMemberInfo> members;
  std::string coordinator;  // "host:port  (id)" as Kafka prints it in --state
};

// One row of --describe's offsets table.
struct OffsetRow {
  std::string group;
  std::optional<std::string> topic;
  std::optional<int32_t> partition;
  std::optional<int64_t> current_offset;  // committed offset, if any
  std::optional<int64_t> log_end_offset;
  std::optional<std::string> consumer_id;
  std::optional<std::string> host;
  std::optional<std::string> client_id;

  // LOG-END-OFFSET minus CURRENT-OFFSET when both are known.
  std::optional<int64_t> lag() const;
};

// Kafka's rows: members that own partitions first (most partitions first), one row per owned
// partition in partition order; then partitions the group committed but nobody owns, with "-"
// for the member columns. Members without partitions contribute no row.
std::vector<OffsetRow> BuildOffsetRows(const GroupInfo& group,
                                       const std::map<TopicPartition, int64_t>& committed,
                                       const std::map<TopicPartition, int64_t>& log_end_offsets);

// Kafka's shouldPrintMemberState: reports the state to a person and says whether a table
// follows. Dead: "\nError: Consumer group 'g' does not exist." (stdout, as Kafka's printError);
// Empty: "\nConsumer group 'g' has no active members." (stderr); rebalancing:
// "\nWarning: Consumer group 'g' is rebalancing." (stderr). A table prints when the group is
// not Dead and `rows` > 0.
bool ReportGroupState(const std::string& group, const std::string& state, size_t rows,
                      std::ostream& out, std::ostream& err);

void PrintOffsetsTable(const std::vector<OffsetRow>& rows, std::ostream& out);
void PrintMembersTable(const GroupInfo& group, bool verbose, std::ostream& out);
void PrintStateTable(const GroupInfo& group, std::ostream& out);
// group -> partition -> new offset.
void PrintResetTable(const std::map<std::string, std::map<TopicPartition, int64_t>>& plan,
                     std::ostream& out);

// The facts a reset plan needs for the partitions to reset.
struct ResetInputs {
  std::vector<TopicPartition> partitions;
  std::map<TopicPartition, int64_t> committed;  // partitions with a committed offset
  std::map<TopicPartition, int64_t> earliest;   // log start offsets
  std::map<TopicPartition, int64_t> latest;     // log end offsets
};

// Kafka's prepareOffsetsToReset. --to-offset and --shift-by results are clamped to
// [earliest, latest] with a warning on `warnings` (Kafka's "New offset (x) is higher than
// latest offset for topic partition t-0. Value will be set to y"). --shift-by and --to-current
// use the committed offset: --shift-by without one is InvalidArgument "Cannot shift offset for
// partition t-0 since there is no current committed offset"; --to-current without one uses the
// log end offset (as Kafka).
Result<std::map<TopicPartition, int64_t>> PlanOffsetReset(ResetScenario scenario, int64_t value,
                                                          const ResetInputs& inputs,
                                                          std::ostream& warnings);

}  // namespace sluice::tools

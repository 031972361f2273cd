#include "broker/tools/consumer_group_report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sluice::tools {
namespace {

TopicPartition TP(const std::string& topic, int32_t p) { return {topic, PartitionId(p)}; }

GroupInfo TwoMembers() {
  GroupInfo g;
  g.group_id = "g";
  g.state = "Stable";
  g.assignment_strategy = "range";
  g.coordinator = "localhost:9092  (0)";
  GroupMemberInfo a{"rdkafka-a", std::nullopt, "rdkafka", "/127.0.0.1", {TP("t", 2)}};
  GroupMemberInfo b{"rdkafka-b", std::nullopt, "rdkafka", "/127.0.0.1", {TP("t", 1), TP("t", 0)}};
  g.members = {a, b};
  return g;
}

TEST(OffsetRowsTest, MembersWithMostPartitionsFirstThenPartitionOrder) {
  auto rows = BuildOffsetRows(TwoMembers(), {{TP("t", 0), 3}}, {{TP("t", 0), 5}, {TP("t", 1), 7}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].consumer_id, "rdkafka-b");
  EXPECT_EQ(rows[0].partition, 0);
  EXPECT_EQ(rows[0].current_offset, 3);
  EXPECT_EQ(rows[0].lag(), 2);
  EXPECT_EQ(rows[1].partition, 1);
  EXPECT_FALSE(rows[1].current_offset);  // nothing committed: "-"
  EXPECT_FALSE(rows[1].lag());
  EXPECT_EQ(rows[2].consumer_id, "rdkafka-a");
  EXPECT_FALSE(rows[2].log_end_offset);
}

TEST(OffsetRowsTest, CommittedPartitionsWithoutOwnerHaveNoMemberColumns) {
  GroupInfo g;
  g.group_id = "g";
  g.state = "Empty";
  auto rows = BuildOffsetRows(g, {{TP("t", 1), 4}, {TP("t", 0), 2}}, {{TP("t", 0), 2}, {TP("t", 1), 9}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].partition, 0);
  EXPECT_EQ(rows[0].lag(), 0);
  EXPECT_EQ(rows[1].lag(), 5);
  EXPECT_FALSE(rows[1].consumer_id);
}

TEST(OffsetRowsTest, MemberWithoutPartitionsGivesNoRow) {
  GroupInfo g = TwoMembers();
  g.members[0].assignment.clear();
  g.members[1].assignment.clear();
  EXPECT_TRUE(BuildOffsetRows(g, {}, {}).empty());
}

TEST(OffsetsTableTest, KafkaColumnsAndPadding) {
  OffsetRow row;
  row.group = "g";
  row.topic = "sports";
  row.partition = 0;
  row.current_offset = 3;
  row.log_end_offset = 5;
  std::ostringstream out;
  PrintOffsetsTable({row}, out);
  EXPECT_EQ(out.str(),
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG      "
            "       CONSUMER-ID     HOST            CLIENT-ID"
            "\ng               sports          0          3               5               2      "
            "         -               -               -\n");
}

TEST(OffsetsTableTest, LongValuesWidenTheirColumn) {
  OffsetRow row;
  row.group = "a-very-long-group-name";
  row.topic = "t";
  std::ostringstream out;
  PrintOffsetsTable({row}, out);
  EXPECT_NE(out.str().find("GROUP                  TOPIC"), std::string::npos);
}

TEST(GroupStateTest, DeadGroupIsAnErrorOnStdout) {
  std::ostringstream out, err;
  EXPECT_FALSE(ReportGroupState("g", "Dead", 0, out, err));
  EXPECT_EQ(out.str(), "\nError: Consumer group 'g' does not exist.\n");
  EXPECT_EQ(err.str(), "");
}

TEST(GroupStateTest, EmptyGroupSaysNoActiveMembersButStillPrintsRows) {
  std::ostringstream out, err;
  EXPECT_TRUE(ReportGroupState("g", "Empty", 2, out, err));
  EXPECT_EQ(err.str(), "\nConsumer group 'g' has no active members.\n");
  EXPECT_FALSE(ReportGroupState("g", "Empty", 0, out, err));
}

TEST(GroupStateTest, RebalancingIsAWarning) {
  std::ostringstream out, err;
  EXPECT_TRUE(ReportGroupState("g", "PreparingRebalance", 1, out, err));
  EXPECT_EQ(err.str(), "\nWarning: Consumer group 'g' is rebalancing.\n");
}

TEST(GroupStateTest, StableSaysNothing) {
  std::ostringstream out, err;
  EXPECT_TRUE(ReportGroupState("g", "Stable", 1, out, err));
  EXPECT_EQ(out.str() + err.str(), "");
}

TEST(MembersTableTest, ColumnsWithoutInstanceId) {
  std::ostringstream out;
  PrintMembersTable(TwoMembers(), false, out);
  const std::string s = out.str();
  EXPECT_EQ(s.find("\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS"),
            0u);
  EXPECT_EQ(s.find("GROUP-INSTANCE-ID"), std::string::npos);
  EXPECT_NE(s.find("rdkafka-b       /127.0.0.1      rdkafka         2"), std::string::npos);
}

TEST(MembersTableTest, StaticMemberAddsInstanceIdAndVerboseAddsAssignment) {
  GroupInfo g = TwoMembers();
  g.members[0].group_instance_id = "instance-1";
  std::ostringstream out;
  PrintMembersTable(g, true, out);
  EXPECT_NE(out.str().find("GROUP-INSTANCE-ID"), std::string::npos);
  EXPECT_NE(out.str().find("ASSIGNMENT"), std::string::npos);
  EXPECT_NE(out.str().find("t(0,1)"), std::string::npos);
  EXPECT_NE(out.str().find("instance-1"), std::string::npos);
}

TEST(StateTableTest, KafkaColumns) {
  std::ostringstream out;
  PrintStateTable(TwoMembers(), out);
  EXPECT_EQ(out.str(),
            "\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE     "
            "      #MEMBERS"
            "\ng                         localhost:9092  (0)       range                Stable    "
            "      2\n");
}

TEST(ResetTableTest, HeaderThenRowsThenEmptyLine) {
  std::ostringstream out;
  PrintResetTable({{"g", {{TP("t", 0), 0}}}}, out);
  EXPECT_EQ(out.str(),
            "\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     "
            "\ng                              t                              0          0              "
            "\n\n");
}

TEST(ResetTableTest, NothingPlannedPrintsOnlyAnEmptyLine) {
  std::ostringstream out;
  PrintResetTable({}, out);
  EXPECT_EQ(out.str(), "\n");
}

ResetInputs Inputs() {
  ResetInputs in;
  in.partitions = {TP("t", 0), TP("t", 1)};
  in.committed = {{TP("t", 0), 5}};
  in.earliest = {{TP("t", 0), 2}, {TP("t", 1), 0}};
  in.latest = {{TP("t", 0), 10}, {TP("t", 1), 4}};
  return in;
}

TEST(PlanResetTest, EarliestAndLatest) {
  std::ostringstream w;
  auto earliest = PlanOffsetReset(ResetScenario::kToEarliest, 0, Inputs(), w);
  ASSERT_TRUE(earliest.ok());
  EXPECT_EQ(earliest->at(TP("t", 0)), 2);
  EXPECT_EQ(earliest->at(TP("t", 1)), 0);
  auto latest = PlanOffsetReset(ResetScenario::kToLatest, 0, Inputs(), w);
  EXPECT_EQ(latest->at(TP("t", 0)), 10);
  EXPECT_EQ(latest->at(TP("t", 1)), 4);
}

TEST(PlanResetTest, ToOffsetIsClampedWithAWarning) {
  std::ostringstream w;
  auto plan = PlanOffsetReset(ResetScenario::kToOffset, 7, Inputs(), w);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->at(TP("t", 0)), 7);
  EXPECT_EQ(plan->at(TP("t", 1)), 4);
  EXPECT_EQ(w.str(),
            "New offset (7) is higher than latest offset for topic partition t-1. Value will be "
            "set to 4\n");
}

TEST(PlanResetTest, ShiftByBelowEarliestIsClamped) {
  ResetInputs in = Inputs();
  in.partitions = {TP("t", 0)};
  std::ostringstream w;
  auto plan = PlanOffsetReset(ResetScenario::kShiftBy, -4, in, w);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->at(TP("t", 0)), 2);
  EXPECT_NE(w.str().find("is lower than earliest offset"), std::string::npos);
}

TEST(PlanResetTest, ShiftByWithoutCommittedOffsetIsKafkasError) {
  std::ostringstream w;
  EXPECT_EQ(PlanOffsetReset(ResetScenario::kShiftBy, 1, Inputs(), w).status().message(),
            "Cannot shift offset for partition t-1 since there is no current committed offset");
}

TEST(PlanResetTest, ToCurrentFallsBackToLogEnd) {
  std::ostringstream w;
  auto plan = PlanOffsetReset(ResetScenario::kToCurrent, 0, Inputs(), w);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->at(TP("t", 0)), 5);
  EXPECT_EQ(plan->at(TP("t", 1)), 4);
}

TEST(PlanResetTest, UnknownPartitionIsNamed) {
  ResetInputs in = Inputs();
  in.partitions.push_back(TP("t", 9));
  std::ostringstream w;
  auto plan = PlanOffsetReset(ResetScenario::kToEarliest, 0, in, w);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("t-9"), std::string::npos);
}

}  // namespace
}  // namespace sluice::tools

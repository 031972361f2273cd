#include "broker/tools/consumer_group_options.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

const std::string kBootstrap = "--bootstrap-server=localhost:9092";

Status Check(const std::vector<std::string>& args) {
  auto parsed = ConsumerGroupFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  return CheckConsumerGroupFlags(*parsed);
}

Result<ConsumerGroupCommandOptions> Read(const std::vector<std::string>& args) {
  auto parsed = ConsumerGroupFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  SLUICE_RETURN_IF_ERROR(CheckConsumerGroupFlags(*parsed));
  return ReadConsumerGroupOptions(*parsed);
}

TEST(GroupFlagsTest, ListAndDescribe) {
  EXPECT_TRUE(Check({"--list", kBootstrap}).ok());
  auto o = Read({"--describe", "--group", "g", kBootstrap});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->action, GroupAction::kDescribe);
  EXPECT_EQ(o->groups, std::vector<std::string>{"g"});
  EXPECT_EQ(o->view, DescribeView::kOffsets);
  EXPECT_EQ(o->timeout_ms, 5000);
}

TEST(GroupFlagsTest, ExactlyOneAction) {
  const std::string expected =
      "Command must include exactly one action: --list, --describe, --delete, --reset-offsets";
  EXPECT_EQ(Check({kBootstrap}).message(), expected);
  EXPECT_EQ(Check({"--list", "--delete", kBootstrap}).message(), expected);
}

TEST(GroupFlagsTest, BootstrapServerRequired) {
  EXPECT_EQ(Check({"--list"}).message(), "Missing required argument \"[bootstrap-server]\"");
}

TEST(GroupFlagsTest, DescribeNeedsAGroupScope) {
  EXPECT_EQ(Check({"--describe", kBootstrap}).message(),
            "Option [describe] takes one of these options: [group], [all-groups]");
  EXPECT_TRUE(Check({"--describe", "--all-groups", kBootstrap}).ok());
}

TEST(GroupFlagsTest, DescribeViewsAreExclusive) {
  EXPECT_EQ(Check({"--describe", "--group", "g", "--members", "--state", kBootstrap}).message(),
            "Option [describe] takes at most one of these options: [members], [offsets], [state]");
  auto o = Read({"--describe", "--group", "g", "--members", "--verbose", kBootstrap});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->view, DescribeView::kMembers);
  EXPECT_TRUE(o->verbose);
}

TEST(GroupFlagsTest, VerboseOnlyWithMembers) {
  EXPECT_FALSE(Check({"--describe", "--group", "g", "--verbose", kBootstrap}).ok());
}

TEST(GroupFlagsTest, DeleteRejectsTopic) {
  EXPECT_EQ(Check({"--delete", "--group", "g", "--topic", "t", kBootstrap}).message(),
            "The consumer does not support topic-specific offset deletion from a consumer group.");
  EXPECT_EQ(Check({"--delete", kBootstrap}).message(),
            "Option [delete] takes one of these options: [group], [all-groups]");
}

TEST(GroupFlagsTest, GroupAndAllGroupsConflict) {
  EXPECT_EQ(Check({"--describe", "--group", "g", "--all-groups", kBootstrap}).message(),
            "Option \"[group]\" can't be used with option \"[all-groups]\"");
}

TEST(GroupFlagsTest, ListTakesNoGroup) {
  EXPECT_EQ(Check({"--list", "--group", "g", kBootstrap}).message(),
            "Option \"[group]\" can't be used with option \"[list]\"");
}

TEST(GroupFlagsTest, ResetNeedsScenarioAndScope) {
  EXPECT_NE(Check({"--reset-offsets", "--group", "g", "--topic", "t", kBootstrap})
                .message()
                .find("requires one of the following scenarios"),
            std::string::npos);
  EXPECT_EQ(Check({"--reset-offsets", "--group", "g", "--to-earliest", kBootstrap}).message(),
            "One of the reset scopes should be defined: --all-topics, --topic.");
  EXPECT_EQ(Check({"--reset-offsets", "--topic", "t", "--to-earliest", kBootstrap}).message(),
            "Option [reset-offsets] takes one of these options: [group], [all-groups]");
}

TEST(GroupFlagsTest, ResetScenariosAreExclusive) {
  EXPECT_EQ(Check({"--reset-offsets", "--group", "g", "--all-topics", "--to-earliest",
                   "--to-latest", kBootstrap})
                .message(),
            "Option \"[to-earliest]\" can't be used with option \"[to-latest]\"");
}

TEST(GroupFlagsTest, DryRunAndExecuteConflict) {
  EXPECT_EQ(Check({"--reset-offsets", "--group", "g", "--all-topics", "--to-earliest",
                   "--dry-run", "--execute", kBootstrap})
                .message(),
            "Option [reset-offsets] only accepts one of [execute] and [dry-run]");
}

TEST(GroupFlagsTest, ResetValuesAndDryRunDefault) {
  auto o = Read({"--reset-offsets", "--group", "g", "--topic", "t:0,2", "--shift-by", "-3",
                 kBootstrap});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->scenario, ResetScenario::kShiftBy);
  EXPECT_EQ(o->scenario_value, -3);
  EXPECT_FALSE(o->execute);
  EXPECT_TRUE(o->dry_run_implicit);
  ASSERT_EQ(o->topics.size(), 1u);
  EXPECT_EQ(o->topics[0].topic, "t");
  EXPECT_EQ(o->topics[0].partitions, (std::vector<int32_t>{0, 2}));
  auto exec = Read({"--reset-offsets", "--group", "g", "--all-topics", "--to-offset", "5",
                    "--execute", kBootstrap});
  ASSERT_TRUE(exec.ok());
  EXPECT_TRUE(exec->execute);
  EXPECT_FALSE(exec->dry_run_implicit);
}

TEST(GroupFlagsTest, ResetFlagsOutsideResetAreRejected) {
  EXPECT_EQ(Check({"--describe", "--group", "g", "--to-earliest", kBootstrap}).message(),
            "Option \"[to-earliest]\" can't be used with option \"[describe]\"");
}

TEST(GroupFlagsTest, BadOffsetIsNamed) {
  auto o = Read({"--reset-offsets", "--group", "g", "--all-topics", "--to-offset", "x",
                 kBootstrap});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("to-offset"), std::string::npos);
}

TEST(TopicPartitionsArgTest, Forms) {
  EXPECT_TRUE(ParseTopicPartitionsArg("t")->partitions.empty());
  EXPECT_EQ(ParseTopicPartitionsArg("t:1")->partitions, std::vector<int32_t>{1});
  EXPECT_FALSE(ParseTopicPartitionsArg("t:").ok());
  EXPECT_FALSE(ParseTopicPartitionsArg("t:a").ok());
  EXPECT_FALSE(ParseTopicPartitionsArg(":1").ok());
  EXPECT_FALSE(ParseTopicPartitionsArg("t:-1").ok());
}

}  // namespace
}  // namespace sluice::tools

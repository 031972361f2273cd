#include "broker/tools/topic_command_options.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

Status Check(const std::vector<std::string>& args) {
  auto parsed = TopicFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  return CheckTopicFlags(*parsed);
}

Result<TopicCommandOptions> Read(const std::vector<std::string>& args) {
  auto parsed = TopicFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  SLUICE_RETURN_IF_ERROR(CheckTopicFlags(*parsed));
  return ReadTopicOptions(*parsed);
}

const std::string kZk = "--zookeeper=localhost:2181";
const std::string kBootstrap = "--bootstrap-server=localhost:9092";

TEST(TopicFlagsTest, SeedTutorialCreateIsValid) {
  auto o = Read({"--create", "--zookeeper", "localhost:2181", "--topic", "sports", "--partitions",
                 "2", "--replication-factor", "1"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->action, TopicAction::kCreate);
  EXPECT_EQ(o->zookeeper, "localhost:2181");
  EXPECT_EQ(o->topic, "sports");
  EXPECT_EQ(o->partitions, 2);
  EXPECT_EQ(o->replication_factor, 1);
}

TEST(TopicFlagsTest, ListNeedsNoTopic) {
  EXPECT_TRUE(Check({"--list", kZk}).ok());
  EXPECT_TRUE(Check({"--describe", kBootstrap}).ok());
}

TEST(TopicFlagsTest, NoActionOrTwoActions) {
  const std::string expected =
      "Command must include exactly one action: --list, --describe, --create, --alter or "
      "--delete";
  EXPECT_EQ(Check({kZk}).message(), expected);
  EXPECT_EQ(Check({"--list", "--describe", kZk}).message(), expected);
}

TEST(TopicFlagsTest, ZookeeperAndBootstrapTogetherNamesBoth) {
  EXPECT_EQ(Check({"--list", kZk, kBootstrap}).message(),
            "Only one of --bootstrap-server or --zookeeper must be specified");
}

TEST(TopicFlagsTest, NeitherConnectionIsAnError) {
  EXPECT_EQ(Check({"--list"}).message(),
            "Only one of --bootstrap-server or --zookeeper must be specified");
}

TEST(TopicFlagsTest, CreateWithoutTopic) {
  EXPECT_EQ(Check({"--create", kBootstrap}).message(), "Missing required argument \"[topic]\"");
}

TEST(TopicFlagsTest, ZookeeperCreateNeedsPartitionsAndReplicationFactor) {
  EXPECT_EQ(Check({"--create", kZk, "--topic", "t"}).message(),
            "Missing required argument \"[partitions]\"");
  EXPECT_EQ(Check({"--create", kZk, "--topic", "t", "--partitions", "1"}).message(),
            "Missing required argument \"[replication-factor]\"");
  EXPECT_TRUE(Check({"--create", kZk, "--topic", "t", "--replica-assignment", "0"}).ok());
}

TEST(TopicFlagsTest, BootstrapCreateUsesBrokerDefaults) {
  auto o = Read({"--create", kBootstrap, "--topic", "t"});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->partitions);
  EXPECT_FALSE(o->replication_factor);
}

TEST(TopicFlagsTest, ReplicaAssignmentExcludesPartitionsOnCreate) {
  EXPECT_EQ(
      Check({"--create", kZk, "--topic", "t", "--replica-assignment", "0", "--partitions", "1"})
          .message(),
      "Option \"[replica-assignment]\" can't be used with option \"[partitions]\"");
}

TEST(TopicFlagsTest, DescribeWithIfExistsNeedsTopic) {
  EXPECT_EQ(Check({"--describe", "--if-exists", kZk}).message(),
            "Missing required argument \"[topic]\"");
}

TEST(TopicFlagsTest, BootstrapAlterOfConfigsPointsToKafkaConfigs) {
  Status st = Check({"--alter", kBootstrap, "--topic", "t", "--config", "retention.ms=1"});
  EXPECT_NE(st.message().find("can't be used with option \"[alter]\""), std::string::npos);
  EXPECT_NE(st.message().find("kafka-configs"), std::string::npos);
}

TEST(TopicFlagsTest, BootstrapAlterNeedsPartitions) {
  EXPECT_EQ(Check({"--alter", kBootstrap, "--topic", "t"}).message(),
            "Missing required argument \"[partitions]\"");
}

TEST(TopicFlagsTest, DeleteConfigNotWithBootstrap) {
  EXPECT_EQ(Check({"--alter", kBootstrap, "--topic", "t", "--partitions", "2", "--delete-config",
                   "retention.ms"})
                .message(),
            "Option \"[delete-config]\" can't be used with option \"[bootstrap-server]\"");
}

TEST(TopicFlagsTest, FlagsThatTheActionDoesNotTake) {
  EXPECT_EQ(Check({"--list", kZk, "--partitions", "2"}).message(),
            "Option \"[partitions]\" can't be used with option \"[list]\"");
  EXPECT_EQ(Check({"--alter", kZk, "--topic", "t", "--replication-factor", "2"}).message(),
            "Option \"[replication-factor]\" can't be used with option \"[alter]\"");
  EXPECT_EQ(Check({"--describe", kZk, "--config", "a=b"}).message(),
            "Option \"[config]\" can't be used with option \"[describe]\"");
  EXPECT_EQ(Check({"--create", kZk, "--topic", "t", "--partitions", "1", "--replication-factor",
                   "1", "--if-exists"})
                .message(),
            "Option \"[if-exists]\" can't be used with option \"[create]\"");
  EXPECT_EQ(Check({"--delete", kZk, "--topic", "t", "--if-not-exists"}).message(),
            "Option \"[if-not-exists]\" can't be used with option \"[delete]\"");
  EXPECT_EQ(Check({"--delete", kZk, "--topic", "t", "--exclude-internal"}).message(),
            "Option \"[exclude-internal]\" can't be used with option \"[delete]\"");
  EXPECT_EQ(Check({"--list", kZk, "--under-replicated-partitions"}).message(),
            "Option \"[under-replicated-partitions]\" can't be used with option \"[list]\"");
}

TEST(TopicFlagsTest, ReportFiltersExcludeEachOther) {
  EXPECT_EQ(
      Check({"--describe", kZk, "--under-replicated-partitions", "--unavailable-partitions"})
          .message(),
      "Option \"[under-replicated-partitions]\" can't be used with option "
      "\"[unavailable-partitions]\"");
}

TEST(TopicFlagsTest, MinIsrReportsNeedBootstrapServer) {
  EXPECT_TRUE(Check({"--describe", kBootstrap, "--under-min-isr-partitions"}).ok());
  EXPECT_EQ(Check({"--describe", kZk, "--at-min-isr-partitions"}).message(),
            "Option \"[at-min-isr-partitions]\" can't be used with option \"[zookeeper]\"");
  EXPECT_EQ(Check({"--describe", kBootstrap, "--at-min-isr-partitions",
                   "--under-min-isr-partitions"})
                .message(),
            "Option \"[under-min-isr-partitions]\" can't be used with option "
            "\"[at-min-isr-partitions]\"");
}

TEST(TopicFlagsTest, BadNumbersAreNamed) {
  auto o = Read({"--create", kZk, "--topic", "t", "--partitions", "two", "--replication-factor",
                 "1"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("'two'"), std::string::npos);
  EXPECT_EQ(Read({"--create", kZk, "--topic", "t", "--partitions", "0", "--replication-factor",
                  "1"})
                .status()
                .message(),
            "The partitions must be greater than 0");
  EXPECT_EQ(Read({"--create", kZk, "--topic", "t", "--partitions", "1", "--replication-factor",
                  "40000"})
                .status()
                .message(),
            "The replication factor must be between 1 and 32767 inclusive");
}

TEST(TopicFlagsTest, ConfigsAreParsedAndValidated) {
  auto o = Read({"--create", kZk, "--topic", "t", "--partitions", "1", "--replication-factor",
                 "1", "--config", "retention.ms=1000", "--config", "cleanup.policy=compact"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->configs_to_add.size(), 2u);
  EXPECT_EQ(Read({"--create", kZk, "--topic", "t", "--partitions", "1", "--replication-factor",
                  "1", "--config", "bogus=1"})
                .status()
                .message(),
            "Unknown topic config name: bogus");
}

TEST(TopicFlagsTest, ReportFlagsReachTheFilter) {
  auto o = Read({"--describe", kZk, "--topics-with-overrides", "--exclude-internal"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->describe_filter.with_overrides);
  EXPECT_TRUE(o->exclude_internal);
}

}  // namespace
}  // namespace sluice::tools

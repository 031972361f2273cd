#include "broker/tools/flags.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sluice::tools {
namespace {

FlagSet TopicLikeFlags() {
  FlagSet flags("sluice topics", "Create, delete, describe, or change a topic.");
  flags.Switch("create", "Create a new topic.")
      .Switch("describe", "List details for the given topics.")
      .Value("topic", "String: topic", "The topic to create, alter, describe or delete.")
      .Value("partitions", "Integer: # of partitions", "The number of partitions.")
      .Value("bootstrap-server", "String: server to connect to", "The Kafka server.")
      .Value("shift-by", "Long: number-of-offsets", "Reset offsets shifting by n.")
      .Repeated("config", "String: name=value", "A topic configuration override.");
  return flags;
}

TEST(FlagsTest, SwitchesAndValuesWithSpaceOrEquals) {
  auto parsed = TopicLikeFlags().Parse({"--create", "--topic", "sports", "--partitions=2"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->Has("create"));
  EXPECT_FALSE(parsed->Has("describe"));
  EXPECT_EQ(parsed->Get("topic"), "sports");
  EXPECT_EQ(*parsed->GetInt32("partitions"), 2);
  EXPECT_EQ(parsed->given(), (std::vector<std::string>{"create", "topic", "partitions"}));
}

TEST(FlagsTest, UnambiguousPrefixAbbreviatesLikeJoptSimple) {
  auto parsed = TopicLikeFlags().Parse({"--bootstrap", "h:9092", "--cr"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Get("bootstrap-server"), "h:9092");
  EXPECT_TRUE(parsed->Has("create"));
}

TEST(FlagsTest, AmbiguousPrefixIsAnError) {
  auto parsed = TopicLikeFlags().Parse({"--c"});  // create or config
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "Option c is ambiguous");
}

TEST(FlagsTest, UnknownFlagIsNamed) {
  auto parsed = TopicLikeFlags().Parse({"--topc", "x"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "topc is not a recognized option");
}

TEST(FlagsTest, SingleDashFlagIsNamed) {
  auto parsed = TopicLikeFlags().Parse({"-x"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "x is not a recognized option");
}

TEST(FlagsTest, MissingValueIsNamed) {
  auto parsed = TopicLikeFlags().Parse({"--create", "--topic"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "Option topic requires an argument");
}

TEST(FlagsTest, SwitchWithValueIsAnError) {
  auto parsed = TopicLikeFlags().Parse({"--create=yes"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "Option create does not take an argument");
}

TEST(FlagsTest, PositionalArgumentIsAnError) {
  auto parsed = TopicLikeFlags().Parse({"--create", "sports"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("'sports'"), std::string::npos);
}

TEST(FlagsTest, ValueMayStartWithDash) {
  auto parsed = TopicLikeFlags().Parse({"--shift-by", "-2"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed->GetInt64("shift-by"), -2);
}

TEST(FlagsTest, RepeatedFlagKeepsEveryValueInOrder) {
  auto parsed = TopicLikeFlags().Parse({"--config", "a=1", "--config", "b=2"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->GetAll("config"), (std::vector<std::string>{"a=1", "b=2"}));
}

TEST(FlagsTest, SingleValuedFlagGivenTwiceKeepsTheLast) {
  auto parsed = TopicLikeFlags().Parse({"--topic", "a", "--topic", "b"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Get("topic"), "b");
  EXPECT_EQ(parsed->GetAll("topic").size(), 1u);
}

TEST(FlagsTest, BadIntegerNamesFlagAndValue) {
  auto parsed = TopicLikeFlags().Parse({"--partitions", "two"});
  ASSERT_TRUE(parsed.ok());
  auto n = parsed->GetInt32("partitions");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("'two'"), std::string::npos);
  EXPECT_NE(n.status().message().find("partitions"), std::string::npos);
}

TEST(FlagsTest, IntegerOutOfRangeIsAnError) {
  auto parsed = TopicLikeFlags().Parse({"--partitions", "3000000000"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->GetInt32("partitions").ok());
  EXPECT_EQ(*parsed->GetInt64("partitions"), 3000000000);
}

TEST(FlagsTest, AbsentIntegerGivesFallback) {
  auto parsed = TopicLikeFlags().Parse({});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed->GetInt32("partitions", 7), 7);
}

TEST(FlagsTest, HelpIsAlwaysDefined) {
  auto parsed = TopicLikeFlags().Parse({"--help"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->Has("help"));
}

TEST(FlagsTest, RequireFlagsUsesKafkaWording) {
  auto parsed = TopicLikeFlags().Parse({"--create"});
  ASSERT_TRUE(parsed.ok());
  Status st = RequireFlags(*parsed, {"create", "topic"});
  EXPECT_EQ(st.message(), "Missing required argument \"[topic]\"");
}

TEST(FlagsTest, RejectCombinationUsesKafkaWording) {
  auto parsed = TopicLikeFlags().Parse({"--partitions", "1", "--describe"});
  ASSERT_TRUE(parsed.ok());
  Status st = RejectCombination(*parsed, "partitions", {"describe", "topic"});
  EXPECT_EQ(st.message(), "Option \"[partitions]\" can't be used with option \"[describe]\"");
  EXPECT_TRUE(RejectCombination(*parsed, "create", {"describe"}).ok());
}

TEST(FlagsTest, CountGivenCountsActions) {
  auto parsed = TopicLikeFlags().Parse({"--create", "--describe"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(CountGiven(*parsed, {"create", "describe", "help"}), 2);
}

TEST(FlagsTest, HelpListsEveryFlagSortedWithValueNames) {
  std::ostringstream out;
  TopicLikeFlags().PrintHelp(out);
  const std::string help = out.str();
  EXPECT_NE(help.find("Usage: sluice topics [options]"), std::string::npos);
  EXPECT_NE(help.find("--topic <String: topic>"), std::string::npos);
  EXPECT_LT(help.find("--bootstrap-server"), help.find("--create"));
  EXPECT_LT(help.find("--create"), help.find("--topic"));
}

}  // namespace
}  // namespace sluice::tools

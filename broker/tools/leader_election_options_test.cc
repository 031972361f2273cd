#include "broker/tools/leader_election_options.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

Result<LeaderElectionOptions> Read(std::vector<std::string> args) {
  auto parsed = LeaderElectionFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  return ReadLeaderElectionOptions(*parsed);
}

std::vector<std::string> With(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--bootstrap-server", "b:9092", "--election-type", "preferred"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(LeaderElectionOptions, SingleTopicPartition) {
  auto options = Read(With({"--topic", "t", "--partition", "3"}));
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_EQ(options->bootstrap_server, "b:9092");
  EXPECT_EQ(options->election_type, ElectionType::kPreferred);
  ASSERT_TRUE(options->partitions.has_value());
  EXPECT_EQ(*options->partitions, (std::vector<ElectionPartition>{{"t", 3}}));
  EXPECT_FALSE(options->path_to_json_file.has_value());
}

TEST(LeaderElectionOptions, AllTopicPartitionsIsTheNullList) {
  auto options = Read(With({"--all-topic-partitions"}));
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_FALSE(options->partitions.has_value());
}

TEST(LeaderElectionOptions, JsonFileLeavesPartitionsToTheCaller) {
  auto options = Read(With({"--path-to-json-file", "/tmp/x.json"}));
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_EQ(options->path_to_json_file, "/tmp/x.json");
  ASSERT_TRUE(options->partitions.has_value());
  EXPECT_TRUE(options->partitions->empty());
}

TEST(LeaderElectionOptions, ElectionTypeAnyCase) {
  for (const std::string type : {"preferred", "PREFERRED", "Preferred"}) {
    auto options =
        Read({"--bootstrap-server", "b:1", "--election-type", type, "--all-topic-partitions"});
    ASSERT_TRUE(options.ok()) << type;
    EXPECT_EQ(options->election_type, ElectionType::kPreferred);
  }
  for (const std::string type : {"unclean", "UNCLEAN"}) {
    auto options =
        Read({"--bootstrap-server", "b:1", "--election-type", type, "--all-topic-partitions"});
    ASSERT_TRUE(options.ok()) << type;
    EXPECT_EQ(options->election_type, ElectionType::kUnclean);
  }
  EXPECT_EQ(ElectionTypeName(ElectionType::kPreferred), "PREFERRED");
  EXPECT_EQ(ElectionTypeName(ElectionType::kUnclean), "UNCLEAN");
}

TEST(LeaderElectionOptions, BadElectionTypeNamesTheFlagAndValue) {
  auto options =
      Read({"--bootstrap-server", "b:1", "--election-type", "fastest", "--all-topic-partitions"});
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "Invalid value 'fastest' for option \"[election-type]\": expected preferred or "
            "unclean");
}

TEST(LeaderElectionOptions, RequiredFlags) {
  EXPECT_EQ(Read({"--election-type", "preferred", "--all-topic-partitions"}).status().message(),
            "Missing required argument \"[bootstrap-server]\"");
  EXPECT_EQ(Read({"--bootstrap-server", "b:1", "--all-topic-partitions"}).status().message(),
            "Missing required argument \"[election-type]\"");
}

TEST(LeaderElectionOptions, ExactlyOneSelection) {
  const std::string message =
      "Exactly one of the options \"[all-topic-partitions]\", \"[topic]\" (with "
      "\"[partition]\") and \"[path-to-json-file]\" is required";
  EXPECT_EQ(Read(With({})).status().message(), message);
  EXPECT_EQ(
      Read(With({"--all-topic-partitions", "--topic", "t", "--partition", "0"})).status().message(),
      message);
  EXPECT_EQ(Read(With({"--path-to-json-file", "f", "--topic", "t", "--partition", "0"}))
                .status()
                .message(),
            message);
}

TEST(LeaderElectionOptions, TopicAndPartitionGoTogether) {
  EXPECT_EQ(Read(With({"--topic", "t"})).status().message(),
            "Missing required argument \"[partition]\" (required with \"[topic]\")");
  EXPECT_EQ(Read(With({"--all-topic-partitions", "--partition", "1"})).status().message(),
            "Option \"[partition]\" can only be used with option \"[topic]\"");
}

TEST(LeaderElectionOptions, BadPartitionNamesTheFlag) {
  auto word = Read(With({"--topic", "t", "--partition", "zero"}));
  ASSERT_FALSE(word.ok());
  EXPECT_NE(word.status().message().find("partition"), std::string::npos)
      << word.status().message();
  EXPECT_NE(word.status().message().find("zero"), std::string::npos) << word.status().message();
  auto negative = Read(With({"--topic", "t", "--partition", "-1"}));
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(),
            "Invalid value '-1' for option \"[partition]\": must be >= 0");
}

TEST(LeaderElectionOptions, AdminConfigRefused) {
  auto options = Read(With({"--all-topic-partitions", "--admin.config", "a.properties"}));
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("[admin.config]"), std::string::npos);
  EXPECT_NE(options.status().message().find("not supported"), std::string::npos);
}

TEST(LeaderElectionOptions, UnknownFlagIsAnError) {
  auto options = Read(With({"--all-topic-partitions", "--elections", "x"}));
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("elections"), std::string::npos);
}

TEST(ElectionJson, PartitionsInFileOrder) {
  auto partitions = ParseElectionJson(
      R"({"partitions": [{"topic": "foo", "partition": 1}, {"topic": "bar", "partition": 0}]})");
  ASSERT_TRUE(partitions.ok()) << partitions.status().message();
  EXPECT_EQ(*partitions, (std::vector<ElectionPartition>{{"foo", 1}, {"bar", 0}}));
  auto empty = ParseElectionJson(R"({"partitions": []})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ElectionJson, KafkasMessages) {
  EXPECT_EQ(ParseElectionJson("[]").status().message(), "Replica election data is empty");
  EXPECT_EQ(ParseElectionJson(R"({"version": 1})").status().message(),
            "Replica election data is missing \"partitions\" field");
  EXPECT_EQ(ParseElectionJson(R"({"partitions": [{"topic": "a", "partition": 0},
                                  {"topic": "b", "partition": 2}, {"topic": "a", "partition": 0},
                                  {"topic": "b", "partition": 2}, {"topic": "a", "partition": 0}]})")
                .status()
                .message(),
            "Replica election data contains duplicate partitions: a-0,b-2");
}

TEST(ElectionJson, MalformedEntriesAreNamed) {
  EXPECT_NE(ParseElectionJson("{\"partitions\": [").status().message().find("not valid JSON"),
            std::string::npos);
  EXPECT_EQ(ParseElectionJson(R"({"partitions": {"topic": "a"}})").status().message(),
            "Replica election data: \"partitions\" is not an array");
  EXPECT_EQ(ParseElectionJson(R"({"partitions": [{"partition": 0}]})").status().message(),
            "Replica election data: partitions[0] has no string \"topic\"");
  EXPECT_EQ(ParseElectionJson(R"({"partitions": [{"topic": "a", "partition": 0},
                                                 {"topic": "a", "partition": "1"}]})")
                .status()
                .message(),
            "Replica election data: partitions[1] has no integer \"partition\"");
  EXPECT_EQ(
      ParseElectionJson(R"({"partitions": [{"topic": "a", "partition": -2}]})").status().message(),
      "Replica election data: partitions[0] has \"partition\" out of range: -2");
  EXPECT_EQ(ParseElectionJson(R"({"partitions": [7]})").status().message(),
            "Replica election data: partitions[0] is not an object");
}

}  // namespace
}  // namespace sluice::tools

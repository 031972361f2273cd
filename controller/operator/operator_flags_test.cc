#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "controller/operator/operator_flags.h"

namespace sluice::operator_app {
namespace {

using Args = std::vector<std::string>;

TEST(ParseOperatorFlags, DefaultsWithoutArguments) {
  auto flags = ParseOperatorFlags({});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->kubeconfig, "");
  EXPECT_FALSE(flags->ns.has_value());
  EXPECT_FALSE(flags->leader_elect);
  EXPECT_EQ(flags->metrics_port, 8080);
  EXPECT_EQ(flags->log_level, "info");
  EXPECT_EQ(flags->workers, 2);
  EXPECT_EQ(flags->resync_seconds, 60);
  EXPECT_FALSE(flags->help);
}

TEST(ParseOperatorFlags, EqualsAndSeparateValueFormsAgree) {
  auto joined = ParseOperatorFlags({"--kubeconfig=/k", "--namespace=kafka", "--metrics-port=9000",
                                    "--log-level=debug", "--workers=4", "--resync-seconds=30"});
  auto separate =
      ParseOperatorFlags({"--kubeconfig", "/k", "--namespace", "kafka", "--metrics-port", "9000",
                          "--log-level", "debug", "--workers", "4", "--resync-seconds", "30"});
  for (const auto* parsed : {&joined, &separate}) {
    ASSERT_TRUE(parsed->ok()) << parsed->status().ToString();
    const OperatorFlags& f = **parsed;
    EXPECT_EQ(f.kubeconfig, "/k");
    EXPECT_EQ(f.ns, std::optional<std::string>("kafka"));
    EXPECT_EQ(f.metrics_port, 9000);
    EXPECT_EQ(f.log_level, "debug");
    EXPECT_EQ(f.workers, 4);
    EXPECT_EQ(f.resync_seconds, 30);
  }
}

TEST(ParseOperatorFlags, LeaderElectIsABooleanThatNeverTakesTheNextArgument) {
  auto bare = ParseOperatorFlags({"--leader-elect", "--workers", "3"});
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_TRUE(bare->leader_elect);
  EXPECT_EQ(bare->workers, 3);

  auto off = ParseOperatorFlags({"--leader-elect=false"});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->leader_elect);
  auto on = ParseOperatorFlags({"--leader-elect=TRUE"});
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->leader_elect);

  auto bad = ParseOperatorFlags({"--leader-elect=yes"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--leader-elect=yes"), std::string::npos);
  // A separate "true" is a stray positional argument, not the flag's value.
  auto stray = ParseOperatorFlags({"--leader-elect", "true"});
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("'true'"), std::string::npos);
}

TEST(ParseOperatorFlags, EmptyNamespaceMeansAllAndIsDistinctFromUnset) {
  auto all = ParseOperatorFlags({"--namespace="});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->ns, std::optional<std::string>(""));
  auto all_separate = ParseOperatorFlags({"--namespace", ""});
  ASSERT_TRUE(all_separate.ok());
  EXPECT_EQ(all_separate->ns, std::optional<std::string>(""));
}

TEST(ParseOperatorFlags, LogLevelsAreTheFourNamesInAnyCase) {
  for (const char* level : {"debug", "info", "warning", "error"}) {
    auto parsed = ParseOperatorFlags({std::string("--log-level=") + level});
    ASSERT_TRUE(parsed.ok()) << level;
    EXPECT_EQ(parsed->log_level, level);
  }
  auto upper = ParseOperatorFlags({"--log-level=WARNING"});
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->log_level, "warning");
  auto bad = ParseOperatorFlags({"--log-level=verbose"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--log-level=verbose"), std::string::npos);
  EXPECT_NE(bad.status().message().find("debug, info, warning or error"), std::string::npos);
}

TEST(ParseOperatorFlags, BadNumbersNameTheFlagAndTheRange) {
  struct Case {
    Args args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--workers=0"}, "--workers=0: expected an integer from 1 to 64"},
      {{"--workers=65"}, "--workers=65"},
      {{"--workers", "two"}, "--workers=two"},
      {{"--metrics-port=65536"}, "--metrics-port=65536: expected an integer from 0 to 65535"},
      {{"--metrics-port=-1"}, "--metrics-port=-1"},
      {{"--resync-seconds=1.5"}, "--resync-seconds=1.5"},
      {{"--resync-seconds="}, "--resync-seconds=: expected an integer"},
      {{"--workers=99999999999999"}, "--workers=99999999999999"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseOperatorFlags(c.args);
    ASSERT_FALSE(parsed.ok()) << c.args[0];
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.expected), std::string::npos)
        << parsed.status().message();
  }
}

TEST(ParseOperatorFlags, UnknownFlagsMissingValuesAndPositionalsAreRefused) {
  auto unknown = ParseOperatorFlags({"--namespaces=a"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown flag --namespaces"), std::string::npos);

  auto missing = ParseOperatorFlags({"--workers=3", "--kubeconfig"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--kubeconfig needs a value"), std::string::npos);

  auto positional = ParseOperatorFlags({"kafka"});
  ASSERT_FALSE(positional.ok());
  EXPECT_NE(positional.status().message().find("'kafka'"), std::string::npos);

  auto single_dash = ParseOperatorFlags({"-workers=2"});
  ASSERT_FALSE(single_dash.ok());

  auto empty_kubeconfig = ParseOperatorFlags({"--kubeconfig="});
  ASSERT_FALSE(empty_kubeconfig.ok());
  EXPECT_NE(empty_kubeconfig.status().message().find("--kubeconfig"), std::string::npos);
}

TEST(ParseOperatorFlags, HelpIsRecognisedAndUsageListsEveryFlag) {
  auto help = ParseOperatorFlags({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help);
  const std::string usage = OperatorUsage();
  for (const char* flag : {"--kubeconfig", "--namespace", "--leader-elect", "--metrics-port",
                           "--log-level", "--workers", "--resync-seconds", "--help"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

TEST(ResolveWatchNamespaces, FlagBeatsEnvironmentAndEmptyMeansAll) {
  auto from_flag = ResolveWatchNamespaces(std::string("a"), std::string("b"), "--namespace");
  ASSERT_TRUE(from_flag.ok());
  EXPECT_EQ(*from_flag, std::vector<std::string>{"a"});

  // An explicit empty flag means all namespaces even when the environment names one.
  auto all_by_flag = ResolveWatchNamespaces(std::string(""), std::string("b"), "--namespace");
  ASSERT_TRUE(all_by_flag.ok());
  EXPECT_EQ(*all_by_flag, std::vector<std::string>{""});

  auto from_env = ResolveWatchNamespaces(std::nullopt, std::string("b"), "WATCH_NAMESPACE");
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(*from_env, std::vector<std::string>{"b"});

  auto unset = ResolveWatchNamespaces(std::nullopt, std::nullopt, "WATCH_NAMESPACE");
  ASSERT_TRUE(unset.ok());
  EXPECT_EQ(*unset, std::vector<std::string>{""});
}

TEST(ResolveWatchNamespaces, ListsAreTrimmedAndDeduplicatedInOrder) {
  auto list =
      ResolveWatchNamespaces(std::string(" kafka, team-b ,kafka"), std::nullopt, "--namespace");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(*list, (std::vector<std::string>{"kafka", "team-b"}));
}

TEST(ResolveWatchNamespaces, BadEntriesAreNamed) {
  auto empty_entry = ResolveWatchNamespaces(std::string("a,,b"), std::nullopt, "--namespace");
  ASSERT_FALSE(empty_entry.ok());
  EXPECT_NE(empty_entry.status().message().find("--namespace=a,,b"), std::string::npos);
  auto trailing = ResolveWatchNamespaces(std::nullopt, std::string("a,"), "WATCH_NAMESPACE");
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("WATCH_NAMESPACE=a,"), std::string::npos);
  auto upper = ResolveWatchNamespaces(std::string("Kafka"), std::nullopt, "--namespace");
  ASSERT_FALSE(upper.ok());
  EXPECT_NE(upper.status().message().find("'Kafka'"), std::string::npos);
  auto too_long = ResolveWatchNamespaces(std::string(64, 'a'), std::nullopt, "--namespace");
  ASSERT_FALSE(too_long.ok());
}

class ResolveLeaseNamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ =
        std::filesystem::temp_directory_path() /
        ("sluice-operator-ns-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  std::filesystem::path path_;
};

TEST_F(ResolveLeaseNamespaceTest, PodNamespaceFirst) {
  Write("from-file\n");
  EXPECT_EQ(ResolveLeaseNamespace(std::string("sluice-system"), path_.string()), "sluice-system");
}

TEST_F(ResolveLeaseNamespaceTest, ThenTheServiceAccountFileTrimmed) {
  Write("from-file\n");
  EXPECT_EQ(ResolveLeaseNamespace(std::nullopt, path_.string()), "from-file");
  EXPECT_EQ(ResolveLeaseNamespace(std::string(""), path_.string()), "from-file");
}

TEST_F(ResolveLeaseNamespaceTest, ElseDefault) {
  EXPECT_EQ(ResolveLeaseNamespace(std::nullopt, path_.string()), "default");  // no file
  Write("  \n");
  EXPECT_EQ(ResolveLeaseNamespace(std::nullopt, path_.string()), "default");  // empty file
}

TEST(ResolveIdentity, PodNameAsIsElseHostnameWithSuffix) {
  EXPECT_EQ(ResolveIdentity(std::string("sluice-operator-7d9f-abcde"), "host", "1234abcd"),
            "sluice-operator-7d9f-abcde");
  EXPECT_EQ(ResolveIdentity(std::nullopt, "host", "1234abcd"), "host_1234abcd");
  EXPECT_EQ(ResolveIdentity(std::string(""), "host", "1234abcd"), "host_1234abcd");
  EXPECT_EQ(ResolveIdentity(std::nullopt, "", "1234abcd"), "sluice-operator_1234abcd");
}

}  // namespace
}  // namespace sluice::operator_app

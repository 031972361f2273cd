#include "broker/tools/reassign_partitions_options.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

Status Check(std::vector<std::string> args) {
  auto parsed = ReassignFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  return CheckReassignFlags(*parsed);
}

Result<ReassignOptions> Read(std::vector<std::string> args) {
  auto parsed = ReassignFlags().Parse(args);
  if (!parsed.ok()) return parsed.status();
  SLUICE_RETURN_IF_ERROR(CheckReassignFlags(*parsed));
  return ReadReassignOptions(*parsed);
}

TEST(ReassignOptions, ExactlyOneAction) {
  const std::string message =
      "Command must include exactly one action: --generate, --execute, --verify, --cancel, "
      "--list";
  EXPECT_EQ(Check({"--bootstrap-server", "b:9092"}).message(), message);
  EXPECT_EQ(Check({"--bootstrap-server", "b:9092", "--list", "--verify"}).message(), message);
}

TEST(ReassignOptions, NeedsAConnection) {
  EXPECT_EQ(Check({"--list"}).message(), "Please specify --bootstrap-server");
}

TEST(ReassignOptions, RequiredArgumentsPerAction) {
  EXPECT_EQ(Check({"--bootstrap-server", "b:9092", "--execute"}).message(),
            "Missing required argument \"[reassignment-json-file]\"");
  EXPECT_EQ(Check({"--bootstrap-server", "b:9092", "--generate", "--broker-list", "1"}).message(),
            "Missing required argument \"[topics-to-move-json-file]\"");
  EXPECT_EQ(
      Check({"--zookeeper", "z:2181", "--generate", "--topics-to-move-json-file", "f"}).message(),
      "Missing required argument \"[broker-list]\"");
}

TEST(ReassignOptions, FlagsAnActionDoesNotTake) {
  EXPECT_EQ(Check({"--bootstrap-server", "b:9092", "--verify", "--reassignment-json-file", "f",
                   "--throttle", "5"})
                .message(),
            "Option \"[throttle]\" can't be used with action \"[verify]\"");
  EXPECT_EQ(Check({"--bootstrap-server", "b:9092", "--list", "--broker-list", "1"}).message(),
            "Option \"[broker-list]\" can't be used with action \"[list]\"");
  EXPECT_EQ(Check({"--zookeeper", "z", "--cancel", "--reassignment-json-file", "f"}).message(),
            "Option \"[zookeeper]\" can't be used with action \"[cancel]\"");
}

TEST(ReassignOptions, BootstrapOnlyFlags) {
  // --list and --cancel do not permit --zookeeper at all (Kafka checks that first).
  EXPECT_EQ(Read({"--zookeeper", "z:2181", "--list"}).status().message(),
            "Option \"[zookeeper]\" can't be used with action \"[list]\"");
  EXPECT_EQ(Read({"--zookeeper", "z:2181", "--execute", "--reassignment-json-file", "f",
                  "--timeout", "5"})
                .status()
                .message(),
            "You must specify --bootstrap-server when using \"[timeout]\"");
  EXPECT_EQ(
      Read({"--zookeeper", "z:2181", "--execute", "--reassignment-json-file", "f", "--additional"})
          .status()
          .message(),
      "You must specify --bootstrap-server when using \"[additional]\"");
}

TEST(ReassignOptions, ThrottlesAreRefusedNotIgnored) {
  auto o = Read({"--bootstrap-server", "b:9092", "--execute", "--reassignment-json-file", "f",
                 "--throttle", "1000"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("does not throttle"), std::string::npos);
  EXPECT_TRUE(Read({"--bootstrap-server", "b:9092", "--execute", "--reassignment-json-file", "f",
                    "--throttle", "-1"})
                  .ok());
  EXPECT_FALSE(Read({"--bootstrap-server", "b:9092", "--execute", "--reassignment-json-file", "f",
                     "--throttle", "fast"})
                   .ok());
}

TEST(ReassignOptions, ValuesAreRead) {
  auto o = Read({"--bootstrap-server", "b:9092", "--generate", "--topics-to-move-json-file",
                 "t.json", "--broker-list", "0,1", "--disable-rack-aware"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->action, ReassignAction::kGenerate);
  EXPECT_EQ(o->bootstrap_server, "b:9092");
  EXPECT_EQ(o->topics_to_move_json_file, "t.json");
  EXPECT_EQ(o->broker_list, "0,1");
  EXPECT_TRUE(o->disable_rack_aware);

  auto e = Read({"--zookeeper", "z:2181", "--execute", "--reassignment-json-file", "r.json"});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->action, ReassignAction::kExecute);
  EXPECT_FALSE(e->bootstrap_server);
  EXPECT_EQ(e->zookeeper, "z:2181");
}

TEST(ReassignOptions, PrefixesWorkAsInJoptsimple) {
  auto o = Read({"--bootstrap", "b:9092", "--verify", "--reassignment", "r.json"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->action, ReassignAction::kVerify);
  EXPECT_EQ(o->reassignment_json_file, "r.json");
}

}  // namespace
}  // namespace sluice::tools

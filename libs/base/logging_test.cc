#include "libs/base/logging.h"

#include <Poco/Logger.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sluice::log {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "[2024-05-01 12:00:00,123] " (no std::regex: g++ 12 warns inside it under the sanitizers).
bool HasKafkaTimestampPrefix(const std::string& line) {
  const std::string shape = "[dddd-dd-dd dd:dd:dd,ddd] ";
  if (line.size() < shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    bool ok = shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(line[i])) != 0
                              : line[i] == shape[i];
    if (!ok) return false;
  }
  return true;
}

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sluice-logging-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override {
    ShutdownLogging();
    fs::remove_all(root_);
  }
  fs::path root_;
};

TEST_F(LoggingTest, CreatesDirectoryAndTheFourFilesButNoRequestLogByDefault) {
  LogOptions options;
  options.dir = (root_ / "nested" / "logs").string();
  ASSERT_TRUE(InitLogging(options).ok());
  EXPECT_TRUE(fs::exists(root_ / "nested/logs/server.log"));
  EXPECT_TRUE(fs::exists(root_ / "nested/logs/controller.log"));
  EXPECT_TRUE(fs::exists(root_ / "nested/logs/state-change.log"));
  EXPECT_TRUE(fs::exists(root_ / "nested/logs/log-cleaner.log"));
  EXPECT_FALSE(fs::exists(root_ / "nested/logs/kafka-request.log"));
}

TEST_F(LoggingTest, EachLoggerWritesToItsOwnFileInKafkaLayout) {
  LogOptions options;
  options.dir = root_.string();
  ASSERT_TRUE(InitLogging(options).ok());
  Server().information("server says hi");
  Controller().warning("controller says hi");
  StateChange().error("state change says hi");
  Poco::Logger::get("storage").information("root child says hi");
  Poco::Logger::get("controller.election").information("controller child says hi");

  std::string server = ReadFile(root_ / "server.log");
  std::string controller = ReadFile(root_ / "controller.log");
  std::string state_change = ReadFile(root_ / "state-change.log");
  EXPECT_TRUE(HasKafkaTimestampPrefix(server)) << server;
  EXPECT_EQ(server.substr(26, 29), "INFO server says hi (server)\n") << server;
  EXPECT_NE(server.find("INFO root child says hi (storage)"), std::string::npos) << server;
  EXPECT_NE(controller.find("WARN controller says hi (controller)"), std::string::npos);
  EXPECT_NE(controller.find("controller child says hi (controller.election)"), std::string::npos);
  EXPECT_NE(state_change.find("ERROR state change says hi (state-change)"), std::string::npos);
  EXPECT_EQ(server.find("controller says hi"), std::string::npos);
  EXPECT_EQ(controller.find("server says hi"), std::string::npos);
}

TEST_F(LoggingTest, LogCleanerWritesToLogCleanerLog) {
  LogOptions options;
  options.dir = root_.string();
  ASSERT_TRUE(InitLogging(options).ok());
  Poco::Logger::get(kLogCleanerLogger).information("compacted t-0");
  EXPECT_NE(ReadFile(root_ / "log-cleaner.log").find("INFO compacted t-0 (log-cleaner)"),
            std::string::npos);
  EXPECT_EQ(ReadFile(root_ / "server.log").find("compacted t-0"), std::string::npos);
}

TEST_F(LoggingTest, LevelFiltersLowerPriorities) {
  LogOptions options;
  options.dir = root_.string();
  options.level = "warn";
  ASSERT_TRUE(InitLogging(options).ok());
  Server().information("quiet");
  Server().warning("loud");
  std::string server = ReadFile(root_ / "server.log");
  EXPECT_EQ(server.find("quiet"), std::string::npos);
  EXPECT_NE(server.find("WARN loud"), std::string::npos);
}

TEST_F(LoggingTest, RequestLogIsCreatedWhenItsLevelIsSet) {
  LogOptions options;
  options.dir = root_.string();
  options.request_level = "DEBUG";
  ASSERT_TRUE(InitLogging(options).ok());
  Request().debug("Completed request: Produce");
  EXPECT_NE(
      ReadFile(root_ / "kafka-request.log").find("DEBUG Completed request: Produce (request)"),
      std::string::npos);
  EXPECT_EQ(ReadFile(root_ / "server.log").find("Completed request"), std::string::npos);
}

TEST_F(LoggingTest, ReinitMovesToTheNewDirectory) {
  LogOptions first;
  first.dir = (root_ / "a").string();
  ASSERT_TRUE(InitLogging(first).ok());
  LogOptions second;
  second.dir = (root_ / "b").string();
  ASSERT_TRUE(InitLogging(second).ok());
  Server().information("after move");
  EXPECT_EQ(ReadFile(root_ / "a/server.log").find("after move"), std::string::npos);
  EXPECT_NE(ReadFile(root_ / "b/server.log").find("after move"), std::string::npos);
}

TEST_F(LoggingTest, RefusesADirectoryInsideLogDirs) {
  LogOptions options;
  options.data_dirs = {(root_ / "data").string() + "/"};
  options.dir = (root_ / "data").string();
  Status same = InitLogging(options);
  EXPECT_EQ(same.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(same.message().find("log.dirs"), std::string::npos);
  options.dir = (root_ / "data" / "logs").string();
  EXPECT_EQ(InitLogging(options).code(), Status::Code::kInvalidArgument);
  options.dir = (root_ / "data" / ".." / "data").string();
  EXPECT_EQ(InitLogging(options).code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(root_ / "data"));  // nothing was created
  // A sibling whose name merely starts with the data dir's name is fine.
  options.dir = (root_ / "data-logs").string();
  EXPECT_TRUE(InitLogging(options).ok());
}

TEST_F(LoggingTest, RejectsUnknownLevelAndEmptyDirectory) {
  LogOptions options;
  options.dir = root_.string();
  options.level = "loud";
  Status bad_level = InitLogging(options);
  EXPECT_EQ(bad_level.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad_level.message().find("loud"), std::string::npos);
  options.level = "INFO";
  options.dir = "";
  EXPECT_EQ(InitLogging(options).code(), Status::Code::kInvalidArgument);
}

TEST(LogLevelTest, AcceptsLog4jAndPocoNames) {
  EXPECT_EQ(*ParseLevel("OFF"), 0);
  EXPECT_EQ(*ParseLevel("info"), *ParseLevel("information"));
  EXPECT_EQ(*ParseLevel("WARN"), *ParseLevel("warning"));
  EXPECT_LT(*ParseLevel("error"), *ParseLevel("trace"));
  EXPECT_FALSE(ParseLevel("verbose").ok());
}

TEST(LogDirTest, FlagBeatsEnvironmentBeatsDefault) {
  ::setenv("LOG_DIR", "/from/env", 1);
  EXPECT_EQ(ResolveLogDir("/from/flag", "/default"), "/from/flag");
  EXPECT_EQ(ResolveLogDir("", "/default"), "/from/env");
  ::setenv("LOG_DIR", "", 1);
  EXPECT_EQ(ResolveLogDir("", "/default"), "/default");
  ::unsetenv("LOG_DIR");
  EXPECT_EQ(ResolveLogDir("", "/default"), "/default");
}

TEST(LogDirTest, DefaultIsLogsBesideTheExecutablesDirectory) {
  fs::path exe = fs::read_symlink("/proc/self/exe");
  EXPECT_EQ(DefaultLogDirForExecutable(), (exe.parent_path().parent_path() / "logs").string());
}

}  // namespace
}  // namespace sluice::log

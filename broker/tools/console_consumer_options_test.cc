#include "broker/tools/console_consumer_options.h"

#include <gtest/gtest.h>

namespace sluice::tools {
namespace {

namespace client = kafka::client;

Result<ConsoleConsumerSettings> Read(std::vector<std::string> args) {
  const FlagSet flags = ConsoleConsumerFlags();
  Result<ParsedFlags> parsed = flags.Parse(args);
  if (!parsed.ok()) return parsed.status();
  return ReadConsoleConsumerSettings(*parsed);
}

std::vector<std::string> Base(std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--bootstrap-server", "localhost:9092", "--topic", "t"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string ErrorOf(const Result<ConsoleConsumerSettings>& r) {
  return r.ok() ? std::string("<ok>") : r.status().message();
}

TEST(ConsoleConsumerFlags, DefaultsReadFromTheEndWithoutAGroup) {
  auto s = Read(Base());
  ASSERT_TRUE(s.ok()) << ErrorOf(s);
  EXPECT_EQ(s->topic, "t");
  EXPECT_FALSE(s->group.has_value());
  EXPECT_FALSE(s->consumer.enable_auto_commit);
  EXPECT_EQ(s->consumer.fetch.auto_offset_reset, client::AutoOffsetReset::kLatest);
  EXPECT_EQ(s->start.kind, StartOffset::Kind::kLatest);
  EXPECT_EQ(s->max_messages, -1);
  EXPECT_EQ(s->timeout_ms, -1);
  EXPECT_EQ(s->consumer.fetch.isolation, client::IsolationLevel::kReadUncommitted);
}

TEST(ConsoleConsumerFlags, FromBeginningResetsToEarliest) {
  auto s = Read(Base({"--from-beginning"}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->consumer.fetch.auto_offset_reset, client::AutoOffsetReset::kEarliest);
  EXPECT_EQ(s->start.kind, StartOffset::Kind::kEarliest);
}

TEST(ConsoleConsumerFlags, GroupTurnsAutoCommitOn) {
  auto s = Read(Base({"--group", "g"}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->group, "g");
  EXPECT_EQ(s->consumer.group_id, "g");
  EXPECT_TRUE(s->consumer.enable_auto_commit);
}

TEST(ConsoleConsumerFlags, GroupFromConsumerPropertyCountsAsAGroup) {
  auto s = Read(Base({"--consumer-property", "group.id=g2"}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->group, "g2");
}

TEST(ConsoleConsumerFlags, DisagreeingGroupIdsAreRejected) {
  EXPECT_NE(ErrorOf(Read(Base({"--group", "a", "--consumer-property", "group.id=b"})))
                .find("Detected group ids: 'a', 'b'"),
            std::string::npos);
}

TEST(ConsoleConsumerFlags, ExactlyOneOfTopicAndWhitelist) {
  EXPECT_EQ(ErrorOf(Read({"--bootstrap-server", "h:1"})),
            "Exactly one of whitelist/topic is required.");
  EXPECT_EQ(ErrorOf(Read(Base({"--whitelist", "t.*"}))),
            "Exactly one of whitelist/topic is required.");
  auto whitelist = Read({"--bootstrap-server", "h:1", "--whitelist", "sp.*"});
  ASSERT_TRUE(whitelist.ok());
  EXPECT_EQ(whitelist->whitelist, "sp.*");
}

TEST(ConsoleConsumerFlags, BadWhitelistRegexIsNamed) {
  EXPECT_NE(ErrorOf(Read({"--bootstrap-server", "h:1", "--whitelist", "("})).find("--whitelist"),
            std::string::npos);
}

TEST(ConsoleConsumerFlags, MissingBootstrapServerIsNamed) {
  EXPECT_EQ(ErrorOf(Read({"--topic", "t"})), "Missing required argument \"[bootstrap-server]\"");
}

TEST(ConsoleConsumerFlags, UnknownFlagIsNamed) {
  EXPECT_EQ(ErrorOf(Read(Base({"--form-beginning"}))), "form-beginning is not a recognized option");
}

TEST(ConsoleConsumerFlags, OffsetNeedsAPartition) {
  EXPECT_EQ(ErrorOf(Read(Base({"--offset", "3"}))),
            "The partition is required when offset is specified.");
}

TEST(ConsoleConsumerFlags, PartitionNeedsATopic) {
  EXPECT_EQ(ErrorOf(Read({"--bootstrap-server", "h:1", "--whitelist", "x", "--partition", "0"})),
            "The topic is required when partition is specified.");
}

TEST(ConsoleConsumerFlags, FromBeginningAndOffsetConflict) {
  EXPECT_EQ(ErrorOf(Read(Base({"--partition", "0", "--offset", "1", "--from-beginning"}))),
            "Options from-beginning and offset cannot be specified together.");
}

TEST(ConsoleConsumerFlags, GroupAndPartitionConflict) {
  EXPECT_EQ(ErrorOf(Read(Base({"--partition", "0", "--group", "g"}))),
            "Options group and partition cannot be specified together.");
}

TEST(ConsoleConsumerFlags, OffsetValues) {
  auto exact = Read(Base({"--partition", "1", "--offset", "42"}));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->partition, 1);
  EXPECT_EQ(exact->start.kind, StartOffset::Kind::kExact);
  EXPECT_EQ(exact->start.offset, 42);
  EXPECT_EQ(Read(Base({"--partition", "0", "--offset", "EARLIEST"}))->start.kind,
            StartOffset::Kind::kEarliest);
  EXPECT_EQ(Read(Base({"--partition", "0", "--offset", "latest"}))->start.kind,
            StartOffset::Kind::kLatest);
  auto from_beginning = Read(Base({"--partition", "0", "--from-beginning"}));
  EXPECT_EQ(from_beginning->start.kind, StartOffset::Kind::kEarliest);
}

TEST(ConsoleConsumerFlags, BadOffsetValueIsQuoted) {
  for (const char* bad : {"-1", "abc", "1.5", "9999999999999999999999"}) {
    EXPECT_EQ(ErrorOf(Read(Base({"--partition", "0", "--offset", bad}))),
              std::string("The provided offset value '") + bad +
                  "' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.")
        << bad;
  }
}

TEST(ConsoleConsumerFlags, BadNumbersNameTheFlag) {
  EXPECT_NE(ErrorOf(Read(Base({"--max-messages", "ten"}))).find("max-messages"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Read(Base({"--timeout-ms", "x"}))).find("timeout-ms"), std::string::npos);
  EXPECT_NE(ErrorOf(Read(Base({"--partition", "p"}))).find("partition"), std::string::npos);
  EXPECT_EQ(ErrorOf(Read(Base({"--partition", "-2"}))),
            "The partition must be non-negative, got -2");
}

TEST(ConsoleConsumerFlags, IsolationLevel) {
  EXPECT_EQ(Read(Base({"--isolation-level", "read_committed"}))->consumer.fetch.isolation,
            client::IsolationLevel::kReadCommitted);
  EXPECT_NE(ErrorOf(Read(Base({"--isolation-level", "dirty"}))).find("--isolation-level"),
            std::string::npos);
}

TEST(ConsoleConsumerFlags, ConsumerPropertiesMapToOptions) {
  auto s = Read(Base({"--group", "g", "--consumer-property", "enable.auto.commit=false",
                      "--consumer-property", "session.timeout.ms=6000", "--consumer-property",
                      "fetch.max.wait.ms=100", "--consumer-property",
                      "auto.offset.reset=earliest"}));
  ASSERT_TRUE(s.ok()) << ErrorOf(s);
  EXPECT_FALSE(s->consumer.enable_auto_commit);
  EXPECT_EQ(s->consumer.session_timeout, std::chrono::milliseconds(6000));
  EXPECT_EQ(s->consumer.fetch.fetch_max_wait, std::chrono::milliseconds(100));
  EXPECT_EQ(s->consumer.fetch.auto_offset_reset, client::AutoOffsetReset::kEarliest);
  EXPECT_EQ(ErrorOf(Read(Base({"--consumer-property", "auto.offset.reset=middle"}))),
            "Invalid value middle for configuration auto.offset.reset: String must be one of: "
            "latest, earliest, none");
}

TEST(ConsoleConsumerFlags, OnlyTheDefaultFormatterExists) {
  EXPECT_TRUE(Read(Base({"--formatter", "kafka.tools.DefaultMessageFormatter"})).ok());
  EXPECT_NE(ErrorOf(Read(Base({"--formatter", "x.Y"}))).find("--formatter"), std::string::npos);
}

client::ConsumerRecord Sample(std::optional<std::string> key, std::optional<std::string> value) {
  client::ConsumerRecord r;
  r.partition = {"t", PartitionId(3)};
  r.record.offset = 17;
  r.record.timestamp = 1600000000000;
  r.record.key = std::move(key);
  r.record.value = std::move(value);
  return r;
}

TEST(FormatRecord, ValueOnlyByDefault) {
  EXPECT_EQ(FormatRecord(Sample("k", "v"), {}), "v\n");
}

TEST(FormatRecord, KeyThenValueWithTheKeySeparator) {
  RecordFormat f;
  f.print_key = true;
  EXPECT_EQ(FormatRecord(Sample("k", "v"), f), "k\tv\n");
  f.key_separator = " => ";
  EXPECT_EQ(FormatRecord(Sample("k", "v"), f), "k => v\n");
}

TEST(FormatRecord, NullKeyAndValuePrintNull) {
  RecordFormat f;
  f.print_key = true;
  EXPECT_EQ(FormatRecord(Sample(std::nullopt, std::nullopt), f), "null\tnull\n");
}

TEST(FormatRecord, EveryColumnInKafkasOrder) {
  RecordFormat f;
  f.print_timestamp = f.print_partition = f.print_offset = f.print_headers = f.print_key = true;
  f.key_separator = "|";
  auto r = Sample("k", "v");
  EXPECT_EQ(FormatRecord(r, f), "CreateTime:1600000000000|Partition:3|Offset:17|NO_HEADERS|k|v\n");
  r.record.headers = {{"h1", "x"}, {"h2", std::nullopt}};
  r.log_append_time = true;
  EXPECT_EQ(FormatRecord(r, f),
            "LogAppendTime:1600000000000|Partition:3|Offset:17|h1:x,h2:null|k|v\n");
}

TEST(FormatRecord, WithoutValueTheLastColumnEndsTheLine) {
  RecordFormat f;
  f.print_key = true;
  f.print_value = false;
  f.line_separator = ";";
  EXPECT_EQ(FormatRecord(Sample("k", "v"), f), "k;");
}

}  // namespace
}  // namespace sluice::tools

#include "broker/tools/console_producer_options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace sluice::tools {
namespace {

using kafka::Compression;

Result<ConsoleProducerSettings> Read(std::vector<std::string> args) {
  const FlagSet flags = ConsoleProducerFlags();
  Result<ParsedFlags> parsed = flags.Parse(ExpandBareCompressionCodec(args));
  if (!parsed.ok()) return parsed.status();
  return ReadConsoleProducerSettings(*parsed);
}

std::vector<std::string> Base(std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--bootstrap-server", "localhost:9092", "--topic", "t"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string ErrorOf(const Result<ConsoleProducerSettings>& r) {
  return r.ok() ? std::string("<ok>") : r.status().message();
}

TEST(ConsoleProducerFlags, DefaultsAreTheConsoleProducers) {
  auto s = Read(Base());
  ASSERT_TRUE(s.ok()) << ErrorOf(s);
  EXPECT_EQ(s->topic, "t");
  EXPECT_EQ(s->client.bootstrap_servers, "localhost:9092");
  EXPECT_EQ(s->producer.acks, 1);
  EXPECT_EQ(s->producer.compression, Compression::kNone);
  EXPECT_EQ(s->producer.linger, std::chrono::milliseconds(1000));
  EXPECT_EQ(s->producer.batch_size, 16384);
  EXPECT_EQ(s->producer.retries, 3);
  EXPECT_EQ(s->producer.request_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(s->client.connection.client_id, "console-producer");
  EXPECT_FALSE(s->reader.parse_key);
  EXPECT_EQ(s->reader.key_separator, "\t");
  EXPECT_FALSE(s->sync);
}

TEST(ConsoleProducerFlags, MissingTopicIsNamed) {
  EXPECT_EQ(ErrorOf(Read({"--bootstrap-server", "h:1"})), "Missing required argument \"[topic]\"");
}

TEST(ConsoleProducerFlags, MissingServerIsNamed) {
  EXPECT_EQ(ErrorOf(Read({"--topic", "t"})), "Missing required argument \"[bootstrap-server]\"");
}

TEST(ConsoleProducerFlags, BrokerListIsTheDeprecatedSpelling) {
  auto s = Read({"--broker-list", "a:1", "--topic", "t"});
  ASSERT_TRUE(s.ok()) << ErrorOf(s);
  EXPECT_EQ(s->client.bootstrap_servers, "a:1");
}

TEST(ConsoleProducerFlags, BootstrapServerWinsOverBrokerList) {
  auto s = Read({"--broker-list", "a:1", "--bootstrap-server", "b:2", "--topic", "t"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->client.bootstrap_servers, "b:2");
}

TEST(ConsoleProducerFlags, BadServerListIsReported) {
  EXPECT_NE(ErrorOf(Read({"--bootstrap-server", "nohost", "--topic", "t"})).find("host:port"),
            std::string::npos);
}

TEST(ConsoleProducerFlags, UnknownFlagIsNamed) {
  EXPECT_EQ(ErrorOf(Read(Base({"--no-such-flag"}))), "no-such-flag is not a recognized option");
}

TEST(ConsoleProducerFlags, BareCompressionCodecMeansGzip) {
  auto last = Read(Base({"--compression-codec"}));
  ASSERT_TRUE(last.ok()) << ErrorOf(last);
  EXPECT_EQ(last->producer.compression, Compression::kGzip);
  auto middle = Read({"--compression-codec", "--bootstrap-server", "h:1", "--topic", "t"});
  ASSERT_TRUE(middle.ok()) << ErrorOf(middle);
  EXPECT_EQ(middle->producer.compression, Compression::kGzip);
}

TEST(ConsoleProducerFlags, EveryCodecByName) {
  const std::pair<const char*, Compression> codecs[] = {{"none", Compression::kNone},
                                                        {"gzip", Compression::kGzip},
                                                        {"snappy", Compression::kSnappy},
                                                        {"lz4", Compression::kLz4},
                                                        {"zstd", Compression::kZstd}};
  for (const auto& [name, codec] : codecs) {
    auto s = Read(Base({"--compression-codec", name}));
    ASSERT_TRUE(s.ok()) << name;
    EXPECT_EQ(s->producer.compression, codec) << name;
  }
}

TEST(ConsoleProducerFlags, UnknownCodecNamesTheFlagAndValue) {
  EXPECT_EQ(ErrorOf(Read(Base({"--compression-codec", "brotli"}))),
            "Invalid value brotli for --compression-codec: String must be one of: none, gzip, "
            "snappy, lz4, zstd");
}

TEST(ConsoleProducerFlags, AcksAcceptsAllAndMinusOne) {
  EXPECT_EQ(Read(Base({"--request-required-acks", "all"}))->producer.acks, -1);
  EXPECT_EQ(Read(Base({"--request-required-acks", "-1"}))->producer.acks, -1);
  EXPECT_EQ(Read(Base({"--request-required-acks", "0"}))->producer.acks, 0);
  EXPECT_EQ(ErrorOf(Read(Base({"--request-required-acks", "2"}))),
            "Invalid value 2 for --request-required-acks: String must be one of: all, -1, 0, 1");
}

TEST(ConsoleProducerFlags, ProducerPropertiesApplyUnlessAFlagOverrides) {
  auto s = Read(Base({"--producer-property", "acks=all", "--producer-property", "linger.ms=5",
                      "--producer-property", "compression.type=snappy", "--producer-property",
                      "batch.size=100"}));
  ASSERT_TRUE(s.ok()) << ErrorOf(s);
  EXPECT_EQ(s->producer.acks, -1);
  EXPECT_EQ(s->producer.linger, std::chrono::milliseconds(5));
  EXPECT_EQ(s->producer.compression, Compression::kSnappy);
  EXPECT_EQ(s->producer.batch_size, 100);
  auto flag_wins = Read(Base({"--producer-property", "acks=all", "--request-required-acks", "0"}));
  EXPECT_EQ(flag_wins->producer.acks, 0);
}

TEST(ConsoleProducerFlags, BadPropertyValueNamesTheConfiguration) {
  EXPECT_EQ(ErrorOf(Read(Base({"--producer-property", "linger.ms=soon"}))),
            "Invalid value soon for configuration linger.ms: not a number");
  EXPECT_EQ(ErrorOf(Read(Base({"--producer-property", "acks=some"}))),
            "Invalid value some for configuration acks: String must be one of: all, -1, 0, 1");
}

TEST(ConsoleProducerFlags, PropertyWithoutEqualsIsRejected) {
  EXPECT_EQ(ErrorOf(Read(Base({"--producer-property", "acks"}))),
            "Invalid command line properties: acks");
  EXPECT_EQ(ErrorOf(Read(Base({"--property", "parse.key"}))),
            "Invalid command line properties: parse.key");
}

TEST(ConsoleProducerFlags, UnknownProducerPropertyIsAWarningNotAnError) {
  auto s = Read(Base({"--producer-property", "frobnicate=1"}));
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_NE(s->warnings[0].find("'frobnicate'"), std::string::npos);
}

TEST(ConsoleProducerFlags, ConfigFileIsOverriddenByProducerProperty) {
  const std::string path = ::testing::TempDir() + "/producer.properties";
  {
    std::ofstream out(path);
    out << "# a comment\nacks = all\nlinger.ms: 7\nclient.id=from-file\n";
  }
  auto s = Read(Base({"--producer.config", path, "--producer-property", "linger.ms=9"}));
  ASSERT_TRUE(s.ok()) << ErrorOf(s);
  EXPECT_EQ(s->producer.acks, -1);
  EXPECT_EQ(s->producer.linger, std::chrono::milliseconds(9));
  EXPECT_EQ(s->client.connection.client_id, "from-file");
  std::remove(path.c_str());
}

TEST(ConsoleProducerFlags, MissingConfigFileIsNamed) {
  EXPECT_NE(ErrorOf(Read(Base({"--producer.config", "/no/such/file"}))).find("/no/such/file"),
            std::string::npos);
}

TEST(ConsoleProducerFlags, NonNumericBatchSizeNamesTheFlag) {
  EXPECT_NE(ErrorOf(Read(Base({"--batch-size", "many"}))).find("batch-size"), std::string::npos);
}

TEST(ConsoleProducerFlags, SyncSendsEachRecordAtOnce) {
  auto s = Read(Base({"--sync"}));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->sync);
  EXPECT_EQ(s->producer.linger, std::chrono::milliseconds(0));
}

TEST(ConsoleProducerFlags, ReaderProperties) {
  auto s = Read(Base({"--property", "parse.key=TRUE", "--property", "key.separator=:",
                      "--property", "ignore.error=true"}));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->reader.parse_key);
  EXPECT_EQ(s->reader.key_separator, ":");
  EXPECT_TRUE(s->reader.ignore_error);
}

TEST(LineToRecord, WithoutParseKeyTheLineIsTheValue) {
  auto r = LineToRecord("a:b\tc", 1, "t", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->topic, "t");
  EXPECT_FALSE(r->key.has_value());
  EXPECT_EQ(r->value, "a:b\tc");
}

TEST(LineToRecord, SplitsAtTheFirstSeparator) {
  auto r = LineToRecord("k:v:w", 1, "t", {true, ":", false});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key, "k");
  EXPECT_EQ(r->value, "v:w");
}

TEST(LineToRecord, DefaultSeparatorIsTab) {
  auto r = LineToRecord("key\tvalue", 1, "t", {true, "\t", false});
  EXPECT_EQ(r->key, "key");
  EXPECT_EQ(r->value, "value");
}

TEST(LineToRecord, MultiCharacterSeparatorAndEmptyParts) {
  auto r = LineToRecord("::=>", 1, "t", {true, "=>", false});
  EXPECT_EQ(r->key, "::");
  EXPECT_EQ(r->value, "");
  auto empty_key = LineToRecord("=>v", 1, "t", {true, "=>", false});
  EXPECT_EQ(empty_key->key, "");
  EXPECT_EQ(empty_key->value, "v");
}

TEST(LineToRecord, NoKeyFoundNamesTheLine) {
  auto r = LineToRecord("just a value", 4, "t", {true, ":", false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "No key found on line 4: just a value");
}

TEST(LineToRecord, IgnoreErrorSendsTheLineAsAValue) {
  auto r = LineToRecord("just a value", 4, "t", {true, ":", true});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key.has_value());
  EXPECT_EQ(r->value, "just a value");
}

}  // namespace
}  // namespace sluice::tools

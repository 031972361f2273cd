#include "broker/config/broker_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice::config {
namespace {

using Props = std::map<std::string, std::string>;

ParseOptions TestOptions() {
  ParseOptions options;
  options.canonical_host_name = [] { return "broker0.example.com"; };
  return options;
}

// zookeeper.connect is the one key without a default.
Result<BrokerConfig> Parse(Props props) {
  props.emplace("zookeeper.connect", "localhost:2181");
  return ParseBrokerConfig(props, TestOptions());
}

std::string ErrorOf(Props props) {
  Result<BrokerConfig> r = Parse(std::move(props));
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  return r.status().message();
}

TEST(BrokerConfigTest, DefaultsAreKafka28s) {
  Result<BrokerConfig> r = Parse({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const BrokerConfig& c = *r;
  EXPECT_EQ(c.broker_id, BrokerId(-1));
  EXPECT_EQ(c.reserved_broker_max_id, 1000);
  EXPECT_EQ(c.message_max_bytes, 1048588);
  EXPECT_EQ(c.num_network_threads, 3);
  EXPECT_EQ(c.num_io_threads, 8);
  EXPECT_EQ(c.socket_send_buffer_bytes, 102400);
  EXPECT_EQ(c.socket_receive_buffer_bytes, 102400);
  EXPECT_EQ(c.socket_request_max_bytes, 104857600);
  EXPECT_EQ(c.zookeeper_session_timeout_ms, 18000);
  EXPECT_EQ(c.zookeeper_connection_timeout_ms, 18000);
  EXPECT_EQ(c.log_dirs, std::vector<std::string>{"/tmp/kafka-logs"});
  EXPECT_EQ(c.num_partitions, 1);
  EXPECT_EQ(c.default_replication_factor, 1);
  EXPECT_TRUE(c.auto_create_topics_enable);
  EXPECT_TRUE(c.delete_topic_enable);
  EXPECT_EQ(c.log_segment_bytes, 1073741824);
  EXPECT_EQ(c.log_roll_ms, 604800000);
  EXPECT_EQ(c.log_retention_ms, 604800000);
  EXPECT_EQ(c.log_retention_bytes, -1);
  EXPECT_EQ(c.log_retention_check_interval_ms, 300000);
  EXPECT_EQ(c.log_index_interval_bytes, 4096);
  EXPECT_EQ(c.log_index_size_max_bytes, 10485760);
  EXPECT_EQ(c.log_flush_interval_messages, kNever);
  EXPECT_EQ(c.log_flush_interval_ms, kNever);
  EXPECT_EQ(c.log_flush_offset_checkpoint_interval_ms, 60000);
  EXPECT_EQ(c.log_segment_delete_delay_ms, 60000);
  EXPECT_EQ(c.log_message_timestamp_type, TimestampType::kCreateTime);
  EXPECT_EQ(c.log_cleanup_policy, std::vector<std::string>{"delete"});
  EXPECT_TRUE(c.log_cleaner_enable);
  EXPECT_EQ(c.log_cleaner_backoff_ms, 15000);
  EXPECT_EQ(c.log_cleaner_dedupe_buffer_size, 134217728);
  EXPECT_EQ(c.min_insync_replicas, 1);
  EXPECT_FALSE(c.unclean_leader_election_enable);
  EXPECT_EQ(c.replica_lag_time_max_ms, 30000);
  EXPECT_EQ(c.offsets_topic_num_partitions, 50);
  EXPECT_EQ(c.offsets_topic_replication_factor, 3);
  EXPECT_EQ(c.offsets_retention_minutes, 10080);
  EXPECT_EQ(c.group_initial_rebalance_delay_ms, 3000);
  EXPECT_EQ(c.group_min_session_timeout_ms, 6000);
  EXPECT_EQ(c.group_max_session_timeout_ms, 1800000);
  EXPECT_FALSE(c.broker_rack.has_value());
  EXPECT_TRUE(c.controlled_shutdown_enable);
  EXPECT_TRUE(c.auto_leader_rebalance_enable);
  EXPECT_EQ(c.num_recovery_threads_per_data_dir, 1);
  EXPECT_EQ(c.admin_listener, (HostPort{"0.0.0.0", 9644}));
  EXPECT_TRUE(c.warnings.empty());
}

TEST(BrokerConfigTest, ZookeeperConnectIsRequiredAndNonEmpty) {
  Result<BrokerConfig> missing = ParseBrokerConfig({}, TestOptions());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("zookeeper.connect"), std::string::npos);
  EXPECT_EQ(ErrorOf({{"zookeeper.connect", ""}}),
            "Invalid value '' for configuration zookeeper.connect: must not be empty");
  EXPECT_NE(ErrorOf({{"zookeeper.connect", "a:1, b:2"}}).find("'a:1, b:2'"), std::string::npos);
  auto chroot = Parse({{"zookeeper.connect", "zk1:2181,zk2:2181/sluice"}});
  ASSERT_TRUE(chroot.ok());
  EXPECT_EQ(chroot->zookeeper_connect, "zk1:2181,zk2:2181/sluice");
}

TEST(BrokerConfigTest, RetentionHoursAlone) {
  EXPECT_EQ(Parse({{"log.retention.hours", "1"}})->log_retention_ms, 3600000);
}

TEST(BrokerConfigTest, RetentionMinutesBeatHours) {
  EXPECT_EQ(Parse({{"log.retention.hours", "1"}, {"log.retention.minutes", "2"}})->log_retention_ms,
            120000);
}

TEST(BrokerConfigTest, RetentionMsBeatsMinutesAndHours) {
  EXPECT_EQ(
      Parse(
          {{"log.retention.hours", "1"}, {"log.retention.minutes", "2"}, {"log.retention.ms", "5"}})
          ->log_retention_ms,
      5);
}

TEST(BrokerConfigTest, NegativeRetentionAtAnyLevelIsUnlimited) {
  EXPECT_EQ(Parse({{"log.retention.ms", "-1"}})->log_retention_ms, kUnlimited);
  EXPECT_EQ(Parse({{"log.retention.minutes", "-1"}})->log_retention_ms, kUnlimited);
  EXPECT_EQ(Parse({{"log.retention.hours", "-5"}})->log_retention_ms, kUnlimited);
  // An unlimited ms wins over a finite hours value.
  EXPECT_EQ(Parse({{"log.retention.ms", "-1"}, {"log.retention.hours", "1"}})->log_retention_ms,
            kUnlimited);
}

TEST(BrokerConfigTest, ZeroRetentionIsRejectedNamingTheKeyThatWon) {
  EXPECT_EQ(ErrorOf({{"log.retention.ms", "0"}, {"log.retention.hours", "1"}}),
            "Invalid value '0' for configuration log.retention.ms: retention must be unlimited "
            "(-1) or at least 1 ms");
  EXPECT_NE(ErrorOf({{"log.retention.minutes", "0"}}).find("log.retention.minutes"),
            std::string::npos);
}

TEST(BrokerConfigTest, RollMsBeatsHoursAndJitterFollowsTheSameRule) {
  EXPECT_EQ(Parse({{"log.roll.hours", "2"}})->log_roll_ms, 7200000);
  EXPECT_EQ(Parse({{"log.roll.hours", "2"}, {"log.roll.ms", "1000"}})->log_roll_ms, 1000);
  EXPECT_EQ(Parse({{"log.roll.jitter.hours", "1"}})->log_roll_jitter_ms, 3600000);
  EXPECT_EQ(
      Parse({{"log.roll.jitter.hours", "1"}, {"log.roll.jitter.ms", "7"}})->log_roll_jitter_ms, 7);
  EXPECT_NE(ErrorOf({{"log.roll.hours", "0"}}).find("must be at least 1"), std::string::npos);
}

TEST(BrokerConfigTest, FlushIntervalMsDefaultsToSchedulerInterval) {
  EXPECT_EQ(Parse({{"log.flush.scheduler.interval.ms", "3000"}})->log_flush_interval_ms, 3000);
  EXPECT_EQ(Parse({{"log.flush.scheduler.interval.ms", "3000"}, {"log.flush.interval.ms", "10"}})
                ->log_flush_interval_ms,
            10);
}

TEST(BrokerConfigTest, ZookeeperConnectionTimeoutDefaultsToSessionTimeout) {
  EXPECT_EQ(Parse({{"zookeeper.session.timeout.ms", "6000"}})->zookeeper_connection_timeout_ms,
            6000);
  EXPECT_EQ(
      Parse({{"zookeeper.session.timeout.ms", "6000"}, {"zookeeper.connection.timeout.ms", "100"}})
          ->zookeeper_connection_timeout_ms,
      100);
}

TEST(BrokerConfigTest, LogDirsBeatsLogDir) {
  EXPECT_EQ(Parse({{"log.dir", "/a"}})->log_dirs, std::vector<std::string>{"/a"});
  EXPECT_EQ(Parse({{"log.dir", "/a"}, {"log.dirs", " /b , /c,"}})->log_dirs,
            (std::vector<std::string>{"/b", "/c"}));
}

TEST(BrokerConfigTest, LogDirsMustBeNonEmptyAndDistinct) {
  EXPECT_EQ(ErrorOf({{"log.dirs", " , "}}),
            "Invalid value ' , ' for configuration log.dirs: at least one directory is required");
  EXPECT_EQ(ErrorOf({{"log.dirs", "/a,/a"}}),
            "Invalid value '/a,/a' for configuration log.dirs: duplicate directory /a");
}

TEST(BrokerConfigTest, InvalidValuesNameKeyAndValue) {
  EXPECT_EQ(ErrorOf({{"num.partitions", "abc"}}),
            "Invalid value 'abc' for configuration num.partitions: not a number");
  EXPECT_EQ(ErrorOf({{"num.partitions", "0"}}),
            "Invalid value '0' for configuration num.partitions: must be at least 1");
  EXPECT_EQ(ErrorOf({{"num.io.threads", "1.5"}}),
            "Invalid value '1.5' for configuration num.io.threads: not a number");
  EXPECT_EQ(ErrorOf({{"message.max.bytes", "99999999999"}}),
            "Invalid value '99999999999' for configuration message.max.bytes: out of range for "
            "type INT");
  EXPECT_EQ(ErrorOf({{"offsets.topic.replication.factor", "40000"}}),
            "Invalid value '40000' for configuration offsets.topic.replication.factor: out of "
            "range for type SHORT");
  EXPECT_EQ(ErrorOf({{"delete.topic.enable", "yes"}}),
            "Invalid value 'yes' for configuration delete.topic.enable: expected true or false");
  EXPECT_EQ(ErrorOf({{"log.message.timestamp.type", "createtime"}}),
            "Invalid value 'createtime' for configuration log.message.timestamp.type: expected "
            "one of [CreateTime,LogAppendTime]");
  EXPECT_EQ(ErrorOf({{"log.cleanup.policy", "delete,shred"}}),
            "Invalid value 'delete,shred' for configuration log.cleanup.policy: expected a list "
            "of [delete,compact]");
  EXPECT_EQ(ErrorOf({{"log.segment.bytes", "13"}}),
            "Invalid value '13' for configuration log.segment.bytes: must be at least 14");
  EXPECT_EQ(ErrorOf({{"log.cleaner.min.cleanable.ratio", "1.5"}}),
            "Invalid value '1.5' for configuration log.cleaner.min.cleanable.ratio: must be at "
            "most 1");
  EXPECT_EQ(ErrorOf({{"log.cleaner.backoff.ms", "-1"}}),
            "Invalid value '-1' for configuration log.cleaner.backoff.ms: must be at least 0");
  EXPECT_EQ(ErrorOf({{"log.cleaner.dedupe.buffer.size", "1000"}}),
            "Invalid value '1000' for configuration log.cleaner.dedupe.buffer.size: must be at "
            "least 1048576");
}

TEST(BrokerConfigTest, LogCleanerKeys) {
  Result<BrokerConfig> r = Parse({{"log.cleaner.enable", "false"},
                                  {"log.cleaner.backoff.ms", "200"},
                                  {"log.cleaner.dedupe.buffer.size", "2097152"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->log_cleaner_enable);
  EXPECT_EQ(r->log_cleaner_backoff_ms, 200);
  EXPECT_EQ(r->log_cleaner_dedupe_buffer_size, 2097152);
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_TRUE(r->ignored_keys.empty());
}

TEST(BrokerConfigTest, ValuesAreTrimmedAndBooleansIgnoreCase) {
  Result<BrokerConfig> r = Parse({{"num.partitions", "  3 "},
                                  {"auto.create.topics.enable", "FALSE"},
                                  {"log.cleanup.policy", "compact, delete"},
                                  {"broker.rack", " r1 "}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_partitions, 3);
  EXPECT_FALSE(r->auto_create_topics_enable);
  EXPECT_EQ(r->log_cleanup_policy, (std::vector<std::string>{"compact", "delete"}));
  EXPECT_EQ(r->broker_rack, "r1");
  EXPECT_FALSE(Parse({{"broker.rack", " "}})->broker_rack.has_value());
}

TEST(BrokerConfigTest, BrokerIdRange) {
  EXPECT_EQ(Parse({{"broker.id", "0"}})->broker_id, BrokerId(0));
  EXPECT_EQ(Parse({{"broker.id", "1000"}})->broker_id, BrokerId(1000));
  EXPECT_EQ(ErrorOf({{"broker.id", "1001"}}),
            "Invalid value '1001' for configuration broker.id: must be from -1 to "
            "reserved.broker.max.id (1000)");
  EXPECT_EQ(Parse({{"broker.id", "1001"}, {"reserved.broker.max.id", "2000"}})->broker_id,
            BrokerId(1001));
  EXPECT_EQ(Parse({{"broker.id", "5000"}, {"broker.id.generation.enable", "false"}})->broker_id,
            BrokerId(5000));
  EXPECT_NE(ErrorOf({{"broker.id", "-1"}, {"broker.id.generation.enable", "false"}}).find("'-1'"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"broker.id", "-2"}}).find("'-2'"), std::string::npos);
}

TEST(BrokerConfigTest, UnknownKeyIsWarnedAboutByName) {
  Result<BrokerConfig> r = Parse({{"log.retention.hourz", "1"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("'log.retention.hourz'"), std::string::npos);
}

TEST(BrokerConfigTest, OtherKafkaKeysAreAcceptedWithoutWarning) {
  Result<BrokerConfig> r = Parse({{"ssl.keystore.location", "/k.jks"},
                                  {"transaction.state.log.replication.factor", "1"},
                                  {"transaction.state.log.min.isr", "1"},
                                  {"listener.name.client.ssl.keystore.location", "/c.jks"},
                                  {"log.cleaner.threads", "1"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->ignored_keys.size(), 5u);
}

TEST(BrokerConfigTest, OriginalsKeepEveryKeyAsGiven) {
  Result<BrokerConfig> r = Parse({{"log.retention.hours", " 24"}, {"made.up", "x"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->originals.at("log.retention.hours"), " 24");
  EXPECT_EQ(r->originals.at("made.up"), "x");
  EXPECT_EQ(r->originals.count("num.partitions"), 0u);
}

// ---- listeners ------------------------------------------------------------------------

TEST(BrokerConfigTest, DefaultListenerIsPlaintext9092AdvertisedUnderTheCanonicalHostName) {
  Result<BrokerConfig> r = Parse({});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->listeners.size(), 1u);
  EXPECT_EQ(r->listeners[0].ConnectionString(), "PLAINTEXT://:9092");
  EXPECT_EQ(r->listeners[0].security_protocol, SecurityProtocol::kPlaintext);
  ASSERT_EQ(r->advertised_listeners.size(), 1u);
  EXPECT_EQ(r->advertised_listeners[0].ConnectionString(), "PLAINTEXT://broker0.example.com:9092");
  EXPECT_EQ(r->inter_broker_listener_name, "PLAINTEXT");
}

TEST(BrokerConfigTest, ExplicitHostIsAdvertisedAsIs) {
  Result<BrokerConfig> r = Parse({{"listeners", "PLAINTEXT://127.0.0.1:9093"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->advertised_listeners[0].ConnectionString(), "PLAINTEXT://127.0.0.1:9093");
}

TEST(BrokerConfigTest, WildcardListenerNeedsExplicitAdvertisedListeners) {
  std::string error = ErrorOf({{"listeners", "PLAINTEXT://0.0.0.0:9092"}});
  EXPECT_NE(error.find("advertised.listeners"), std::string::npos) << error;
  EXPECT_NE(error.find("PLAINTEXT://0.0.0.0:9092"), std::string::npos) << error;
  Result<BrokerConfig> r = Parse({{"listeners", "PLAINTEXT://0.0.0.0:9092"},
                                  {"advertised.listeners", "PLAINTEXT://kafka-0.svc:9092"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->listeners[0].host, "0.0.0.0");
  EXPECT_EQ(r->advertised_listeners[0].host, "kafka-0.svc");
}

TEST(BrokerConfigTest, AdvertisedZeroAddressIsRejected) {
  EXPECT_NE(ErrorOf({{"advertised.listeners", "PLAINTEXT://0.0.0.0:9092"}})
                .find("Invalid value 'PLAINTEXT://0.0.0.0:9092' for configuration "
                      "advertised.listeners"),
            std::string::npos);
}

TEST(BrokerConfigTest, NamedListenersMapThroughTheProtocolMap) {
  Result<BrokerConfig> r =
      Parse({{"listeners", "client://:9092,REPLICATION://:9093"},
             {"listener.security.protocol.map", "CLIENT:SASL_SSL, replication:PLAINTEXT"},
             {"inter.broker.listener.name", "replication"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->listeners.size(), 2u);
  EXPECT_EQ(r->listeners[0].listener_name, "CLIENT");
  EXPECT_EQ(r->listeners[0].security_protocol, SecurityProtocol::kSaslSsl);
  EXPECT_EQ(r->listeners[1].security_protocol, SecurityProtocol::kPlaintext);
  EXPECT_EQ(r->inter_broker_listener_name, "REPLICATION");
}

TEST(BrokerConfigTest, ListenerWithoutProtocolIsRejected) {
  EXPECT_EQ(ErrorOf({{"listeners", "CLIENT://:9092"}}),
            "Invalid value 'CLIENT://:9092' for configuration listeners: no security protocol is "
            "defined for listener CLIENT (add it to listener.security.protocol.map)");
}

TEST(BrokerConfigTest, UnknownSecurityProtocolInMapIsRejected) {
  std::string error = ErrorOf({{"listener.security.protocol.map", "CLIENT:TLS"}});
  EXPECT_NE(error.find("'CLIENT:TLS'"), std::string::npos);
  EXPECT_NE(error.find("listener.security.protocol.map"), std::string::npos);
  EXPECT_NE(error.find("unknown security protocol 'TLS'"), std::string::npos);
}

TEST(BrokerConfigTest, DuplicateListenerPortsAreRejectedExceptEphemeral) {
  EXPECT_NE(ErrorOf({{"listeners", "PLAINTEXT://:9092,SSL://:9092"}}).find("9092 is used twice"),
            std::string::npos);
  EXPECT_TRUE(Parse({{"listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0"}}).ok());
}

TEST(BrokerConfigTest, AdvertisedNamesMustBeListenerNames) {
  EXPECT_NE(ErrorOf({{"advertised.listeners", "SSL://h:9093"}})
                .find("listener SSL is not defined in listeners"),
            std::string::npos);
}

TEST(BrokerConfigTest, InterBrokerListenerMustBeAdvertised) {
  EXPECT_EQ(ErrorOf({{"inter.broker.listener.name", "SSL"}}),
            "Invalid value 'SSL' for configuration inter.broker.listener.name: must name a "
            "listener in advertised.listeners (one of [PLAINTEXT])");
  Result<BrokerConfig> r = Parse(
      {{"listeners", "PLAINTEXT://:9092,SSL://:9093"}, {"security.inter.broker.protocol", "SSL"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inter_broker_listener_name, "SSL");
  EXPECT_FALSE(Parse({{"inter.broker.listener.name", "PLAINTEXT"},
                      {"security.inter.broker.protocol", "PLAINTEXT"}})
                   .ok());
}

TEST(BrokerConfigTest, DeprecatedHostNameAndPortBuildTheDefaultListener) {
  Result<BrokerConfig> r = Parse({{"host.name", "10.0.0.1"}, {"port", "9099"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->listeners[0].ConnectionString(), "PLAINTEXT://10.0.0.1:9099");
  Result<BrokerConfig> advertised = Parse({{"port", "9099"}, {"advertised.host.name", "ext"}});
  ASSERT_TRUE(advertised.ok()) << advertised.status().ToString();
  EXPECT_EQ(advertised->advertised_listeners[0].ConnectionString(), "PLAINTEXT://ext:9099");
  // listeners wins over the deprecated keys.
  EXPECT_EQ(Parse({{"port", "9099"}, {"listeners", "PLAINTEXT://:1"}})->listeners[0].port, 1);
}

TEST(BrokerConfigTest, AdminListener) {
  EXPECT_EQ(Parse({{"sluice.admin.listener", "127.0.0.1:0"}})->admin_listener,
            (HostPort{"127.0.0.1", 0}));
  EXPECT_FALSE(Parse({{"sluice.admin.listener", ""}})->admin_listener.has_value());
  EXPECT_EQ(ErrorOf({{"sluice.admin.listener", "localhost"}}),
            "Invalid value 'localhost' for configuration sluice.admin.listener: missing ':port' "
            "(expected host:port)");
  EXPECT_NE(ErrorOf({{"sluice.admin.listener", ":70000"}}).find("port must be a number"),
            std::string::npos);
}

// ---- files and overrides ----------------------------------------------------------------

class LoadBrokerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-server-" + std::to_string(::getpid()) + ".properties");
    std::ofstream out(path_);
    out << "# comment\n"
           "broker.id=3\n"
           "zookeeper.connect=localhost:2181\n"
           "num.partitions=2\n"
           "log.dirs=/data/a\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(LoadBrokerConfigTest, FileThenOverridesLaterWins) {
  Result<BrokerConfig> r = LoadBrokerConfig(
      path_.string(), {"num.partitions=4", "num.partitions=5", "log.dirs=/x,/y"}, TestOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->broker_id, BrokerId(3));
  EXPECT_EQ(r->num_partitions, 5);
  EXPECT_EQ(r->log_dirs, (std::vector<std::string>{"/x", "/y"}));
  EXPECT_EQ(r->originals.at("num.partitions"), "5");
}

TEST_F(LoadBrokerConfigTest, InvalidOverrideValueNamesKeyAndValue) {
  Result<BrokerConfig> r = LoadBrokerConfig(path_.string(), {"num.io.threads=many"}, TestOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Invalid value 'many' for configuration num.io.threads: not a number");
}

TEST_F(LoadBrokerConfigTest, MalformedOverrideAndMissingFile) {
  EXPECT_EQ(LoadBrokerConfig(path_.string(), {"num.partitions"}).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(LoadBrokerConfig("/no/such/server.properties", {}).status().code(),
            Status::Code::kNotFound);
}

TEST(ShippedConfigTest, ServerPropertiesParsesWithoutWarnings) {
  Result<BrokerConfig> r =
      LoadBrokerConfig(SLUICE_SHIPPED_CONFIG_DIR "/server.properties", {}, TestOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->warnings.empty()) << r->warnings[0];
  EXPECT_EQ(r->broker_id, BrokerId(0));
  EXPECT_EQ(r->log_dirs, std::vector<std::string>{"/tmp/kafka-logs"});
  EXPECT_EQ(r->zookeeper_connect, "localhost:2181");
  EXPECT_EQ(r->offsets_topic_replication_factor, 1);
  EXPECT_EQ(r->group_initial_rebalance_delay_ms, 0);
  EXPECT_EQ(r->log_retention_ms, 604800000);
  EXPECT_EQ(r->zookeeper_connection_timeout_ms, 18000);
}

}  // namespace
}  // namespace sluice::config

#include "broker/config/topic_config.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice::config {
namespace {

BrokerConfig Broker(std::map<std::string, std::string> props = {}) {
  props.emplace("zookeeper.connect", "localhost:2181");
  ParseOptions options;
  options.canonical_host_name = [] { return "h"; };
  Result<BrokerConfig> r = ParseBrokerConfig(props, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

TEST(TopicConfigSpecTest, TheKafka28TopicKeysSortedWithTypes) {
  std::vector<std::string> names;
  for (const auto& spec : TopicConfigSpecs()) names.emplace_back(spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{"cleanup.policy",
                                             "compression.type",
                                             "delete.retention.ms",
                                             "file.delete.delay.ms",
                                             "flush.messages",
                                             "flush.ms",
                                             "follower.replication.throttled.replicas",
                                             "index.interval.bytes",
                                             "leader.replication.throttled.replicas",
                                             "max.compaction.lag.ms",
                                             "max.message.bytes",
                                             "message.downconversion.enable",
                                             "message.format.version",
                                             "message.timestamp.difference.max.ms",
                                             "message.timestamp.type",
                                             "min.cleanable.dirty.ratio",
                                             "min.compaction.lag.ms",
                                             "min.insync.replicas",
                                             "preallocate",
                                             "retention.bytes",
                                             "retention.ms",
                                             "segment.bytes",
                                             "segment.index.bytes",
                                             "segment.jitter.ms",
                                             "segment.ms",
                                             "unclean.leader.election.enable"}));
  EXPECT_EQ(FindTopicConfigSpec("cleanup.policy")->type, ConfigType::kList);
  EXPECT_EQ(FindTopicConfigSpec("segment.bytes")->type, ConfigType::kInt);
  EXPECT_EQ(FindTopicConfigSpec("retention.ms")->type, ConfigType::kLong);
  EXPECT_EQ(FindTopicConfigSpec("preallocate")->type, ConfigType::kBoolean);
  EXPECT_EQ(FindTopicConfigSpec("min.cleanable.dirty.ratio")->type, ConfigType::kDouble);
  EXPECT_EQ(FindTopicConfigSpec("compression.type")->type, ConfigType::kString);
  EXPECT_EQ(FindTopicConfigSpec("retention.ms")->broker_synonyms.front(), "log.retention.ms");
  EXPECT_EQ(FindTopicConfigSpec("no.such.key"), nullptr);
  EXPECT_EQ(static_cast<int>(ConfigType::kPassword), 9);
  EXPECT_EQ(static_cast<int>(ConfigSource::kDefaultConfig), 5);
  EXPECT_EQ(static_cast<int>(ConfigSource::kStaticBrokerConfig), 4);
  EXPECT_EQ(static_cast<int>(ConfigSource::kDynamicTopicConfig), 1);
  for (const auto& spec : TopicConfigSpecs()) EXPECT_FALSE(spec.documentation.empty()) << spec.name;
}

TEST(TopicConfigValidateTest, UnknownKeyIsNamed) {
  Status s = ValidateTopicConfig("retention.hours", "1");
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "Unknown topic config name: retention.hours");
}

TEST(TopicConfigValidateTest, AcceptsValidValues) {
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"cleanup.policy", "compact"},
           {"cleanup.policy", "compact,delete"},
           {"compression.type", "zstd"},
           {"retention.ms", "-1"},
           {"retention.ms", "0"},
           {"retention.bytes", "-5"},
           {"segment.bytes", "14"},
           {"min.cleanable.dirty.ratio", "1"},
           {"message.timestamp.type", "LogAppendTime"},
           {"message.format.version", "2.8-IV1"},
           {"message.format.version", "0.10.2"},
           {"message.format.version", "0.10.2-IV0"},
           {"message.format.version", "2.8.1"},
           {"message.format.version", "1.0"},
           {"leader.replication.throttled.replicas", "*"},
           {"follower.replication.throttled.replicas", "0:101, 1:102"},
           {"follower.replication.throttled.replicas", ""},
           {"unclean.leader.election.enable", "TRUE"},
       }) {
    EXPECT_TRUE(ValidateTopicConfig(k, v).ok()) << k << "=" << v;
  }
}

TEST(TopicConfigValidateTest, RejectsInvalidValuesNamingKeyAndValue) {
  EXPECT_EQ(ValidateTopicConfig("retention.ms", "-2").message(),
            "Invalid value '-2' for configuration retention.ms: must be at least -1");
  EXPECT_EQ(ValidateTopicConfig("segment.bytes", "13").message(),
            "Invalid value '13' for configuration segment.bytes: must be at least 14");
  EXPECT_EQ(ValidateTopicConfig("segment.ms", "0").message(),
            "Invalid value '0' for configuration segment.ms: must be at least 1");
  EXPECT_EQ(ValidateTopicConfig("cleanup.policy", "keep").message(),
            "Invalid value 'keep' for configuration cleanup.policy: expected a list of "
            "[compact,delete]");
  EXPECT_EQ(ValidateTopicConfig("compression.type", "brotli").message(),
            "Invalid value 'brotli' for configuration compression.type: expected one of "
            "[uncompressed,zstd,lz4,snappy,gzip,producer]");
  EXPECT_FALSE(ValidateTopicConfig("min.insync.replicas", "0").ok());
  EXPECT_FALSE(ValidateTopicConfig("max.message.bytes", "big").ok());
  EXPECT_FALSE(ValidateTopicConfig("min.cleanable.dirty.ratio", "1.01").ok());
  EXPECT_FALSE(ValidateTopicConfig("preallocate", "yes").ok());
  EXPECT_FALSE(ValidateTopicConfig("message.format.version", "3.0").ok());
  EXPECT_FALSE(ValidateTopicConfig("message.format.version", "2.8-XX1").ok());
  EXPECT_FALSE(ValidateTopicConfig("message.format.version", "0.10").ok());
  EXPECT_FALSE(ValidateTopicConfig("message.format.version", "2.8.1.1").ok());
  EXPECT_FALSE(ValidateTopicConfig("message.format.version", "").ok());
  EXPECT_FALSE(ValidateTopicConfig("leader.replication.throttled.replicas", "0-101").ok());
  EXPECT_FALSE(ValidateTopicConfig("max.compaction.lag.ms", "0").ok());
}

TEST(TopicConfigValidateTest, MinCompactionLagMayNotExceedMax) {
  EXPECT_TRUE(
      ValidateTopicConfigs({{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "10"}})
          .ok());
  Status s =
      ValidateTopicConfigs({{"min.compaction.lag.ms", "11"}, {"max.compaction.lag.ms", "10"}});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("min.compaction.lag.ms (11) > max.compaction.lag.ms (10)"),
            std::string::npos);
  EXPECT_FALSE(
      ValidateTopicConfigs({{"max.compaction.lag.ms", "10"}, {"min.compaction.lag.ms", "20"}})
          .ok());
  EXPECT_FALSE(ValidateTopicConfigs({{"bogus", "1"}}).ok());
}

TEST(TopicConfigResolveTest, NothingSetMeansKafkaDefaults) {
  auto r = ResolveTopicConfig(Broker(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries.size(), TopicConfigSpecs().size());
  auto expect = [&](const char* name, const char* value) {
    const ResolvedTopicConfigEntry* e = r->Find(name);
    ASSERT_NE(e, nullptr) << name;
    EXPECT_EQ(e->value, value) << name;
    EXPECT_EQ(e->source, ConfigSource::kDefaultConfig) << name;
  };
  expect("cleanup.policy", "delete");
  expect("compression.type", "producer");
  expect("delete.retention.ms", "86400000");
  expect("file.delete.delay.ms", "60000");
  expect("flush.messages", "9223372036854775807");
  expect("flush.ms", "9223372036854775807");
  expect("follower.replication.throttled.replicas", "");
  expect("index.interval.bytes", "4096");
  expect("max.compaction.lag.ms", "9223372036854775807");
  expect("max.message.bytes", "1048588");
  expect("message.downconversion.enable", "true");
  expect("message.format.version", "2.8-IV1");
  expect("message.timestamp.difference.max.ms", "9223372036854775807");
  expect("message.timestamp.type", "CreateTime");
  expect("min.cleanable.dirty.ratio", "0.5");
  expect("min.compaction.lag.ms", "0");
  expect("min.insync.replicas", "1");
  expect("preallocate", "false");
  expect("retention.bytes", "-1");
  expect("retention.ms", "604800000");
  expect("segment.bytes", "1073741824");
  expect("segment.index.bytes", "10485760");
  expect("segment.jitter.ms", "0");
  expect("segment.ms", "604800000");
  expect("unclean.leader.election.enable", "false");
  const auto* retention = r->Find("retention.ms");
  ASSERT_EQ(retention->synonyms.size(), 1u);
  EXPECT_EQ(retention->synonyms[0].name, "log.retention.ms");
  EXPECT_EQ(retention->synonyms[0].source, ConfigSource::kDefaultConfig);
}

TEST(TopicConfigResolveTest, BrokerFileSettingIsStaticBrokerConfigWithResolvedValue) {
  auto r = ResolveTopicConfig(Broker({{"log.retention.hours", "1"}, {"num.partitions", "3"}}), {});
  ASSERT_TRUE(r.ok());
  const auto* e = r->Find("retention.ms");
  EXPECT_EQ(e->value, "3600000");
  EXPECT_EQ(e->source, ConfigSource::kStaticBrokerConfig);
  ASSERT_EQ(e->synonyms.size(), 2u);
  EXPECT_EQ(e->synonyms[0].name, "log.retention.hours");
  EXPECT_EQ(e->synonyms[0].value, "1");
  EXPECT_EQ(e->synonyms[0].source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(e->synonyms[1].source, ConfigSource::kDefaultConfig);
  EXPECT_EQ(e->synonyms[1].value, "604800000");
  // Setting a broker key to its default value still counts as set.
  auto same = ResolveTopicConfig(Broker({{"log.segment.bytes", "1073741824"}}), {});
  EXPECT_EQ(same->Find("segment.bytes")->source, ConfigSource::kStaticBrokerConfig);
}

TEST(TopicConfigResolveTest, TopicOverrideWinsAndIsCanonical) {
  auto r = ResolveTopicConfig(Broker({{"log.retention.hours", "1"}}),
                              {{"retention.ms", " +1000 "},
                               {"cleanup.policy", "compact, delete"},
                               {"min.cleanable.dirty.ratio", "1"},
                               {"preallocate", "TRUE"},
                               {"unknown.key", "ignored"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto* e = r->Find("retention.ms");
  EXPECT_EQ(e->value, "1000");
  EXPECT_EQ(e->source, ConfigSource::kDynamicTopicConfig);
  ASSERT_EQ(e->synonyms.size(), 3u);
  EXPECT_EQ(e->synonyms[0].name, "retention.ms");
  EXPECT_EQ(e->synonyms[1].name, "log.retention.hours");
  EXPECT_EQ(e->synonyms[2].name, "log.retention.ms");
  EXPECT_EQ(r->Find("cleanup.policy")->value, "compact,delete");
  EXPECT_EQ(r->Find("min.cleanable.dirty.ratio")->value, "1.0");
  EXPECT_EQ(r->Find("preallocate")->value, "true");
  EXPECT_EQ(r->Find("unknown.key"), nullptr);
  EXPECT_EQ(r->Find("segment.ms")->source, ConfigSource::kDefaultConfig);
}

TEST(TopicConfigResolveTest, InvalidOverrideFailsNamingKeyAndValue) {
  auto r = ResolveTopicConfig(Broker(), {{"segment.bytes", "tiny"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Invalid value 'tiny' for configuration segment.bytes: not a number");
}

TEST(TopicLogSettingsTest, DefaultsFromBrokerThenOverrides) {
  BrokerConfig broker = Broker({{"log.segment.bytes", "1048576"},
                                {"log.roll.hours", "1"},
                                {"log.retention.bytes", "5000"},
                                {"log.message.timestamp.type", "LogAppendTime"},
                                {"log.flush.interval.messages", "10"}});
  auto s = ResolveTopicLogSettings(broker, {{"retention.ms", "-1"},
                                            {"cleanup.policy", "compact"},
                                            {"segment.index.bytes", "4096"},
                                            {"flush.ms", "100"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->segment_bytes, 1048576);
  EXPECT_EQ(s->segment_ms, 3600000);
  EXPECT_EQ(s->segment_jitter_ms, 0);
  EXPECT_EQ(s->segment_index_bytes, 4096);
  EXPECT_EQ(s->retention_ms, kUnlimited);
  EXPECT_EQ(s->retention_bytes, 5000);
  EXPECT_EQ(s->index_interval_bytes, 4096);
  EXPECT_EQ(s->max_message_bytes, 1048588);
  EXPECT_EQ(s->timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_EQ(s->file_delete_delay_ms, 60000);
  EXPECT_EQ(s->flush_messages, 10);
  EXPECT_EQ(s->flush_ms, 100);
  EXPECT_TRUE(s->cleanup_compact);
  EXPECT_FALSE(s->cleanup_delete);
  EXPECT_EQ(s->min_insync_replicas, 1);
  EXPECT_EQ(s->compression_type, "producer");
  EXPECT_DOUBLE_EQ(s->min_cleanable_dirty_ratio, 0.5);
}

TEST(TopicConfigValidateTest, MinInsyncReplicasMayNotExceedTheReplicationFactor) {
  EXPECT_TRUE(ValidateMinInsyncReplicas({}, 1).ok());  // no override: the broker default applies
  EXPECT_TRUE(ValidateMinInsyncReplicas({{"min.insync.replicas", "2"}}, 3).ok());
  EXPECT_TRUE(ValidateMinInsyncReplicas({{"min.insync.replicas", "3"}}, 3).ok());
  Status st = ValidateMinInsyncReplicas({{"min.insync.replicas", "4"}}, 3);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("min.insync.replicas=4"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("replication factor 3"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace sluice::config

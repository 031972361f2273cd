#include "broker/config/topic_config.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "broker/config/config_values.h"

namespace sluice::config {

namespace {

// ---- validators (Kafka 2.8 LogConfig's) -------------------------------------------------

template <int32_t kMin>
Status IntAtLeast(const std::string& key, const std::string& value) {
  return ParseInt32(key, value, AtLeast<int32_t>(kMin)).status();
}

template <int64_t kMin>
Status LongAtLeast(const std::string& key, const std::string& value) {
  return ParseInt64(key, value, AtLeast<int64_t>(kMin)).status();
}

Status AnyLong(const std::string& key, const std::string& value) {
  return ParseInt64(key, value).status();
}

Status Boolean(const std::string& key, const std::string& value) {
  return ParseBool(key, value).status();
}

Status Ratio(const std::string& key, const std::string& value) {
  return ParseDouble(key, value, Between<double>(0, 1)).status();
}

Status CleanupPolicy(const std::string& key, const std::string& value) {
  for (const std::string& policy : SplitList(value)) {
    if (policy != "delete" && policy != "compact") {
      return InvalidValue(key, value, "expected a list of [compact,delete]");
    }
  }
  return Status::Ok();
}

Status CompressionType(const std::string& key, const std::string& value) {
  return ParseEnum(key, value, {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"})
      .status();
}

Status TimestampTypeValue(const std::string& key, const std::string& value) {
  return ParseEnum(key, value, {"CreateTime", "LogAppendTime"}).status();
}

bool AllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Kafka's ApiVersion strings from 0.8.0 to 2.8: "2.8", "2.8-IV1", "0.10.2", "0.10.2-IV0",
// "2.8.1" (a patch number is ignored). (Hand-written: std::regex trips g++ 12's
// maybe-uninitialized warning under the sanitizers.)
Status MessageFormatVersion(const std::string& key, const std::string& value) {
  static const std::set<std::string> kReleases = {
      "0.8.0", "0.8.1", "0.8.2", "0.9.0", "0.10.0", "0.10.1", "0.10.2", "0.11.0", "1.0", "1.1",
      "2.0",   "2.1",   "2.2",   "2.3",   "2.4",    "2.5",    "2.6",    "2.7",    "2.8"};
  std::string text = Trim(value);
  size_t dash = text.find('-');
  if (dash != std::string::npos) {
    std::string suffix = text.substr(dash + 1);
    if (suffix.rfind("IV", 0) != 0 || !AllDigits(suffix.substr(2))) {
      return InvalidValue(key, value, "not a message format version from 0.8.0 to 2.8");
    }
    text = text.substr(0, dash);
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  size_t release_parts = !parts.empty() && parts[0] == "0" ? 3 : 2;
  bool ok = parts.size() == release_parts || parts.size() == release_parts + 1;
  std::string release;
  for (size_t i = 0; ok && i < parts.size(); ++i) {
    ok = AllDigits(parts[i]);
    if (i < release_parts) release += (i ? "." : "") + parts[i];
  }
  if (!ok || kReleases.count(release) == 0) {
    return InvalidValue(key, value, "not a message format version from 0.8.0 to 2.8");
  }
  return Status::Ok();
}

// "*" or a list of partition:broker pairs ("0:101,1:102").
Status ThrottledReplicas(const std::string& key, const std::string& value) {
  if (Trim(value) == "*") return Status::Ok();
  for (const std::string& entry : SplitList(value)) {
    size_t colon = entry.find(':');
    if (colon == std::string::npos || !AllDigits(entry.substr(0, colon)) ||
        !AllDigits(entry.substr(colon + 1))) {
      return InvalidValue(key, value,
                          "expected '*' or a list of partitionId:brokerId, e.g. 0:101,1:102");
    }
  }
  return Status::Ok();
}

// ---- rendering, as Kafka's DescribeConfigs shows values ------------------------------

std::string Long(int64_t v) { return std::to_string(v); }
std::string Bool(bool v) { return v ? "true" : "false"; }

// Java's Double.toString for the values that occur here: "0.5", "1.0".
std::string Double(double v) {
  char buf[64] = {};
  // Shortest form that round-trips.
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// Parses a validated value and renders it canonically ("+5" -> "5", "Compact, delete" stays
// a list joined without spaces).
std::string Canonical(ConfigType type, const std::string& key, const std::string& value) {
  switch (type) {
    case ConfigType::kInt:
    case ConfigType::kShort:
    case ConfigType::kLong:
      return Long(*ParseInt64(key, value));
    case ConfigType::kBoolean:
      return Bool(*ParseBool(key, value));
    case ConfigType::kDouble:
      return Double(*ParseDouble(key, value));
    case ConfigType::kList:
      return JoinList(SplitList(value));
    default:
      return Trim(value);
  }
}

// ---- the table -------------------------------------------------------------------------

using B = const BrokerConfig&;

std::vector<TopicConfigSpec> BuildSpecs() {
  using T = ConfigType;
  // clang-format off
  std::vector<TopicConfigSpec> specs = {
      {"cleanup.policy", T::kList, {"log.cleanup.policy"},
       "What happens to old segments: 'delete' them past retention, 'compact' to the last "
       "value per key, or both.",
       &CleanupPolicy, [](B b) { return JoinList(b.log_cleanup_policy); }},
      {"compression.type", T::kString, {"compression.type"},
       "Codec for stored batches; 'producer' keeps whatever codec the producer used.",
       &CompressionType, [](B b) { return b.compression_type; }},
      {"delete.retention.ms", T::kLong, {"log.cleaner.delete.retention.ms"},
       "How long tombstones stay in a compacted topic, so readers can see the deletion.",
       &LongAtLeast<0>, [](B b) { return Long(b.log_cleaner_delete_retention_ms); }},
      {"file.delete.delay.ms", T::kLong, {"log.segment.delete.delay.ms"},
       "Delay between marking a segment deleted (.deleted) and removing its files.",
       &LongAtLeast<0>, [](B b) { return Long(b.log_segment_delete_delay_ms); }},
      {"flush.messages", T::kLong, {"log.flush.interval.messages"},
       "Force an fsync after this many messages; by default the OS decides.", &LongAtLeast<0>,
       [](B b) { return Long(b.log_flush_interval_messages); }},
      {"flush.ms", T::kLong, {"log.flush.interval.ms", "log.flush.scheduler.interval.ms"},
       "Force an fsync when data is older than this; by default the OS decides.",
       &LongAtLeast<0>, [](B b) { return Long(b.log_flush_interval_ms); }},
      {"follower.replication.throttled.replicas", T::kList, {},
       "Replicas (partition:broker, or *) whose follower-side replication is throttled.",
       &ThrottledReplicas, [](B) { return std::string(); }},
      {"index.interval.bytes", T::kInt, {"log.index.interval.bytes"},
       "Bytes of log between two offset-index entries.", &IntAtLeast<0>,
       [](B b) { return Long(b.log_index_interval_bytes); }},
      {"leader.replication.throttled.replicas", T::kList, {},
       "Replicas (partition:broker, or *) whose leader-side replication is throttled.",
       &ThrottledReplicas, [](B) { return std::string(); }},
      {"max.compaction.lag.ms", T::kLong, {"log.cleaner.max.compaction.lag.ms"},
       "Longest a message may stay uncompacted in a compacted topic.", &LongAtLeast<1>,
       [](B b) { return Long(b.log_cleaner_max_compaction_lag_ms); }},
      {"max.message.bytes", T::kInt, {"message.max.bytes"},
       "Largest record batch (after compression) the topic accepts.", &IntAtLeast<0>,
       [](B b) { return Long(b.message_max_bytes); }},
      {"message.downconversion.enable", T::kBoolean, {"log.message.downconversion.enable"},
       "Whether fetches from old clients may be answered by converting record formats.",
       &Boolean, [](B b) { return Bool(b.log_message_downconversion_enable); }},
      {"message.format.version", T::kString, {"log.message.format.version"},
       "Record format version the broker writes, named by the Kafka release that introduced it.",
       &MessageFormatVersion, [](B b) { return b.log_message_format_version; }},
      {"message.timestamp.difference.max.ms", T::kLong,
       {"log.message.timestamp.difference.max.ms"},
       "Largest allowed gap between a CreateTime timestamp and the broker's clock.",
       &LongAtLeast<0>, [](B b) { return Long(b.log_message_timestamp_difference_max_ms); }},
      {"message.timestamp.type", T::kString, {"log.message.timestamp.type"},
       "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock.",
       &TimestampTypeValue,
       [](B b) { return std::string(TimestampTypeName(b.log_message_timestamp_type)); }},
      {"min.cleanable.dirty.ratio", T::kDouble, {"log.cleaner.min.cleanable.ratio"},
       "Share of uncompacted log above which the cleaner compacts a partition.", &Ratio,
       [](B b) { return Double(b.log_cleaner_min_cleanable_ratio); }},
      {"min.compaction.lag.ms", T::kLong, {"log.cleaner.min.compaction.lag.ms"},
       "Shortest time a message stays uncompacted in a compacted topic.", &LongAtLeast<0>,
       [](B b) { return Long(b.log_cleaner_min_compaction_lag_ms); }},
      {"min.insync.replicas", T::kInt, {"min.insync.replicas"},
       "In-sync replicas needed for an acks=all produce to succeed.", &IntAtLeast<1>,
       [](B b) { return Long(b.min_insync_replicas); }},
      {"preallocate", T::kBoolean, {"log.preallocate"},
       "Whether new segment files are allocated at full size up front.", &Boolean,
       [](B b) { return Bool(b.log_preallocate); }},
      {"retention.bytes", T::kLong, {"log.retention.bytes"},
       "Size per partition above which old segments are deleted; -1 means no limit.", &AnyLong,
       [](B b) { return Long(b.log_retention_bytes); }},
      {"retention.ms", T::kLong,
       {"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
       "Age after which old segments are deleted; -1 means keep forever.", &LongAtLeast<-1>,
       [](B b) { return Long(b.log_retention_ms); }},
      // 14 bytes: the smallest legacy record (RECORD_OVERHEAD_V0); Kafka's lower bound.
      {"segment.bytes", T::kInt, {"log.segment.bytes"},
       "Size at which the active segment is rolled.", &IntAtLeast<14>,
       [](B b) { return Long(b.log_segment_bytes); }},
      {"segment.index.bytes", T::kInt, {"log.index.size.max.bytes"},
       "Maximum size of a segment's offset and time index files.", &IntAtLeast<0>,
       [](B b) { return Long(b.log_index_size_max_bytes); }},
      {"segment.jitter.ms", T::kLong, {"log.roll.jitter.ms", "log.roll.jitter.hours"},
       "Random reduction of segment.ms, so partitions do not all roll at once.",
       &LongAtLeast<0>, [](B b) { return Long(b.log_roll_jitter_ms); }},
      {"segment.ms", T::kLong, {"log.roll.ms", "log.roll.hours"},
       "Age at which the active segment is rolled even if not full.", &LongAtLeast<1>,
       [](B b) { return Long(b.log_roll_ms); }},
      {"unclean.leader.election.enable", T::kBoolean, {"unclean.leader.election.enable"},
       "Whether an out-of-sync replica may become leader, trading lost data for availability.",
       &Boolean, [](B b) { return Bool(b.unclean_leader_election_enable); }},
  };
  // clang-format on
  return specs;
}

}  // namespace

const std::vector<TopicConfigSpec>& TopicConfigSpecs() {
  static const auto* specs = new std::vector<TopicConfigSpec>(BuildSpecs());
  return *specs;
}

const TopicConfigSpec* FindTopicConfigSpec(std::string_view name) {
  const auto& specs = TopicConfigSpecs();
  auto it =
      std::lower_bound(specs.begin(), specs.end(), name,
                       [](const TopicConfigSpec& s, std::string_view n) { return s.name < n; });
  return it != specs.end() && it->name == name ? &*it : nullptr;
}

Status ValidateTopicConfig(const std::string& key, const std::string& value) {
  const TopicConfigSpec* spec = FindTopicConfigSpec(key);
  if (spec == nullptr) return Status::InvalidArgument("Unknown topic config name: " + key);
  return spec->validate(key, value);
}

Status ValidateTopicConfigs(const std::map<std::string, std::string>& overrides) {
  for (const auto& [key, value] : overrides)
    SLUICE_RETURN_IF_ERROR(ValidateTopicConfig(key, value));
  // Kafka compares the two lags with its defaults filled in for the one not given.
  BrokerConfig defaults;
  auto lag = [&](const std::string& key, int64_t fallback) {
    auto it = overrides.find(key);
    return it == overrides.end() ? fallback : *ParseInt64(key, it->second);
  };
  int64_t min_lag = lag("min.compaction.lag.ms", defaults.log_cleaner_min_compaction_lag_ms);
  int64_t max_lag = lag("max.compaction.lag.ms", defaults.log_cleaner_max_compaction_lag_ms);
  if (min_lag > max_lag) {
    return Status::InvalidArgument("conflicting topic configs: min.compaction.lag.ms (" +
                                   std::to_string(min_lag) + ") > max.compaction.lag.ms (" +
                                   std::to_string(max_lag) + ")");
  }
  return Status::Ok();
}

Status ValidateMinInsyncReplicas(const std::map<std::string, std::string>& overrides,
                                 int32_t replication_factor) {
  auto it = overrides.find("min.insync.replicas");
  if (it == overrides.end()) return Status::Ok();
  auto min_isr = ParseInt64("min.insync.replicas", it->second);
  if (!min_isr.ok()) return min_isr.status();
  if (*min_isr > replication_factor) {
    return Status::InvalidArgument(
        "min.insync.replicas=" + std::to_string(*min_isr) + " is larger than the replication " +
        "factor " + std::to_string(replication_factor) +
        ": no acks=all write could ever succeed. Lower min.insync.replicas or raise the " +
        "replication factor.");
  }
  return Status::Ok();
}

const ResolvedTopicConfigEntry* ResolvedTopicConfig::Find(std::string_view name) const {
  for (const auto& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<ResolvedTopicConfig> ResolveTopicConfig(
    const BrokerConfig& broker, const std::map<std::string, std::string>& overrides) {
  static const BrokerConfig kDefaults;
  ResolvedTopicConfig resolved;
  for (const TopicConfigSpec& spec : TopicConfigSpecs()) {
    const std::string name(spec.name);
    ResolvedTopicConfigEntry entry;
    entry.name = name;
    entry.type = spec.type;
    entry.documentation = spec.documentation;

    auto override_it = overrides.find(name);
    if (override_it != overrides.end()) {
      SLUICE_RETURN_IF_ERROR(spec.validate(name, override_it->second));
      entry.synonyms.push_back({name, Canonical(spec.type, name, override_it->second),
                                ConfigSource::kDynamicTopicConfig});
    }
    for (std::string_view synonym : spec.broker_synonyms) {
      auto original = broker.originals.find(std::string(synonym));
      if (original != broker.originals.end()) {
        entry.synonyms.push_back(
            {std::string(synonym), Trim(original->second), ConfigSource::kStaticBrokerConfig});
      }
    }
    std::string default_name =
        spec.broker_synonyms.empty() ? name : std::string(spec.broker_synonyms.front());
    entry.synonyms.push_back(
        {default_name, spec.broker_value(kDefaults), ConfigSource::kDefaultConfig});

    entry.source = entry.synonyms.front().source;
    switch (entry.source) {
      case ConfigSource::kDynamicTopicConfig:
        entry.value = entry.synonyms.front().value;
        break;
      // The broker's resolved value, not the raw synonym: log.retention.hours=1 is 3600000.
      case ConfigSource::kStaticBrokerConfig:
        entry.value = spec.broker_value(broker);
        break;
      default:
        entry.value = entry.synonyms.back().value;
        break;
    }
    resolved.entries.push_back(std::move(entry));
  }
  return resolved;
}

Result<TopicLogSettings> ResolveTopicLogSettings(
    const BrokerConfig& broker, const std::map<std::string, std::string>& overrides) {
  Result<ResolvedTopicConfig> resolved = ResolveTopicConfig(broker, overrides);
  if (!resolved.ok()) return resolved.status();
  // Every value below was validated (or rendered by us) during resolution, so parses succeed.
  auto text = [&](const char* key) { return resolved->Find(key)->value; };
  auto i32 = [&](const char* key) { return *ParseInt32(key, text(key)); };
  auto i64 = [&](const char* key) { return *ParseInt64(key, text(key)); };
  auto boolean = [&](const char* key) { return *ParseBool(key, text(key)); };

  TopicLogSettings s;
  s.segment_bytes = i32("segment.bytes");
  s.segment_ms = i64("segment.ms");
  s.segment_jitter_ms = i64("segment.jitter.ms");
  s.segment_index_bytes = i32("segment.index.bytes");
  s.retention_ms = i64("retention.ms");
  s.retention_bytes = i64("retention.bytes");
  s.index_interval_bytes = i32("index.interval.bytes");
  s.max_message_bytes = i32("max.message.bytes");
  s.timestamp_type = text("message.timestamp.type") == "LogAppendTime"
                         ? TimestampType::kLogAppendTime
                         : TimestampType::kCreateTime;
  s.message_timestamp_difference_max_ms = i64("message.timestamp.difference.max.ms");
  s.file_delete_delay_ms = i64("file.delete.delay.ms");
  s.flush_messages = i64("flush.messages");
  s.flush_ms = i64("flush.ms");
  std::vector<std::string> policy = SplitList(text("cleanup.policy"));
  s.cleanup_delete = std::find(policy.begin(), policy.end(), "delete") != policy.end();
  s.cleanup_compact = std::find(policy.begin(), policy.end(), "compact") != policy.end();
  s.delete_retention_ms = i64("delete.retention.ms");
  s.min_compaction_lag_ms = i64("min.compaction.lag.ms");
  s.max_compaction_lag_ms = i64("max.compaction.lag.ms");
  s.min_cleanable_dirty_ratio =
      *ParseDouble("min.cleanable.dirty.ratio", text("min.cleanable.dirty.ratio"));
  s.min_insync_replicas = i32("min.insync.replicas");
  s.unclean_leader_election_enable = boolean("unclean.leader.election.enable");
  s.preallocate = boolean("preallocate");
  s.compression_type = text("compression.type");
  s.message_downconversion_enable = boolean("message.downconversion.enable");
  return s;
}

}  // namespace sluice::config

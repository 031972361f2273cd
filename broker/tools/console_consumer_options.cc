#include "broker/tools/console_consumer_options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

namespace sluice::tools {
namespace {

namespace client = kafka::client;

Result<int64_t> ParseLong(const std::string& value, const std::string& where) {
  int64_t n = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
    return Status::InvalidArgument("Invalid value " + value + " for " + where +
                                   ": not a number");
  }
  return n;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const char* const kKnownConsumerConfigs[] = {
    "auto.commit.interval.ms", "auto.offset.reset", "bootstrap.servers", "client.id",
    "enable.auto.commit", "fetch.max.bytes", "fetch.max.wait.ms", "fetch.min.bytes",
    "group.id", "group.instance.id", "heartbeat.interval.ms", "isolation.level",
    "max.partition.fetch.bytes", "max.poll.interval.ms", "request.timeout.ms",
    "retry.backoff.ms", "session.timeout.ms",
    // Accepted and ignored: Java client tuning.
    "key.deserializer", "value.deserializer", "max.poll.records", "receive.buffer.bytes",
    "send.buffer.bytes", "metadata.max.age.ms", "partition.assignment.strategy",
    "exclude.internal.topics", "allow.auto.create.topics", "check.crcs"};

}  // namespace

FlagSet ConsoleConsumerFlags() {
  FlagSet flags("sluice console-consumer",
                "This tool helps to read data from Kafka topics and outputs it to standard "
                "output.");
  flags
      .Value("bootstrap-server", "server to connect to", "REQUIRED: The server(s) to connect to.")
      .Value("topic", "topic", "The topic id to consume on.")
      .Value("whitelist", "whitelist",
             "Regular expression specifying whitelist of topics to include for consumption.")
      .Value("partition", "Integer: partition",
             "The partition to consume from. Consumption starts from the end of the partition "
             "unless '--offset' is specified.")
      .Value("offset", "consume offset",
             "The offset id to consume from (a non-negative number), or 'earliest' which means "
             "from beginning, or 'latest' which means from end (default: latest)")
      .Value("group", "consumer group id", "The consumer group id of the consumer.")
      .Switch("from-beginning",
              "If the consumer does not already have an established offset to consume from, "
              "start with the earliest message present in the log rather than the latest "
              "message.")
      .Value("max-messages", "Integer: num_messages",
             "The maximum number of messages to consume before exiting. If not set, "
             "consumption is continual.")
      .Value("timeout-ms", "Integer: timeout_ms",
             "If specified, exit if no message is available for consumption for the specified "
             "interval.")
      .Repeated("property", "prop",
                "The properties to initialize the message formatter. Default properties "
                "include: print.timestamp=true|false, print.key=true|false, "
                "print.offset=true|false, print.partition=true|false, "
                "print.headers=true|false, print.value=true|false, key.separator=<key.separator>, "
                "line.separator=<line.separator>, headers.separator=<line.separator>")
      .Value("formatter", "class",
             "The name of a class to use for formatting kafka messages for display. (default: "
             "kafka.tools.DefaultMessageFormatter; the only one supported)")
      .Repeated("consumer-property", "consumer_prop",
                "A mechanism to pass user-defined properties in the form key=value to the "
                "consumer.")
      .Value("consumer.config", "config file",
             "Consumer config properties file. Note that [consumer-property] takes precedence "
             "over this config.")
      .Value("isolation-level", "String",
             "Set to read_committed in order to filter out transactional messages which are not "
             "committed. Set to read_uncommitted to read all messages. (default: "
             "read_uncommitted)")
      .Switch("skip-message-on-error",
              "If there is an error when processing a message, skip it instead of halt.");
  return flags;
}

Result<ConsoleConsumerSettings> ReadConsoleConsumerSettings(const ParsedFlags& flags) {
  ConsoleConsumerSettings s;
  const int topic_or_whitelist = CountGiven(flags, {"topic", "whitelist"});
  if (topic_or_whitelist != 1) {
    return Status::InvalidArgument("Exactly one of whitelist/topic is required.");
  }
  s.topic = flags.Get("topic");
  s.whitelist = flags.Get("whitelist");
  if (s.whitelist.has_value()) {
    try {
      std::regex check(*s.whitelist);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("Invalid regular expression in --whitelist '" +
                                     *s.whitelist + "': " + e.what());
    }
  }
  s.from_beginning = flags.Has("from-beginning");

  if (flags.Has("partition")) {
    Result<int32_t> partition = flags.GetInt32("partition");
    if (!partition.ok()) return partition.status();
    if (*partition < 0) {
      return Status::InvalidArgument("The partition must be non-negative, got " +
                                     std::to_string(*partition));
    }
    s.partition = *partition;
    if (!s.topic.has_value()) {
      return Status::InvalidArgument("The topic is required when partition is specified.");
    }
    if (s.from_beginning && flags.Has("offset")) {
      return Status::InvalidArgument(
          "Options from-beginning and offset cannot be specified together.");
    }
  } else if (flags.Has("offset")) {
    return Status::InvalidArgument("The partition is required when offset is specified.");
  }
  if (flags.Has("offset")) {
    const std::string value = *flags.Get("offset");
    const std::string lower = Lower(value);
    if (lower == "earliest") {
      s.start.kind = StartOffset::Kind::kEarliest;
    } else if (lower == "latest") {
      s.start.kind = StartOffset::Kind::kLatest;
    } else {
      int64_t n = -1;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || error != std::errc() || end != value.data() + value.size() || n < 0) {
        return Status::InvalidArgument("The provided offset value '" + value +
                                       "' is incorrect. Valid values are 'earliest', 'latest', "
                                       "or a non-negative long.");
      }
      s.start = StartOffset{StartOffset::Kind::kExact, n};
    }
  } else if (s.from_beginning) {
    s.start.kind = StartOffset::Kind::kEarliest;
  }

  SLUICE_RETURN_IF_ERROR(RequireFlags(flags, {"bootstrap-server"}));
  const std::string servers = *flags.Get("bootstrap-server");
  if (auto parsed = client::ParseBootstrapServers(servers); !parsed.ok()) {
    return Status::InvalidArgument("Please provide valid host:port like host1:9091,host2:9092 (" +
                                   parsed.status().message() + ")");
  }
  s.client.bootstrap_servers = servers;

  if (flags.Has("max-messages")) {
    Result<int32_t> n = flags.GetInt32("max-messages");
    if (!n.ok()) return n.status();
    s.max_messages = *n;
  }
  if (flags.Has("timeout-ms")) {
    Result<int32_t> n = flags.GetInt32("timeout-ms");
    if (!n.ok()) return n.status();
    s.timeout_ms = *n;
  }
  s.skip_message_on_error = flags.Has("skip-message-on-error");
  if (auto formatter = flags.Get("formatter");
      formatter.has_value() && *formatter != "kafka.tools.DefaultMessageFormatter") {
    return Status::InvalidArgument("Unsupported --formatter '" + *formatter +
                                   "': only kafka.tools.DefaultMessageFormatter is available");
  }

  // Consumer properties: file, then --consumer-property.
  Properties props;
  if (auto file = flags.Get("consumer.config")) {
    Result<Properties> loaded = LoadPropertiesFile(*file);
    if (!loaded.ok()) return Status::InvalidArgument(loaded.status().message());
    props = std::move(*loaded);
  }
  Result<Properties> extra = ParseKeyValueArgs(flags.GetAll("consumer-property"));
  if (!extra.ok()) return extra.status();
  // The group may come from three places; they must agree (Kafka 2.x says the same).
  std::vector<std::string> groups;
  if (auto g = flags.Get("group")) groups.push_back(*g);
  if (auto it = extra->find("group.id"); it != extra->end()) groups.push_back(it->second);
  if (auto it = props.find("group.id"); it != props.end()) groups.push_back(it->second);
  props = MergeProperties(std::move(props), *extra);
  for (const std::string& g : groups) {
    if (g != groups.front()) {
      std::string all;
      for (const std::string& each : groups) all += (all.empty() ? "'" : ", '") + each + "'";
      return Status::InvalidArgument(
          "The group ids provided in different places (directly using '--group', via "
          "'--consumer-property', or via '--consumer.config') do not match. Detected group "
          "ids: " + all);
    }
  }
  if (!groups.empty()) s.group = groups.front();
  if (s.group.has_value() && s.partition.has_value()) {
    return Status::InvalidArgument("Options group and partition cannot be specified together.");
  }
  for (const auto& [key, value] : props) {
    if (std::find(std::begin(kKnownConsumerConfigs), std::end(kKnownConsumerConfigs), key) ==
        std::end(kKnownConsumerConfigs)) {
      s.warnings.push_back("WARN The configuration '" + key +
                           "' was supplied but isn't a known config.");
    }
  }

  client::GroupConsumerOptions& c = s.consumer;
  if (s.group.has_value()) c.group_id = *s.group;
  // --from-beginning sets auto.offset.reset=earliest, else latest (the explicit flag wins).
  std::string reset = s.from_beginning ? "earliest"
                                       : (props.count("auto.offset.reset")
                                              ? props.at("auto.offset.reset")
                                              : std::string("latest"));
  if (reset == "earliest") {
    c.fetch.auto_offset_reset = client::AutoOffsetReset::kEarliest;
  } else if (reset == "latest") {
    c.fetch.auto_offset_reset = client::AutoOffsetReset::kLatest;
  } else if (reset == "none") {
    c.fetch.auto_offset_reset = client::AutoOffsetReset::kNone;
  } else {
    return Status::InvalidArgument("Invalid value " + reset +
                                   " for configuration auto.offset.reset: String must be one "
                                   "of: latest, earliest, none");
  }
  std::string isolation = flags.GetOr("isolation-level", props.count("isolation.level")
                                                              ? props.at("isolation.level")
                                                              : std::string("read_uncommitted"));
  if (isolation == "read_committed") {
    c.fetch.isolation = client::IsolationLevel::kReadCommitted;
  } else if (isolation == "read_uncommitted") {
    c.fetch.isolation = client::IsolationLevel::kReadUncommitted;
  } else {
    return Status::InvalidArgument("Invalid value " + isolation +
                                   " for --isolation-level: String must be one of: "
                                   "read_committed, read_uncommitted");
  }
  // Without a group Kafka's console consumer turns auto commit off.
  c.enable_auto_commit = s.group.has_value();
  if (auto it = props.find("enable.auto.commit"); it != props.end()) {
    c.enable_auto_commit = Lower(it->second) == "true";
  }
  if (auto it = props.find("group.instance.id"); it != props.end()) {
    c.group_instance_id = it->second;
  }
  struct Millis {
    const char* config;
    std::chrono::milliseconds* out;
  };
  std::chrono::milliseconds request_timeout{30'000}, backoff{100};
  const Millis millis[] = {
      {"session.timeout.ms", &c.session_timeout},
      {"heartbeat.interval.ms", &c.heartbeat_interval},
      {"max.poll.interval.ms", &c.rebalance_timeout},
      {"auto.commit.interval.ms", &c.auto_commit_interval},
      {"fetch.max.wait.ms", &c.fetch.fetch_max_wait},
      {"request.timeout.ms", &request_timeout},
      {"retry.backoff.ms", &backoff},
  };
  for (const Millis& m : millis) {
    auto it = props.find(m.config);
    if (it == props.end()) continue;
    Result<int64_t> v = ParseLong(it->second, std::string("configuration ") + m.config);
    if (!v.ok()) return v.status();
    if (*v < 0) {
      return Status::InvalidArgument("Invalid value " + it->second + " for configuration " +
                                     m.config + ": Value must be at least 0");
    }
    *m.out = std::chrono::milliseconds(*v);
  }
  struct Bytes {
    const char* config;
    int32_t* out;
  };
  const Bytes bytes[] = {{"fetch.min.bytes", &c.fetch.fetch_min_bytes},
                         {"fetch.max.bytes", &c.fetch.fetch_max_bytes},
                         {"max.partition.fetch.bytes", &c.fetch.max_partition_fetch_bytes}};
  for (const Bytes& b : bytes) {
    auto it = props.find(b.config);
    if (it == props.end()) continue;
    Result<int64_t> v = ParseLong(it->second, std::string("configuration ") + b.config);
    if (!v.ok()) return v.status();
    if (*v < 0 || *v > INT32_MAX) {
      return Status::InvalidArgument("Invalid value " + it->second + " for configuration " +
                                     b.config);
    }
    *b.out = static_cast<int32_t>(*v);
  }
  c.fetch.skip_corrupt_batches = s.skip_message_on_error;
  s.client.connection.request_timeout = request_timeout;
  s.client.retry_backoff = backoff;
  s.client.connection.client_id =
      props.count("client.id") ? props.at("client.id") : std::string("console-consumer");

  Result<Properties> format = ParseKeyValueArgs(flags.GetAll("property"));
  if (!format.ok()) return format.status();
  RecordFormat& f = s.format;
  f.print_timestamp = PropertyIsTrue(*format, "print.timestamp");
  f.print_partition = PropertyIsTrue(*format, "print.partition");
  f.print_offset = PropertyIsTrue(*format, "print.offset");
  f.print_headers = PropertyIsTrue(*format, "print.headers");
  f.print_key = PropertyIsTrue(*format, "print.key");
  if (format->count("print.value")) f.print_value = PropertyIsTrue(*format, "print.value");
  if (format->count("key.separator")) f.key_separator = format->at("key.separator");
  if (format->count("line.separator")) f.line_separator = format->at("line.separator");
  if (format->count("headers.separator")) f.headers_separator = format->at("headers.separator");
  return s;
}

std::string FormatRecord(const client::ConsumerRecord& record, const RecordFormat& f) {
  std::string out;
  const kafka::Record& r = record.record;
  // Each column is followed by the key separator when another column follows, else by the
  // line separator (DefaultMessageFormatter.writeSeparator).
  auto column = [&](const std::string& text, bool more) {
    out += text;
    out += more ? f.key_separator : f.line_separator;
  };
  if (f.print_timestamp) {
    column(std::string(record.log_append_time ? "LogAppendTime:" : "CreateTime:") +
               std::to_string(r.timestamp),
           f.print_partition || f.print_offset || f.print_headers || f.print_key || f.print_value);
  }
  if (f.print_partition) {
    column("Partition:" + std::to_string(record.partition.partition.value()),
           f.print_offset || f.print_headers || f.print_key || f.print_value);
  }
  if (f.print_offset) {
    column("Offset:" + std::to_string(r.offset), f.print_headers || f.print_key || f.print_value);
  }
  if (f.print_headers) {
    std::string headers;
    for (size_t i = 0; i < r.headers.size(); ++i) {
      if (i > 0) headers += f.headers_separator;
      headers += r.headers[i].key + ":" + r.headers[i].value.value_or("null");
    }
    column(r.headers.empty() ? "NO_HEADERS" : headers, f.print_key || f.print_value);
  }
  if (f.print_key) column(r.key.value_or("null"), f.print_value);
  if (f.print_value) column(r.value.value_or("null"), false);
  return out;
}

}  // namespace sluice::tools

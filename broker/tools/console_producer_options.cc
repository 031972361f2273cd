#include "broker/tools/console_producer_options.h"

#include <charconv>

namespace sluice::tools {
namespace {

using kafka::Compression;

Result<int64_t> ParseLong(const std::string& value, const std::string& where) {
  int64_t n = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
    return Status::InvalidArgument("Invalid value " + value + " for " + where +
                                   ": not a number");
  }
  return n;
}

// The producer configs the console producer understands; others are warned about, as Kafka's
// AbstractConfig.logUnused does ("The configuration 'x' was supplied but isn't a known config.").
const char* const kKnownProducerConfigs[] = {
    "acks", "batch.size", "bootstrap.servers", "client.id", "compression.type", "linger.ms",
    "max.block.ms", "request.timeout.ms", "retries", "retry.backoff.ms",
    // Accepted and ignored: they tune the Java client's buffers and serializers.
    "buffer.memory", "send.buffer.bytes", "receive.buffer.bytes", "metadata.max.age.ms",
    "key.serializer", "value.serializer", "max.in.flight.requests.per.connection",
    "enable.idempotence", "delivery.timeout.ms", "max.request.size"};

bool IsKnownConfig(const std::string& key) {
  for (const char* known : kKnownProducerConfigs) {
    if (key == known) return true;
  }
  return false;
}

}  // namespace

FlagSet ConsoleProducerFlags() {
  FlagSet flags("sluice console-producer",
                "This tool helps to read data from standard input and publish it to Kafka.");
  flags
      .Value("bootstrap-server", "server to connect to",
             "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect "
             "to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.")
      .Value("broker-list", "broker-list",
             "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is "
             "specified.  The broker list string in the form HOST1:PORT1,HOST2:PORT2.")
      .Value("topic", "topic", "REQUIRED: The topic id to produce messages to.")
      .Switch("sync",
              "If set message send requests to the brokers are synchronously, one at a time as "
              "they arrive.")
      .Value("compression-codec", "[compression-codec]",
             "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If "
             "specified without value, then it defaults to 'gzip'")
      .Value("batch-size", "Integer: size",
             "Number of messages to send in a single batch if they are not being sent "
             "synchronously. (default: 200)")
      .Value("message-send-max-retries", "Integer",
             "Brokers can fail receiving the message for multiple reasons, and being unavailable "
             "transiently is just one of them. This property specifies the number of retries "
             "before the producer give up and drop this message. (default: 3)")
      .Value("retry-backoff-ms", "Integer",
             "Before each retry, the producer refreshes the metadata of relevant topics. Since "
             "leader election takes a bit of time, this property specifies the amount of time "
             "that the producer waits before refreshing the metadata. (default: 100)")
      .Value("timeout", "Integer: timeout_ms",
             "If set and the producer is running in asynchronous mode, this gives the maximum "
             "amount of time a message will queue awaiting sufficient batch size. The value is "
             "given in ms. (default: 1000)")
      .Value("request-required-acks", "String: request required acks",
             "The required acks of the producer requests (default: 1)")
      .Value("request-timeout-ms", "Integer: request timeout ms",
             "The ack timeout of the producer requests. Value must be non-negative and non-zero "
             "(default: 1500)")
      .Value("max-block-ms", "Long: max block on send",
             "The max time that the producer will block for during a send request (default: "
             "60000)")
      .Value("max-partition-memory-bytes", "Integer: memory in bytes per partition",
             "The buffer size allocated for a partition. When records are received which are "
             "smaller than this size the producer will attempt to optimistically group them "
             "together until this size is reached. (default: 16384)")
      .Repeated("property", "prop",
                "A mechanism to pass user-defined properties in the form key=value to the "
                "message reader. This allows custom configuration for a user-defined message "
                "reader. Default properties include: parse.key=true|false, "
                "key.separator=<key.separator>, ignore.error=true|false")
      .Repeated("producer-property", "producer_prop",
                "A mechanism to pass user-defined properties in the form key=value to the "
                "producer. ")
      .Value("producer.config", "config file",
             "Producer config properties file. Note that [producer-property] takes precedence "
             "over this config.");
  return flags;
}

std::vector<std::string> ExpandBareCompressionCodec(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    out.push_back(args[i]);
    if (args[i] != "--compression-codec") continue;
    const bool bare = i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0;
    if (bare) out.push_back("gzip");
  }
  return out;
}

Result<int16_t> ParseAcks(const std::string& value, const std::string& where) {
  if (value == "all" || value == "-1") return int16_t{-1};
  if (value == "0") return int16_t{0};
  if (value == "1") return int16_t{1};
  return Status::InvalidArgument("Invalid value " + value + " for " + where +
                                 ": String must be one of: all, -1, 0, 1");
}

Result<Compression> ParseCompression(const std::string& value, const std::string& where) {
  if (value == "none") return Compression::kNone;
  if (value == "gzip") return Compression::kGzip;
  if (value == "snappy") return Compression::kSnappy;
  if (value == "lz4") return Compression::kLz4;
  if (value == "zstd") return Compression::kZstd;
  return Status::InvalidArgument("Invalid value " + value + " for " + where +
                                 ": String must be one of: none, gzip, snappy, lz4, zstd");
}

Result<ConsoleProducerSettings> ReadConsoleProducerSettings(const ParsedFlags& flags) {
  ConsoleProducerSettings s;
  SLUICE_RETURN_IF_ERROR(RequireFlags(flags, {"topic"}));
  s.topic = *flags.Get("topic");
  if (s.topic.empty()) return Status::InvalidArgument("The topic name must not be empty");

  // --bootstrap-server wins; --broker-list is the deprecated spelling (Kafka 2.5+).
  std::optional<std::string> servers = flags.Get("bootstrap-server");
  if (!servers.has_value()) servers = flags.Get("broker-list");
  if (!servers.has_value()) {
    return Status::InvalidArgument("Missing required argument \"[bootstrap-server]\"");
  }
  if (auto parsed = kafka::client::ParseBootstrapServers(*servers); !parsed.ok()) {
    return Status::InvalidArgument("Please provide valid host:port like host1:9091,host2:9092 (" +
                                   parsed.status().message() + ")");
  }
  s.client.bootstrap_servers = *servers;
  s.sync = flags.Has("sync");

  // Properties: file, then --producer-property.
  Properties props;
  if (auto file = flags.Get("producer.config")) {
    Result<Properties> loaded = LoadPropertiesFile(*file);
    if (!loaded.ok()) return Status::InvalidArgument(loaded.status().message());
    props = std::move(*loaded);
  }
  Result<Properties> extra = ParseKeyValueArgs(flags.GetAll("producer-property"));
  if (!extra.ok()) return extra.status();
  props = MergeProperties(std::move(props), *extra);
  for (const auto& [key, value] : props) {
    if (!IsKnownConfig(key)) {
      s.warnings.push_back("WARN The configuration '" + key +
                           "' was supplied but isn't a known config.");
    }
  }

  // Explicit flags override the properties (CommandLineUtils.maybeMergeOptions).
  auto setting = [&](const char* flag, const char* config,
                     const char* fallback) -> std::pair<std::string, std::string> {
    if (auto v = flags.Get(flag)) return {*v, std::string("--") + flag};
    if (auto it = props.find(config); it != props.end()) {
      return {it->second, std::string("configuration ") + config};
    }
    return {fallback, std::string("--") + flag};
  };

  auto [acks, acks_where] = setting("request-required-acks", "acks", "1");
  Result<int16_t> parsed_acks = ParseAcks(acks, acks_where);
  if (!parsed_acks.ok()) return parsed_acks.status();
  s.producer.acks = *parsed_acks;

  auto [codec, codec_where] = setting("compression-codec", "compression.type", "none");
  Result<Compression> parsed_codec = ParseCompression(codec, codec_where);
  if (!parsed_codec.ok()) return parsed_codec.status();
  s.producer.compression = *parsed_codec;

  struct NumberSetting {
    const char* flag;
    const char* config;
    const char* fallback;
    int64_t min;
    int64_t* out;
  };
  int64_t linger = 0, batch_bytes = 0, retries = 0, request_timeout = 0, max_block = 0,
          backoff = 0;
  const NumberSetting numbers[] = {
      {"timeout", "linger.ms", "1000", 0, &linger},
      {"max-partition-memory-bytes", "batch.size", "16384", 0, &batch_bytes},
      {"message-send-max-retries", "retries", "3", 0, &retries},
      {"request-timeout-ms", "request.timeout.ms", "1500", 1, &request_timeout},
      {"max-block-ms", "max.block.ms", "60000", 0, &max_block},
      {"retry-backoff-ms", "retry.backoff.ms", "100", 0, &backoff},
  };
  for (const NumberSetting& n : numbers) {
    auto [value, where] = setting(n.flag, n.config, n.fallback);
    Result<int64_t> parsed = ParseLong(value, where);
    if (!parsed.ok()) return parsed.status();
    if (*parsed < n.min || *parsed > INT32_MAX) {
      return Status::InvalidArgument("Invalid value " + value + " for " + where +
                                     ": Value must be at least " + std::to_string(n.min));
    }
    *n.out = *parsed;
  }
  // --batch-size counts messages in Kafka's old producer; 2.8 still accepts it (default 200)
  // but only validates it. batch.size in bytes comes from max-partition-memory-bytes.
  if (Result<int32_t> batch = flags.GetInt32("batch-size", 200); !batch.ok()) {
    return batch.status();
  }
  s.producer.linger = std::chrono::milliseconds(linger);
  s.producer.batch_size = static_cast<int32_t>(batch_bytes);
  s.producer.retries = static_cast<int>(retries);
  s.producer.request_timeout = std::chrono::milliseconds(request_timeout);
  s.producer.max_block = std::chrono::milliseconds(max_block);
  s.client.retry_backoff = std::chrono::milliseconds(backoff);
  s.client.retries = static_cast<int>(retries);
  s.client.connection.client_id =
      props.count("client.id") ? props.at("client.id") : std::string("console-producer");
  if (s.sync) s.producer.linger = std::chrono::milliseconds(0);

  // Line reader properties.
  Result<Properties> reader = ParseKeyValueArgs(flags.GetAll("property"));
  if (!reader.ok()) return reader.status();
  s.reader.parse_key = PropertyIsTrue(*reader, "parse.key");
  s.reader.ignore_error = PropertyIsTrue(*reader, "ignore.error");
  if (auto it = reader->find("key.separator"); it != reader->end()) {
    if (it->second.empty()) {
      return Status::InvalidArgument("Invalid value for property key.separator: it is empty");
    }
    s.reader.key_separator = it->second;
  }
  return s;
}

Result<kafka::client::ProducerRecord> LineToRecord(const std::string& line, int line_number,
                                                   const std::string& topic,
                                                   const LineReaderOptions& options) {
  kafka::client::ProducerRecord record;
  record.topic = topic;
  if (!options.parse_key) {
    record.value = line;
    return record;
  }
  const size_t at = line.find(options.key_separator);
  if (at == std::string::npos) {
    if (!options.ignore_error) {
      return Status::InvalidArgument("No key found on line " + std::to_string(line_number) +
                                     ": " + line);
    }
    record.value = line;
    return record;
  }
  record.key = line.substr(0, at);
  record.value = line.substr(at + options.key_separator.size());
  return record;
}

}  // namespace sluice::tools

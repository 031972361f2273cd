// The flags of `sluice console-consumer` (Kafka 2.8's ConsoleConsumer), the rules between them,
// and how a record is printed (DefaultMessageFormatter's --property keys). Kept apart from the
// entry point (console_consumer.cc) so that they are unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/tools/console_properties.h"
#include "broker/tools/flags.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/group_consumer.h"
#include "libs/kafka/client/types.h"

namespace sluice::tools {

// DefaultMessageFormatter's properties.
struct RecordFormat {
  bool print_timestamp = false;  // "CreateTime:<ms>" / "LogAppendTime:<ms>"
  bool print_partition = false;  // "Partition:<n>"
  bool print_offset = false;     // "Offset:<n>"
  bool print_headers = false;    // "k1:v1,k2:v2" or "NO_HEADERS"
  bool print_key = false;
  bool print_value = true;
  std::string key_separator = "\t";
  std::string line_separator = "\n";
  std::string headers_separator = ",";
};

// Where --partition consumption starts: --offset earliest|latest|<n>, or --from-beginning.
struct StartOffset {
  enum class Kind { kEarliest, kLatest, kExact } kind = Kind::kLatest;
  int64_t offset = 0;  // kExact
};

struct ConsoleConsumerSettings {
  kafka::client::ClientOptions client;
  std::optional<std::string> topic;
  std::optional<std::string> whitelist;  // a regex over topic names
  std::optional<int32_t> partition;
  StartOffset start;
  bool from_beginning = false;
  int64_t max_messages = -1;  // -1: no limit
  int64_t timeout_ms = -1;    // -1: wait forever
  bool skip_message_on_error = false;
  // The group given by --group, group.id in --consumer-property or --consumer.config; nullopt
  // when none was (Kafka then makes up "console-consumer-<n>" with auto commit off).
  std::optional<std::string> group;
  kafka::client::GroupConsumerOptions consumer;  // group_id filled only when `group` is set
  RecordFormat format;
  std::vector<std::string> warnings;
};

FlagSet ConsoleConsumerFlags();

// Checks the flag rules with Kafka's messages ("Exactly one of whitelist/topic is required.",
// "The partition is required when offset is specified.", "The provided offset value 'x' is
// incorrect. ...") and builds the settings. InvalidArgument means a usage error (exit 1).
Result<ConsoleConsumerSettings> ReadConsoleConsumerSettings(const ParsedFlags& flags);

// Renders one record as DefaultMessageFormatter.writeTo: the enabled columns in the order
// timestamp, partition, offset, headers, key, value, joined by key_separator, ended by
// line_separator; a null key or value prints "null".
std::string FormatRecord(const kafka::client::ConsumerRecord& record, const RecordFormat& format);

}  // namespace sluice::tools

// The flags of `sluice console-producer` (Kafka 2.8's ConsoleProducer) and what they turn into:
// client and producer options, and how stdin lines become records. Kept apart from the entry
// point (console_producer.cc) so that flag handling is unit-tested.
//
// Precedence, as in Kafka: an explicit flag (--request-required-acks, --compression-codec,
// --timeout, ...) wins over --producer-property k=v, which wins over --producer.config, which
// wins over the console producer's defaults (acks=1, linger.ms=1000, batch.size=16384,
// retries=3, request.timeout.ms=1500, max.block.ms=60000, client.id=console-producer).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "broker/tools/console_properties.h"
#include "broker/tools/flags.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/producer.h"

namespace sluice::tools {

// LineMessageReader's properties (--property).
struct LineReaderOptions {
  bool parse_key = false;          // parse.key
  std::string key_separator = "\t";  // key.separator
  bool ignore_error = false;       // ignore.error: a keyless line becomes a value-only record
};

struct ConsoleProducerSettings {
  std::string topic;
  bool sync = false;
  kafka::client::ClientOptions client;
  kafka::client::ProducerOptions producer;
  LineReaderOptions reader;
  std::vector<std::string> warnings;  // printed to stderr (deprecated flags, unknown configs)
};

FlagSet ConsoleProducerFlags();

// Kafka's --compression-codec takes an optional value: given bare (last, or followed by another
// flag) it means gzip. FlagSet values are mandatory, so the bare form is rewritten first.
std::vector<std::string> ExpandBareCompressionCodec(const std::vector<std::string>& args);

// Checks the flags and builds the settings. InvalidArgument messages name the flag or property
// and are printed as usage errors (exit 1).
Result<ConsoleProducerSettings> ReadConsoleProducerSettings(const ParsedFlags& flags);

// acks as Kafka accepts it: "all", "-1", "0", "1".
Result<int16_t> ParseAcks(const std::string& value, const std::string& where);
// compression.type / --compression-codec: none, gzip, snappy, lz4, zstd.
Result<kafka::Compression> ParseCompression(const std::string& value, const std::string& where);

// One stdin line as a record (LineMessageReader.readMessage). With parse.key the line splits at
// the first separator; a line without one is InvalidArgument "No key found on line N: <line>"
// unless ignore.error, which sends the whole line as the value with a null key.
Result<kafka::client::ProducerRecord> LineToRecord(const std::string& line, int line_number,
                                                   const std::string& topic,
                                                   const LineReaderOptions& options);

}  // namespace sluice::tools

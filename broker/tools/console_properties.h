// Key=value settings of the console tools, gathered the way Kafka's ConsoleProducer and
// ConsoleConsumer gather them: a properties file (--producer.config / --consumer.config), then
// --producer-property / --consumer-property k=v (which take precedence), plus the formatter and
// line-reader --property k=v.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::tools {

using Properties = std::map<std::string, std::string>;

// Kafka's CommandLineUtils.parseKeyValueArgs: each entry splits at its first '='; an entry
// without '=' is InvalidArgument "Invalid command line properties: <entries>".
Result<Properties> ParseKeyValueArgs(const std::vector<std::string>& entries);

// A Java .properties file (the subset Kafka configs use): one `key=value`, `key:value` or
// `key value` per line, '#' and '!' comments, blank lines, surrounding spaces trimmed, a
// trailing backslash continues the line. IoError naming the file when it cannot be read.
Result<Properties> LoadPropertiesFile(const std::string& path);

// `file` overridden by `overrides` (later sources win).
Properties MergeProperties(Properties file, const Properties& overrides);

// Kafka's boolean reading of a formatter/reader property: trimmed, case-insensitive "true".
bool PropertyIsTrue(const Properties& props, const std::string& key);

}  // namespace sluice::tools

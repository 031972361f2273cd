// Reading Java .properties files (server.properties) and --override arguments.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "libs/base/status.h"

namespace sluice::config {

// Reads a .properties file with POCO's PropertyFileConfiguration: '#' and '!' start comments,
// "key=value" or "key: value", backslash continues a line, surrounding whitespace is dropped,
// a repeated key keeps its last value. Values are returned raw (no ${...} expansion).
// Errors: NotFound when the file is missing, IoError when it cannot be read.
Result<std::map<std::string, std::string>> ReadPropertiesFile(const std::string& path);

// Splits one --override argument "key=value" at the first '=' (the value may contain '=').
// InvalidArgument when there is no '=' or the key is empty.
Result<std::pair<std::string, std::string>> ParseOverride(const std::string& arg);

}  // namespace sluice::config

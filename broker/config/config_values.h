// Parsing of one configuration value, shared by broker (server.properties) and topic configs.
//
// Values follow Kafka's ConfigDef rules: surrounding whitespace is ignored, numbers are decimal
// with an optional sign, booleans are "true"/"false" in any case, lists are comma-separated
// with empty entries dropped. Every error is Status::InvalidArgument naming the key and the
// value, e.g. "Invalid value 'abc' for configuration num.partitions: not a number".
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::config {

// The InvalidArgument every parser returns: "Invalid value '<value>' for configuration <key>:
// <why>".
Status InvalidValue(const std::string& key, const std::string& value, const std::string& why);

// An inclusive range; the defaults mean "any value of the type".
template <typename T>
struct Range {
  T min = std::numeric_limits<T>::lowest();
  T max = std::numeric_limits<T>::max();
};
template <typename T>
Range<T> AtLeast(T min) {
  return Range<T>{min, std::numeric_limits<T>::max()};
}
template <typename T>
Range<T> Between(T min, T max) {
  return Range<T>{min, max};
}

Result<int16_t> ParseInt16(const std::string& key, const std::string& value,
                           Range<int16_t> range = {});
Result<int32_t> ParseInt32(const std::string& key, const std::string& value,
                           Range<int32_t> range = {});
Result<int64_t> ParseInt64(const std::string& key, const std::string& value,
                           Range<int64_t> range = {});
Result<double> ParseDouble(const std::string& key, const std::string& value,
                           Range<double> range = {});
Result<bool> ParseBool(const std::string& key, const std::string& value);
// One of `allowed` (exact match after trimming); the error lists the allowed values.
Result<std::string> ParseEnum(const std::string& key, const std::string& value,
                              const std::vector<std::string>& allowed);

// Comma-separated, each entry trimmed, empty entries dropped ("" is the empty list).
std::vector<std::string> SplitList(const std::string& value);
std::string JoinList(const std::vector<std::string>& items);
std::string Trim(const std::string& s);

}  // namespace sluice::config

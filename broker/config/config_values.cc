#include "broker/config/config_values.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace sluice::config {

namespace {

template <typename T>
std::string ToText(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    std::ostringstream os;
    os << v;
    return os.str();
  } else {
    return std::to_string(v);
  }
}

template <typename T>
Status CheckRange(const std::string& key, const std::string& value, T v, Range<T> range) {
  if (v < range.min) return InvalidValue(key, value, "must be at least " + ToText(range.min));
  if (v > range.max) return InvalidValue(key, value, "must be at most " + ToText(range.max));
  return Status::Ok();
}

template <typename T>
Result<T> ParseInteger(const std::string& key, const std::string& value, Range<T> range,
                       const char* type_name) {
  std::string text = Trim(value);
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;  // Java's parseInt accepts a leading '+'
  if (begin == end || *begin == '+') return InvalidValue(key, value, "not a number");
  T v{};
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec == std::errc::result_out_of_range) {
    return InvalidValue(key, value, std::string("out of range for type ") + type_name);
  }
  if (ec != std::errc() || ptr != end) return InvalidValue(key, value, "not a number");
  SLUICE_RETURN_IF_ERROR(CheckRange(key, value, v, range));
  return v;
}

}  // namespace

Status InvalidValue(const std::string& key, const std::string& value, const std::string& why) {
  return Status::InvalidArgument("Invalid value '" + value + "' for configuration " + key + ": " +
                                 why);
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

Result<int16_t> ParseInt16(const std::string& key, const std::string& value, Range<int16_t> range) {
  return ParseInteger<int16_t>(key, value, range, "SHORT");
}

Result<int32_t> ParseInt32(const std::string& key, const std::string& value, Range<int32_t> range) {
  return ParseInteger<int32_t>(key, value, range, "INT");
}

Result<int64_t> ParseInt64(const std::string& key, const std::string& value, Range<int64_t> range) {
  return ParseInteger<int64_t>(key, value, range, "LONG");
}

Result<double> ParseDouble(const std::string& key, const std::string& value, Range<double> range) {
  std::string text = Trim(value);
  if (text.empty()) return InvalidValue(key, value, "not a number");
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || std::isnan(v) || std::isinf(v)) {
    return InvalidValue(key, value, "not a number");
  }
  SLUICE_RETURN_IF_ERROR(CheckRange(key, value, v, range));
  return v;
}

Result<bool> ParseBool(const std::string& key, const std::string& value) {
  std::string text = Trim(value);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true") return true;
  if (text == "false") return false;
  return InvalidValue(key, value, "expected true or false");
}

Result<std::string> ParseEnum(const std::string& key, const std::string& value,
                              const std::vector<std::string>& allowed) {
  std::string text = Trim(value);
  for (const std::string& a : allowed) {
    if (text == a) return text;
  }
  return InvalidValue(key, value, "expected one of [" + JoinList(allowed) + "]");
}

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string item = Trim(value.substr(start, comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

}  // namespace sluice::config

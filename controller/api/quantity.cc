#include "controller/api/quantity.h"

#include <cmath>
#include <cstdlib>
#include <regex>

namespace sluice::operator_api {

std::optional<long double> ParseQuantity(const std::string& text) {
  static const std::regex kQuantity(kQuantityPattern);
  if (!std::regex_match(text, kQuantity)) return std::nullopt;
  // The number is the longest prefix of sign, digits and '.'; the rest is the suffix.
  size_t number_end = text.find_first_not_of("+-0123456789.");
  if (number_end == std::string::npos) number_end = text.size();
  long double number = std::strtold(text.substr(0, number_end).c_str(), nullptr);
  std::string suffix = text.substr(number_end);
  if (suffix.empty()) return number;
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    return number * std::pow(10.0L, std::strtold(suffix.c_str() + 1, nullptr));
  }
  static const std::pair<const char*, long double> kSuffixes[] = {
      {"Ki", 0x1p10L}, {"Mi", 0x1p20L}, {"Gi", 0x1p30L}, {"Ti", 0x1p40L}, {"Pi", 0x1p50L},
      {"Ei", 0x1p60L}, {"n", 1e-9L},    {"u", 1e-6L},    {"m", 1e-3L},    {"k", 1e3L},
      {"M", 1e6L},     {"G", 1e9L},     {"T", 1e12L},    {"P", 1e15L},    {"E", 1e18L},
  };
  for (const auto& [name, factor] : kSuffixes) {
    if (suffix == name) return number * factor;
  }
  return std::nullopt;  // unreachable: the pattern admits only the suffixes above
}

}  // namespace sluice::operator_api

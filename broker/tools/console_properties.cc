#include "broker/tools/console_properties.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace sluice::tools {
namespace {

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r\f");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r\f");
  return s.substr(begin, end - begin + 1);
}

}  // namespace

Result<Properties> ParseKeyValueArgs(const std::vector<std::string>& entries) {
  Properties props;
  for (const std::string& entry : entries) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      std::string all;
      for (const std::string& e : entries) all += (all.empty() ? "" : " ") + e;
      return Status::InvalidArgument("Invalid command line properties: " + all);
    }
    props[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return props;
}

Result<Properties> LoadPropertiesFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read properties file '" + path + "'");
  Properties props;
  std::string line, logical;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A continuation line loses its leading whitespace; the text before the backslash is kept
    // as is (Java's Properties.load).
    const size_t indent = std::min(line.size(), line.find_first_not_of(" \t\f"));
    std::string part = logical.empty() ? line : line.substr(indent);
    if (!part.empty() && part.back() == '\\') {
      logical += part.substr(0, part.size() - 1);
      continue;
    }
    logical += part;
    std::string text = Trim(logical);
    logical.clear();
    if (text.empty() || text[0] == '#' || text[0] == '!') continue;
    size_t sep = text.find_first_of("=: \t");
    if (sep == std::string::npos) {
      props[text] = "";
      continue;
    }
    std::string key = Trim(text.substr(0, sep));
    std::string rest = Trim(text.substr(sep));
    if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = Trim(rest.substr(1));
    props[key] = rest;
  }
  return props;
}

Properties MergeProperties(Properties file, const Properties& overrides) {
  for (const auto& [k, v] : overrides) file[k] = v;
  return file;
}

bool PropertyIsTrue(const Properties& props, const std::string& key) {
  auto it = props.find(key);
  if (it == props.end()) return false;
  std::string v = Trim(it->second);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true";
}

}  // namespace sluice::tools

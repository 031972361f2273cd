#include "controller/api/yaml_json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

namespace sluice::operator_api {
namespace {

using web::json::value;

constexpr const char* kStrTag = "tag:yaml.org,2002:str";
constexpr const char* kIntTag = "tag:yaml.org,2002:int";
constexpr const char* kFloatTag = "tag:yaml.org,2002:float";
constexpr const char* kBoolTag = "tag:yaml.org,2002:bool";
constexpr const char* kNullTag = "tag:yaml.org,2002:null";

std::string Where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

bool IsNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> AsBool(const std::string& s) {
  static const char* const kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                      "on",   "On",   "ON",   "y",   "Y"};
  static const char* const kFalse[] = {"false", "False", "FALSE", "no", "No", "NO",
                                       "off",   "Off",   "OFF",   "n",  "N"};
  for (const char* t : kTrue) {
    if (s == t) return true;
  }
  for (const char* f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::optional<value> AsInteger(const std::string& s) {
  static const std::regex kDecimal(R"([-+]?[0-9]+)");
  static const std::regex kHex(R"(0x[0-9a-fA-F]+)");
  int base = 0;
  if (std::regex_match(s, kDecimal)) {
    base = 10;
  } else if (std::regex_match(s, kHex)) {
    base = 16;
  } else {
    return std::nullopt;
  }
  errno = 0;
  long long n = std::strtoll(s.c_str(), nullptr, base);
  if (errno == ERANGE) return value::number(std::strtod(s.c_str(), nullptr));
  return value::number(static_cast<int64_t>(n));
}

std::optional<value> AsFloat(const std::string& s) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kFloat)) return value::number(std::strtod(s.c_str(), nullptr));
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") {
    return value::number(std::numeric_limits<double>::infinity());
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    return value::number(-std::numeric_limits<double>::infinity());
  }
  return std::nullopt;
}

Result<value> ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == kStrTag) return value::string(text);
  if (tag == kNullTag) return value::null();
  if (tag == kBoolTag) {
    if (auto b = AsBool(text)) return value::boolean(*b);
    return Status::InvalidArgument(Where(node) + ": \"" + text +
                                   "\" is tagged !!bool but is not a boolean");
  }
  if (tag == kIntTag) {
    if (auto n = AsInteger(text)) return *n;
    return Status::InvalidArgument(Where(node) + ": \"" + text +
                                   "\" is tagged !!int but is not an integer");
  }
  if (tag == kFloatTag) {
    if (auto n = AsInteger(text)) return value::number(n->as_double());
    if (auto d = AsFloat(text)) return *d;
    return Status::InvalidArgument(Where(node) + ": \"" + text +
                                   "\" is tagged !!float but is not a number");
  }
  if (tag != "?" && !tag.empty()) {
    return Status::InvalidArgument(Where(node) + ": unsupported YAML tag " + tag);
  }
  if (IsNull(text)) return value::null();
  if (auto b = AsBool(text)) return value::boolean(*b);
  if (auto n = AsInteger(text)) return *n;
  if (auto d = AsFloat(text)) return *d;
  return value::string(text);
}

}  // namespace

Result<web::json::value> YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return value::null();
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      value out = value::array();
      size_t i = 0;
      for (const YAML::Node& item : node) {
        Result<value> converted = YamlToJson(item);
        if (!converted.ok()) return converted.status();
        out[i++] = std::move(*converted);
      }
      return out;
    }
    case YAML::NodeType::Map: {
      value out = value::object();
      for (const auto& item : node) {
        if (!item.first.IsScalar()) {
          return Status::InvalidArgument(Where(item.first) +
                                         ": a mapping key must be a scalar to become JSON");
        }
        const std::string key = item.first.Scalar();
        if (out.has_field(key)) {
          return Status::InvalidArgument(Where(item.first) + ": duplicate key \"" + key + "\"");
        }
        Result<value> converted = YamlToJson(item.second);
        if (!converted.ok()) return converted.status();
        out[key] = std::move(*converted);
      }
      return out;
    }
  }
  return Status::Internal("unknown YAML node type");
}

Result<std::vector<web::json::value>> ParseYamlDocuments(const std::string& text) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("not valid YAML: ") + e.what());
  }
  std::vector<value> out;
  for (const YAML::Node& document : documents) {
    if (document.IsNull()) continue;
    Result<value> converted = YamlToJson(document);
    if (!converted.ok()) return converted.status();
    out.push_back(std::move(*converted));
  }
  return out;
}

Result<std::vector<web::json::value>> ReadYamlFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status::NotFound("cannot open " + path);
  std::stringstream content;
  content << file.rdbuf();
  Result<std::vector<value>> documents = ParseYamlDocuments(content.str());
  if (!documents.ok()) {
    return Status::InvalidArgument(path + ": " + documents.status().message());
  }
  return documents;
}

}  // namespace sluice::operator_api

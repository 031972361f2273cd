#include "broker/tools/reassignment_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <limits>
#include <set>

namespace sluice::tools {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Status Invalid(std::string_view file, std::string_view detail) {
  return Status::InvalidArgument("Invalid " + std::string(file) + ": " + std::string(detail));
}

Result<Object::Ptr> ParseObject(std::string_view file, std::string_view json) {
  try {
    Poco::JSON::Parser parser;
    Var parsed = parser.parse(std::string(json));
    if (parsed.type() != typeid(Object::Ptr) || parsed.extract<Object::Ptr>().isNull()) {
      return Invalid(file, "the JSON is not an object");
    }
    return parsed.extract<Object::Ptr>();
  } catch (const std::exception& e) {
    // Poco's messages are terse ("Syntax error"); say what was being read.
    return Invalid(file, std::string("the input string is not a valid JSON (") + e.what() + ")");
  }
}

bool IsInteger(const Var& v) { return !v.isEmpty() && v.isInteger() && !v.isBoolean(); }

Result<int32_t> ToInt32(std::string_view file, const std::string& where, const Var& v) {
  if (!IsInteger(v)) return Invalid(file, where + " is not an integer");
  try {
    const auto value = v.convert<Poco::Int64>();
    if (value >= std::numeric_limits<int32_t>::min() &&
        value <= std::numeric_limits<int32_t>::max()) {
      return static_cast<int32_t>(value);
    }
  } catch (const std::exception&) {
  }
  return Invalid(file, where + " is out of range");
}

// Kafka accepts a missing "version" as 1 and refuses any other value.
Status CheckVersion(std::string_view file, const Object::Ptr& root) {
  if (!root->has("version")) return Status::Ok();
  auto version = ToInt32(file, "\"version\"", root->get("version"));
  if (!version.ok()) return version.status();
  if (*version != 1) {
    return Status::InvalidArgument("Not supported version field value " + std::to_string(*version));
  }
  return Status::Ok();
}

// The array under `key`, or an empty one when absent (Kafka reads absent lists as empty).
Result<Array::Ptr> OptionalArray(std::string_view file, const Object::Ptr& object,
                                 const std::string& key, const std::string& where) {
  if (!object->has(key)) return Array::Ptr(new Array);
  Var v = object->get(key);
  if (v.type() != typeid(Array::Ptr) || v.extract<Array::Ptr>().isNull()) {
    return Invalid(file, where + "\"" + key + "\" is not an array");
  }
  return v.extract<Array::Ptr>();
}

Result<Object::Ptr> ElementObject(std::string_view file, const Array::Ptr& array, size_t i,
                                  const std::string& what) {
  Var v = array->get(static_cast<unsigned>(i));
  if (v.type() != typeid(Object::Ptr) || v.extract<Object::Ptr>().isNull()) {
    return Invalid(file, what + " " + std::to_string(i) + " is not an object");
  }
  return v.extract<Object::Ptr>();
}

Result<std::string> RequiredString(std::string_view file, const Object::Ptr& object,
                                   const std::string& key, const std::string& where) {
  if (!object->has(key)) return Invalid(file, where + " has no \"" + key + "\"");
  Var v = object->get(key);
  if (!v.isString()) return Invalid(file, where + " \"" + key + "\" is not a string");
  return v.extract<std::string>();
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string JoinBrokerIds(const std::vector<BrokerId>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(ids[i].value());
  }
  return out;
}

Result<std::vector<std::string>> ParseTopicsToMoveJson(std::string_view json) {
  constexpr std::string_view kFile = "--topics-to-move-json-file";
  auto root = ParseObject(kFile, json);
  if (!root.ok()) return root.status();
  SLUICE_RETURN_IF_ERROR(CheckVersion(kFile, *root));
  auto topics = OptionalArray(kFile, *root, "topics", "");
  if (!topics.ok()) return topics.status();
  std::vector<std::string> names;
  for (size_t i = 0; i < (*topics)->size(); ++i) {
    auto entry = ElementObject(kFile, *topics, i, "topics entry");
    if (!entry.ok()) return entry.status();
    auto name = RequiredString(kFile, *entry, "topic", "topics entry " + std::to_string(i));
    if (!name.ok()) return name.status();
    names.push_back(std::move(*name));
  }
  return names;
}

Result<std::vector<ReassignmentEntry>> ParseReassignmentJson(std::string_view json) {
  constexpr std::string_view kFile = "--reassignment-json-file";
  auto root = ParseObject(kFile, json);
  if (!root.ok()) return root.status();
  SLUICE_RETURN_IF_ERROR(CheckVersion(kFile, *root));
  auto partitions = OptionalArray(kFile, *root, "partitions", "");
  if (!partitions.ok()) return partitions.status();
  std::vector<ReassignmentEntry> entries;
  for (size_t i = 0; i < (*partitions)->size(); ++i) {
    const std::string where = "partitions entry " + std::to_string(i);
    auto p = ElementObject(kFile, *partitions, i, "partitions entry");
    if (!p.ok()) return p.status();
    ReassignmentEntry entry;
    auto topic = RequiredString(kFile, *p, "topic", where);
    if (!topic.ok()) return topic.status();
    entry.partition.topic = *topic;
    if (!(*p)->has("partition")) return Invalid(kFile, where + " has no \"partition\"");
    auto partition = ToInt32(kFile, where + " \"partition\"", (*p)->get("partition"));
    if (!partition.ok()) return partition.status();
    entry.partition.partition = PartitionId(*partition);
    const std::string named = where + " (" + entry.partition.ToString() + ")";
    if (!(*p)->has("replicas")) return Invalid(kFile, named + " has no \"replicas\"");
    auto replicas = OptionalArray(kFile, *p, "replicas", named + " ");
    if (!replicas.ok()) return replicas.status();
    for (size_t r = 0; r < (*replicas)->size(); ++r) {
      auto id = ToInt32(kFile, named + " replica " + std::to_string(r),
                        (*replicas)->get(static_cast<unsigned>(r)));
      if (!id.ok()) return id.status();
      entry.replicas.emplace_back(*id);
    }
    if ((*p)->has("log_dirs")) {
      auto dirs = OptionalArray(kFile, *p, "log_dirs", named + " ");
      if (!dirs.ok()) return dirs.status();
      for (size_t d = 0; d < (*dirs)->size(); ++d) {
        Var v = (*dirs)->get(static_cast<unsigned>(d));
        if (!v.isString()) {
          return Invalid(kFile, named + " log dir " + std::to_string(d) + " is not a string");
        }
        entry.log_dirs.push_back(v.extract<std::string>());
      }
      if (entry.log_dirs.size() != entry.replicas.size()) {
        // Kafka: "Size of replicas list ... is different from size of log dirs list ...".
        return Status::InvalidArgument("Size of replicas list " + JoinBrokerIds(entry.replicas) +
                                       " is different from size of log dirs list for partition " +
                                       entry.partition.ToString());
      }
    } else {
      entry.log_dirs.assign(entry.replicas.size(), std::string(kAnyLogDir));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<PartitionReplicas> ValidateReassignment(const std::vector<ReassignmentEntry>& entries) {
  if (entries.empty()) {
    return Status::InvalidArgument("Partition reassignment list cannot be empty");
  }
  for (const ReassignmentEntry& e : entries) {
    if (e.replicas.empty()) {
      return Status::InvalidArgument("Partition replica list cannot be empty");
    }
  }
  std::set<TopicPartition> seen, duplicated;
  for (const ReassignmentEntry& e : entries) {
    if (!seen.insert(e.partition).second) duplicated.insert(e.partition);
  }
  if (!duplicated.empty()) {
    std::string names;
    for (const TopicPartition& tp : duplicated) names += (names.empty() ? "" : ",") + tp.ToString();
    return Status::InvalidArgument("Partition reassignment contains duplicate topic partitions: " +
                                   names);
  }
  std::string duplicate_replicas;
  for (const ReassignmentEntry& e : entries) {
    std::set<BrokerId> ids, repeated;
    for (BrokerId b : e.replicas) {
      if (!ids.insert(b).second) repeated.insert(b);
    }
    if (repeated.empty()) continue;
    if (!duplicate_replicas.empty()) duplicate_replicas += ". ";
    duplicate_replicas += e.partition.ToString() + " contains multiple entries for " +
                          JoinBrokerIds(std::vector<BrokerId>(repeated.begin(), repeated.end()));
  }
  if (!duplicate_replicas.empty()) {
    return Status::InvalidArgument("Partition replica lists may not contain duplicate entries: " +
                                   duplicate_replicas);
  }
  PartitionReplicas out;
  for (const ReassignmentEntry& e : entries) {
    for (const std::string& dir : e.log_dirs) {
      if (dir != kAnyLogDir) {
        return Status::InvalidArgument(
            "Log directory \"" + dir + "\" for partition " + e.partition.ToString() +
            ": moving replicas between log directories (AlterReplicaLogDirs) is not supported; "
            "use \"any\"");
      }
    }
    out.emplace(e.partition, e.replicas);
  }
  return out;
}

Result<std::vector<BrokerId>> ParseBrokerList(std::string_view text) {
  std::vector<BrokerId> ids;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    int32_t value = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      return Status::InvalidArgument("Invalid --broker-list '" + std::string(text) + "': '" +
                                     std::string(item) + "' is not a broker id");
    }
    ids.emplace_back(value);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::set<BrokerId> seen, repeated;
  for (BrokerId b : ids) {
    if (!seen.insert(b).second) repeated.insert(b);
  }
  if (!repeated.empty()) {
    return Status::InvalidArgument(
        "Broker list contains duplicate entries: " +
        JoinBrokerIds(std::vector<BrokerId>(repeated.begin(), repeated.end())));
  }
  return ids;
}

std::string FormatReassignmentJson(const PartitionReplicas& assignment) {
  std::string out = "{\"version\":1,\"partitions\":[";
  bool first = true;
  for (const auto& [tp, replicas] : assignment) {
    if (!first) out += ",";
    first = false;
    out += "{\"topic\":" + Quote(tp.topic) +
           ",\"partition\":" + std::to_string(tp.partition.value()) + ",\"replicas\":[" +
           JoinBrokerIds(replicas) + "],\"log_dirs\":[";
    for (size_t i = 0; i < replicas.size(); ++i) out += i == 0 ? "\"any\"" : ",\"any\"";
    out += "]}";
  }
  return out + "]}";
}

}  // namespace sluice::tools

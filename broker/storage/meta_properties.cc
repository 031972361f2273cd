#include "broker/storage/meta_properties.h"

#include <charconv>
#include <map>

#include "broker/storage/posix_file.h"

namespace sluice::storage {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\f'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <typename Int>
bool ParseInt(std::string_view s, Int& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string FormatMetaProperties(const MetaProperties& meta) {
  std::string out = "#Written by sluice\n";
  out += "version=" + std::to_string(meta.version) + "\n";
  out += "broker.id=" + std::to_string(meta.broker_id.value()) + "\n";
  if (meta.cluster_id) out += "cluster.id=" + *meta.cluster_id + "\n";
  return out;
}

Result<MetaProperties> ParseMetaProperties(std::string_view text) {
  std::map<std::string, std::string, std::less<>> props;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    size_t sep = line.find_first_of("=: \t");
    std::string_view key = Trim(line.substr(0, sep));
    std::string_view value;
    if (sep != std::string_view::npos) {
      value = Trim(line.substr(sep + 1));
      if (!value.empty() && (value.front() == '=' || value.front() == ':')) {
        value = Trim(value.substr(1));
      }
    }
    props[std::string(key)] = std::string(value);
  }
  MetaProperties meta;
  auto version = props.find("version");
  if (version == props.end() || !ParseInt(version->second, meta.version)) {
    return Status::Corruption("meta.properties has no numeric version");
  }
  if (meta.version != 0) {
    return Status::InvalidArgument("meta.properties version " + version->second +
                                   " is not supported (only 0, ZooKeeper mode)");
  }
  int32_t broker_id = -1;
  auto id = props.find("broker.id");
  if (id == props.end() || !ParseInt(id->second, broker_id)) {
    return Status::Corruption("meta.properties has no numeric broker.id");
  }
  meta.broker_id = BrokerId(broker_id);
  if (auto cluster = props.find("cluster.id"); cluster != props.end()) {
    meta.cluster_id = cluster->second;
  }
  return meta;
}

Status WriteMetaPropertiesFile(const std::filesystem::path& path, const MetaProperties& meta) {
  std::string text = FormatMetaProperties(meta);
  return WriteFileAtomically(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Result<MetaProperties> ReadMetaPropertiesFile(const std::filesystem::path& path) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  auto meta = ParseMetaProperties(*text);
  if (!meta.ok()) {
    return Status(meta.status().code() == Status::Code::kInvalidArgument
                      ? Status::InvalidArgument(path.string() + ": " + meta.status().message())
                      : Status::Corruption(path.string() + ": " + meta.status().message()));
  }
  return meta;
}

Status CheckMetaProperties(const MetaProperties& stored, BrokerId broker_id,
                           std::string_view cluster_id, const std::filesystem::path& dir) {
  if (stored.broker_id != broker_id) {
    return Status::Conflict("Configured broker.id " + std::to_string(broker_id.value()) +
                            " doesn't match stored broker.id " +
                            std::to_string(stored.broker_id.value()) + " in meta.properties of " +
                            dir.string() +
                            ". If you moved your data, make sure your configured "
                            "broker.id matches.");
  }
  if (!cluster_id.empty() && stored.cluster_id && *stored.cluster_id != cluster_id) {
    return Status::Conflict("The Cluster ID " + std::string(cluster_id) +
                            " doesn't match stored clusterId " + *stored.cluster_id +
                            " in meta.properties of " + dir.string() +
                            ". The broker is trying to join the wrong cluster.");
  }
  return Status::Ok();
}

}  // namespace sluice::storage

// meta.properties: which broker and cluster a log.dir belongs to (Kafka's
// BrokerMetadataCheckpoint, ZooKeeper mode). Java properties text:
//
//   #Written by sluice
//   version=0
//   broker.id=1
//   cluster.id=7Qh2-3mGT3KxPVGwCqv0fw
//
// A broker refuses to start on a dir whose stored broker.id or cluster.id differs from its own:
// the data belongs to someone else (Kafka: InconsistentBrokerIdException /
// InconsistentClusterIdException).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::storage {

struct MetaProperties {
  int version = 0;  // 0 = ZooKeeper mode (1 would be KRaft's node.id layout)
  BrokerId broker_id{-1};
  std::optional<std::string> cluster_id;
  bool operator==(const MetaProperties&) const = default;
};

std::string FormatMetaProperties(const MetaProperties& meta);
// Accepts Java properties syntax: '#'/'!' comments, "key=value", "key:value" or "key value",
// whitespace around keys and values. Corruption when version or broker.id is missing or not a
// number; InvalidArgument for a version other than 0.
Result<MetaProperties> ParseMetaProperties(std::string_view text);

Status WriteMetaPropertiesFile(const std::filesystem::path& path, const MetaProperties& meta);
// NotFound when absent.
Result<MetaProperties> ReadMetaPropertiesFile(const std::filesystem::path& path);

// Conflict (with Kafka's wording) when `stored` names another broker or another cluster.
// An empty `cluster_id` (not yet known) or a stored file without cluster.id is not compared.
Status CheckMetaProperties(const MetaProperties& stored, BrokerId broker_id,
                           std::string_view cluster_id, const std::filesystem::path& dir);

}  // namespace sluice::storage

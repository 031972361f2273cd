// A partition's identity: topic name plus partition index.
#pragma once

#include <compare>
#include <functional>
#include <ostream>
#include <string>

#include "libs/base/ids.h"

namespace sluice::storage {

struct TopicPartition {
  std::string topic;
  PartitionId partition{0};

  auto operator<=>(const TopicPartition&) const = default;
  bool operator==(const TopicPartition&) const = default;
  // "<topic>-<partition>": Kafka's name for it in logs and its directory name.
  std::string ToString() const { return topic + "-" + std::to_string(partition.value()); }
  friend std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
    return os << tp.topic << '-' << tp.partition;
  }
};

}  // namespace sluice::storage

template <>
struct std::hash<sluice::storage::TopicPartition> {
  size_t operator()(const sluice::storage::TopicPartition& tp) const {
    return std::hash<std::string>()(tp.topic) * 31 + std::hash<int32_t>()(tp.partition.value());
  }
};

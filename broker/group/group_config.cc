#include "broker/group/group_config.h"

#include <charconv>
#include <string>

namespace sluice::group {

namespace {

template <typename T>
void ReadOriginal(const config::BrokerConfig& broker, const std::string& key, T& out) {
  auto it = broker.originals.find(key);
  if (it == broker.originals.end()) return;
  T value{};
  const auto& text = it->second;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size() && value > 0) out = value;
}

}  // namespace

GroupConfig GroupConfig::FromBroker(const config::BrokerConfig& broker) {
  GroupConfig c;
  c.offsets_topic_num_partitions = broker.offsets_topic_num_partitions;
  c.offsets_topic_replication_factor = broker.offsets_topic_replication_factor;
  c.offsets_topic_segment_bytes = broker.offsets_topic_segment_bytes;
  c.group_min_session_timeout_ms = broker.group_min_session_timeout_ms;
  c.group_max_session_timeout_ms = broker.group_max_session_timeout_ms;
  c.group_initial_rebalance_delay_ms = broker.group_initial_rebalance_delay_ms;
  c.offsets_retention_ms = static_cast<int64_t>(broker.offsets_retention_minutes) * 60 * 1000;
  ReadOriginal(broker, "group.max.size", c.group_max_size);
  ReadOriginal(broker, "offset.metadata.max.bytes", c.offset_metadata_max_bytes);
  ReadOriginal(broker, "offsets.retention.check.interval.ms",
               c.offsets_retention_check_interval_ms);
  return c;
}

}  // namespace sluice::group

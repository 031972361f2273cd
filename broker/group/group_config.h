// The group coordinator's settings, with Kafka 2.8's keys and defaults.
#pragma once

#include <cstdint>
#include <limits>

#include "broker/config/broker_config.h"

namespace sluice::group {

struct GroupConfig {
  int32_t offsets_topic_num_partitions = 50;                     // offsets.topic.num.partitions
  int16_t offsets_topic_replication_factor = 3;                  // offsets.topic.replication.factor
  int32_t offsets_topic_segment_bytes = 104857600;               // offsets.topic.segment.bytes
  int32_t group_min_session_timeout_ms = 6000;                   // group.min.session.timeout.ms
  int32_t group_max_session_timeout_ms = 1800000;                // group.max.session.timeout.ms
  int32_t group_initial_rebalance_delay_ms = 3000;               // group.initial.rebalance.delay.ms
  int32_t group_max_size = std::numeric_limits<int32_t>::max();  // group.max.size
  int32_t offset_metadata_max_bytes = 4096;                      // offset.metadata.max.bytes
  int64_t offsets_retention_ms = 10080LL * 60 * 1000;            // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms = 600000;  // offsets.retention.check.interval.ms

  // From the broker's configuration. group.max.size, offset.metadata.max.bytes and
  // offsets.retention.check.interval.ms are read from the keys as given (BrokerConfig keeps
  // them only in `originals`); an unparsable value keeps the default.
  static GroupConfig FromBroker(const config::BrokerConfig& broker);
};

// Kafka's GroupCoordinator.NewMemberJoinTimeoutMs: how long a new member may take to complete
// its first join before it is dropped (its session timeout starts only once it has joined).
inline constexpr int32_t kNewMemberJoinTimeoutMs = 5 * 60 * 1000;

}  // namespace sluice::group

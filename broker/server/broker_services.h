// What request handlers may use: the broker's subsystems, by reference. The Broker (broker.h)
// owns them all and outlives every request.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "broker/config/broker_config.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/replication/replica_manager.h"
#include "broker/server/leadership_fence.h"
#include "broker/server/metadata_cache.h"
#include "broker/server/purgatory.h"
#include "broker/server/topic_manager.h"
#include "broker/storage/log_manager.h"
#include "libs/base/metrics.h"

namespace sluice::server {

struct BrokerServices {
  const config::BrokerConfig& config;
  MetadataCache& metadata;
  replication::ReplicaManager& replicas;
  storage::LogManager& logs;
  metadata::KafkaZkClient& zk;
  Purgatory& purgatory;
  TopicManager& topics;
  metrics::Registry& metrics;  // names in broker/admin/broker_metrics.h
  // This broker's epoch: the czxid of its /brokers/ids/<id> registration (KIP-380), -1 before
  // it registered. Controller requests carrying an older one are STALE_BROKER_EPOCH.
  std::function<int64_t()> broker_epoch;
  // Whether this broker may act as a leader towards clients (null in tests: always).
  LeadershipFence* fence = nullptr;
};

// Why this broker must not act as a partition leader now (leadership_fence.h); nullopt if it may.
inline std::optional<std::string> LeadershipFenced(const BrokerServices& services) {
  return services.fence ? services.fence->Reason() : std::nullopt;
}

// Kafka's KafkaApis.isBrokerEpochStale: a controller request from before this broker's current
// registration (-1 in the request: not sent, never stale).
inline bool IsBrokerEpochStale(const BrokerServices& services, int64_t request_broker_epoch) {
  if (request_broker_epoch < 0) return false;
  return request_broker_epoch < services.broker_epoch();
}

}  // namespace sluice::server

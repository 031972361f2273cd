// What request handlers may use: the broker's subsystems, by reference. The Broker (broker.h)
// owns them all and outlives every request.
#pragma once

#include "broker/config/broker_config.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/replication/replica_manager.h"
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
};

}  // namespace sluice::server

// DeleteRecords (key 21, v0-2): moves each named partition's log start offset up to the
// requested offset (-1: the high watermark) and answers the new log start offset as
// LowWatermark. Per partition, as Kafka 2.8:
//   not hosted here            UNKNOWN_TOPIC_OR_PARTITION, or NOT_LEADER_OR_FOLLOWER when the
//                              partition exists in the cluster but another broker leads it;
//   offset < 0 (not -1) or above the high watermark   OFFSET_OUT_OF_RANGE.
// Kafka then waits (up to TimeoutMs) for every follower's log start offset to pass the new
// one; with leader-only partitions (this broker's replication scope) there is no one to wait
// for, so the answer is immediate.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterDeleteRecords(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

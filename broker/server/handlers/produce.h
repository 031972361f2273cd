// Produce (key 0), versions 0-9: appends record batches to the partitions this broker leads.
//
// acks=0 gets no response; acks=1 is answered once the batches are in the leader's log;
// acks=-1 (all) parks a DelayedProduce (delayed_produce.h) in the purgatory until every
// partition appended to is committed (the high watermark passed it), or the request's
// timeout_ms passes (REQUEST_TIMED_OUT for the partitions still waiting). acks=-1 with an ISR
// smaller than min.insync.replicas writes nothing (NOT_ENOUGH_REPLICAS). One response covers
// the whole request. Only record batches v2 are stored (what every client sends with Produce
// v3+); older message formats are refused with UNSUPPORTED_FOR_MESSAGE_FORMAT.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterProduce(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

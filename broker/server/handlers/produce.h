// Produce (key 0), versions 0-9: appends record batches to the partitions this broker leads.
//
// acks=0 gets no response; acks=1 and acks=-1 are answered once the batches are in the leader's
// log (with an ISR of one broker, acks=-1 is satisfied by the same append; replication adds the
// wait in the purgatory). Only record batches v2 are stored (what every client sends with
// Produce v3+); older message formats are refused with UNSUPPORTED_FOR_MESSAGE_FORMAT.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterProduce(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

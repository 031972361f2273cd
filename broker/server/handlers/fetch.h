// Fetch (key 1), versions 0-12: reads whole record batches from the partitions this broker
// leads, for consumers (replica_id -1) below the high watermark, for followers (replica_id = the
// follower's broker id) below the log end offset. A follower's fetch offset is its log end
// offset: Partition::ReadRecords records it, which may grow the ISR and advance the high
// watermark (and so complete acks=all produces). A fetch that finds fewer than min.bytes waits
// in the purgatory, without a thread, until an append (or, for consumers, a high-watermark
// move) on one of its partitions brings enough data, or max.wait.ms passes.
//
// Fetch sessions (KIP-227) are answered sessionless: a request with SessionId 0 gets SessionId
// 0 back, which tells the client no session was created, so it keeps sending full fetches.
// A request naming a session id we never issued gets FETCH_SESSION_ID_NOT_FOUND.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"

namespace sluice::server {

void RegisterFetch(ApiRegistry& registry, BrokerServices& services);

}  // namespace sluice::server

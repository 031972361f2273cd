// Fetch (key 1), versions 0-12, for consumers: reads whole record batches below the high
// watermark. A fetch that finds fewer than min.bytes waits in the purgatory, without a thread,
// until an append to one of its partitions brings enough data or max.wait.ms passes.
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

// InitProducerId (key 22, v0-4): gives an idempotent producer its producer id, as Kafka 2.8's
// KafkaApis.handleInitProducerIdRequest and TransactionCoordinator.handleInitProducerId do for
// a null TransactionalId:
//   * every request gets a new id from the ProducerIdManager, with epoch 0. Kafka 2.8 does
//     this even when a v3+ request names its current ProducerId/ProducerEpoch (KIP-360 epoch
//     bumps are for transactional ids; an idempotent producer bumps its epoch locally and asks
//     for a new id only when the epoch would overflow), so an id is never shared by two
//     producers;
//   * v3+ with exactly one of ProducerId/ProducerEpoch set to -1: INVALID_REQUEST.
// A non-null TransactionalId: transactions are not supported yet (FindCoordinator answers
// COORDINATOR_NOT_AVAILABLE for transaction coordinators). The answer is INVALID_REQUEST, which
// Kafka 2.8 also gives an empty transactional id and which clients treat as fatal with "see
// the broker logs" (a retriable code would make initTransactions() spin until max.block.ms),
// and the broker logs why.
// When ZooKeeper cannot be reached to claim a block of ids: REQUEST_TIMED_OUT (retriable:
// the producer asks again); a corrupt /latest_producer_id_block or exhausted ids:
// UNKNOWN_SERVER_ERROR. Errors carry ProducerId -1 and ProducerEpoch -1.
#pragma once

#include "broker/server/api_registry.h"
#include "broker/server/producer_id_manager.h"
#include "libs/kafka/messages/init_producer_id.h"

namespace sluice::server {

struct BrokerServices;

// The answer to one request (any version); blocks for a ZooKeeper round trip when a new block
// of ids has to be claimed.
kafka::InitProducerIdResponse AnswerInitProducerId(const kafka::InitProducerIdRequest& request,
                                                   ProducerIdManager& producer_ids);

void RegisterInitProducerId(ApiRegistry& registry, BrokerServices& services,
                            ProducerIdManager& producer_ids);

}  // namespace sluice::server

// ProducerIdManager: hands out producer ids that no two brokers of the cluster ever share, as
// Apache Kafka 2.8's kafka.coordinator.transaction.ProducerIdManager does on ZooKeeper.
//
// Each broker claims blocks of kBlockSize consecutive ids by rewriting the one znode
//   /latest_producer_id_block   {"version":1,"broker":<id>,"block_start":"<n>","block_end":"<m>"}
// (ProducerIdBlockZNode; both ends inclusive, written as decimal strings as Kafka does) with a
// conditional set on the znode version it read: the next block starts after the block_end it
// read, so two brokers racing for a block cannot both win it; the loser re-reads and takes the
// block after. The first block is 0..999 (the znode is absent, or empty as broker start-up
// creates it). Ids are handed out from the claimed block in order; a block is claimed on the
// first request (Kafka claims one at start-up: claiming lazily wastes no block per restart of a
// broker that never serves InitProducerId) and again when the block is used up. Ids of a block
// not used up before a restart are never handed out: uniqueness matters, density does not.
//
// Thread safety: NextProducerId may be called from any thread; claims are serialised by one
// mutex, so a call that has to claim a block holds up the others for one ZooKeeper round trip
// (once every 1000 ids).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "broker/metadata/zk_client.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::server {

// A claimed range of producer ids, both ends inclusive.
struct ProducerIdBlock {
  BrokerId broker;
  int64_t first = 0;
  int64_t last = 0;
  bool operator==(const ProducerIdBlock&) const = default;
};

// Kafka's ProducerIdBlockZNode (ZkData.scala). Kept here rather than in broker/metadata/znodes.h
// only because this file's owner could not edit that one this session.
struct ProducerIdBlockZNode {
  static std::string Path();  // "/latest_producer_id_block"
  static std::string Encode(const ProducerIdBlock& block);
  // Corruption naming the znode for malformed JSON, a missing or mistyped field, a bound that
  // is not a decimal int64, or block_end < block_start.
  static Result<ProducerIdBlock> Decode(std::string_view bytes);
};

class ProducerIdManager {
 public:
  // Kafka's ProducerIdManager.PidBlockSize.
  static constexpr int64_t kBlockSize = 1000;

  // `zk` must outlive this manager. Nothing is read or written before the first call.
  ProducerIdManager(BrokerId broker_id, metadata::ZkClient& zk);

  // The next unused producer id (>= 0). Errors: Unavailable when ZooKeeper cannot be reached or
  // the claim kept losing races (retry later); Corruption when the znode holds something else
  // than a block; OutOfRange when every int64 id has been handed out (Kafka treats that as
  // fatal too).
  Result<int64_t> NextProducerId();

  // The block ids are currently handed out from; nullopt before the first claim.
  std::optional<ProducerIdBlock> current_block() const;

 private:
  // Claims the block after the one in ZooKeeper. REQUIRES: mu_ held.
  Result<ProducerIdBlock> ClaimNextBlock();

  const BrokerId broker_id_;
  metadata::ZkClient& zk_;
  mutable std::mutex mu_;
  std::optional<ProducerIdBlock> block_;  // GUARDED_BY(mu_)
  int64_t next_id_ = 0;                   // GUARDED_BY(mu_): the next id of block_ to hand out
};

}  // namespace sluice::server

// Consumer: reads assigned partitions with Fetch, tracking a position (next offset) per
// partition. No group: the caller assigns partitions and chooses positions (Kafka's
// consumer.assign + seek). GroupConsumer (group_consumer.h) drives one of these for the
// partitions its group assigns.
//
// Poll sends one Fetch per leader broker for the partitions with a position, waiting up to
// fetch_max_wait on the broker, until records arrive or the poll's timeout passes. Records
// below the position (a compressed batch starts earlier) and control batches are skipped; with
// read_committed, records of aborted transactions are dropped. A partition whose position is
// out of range is reset by auto_offset_reset (kNone: Poll fails naming it).
// NOT_LEADER_OR_FOLLOWER and friends refresh metadata and the fetch is retried next round.
//
// Thread safety: not thread-safe (the Client may be shared).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/client/types.h"

namespace sluice::kafka::client {

enum class AutoOffsetReset { kEarliest, kLatest, kNone };

struct ConsumerOptions {
  std::chrono::milliseconds fetch_max_wait{500};  // fetch.max.wait.ms
  int32_t fetch_min_bytes = 1;                    // fetch.min.bytes
  int32_t fetch_max_bytes = 52'428'800;           // fetch.max.bytes
  int32_t max_partition_fetch_bytes = 1'048'576;  // max.partition.fetch.bytes
  IsolationLevel isolation = IsolationLevel::kReadUncommitted;
  AutoOffsetReset auto_offset_reset = AutoOffsetReset::kLatest;  // auto.offset.reset
  // Records of a batch that fails to decode (bad CRC, unknown codec) make Poll fail naming the
  // partition and offset, unless this is set: then the batch is skipped (the console consumer's
  // --skip-message-on-error).
  bool skip_corrupt_batches = false;
};

class Consumer {
 public:
  Consumer(Client& client, ConsumerOptions options);

  // Replaces the assignment. Positions of partitions kept are kept; new ones have none until
  // Seek* (or auto_offset_reset on the first Poll).
  void Assign(std::vector<TopicPartition> partitions);
  std::vector<TopicPartition> Assignment() const;

  void Seek(const TopicPartition& partition, Offset offset);
  // Positions at the log start / log end, via ListOffsets.
  Status SeekToBeginning(const std::vector<TopicPartition>& partitions);
  Status SeekToEnd(const std::vector<TopicPartition>& partitions);
  // The next offset Poll will return for the partition; nullopt before any seek.
  std::optional<Offset> Position(const TopicPartition& partition) const;
  // The high watermark the last fetch of the partition reported (for lag).
  std::optional<Offset> HighWatermark(const TopicPartition& partition) const;

  // Records in offset order per partition. Empty when `timeout` passes without any.
  Result<std::vector<ConsumerRecord>> Poll(std::chrono::milliseconds timeout);

 private:
  struct PartitionState {
    std::optional<Offset> position;
    std::optional<Offset> high_watermark;
  };
  Status ResetPositions();
  Result<std::vector<ConsumerRecord>> FetchOnce(std::chrono::milliseconds max_wait);

  Client& client_;
  const ConsumerOptions options_;
  std::map<TopicPartition, PartitionState> assignment_;
};

}  // namespace sluice::kafka::client

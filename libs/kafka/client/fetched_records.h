// Turns the records bytes of one partition in a Fetch response into what a consumer returns.
// Pure logic, apart from Consumer so that it can be tested without a broker:
//
//   * batches are split at their headers; a trailing partial batch (the broker cut the answer
//     at max bytes) is left for the next fetch;
//   * records below `position` are dropped (a compressed batch is fetched whole, so it may
//     start before the position);
//   * control batches (transaction markers) are never returned;
//   * with read_committed, records of aborted transactions are dropped: a transactional batch
//     of producer P is aborted when an AbortedTransaction{P, first_offset <= batch base offset}
//     is open, and P's next control batch (its abort marker) closes it (as Kafka's Fetcher);
//   * a batch that fails validation (CRC, malformed records, unknown codec) is an error naming
//     the partition and offset, or is skipped when skip_corrupt is set.
//
// The returned next_position is past the last complete batch seen (so a fully skipped batch
// still advances the consumer), or `position` when none was complete.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/types.h"

namespace sluice::kafka::client {

struct AbortedTransactionRange {
  int64_t producer_id = -1;
  Offset first_offset{-1};
};

struct FetchedRecords {
  std::vector<ConsumerRecord> records;
  Offset next_position{0};
  int skipped_corrupt_batches = 0;
};

Result<FetchedRecords> DecodeFetchedRecords(const TopicPartition& partition,
                                            std::span<const uint8_t> bytes, Offset position,
                                            IsolationLevel isolation,
                                            std::vector<AbortedTransactionRange> aborted,
                                            bool skip_corrupt);

}  // namespace sluice::kafka::client

// Rewriting a stored record batch with some of its records removed, as compaction does.
//
// Kafka's rules for a filtered v2 batch (MemoryRecords.filterTo), which consumers and
// followers rely on:
//   * the batch keeps its baseOffset and its lastOffsetDelta, so offsets never move and the
//     batch still accounts for every offset it covered (records keep their offset deltas; the
//     deltas are then increasing but no longer contiguous, see kafka::OffsetDeltaCheck);
//   * attributes (codec, timestamp type, transactional, control), producer id/epoch, base
//     sequence and partitionLeaderEpoch are kept; the records are re-compressed with the
//     batch's own codec;
//   * firstTimestamp becomes the first kept record's timestamp and maxTimestamp the greatest
//     kept one (for LogAppendTime batches both stay as stored: every record reads maxTimestamp);
//   * an "empty" batch (no records, header only, uncompressed) may stand in for a batch whose
//     records all went, to keep its producer's last sequence and epoch known.
#pragma once

#include <cstdint>
#include <vector>

#include "libs/base/status.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {

// The batch `original` with only `kept` records. REQUIRES: `kept` non-empty, each record's
// offset inside [original.base_offset, original.last_offset()], offsets increasing.
// InvalidArgument when that does not hold; Internal if the codec fails.
Result<std::vector<uint8_t>> BuildCompactedBatch(const kafka::RecordBatchHeader& original,
                                                 const std::vector<kafka::Record>& kept);

// A header-only batch covering the offsets of `original` with no records.
std::vector<uint8_t> BuildEmptyBatch(const kafka::RecordBatchHeader& original);

}  // namespace sluice::storage

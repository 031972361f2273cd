// Validation of the record batches a producer sends, before the Log assigns them offsets.
//
// Batch-level checks, plus the allocation-free record walk of kafka::ValidateRecordBatch: no
// record is decoded or copied here, except for compacted logs (below). The Status code tells the
// protocol edge which Kafka error to answer:
//   OutOfRange      -> MESSAGE_TOO_LARGE (a batch over max.message.bytes) or
//                      RECORD_LIST_TOO_LARGE (the whole append over segment.bytes)
//   Corruption      -> CORRUPT_MESSAGE (CRC mismatch, torn or garbled framing)
//   InvalidArgument -> INVALID_RECORD (magic other than 2, control batch from a client, offset
//                      deltas or record count inconsistent, producer id without a sequence, a
//                      record without a key on a log with cleanup.policy=compact)
// With cleanup.policy=compact the records are decoded too, to check that each has a key.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "broker/storage/log_config.h"
#include "libs/base/status.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::storage {

struct ValidatedBatch {
  size_t position = 0;  // where the batch starts in the producer's buffer
  kafka::RecordBatchHeader header;
};

// Splits `records` into batches and validates each. Fails on the first bad batch; an empty
// buffer is InvalidArgument.
Result<std::vector<ValidatedBatch>> ValidateProducerRecords(std::span<const uint8_t> records,
                                                            const LogConfig& config);

// Validation of the batches a follower fetched from its leader (Log::AppendAsFollower). The
// leader already applied the producer rules, so only the bytes are checked: framing, magic 2,
// CRC-32C, records well formed with strictly increasing offset deltas (a compacted leader log
// has gaps inside batches), and base offsets strictly increasing across batches (gaps between
// batches are fine: compaction). Control batches, batches above max.message.bytes (the leader's
// topic config may be newer) and keyless records are accepted. A trailing incomplete batch is
// ignored: a leader may cut the last batch at the fetch size, as Kafka's does. Errors as above;
// OutOfRange when the batches exceed segment.bytes; InvalidArgument when no complete batch.
Result<std::vector<ValidatedBatch>> ValidateReplicatedRecords(std::span<const uint8_t> records,
                                                              const LogConfig& config);

}  // namespace sluice::storage

// Record batch v2 (magic 2): the unit Kafka stores and ships. Layout (byte offsets into a batch):
//
//    0 baseOffset int64           8 batchLength int32 (bytes after this field)
//   12 partitionLeaderEpoch int32  16 magic int8 (=2)
//   17 crc uint32, CRC-32C over bytes [21, end)
//   21 attributes int16: bits 0-2 compression, 3 LogAppendTime, 4 transactional, 5 control
//   23 lastOffsetDelta int32       27 firstTimestamp int64       35 maxTimestamp int64
//   43 producerId int64            51 producerEpoch int16        53 baseSequence int32
//   57 recordCount int32
//   61 records (compressed as one block when attributes & 0x7 != 0; layout in record_reader.h)
//
// The CRC excludes baseOffset, batchLength and partitionLeaderEpoch so that a broker can assign
// offsets and stamp the leader epoch without recomputing it. All integers are big-endian.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libs/base/status.h"
#include "libs/kafka/records/crc32c.h"  // Crc32c(data, crc)

namespace sluice::kafka {

inline constexpr size_t kRecordBatchOverhead = 61;  // bytes before the first record
inline constexpr size_t kLogOverhead = 12;          // baseOffset + batchLength
inline constexpr int8_t kMagicV2 = 2;

enum class Compression : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

namespace batch_offsets {
inline constexpr size_t kBaseOffset = 0;
inline constexpr size_t kBatchLength = 8;
inline constexpr size_t kPartitionLeaderEpoch = 12;
inline constexpr size_t kMagic = 16;
inline constexpr size_t kCrc = 17;
inline constexpr size_t kAttributes = 21;
inline constexpr size_t kLastOffsetDelta = 23;
inline constexpr size_t kFirstTimestamp = 27;
inline constexpr size_t kMaxTimestamp = 35;
inline constexpr size_t kProducerId = 43;
inline constexpr size_t kProducerEpoch = 51;
inline constexpr size_t kBaseSequence = 53;
inline constexpr size_t kRecordCount = 57;
}  // namespace batch_offsets

// The fixed 61-byte header of a batch, decoded.
struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after the batchLength field; total size = 12 + batch_length
  int32_t partition_leader_epoch = -1;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t first_timestamp = -1;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  Compression compression() const { return static_cast<Compression>(attributes & 0x7); }
  bool log_append_time() const { return (attributes & 0x8) != 0; }
  bool is_transactional() const { return (attributes & 0x10) != 0; }
  bool is_control() const { return (attributes & 0x20) != 0; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  size_t total_size() const { return kLogOverhead + static_cast<size_t>(batch_length); }
};

struct RecordHeader {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const RecordHeader&) const = default;
};

// One record inside a batch, with its absolute offset and timestamp resolved.
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<RecordHeader> headers;
  bool operator==(const Record&) const = default;
};

// Reads only the fixed header. Fails with Corruption when fewer than 61 bytes are given, the
// magic is not 2, or batch_length is shorter than the header it must cover.
Result<RecordBatchHeader> ParseRecordBatchHeader(std::span<const uint8_t> bytes);

// How ValidateRecordBatch checks the offsets of a batch's records.
enum class OffsetDeltaCheck {
  // What a client must send (Produce): record offset deltas exactly 0..n-1 and, for every
  // codec, lastOffsetDelta == recordCount - 1 (Kafka's LogValidator rejects anything else).
  kContiguous,
  // What a log may hold: compaction removes records but keeps the batch's offsets, so deltas
  // are only strictly increasing within [0, lastOffsetDelta]. Use for recovery and fetch paths.
  kIncreasing,
};

// Checks a whole batch: at least 61 bytes, magic 2, total size (12 + batchLength) equals
// batch.size(), stored CRC-32C over [21, end) matches, recordCount >= 0. For an uncompressed
// batch also walks the records (without allocating): each parses with exactly its declared
// length, their number equals recordCount, nothing follows the last one, and their offset
// deltas pass `offsets`. A compressed batch's records are not decompressed here (DecodeRecords
// does that); its CRC still covers them. Fails with Corruption, naming the first problem.
Status ValidateRecordBatch(std::span<const uint8_t> batch,
                           OffsetDeltaCheck offsets = OffsetDeltaCheck::kContiguous);

// Splits a buffer of concatenated batches (a Produce request's records, a segment's bytes)
// into batches. Stops at the first incomplete batch; `*trailing_bytes` (when given) receives
// the count of bytes after the last complete batch. Fails with Corruption when a header is
// invalid as far as it is present: batchLength < 49, or magic != 2 once 17 bytes are there.
// Checks neither CRCs nor records (ValidateRecordBatch does); the spans point into `bytes`.
Result<std::vector<std::span<const uint8_t>>> SplitRecordBatches(std::span<const uint8_t> bytes,
                                                                 size_t* trailing_bytes = nullptr);

// The three setters below REQUIRE batch.size() >= 61 (asserted; a shorter span is left as is).
// Rewrites baseOffset in place (the CRC does not cover it).
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);
// Rewrites partitionLeaderEpoch in place (the CRC does not cover it).
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch);
// Sets maxTimestamp and the LogAppendTime attribute bit, then recomputes the CRC
// (used when a topic's message.timestamp.type is LogAppendTime).
void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);

// The default bound on a batch's decompressed records: 64 MiB, 64x Kafka's default
// message.max.bytes (1 MiB). Text and JSON compress 5-20x, so honest batches stay far below it.
inline constexpr size_t kDefaultMaxDecompressedBytes = size_t{64} << 20;

// Decompresses (if needed) and decodes every record of a batch. The CRC is NOT checked again
// (call ValidateRecordBatch first); everything else is, so any input is safe: Corruption when
// the header is invalid, batch.size() != 12 + batchLength, the records are malformed, their
// count differs from recordCount, bytes follow the last record, the codec is unknown, or the
// records decompress to more than `max_decompressed_bytes`.
// Offsets are baseOffset + offsetDelta; timestamps are firstTimestamp + timestampDelta, or
// maxTimestamp for every record when the batch has the LogAppendTime attribute (as in Kafka).
Result<std::vector<Record>> DecodeRecords(
    std::span<const uint8_t> batch, size_t max_decompressed_bytes = kDefaultMaxDecompressedBytes);

// Builds a batch from records; offsets are relative to base_offset (records' offset fields are
// ignored and taken as base_offset + index). Used by tests, internal topics and tools.
// firstTimestamp is the first record's timestamp, maxTimestamp the largest; the timestamp type
// is CreateTime. InvalidArgument for an empty `records`, a field longer than INT32_MAX, or a
// batch that would exceed INT32_MAX bytes.
struct RecordBatchBuilderOptions {
  int64_t base_offset = 0;
  Compression compression = Compression::kNone;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t partition_leader_epoch = -1;
  bool transactional = false;
  bool control = false;
};
Result<std::vector<uint8_t>> BuildRecordBatch(const std::vector<Record>& records,
                                              const RecordBatchBuilderOptions& options);

}  // namespace sluice::kafka

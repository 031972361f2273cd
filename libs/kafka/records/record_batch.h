// Record batch v2 (magic 2): the unit Kafka stores and ships. Layout (byte offsets into a batch):
//
//   0 baseOffset int64 | 8 batchLength int32 (bytes after this field) | 12 partitionLeaderEpoch int32
//   16 magic int8 (=2) | 17 crc uint32, CRC-32C over bytes [21, end) | 21 attributes int16
//   23 lastOffsetDelta int32 | 27 firstTimestamp int64 | 35 maxTimestamp int64
//   43 producerId int64 | 51 producerEpoch int16 | 53 baseSequence int32 | 57 recordCount int32
//   61 records (compressed as one block when attributes & 0x7 != 0)
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

namespace sluice::kafka {

inline constexpr size_t kRecordBatchOverhead = 61;   // bytes before the first record
inline constexpr size_t kLogOverhead = 12;           // baseOffset + batchLength
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

// CRC-32C (Castagnoli) of `data`, continuing from `crc` (0 to start).
uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc = 0);

// Checks a whole batch: header sanity, total size equals bytes.size(), stored CRC matches.
Status ValidateRecordBatch(std::span<const uint8_t> batch);

// Splits a buffer of concatenated batches (a Produce request's records, a segment's bytes)
// into batches. Stops at the first incomplete batch; `*trailing_bytes` (when given) receives
// the count of bytes after the last complete batch. Fails with Corruption when a header is invalid.
Result<std::vector<std::span<const uint8_t>>> SplitRecordBatches(std::span<const uint8_t> bytes,
                                                                size_t* trailing_bytes = nullptr);

// Rewrites baseOffset in place (the CRC does not cover it).
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);
// Rewrites partitionLeaderEpoch in place (the CRC does not cover it).
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch);
// Sets maxTimestamp and the LogAppendTime attribute bit, then recomputes the CRC
// (used when a topic's message.timestamp.type is LogAppendTime).
void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms);

// Decompresses (if needed) and decodes every record of a validated batch.
Result<std::vector<Record>> DecodeRecords(std::span<const uint8_t> batch);

// Builds a batch from records; offsets are relative to base_offset (records' offset fields are
// ignored and taken as base_offset + index). Used by tests, internal topics and tools.
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

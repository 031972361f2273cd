#include "broker/storage/compacted_batch.h"

#include <algorithm>
#include <limits>
#include <string>

#include "broker/storage/index_file.h"
#include "libs/kafka/records/compression.h"

namespace sluice::storage {
namespace {

namespace off = kafka::batch_offsets;

// Zig-zag varint as record batch v2 records use it (see libs/kafka/records/record_reader.h).
void AppendVarlong(std::vector<uint8_t>& out, int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (u >= 0x80) {
    out.push_back(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<uint8_t>(u));
}

void AppendNullable(std::vector<uint8_t>& out, const std::optional<std::string>& bytes) {
  if (!bytes) {
    AppendVarlong(out, -1);
    return;
  }
  AppendVarlong(out, static_cast<int64_t>(bytes->size()));
  out.insert(out.end(), bytes->begin(), bytes->end());
}

void AppendRecord(std::vector<uint8_t>& out, std::vector<uint8_t>& scratch,
                  const kafka::Record& record, int64_t timestamp_delta, int64_t offset_delta) {
  scratch.clear();
  scratch.push_back(0);  // record attributes: unused in v2
  AppendVarlong(scratch, timestamp_delta);
  AppendVarlong(scratch, offset_delta);
  AppendNullable(scratch, record.key);
  AppendNullable(scratch, record.value);
  AppendVarlong(scratch, static_cast<int64_t>(record.headers.size()));
  for (const kafka::RecordHeader& h : record.headers) {
    AppendVarlong(scratch, static_cast<int64_t>(h.key.size()));
    scratch.insert(scratch.end(), h.key.begin(), h.key.end());
    AppendNullable(scratch, h.value);
  }
  AppendVarlong(out, static_cast<int64_t>(scratch.size()));
  out.insert(out.end(), scratch.begin(), scratch.end());
}

void PutBigEndian16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Writes the 61-byte header (CRC last, over everything from the attributes on).
void WriteHeader(std::vector<uint8_t>& batch, const kafka::RecordBatchHeader& original,
                 int16_t attributes, int64_t first_timestamp, int64_t max_timestamp,
                 int32_t record_count) {
  uint8_t* p = batch.data();
  PutBigEndian64(p + off::kBaseOffset, static_cast<uint64_t>(original.base_offset));
  PutBigEndian32(p + off::kBatchLength,
                 static_cast<uint32_t>(batch.size() - kafka::kLogOverhead));
  PutBigEndian32(p + off::kPartitionLeaderEpoch,
                 static_cast<uint32_t>(original.partition_leader_epoch));
  p[off::kMagic] = static_cast<uint8_t>(kafka::kMagicV2);
  PutBigEndian16(p + off::kAttributes, static_cast<uint16_t>(attributes));
  PutBigEndian32(p + off::kLastOffsetDelta, static_cast<uint32_t>(original.last_offset_delta));
  PutBigEndian64(p + off::kFirstTimestamp, static_cast<uint64_t>(first_timestamp));
  PutBigEndian64(p + off::kMaxTimestamp, static_cast<uint64_t>(max_timestamp));
  PutBigEndian64(p + off::kProducerId, static_cast<uint64_t>(original.producer_id));
  PutBigEndian16(p + off::kProducerEpoch, static_cast<uint16_t>(original.producer_epoch));
  PutBigEndian32(p + off::kBaseSequence, static_cast<uint32_t>(original.base_sequence));
  PutBigEndian32(p + off::kRecordCount, static_cast<uint32_t>(record_count));
  PutBigEndian32(p + off::kCrc, kafka::Crc32c(std::span<const uint8_t>(batch).subspan(
                                    off::kAttributes)));
}

}  // namespace

Result<std::vector<uint8_t>> BuildCompactedBatch(const kafka::RecordBatchHeader& original,
                                                 const std::vector<kafka::Record>& kept) {
  if (kept.empty()) return Status::InvalidArgument("a compacted batch keeps at least one record");
  if (kept.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("too many records for one batch");
  }
  const bool log_append_time = original.log_append_time();
  int64_t first_timestamp = log_append_time ? original.first_timestamp : kept.front().timestamp;
  int64_t max_timestamp = log_append_time ? original.max_timestamp : kept.front().timestamp;
  int64_t previous_offset = original.base_offset - 1;
  std::vector<uint8_t> encoded;
  std::vector<uint8_t> scratch;
  for (const kafka::Record& record : kept) {
    if (record.offset <= previous_offset || record.offset > original.last_offset()) {
      return Status::InvalidArgument("record offset " + std::to_string(record.offset) +
                                     " is out of order or outside its batch");
    }
    previous_offset = record.offset;
    if (!log_append_time) max_timestamp = std::max(max_timestamp, record.timestamp);
    // Under LogAppendTime every record reads the batch's maxTimestamp whatever its delta.
    int64_t timestamp_delta = log_append_time ? 0 : record.timestamp - first_timestamp;
    AppendRecord(encoded, scratch, record, timestamp_delta, record.offset - original.base_offset);
  }
  std::vector<uint8_t> payload;
  if (original.compression() == kafka::Compression::kNone) {
    payload = std::move(encoded);
  } else {
    auto compressed = kafka::Compress(original.compression(), encoded);
    if (!compressed.ok()) return compressed.status();
    payload = std::move(*compressed);
  }
  if (payload.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()) - 64) {
    return Status::InvalidArgument("compacted batch is too large");
  }
  std::vector<uint8_t> batch(kafka::kRecordBatchOverhead);
  batch.insert(batch.end(), payload.begin(), payload.end());
  WriteHeader(batch, original, original.attributes, first_timestamp, max_timestamp,
              static_cast<int32_t>(kept.size()));
  return batch;
}

std::vector<uint8_t> BuildEmptyBatch(const kafka::RecordBatchHeader& original) {
  std::vector<uint8_t> batch(kafka::kRecordBatchOverhead);
  // No records, so no codec: keep only the timestamp type, transactional and control bits.
  const int16_t attributes = static_cast<int16_t>(original.attributes & ~0x7);
  WriteHeader(batch, original, attributes, original.max_timestamp, original.max_timestamp, 0);
  return batch;
}

}  // namespace sluice::storage

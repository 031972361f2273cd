// BuildRecordBatch: encodes records, compresses them, writes the header and the CRC.
#include <algorithm>
#include <limits>
#include <string>

#include "libs/kafka/records/big_endian.h"
#include "libs/kafka/records/compression.h"
#include "libs/kafka/records/record_batch.h"
#include "libs/kafka/records/varint.h"

namespace sluice::kafka {
namespace {

namespace off = batch_offsets;

constexpr size_t kMaxInt32 = static_cast<size_t>(std::numeric_limits<int32_t>::max());

// Appends a varint length and the bytes; nullopt encodes as length -1.
void AppendSizedBytes(std::vector<uint8_t>& out, const std::optional<std::string>& bytes) {
  if (!bytes) {
    varint::AppendVarint(out, -1);
    return;
  }
  varint::AppendVarint(out, static_cast<int32_t>(bytes->size()));
  out.insert(out.end(), bytes->begin(), bytes->end());
}

Status CheckFieldSizes(const Record& record) {
  auto too_long = [](const std::optional<std::string>& s) { return s && s->size() > kMaxInt32; };
  if (too_long(record.key) || too_long(record.value)) {
    return Status::InvalidArgument("record key or value is longer than INT32_MAX bytes");
  }
  if (record.headers.size() > kMaxInt32) {
    return Status::InvalidArgument("record has more than INT32_MAX headers");
  }
  for (const RecordHeader& h : record.headers) {
    if (h.key.size() > kMaxInt32 || too_long(h.value)) {
      return Status::InvalidArgument("record header is longer than INT32_MAX bytes");
    }
  }
  return Status::Ok();
}

// Appends one record in the layout described in record_reader.h. The body is written first
// into `scratch` because its length prefix is a varint whose size depends on it.
void AppendRecord(std::vector<uint8_t>& out, std::vector<uint8_t>& scratch, const Record& record,
                  int64_t timestamp_delta, int32_t offset_delta) {
  scratch.clear();
  scratch.push_back(0);  // attributes: unused in v2
  varint::AppendVarlong(scratch, timestamp_delta);
  varint::AppendVarint(scratch, offset_delta);
  AppendSizedBytes(scratch, record.key);
  AppendSizedBytes(scratch, record.value);
  varint::AppendVarint(scratch, static_cast<int32_t>(record.headers.size()));
  for (const RecordHeader& h : record.headers) {
    varint::AppendVarint(scratch, static_cast<int32_t>(h.key.size()));
    scratch.insert(scratch.end(), h.key.begin(), h.key.end());
    AppendSizedBytes(scratch, h.value);
  }
  varint::AppendVarint(out, static_cast<int32_t>(scratch.size()));
  out.insert(out.end(), scratch.begin(), scratch.end());
}

}  // namespace

Result<std::vector<uint8_t>> BuildRecordBatch(const std::vector<Record>& records,
                                              const RecordBatchBuilderOptions& options) {
  if (records.empty()) return Status::InvalidArgument("a record batch needs at least one record");
  if (records.size() > kMaxInt32) return Status::InvalidArgument("too many records for a batch");
  if (static_cast<int>(options.compression) < 0 ||
      static_cast<int>(options.compression) > static_cast<int>(Compression::kZstd)) {
    return Status::InvalidArgument("unknown compression codec");
  }

  int64_t first_timestamp = records.front().timestamp;
  int64_t max_timestamp = first_timestamp;
  std::vector<uint8_t> encoded;
  std::vector<uint8_t> scratch;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& record = records[i];
    SLUICE_RETURN_IF_ERROR(CheckFieldSizes(record));
    int64_t timestamp_delta = 0;
    if (__builtin_sub_overflow(record.timestamp, first_timestamp, &timestamp_delta)) {
      return Status::InvalidArgument("record timestamps are too far apart for one batch");
    }
    max_timestamp = std::max(max_timestamp, record.timestamp);
    AppendRecord(encoded, scratch, record, timestamp_delta, static_cast<int32_t>(i));
    if (encoded.size() > kMaxInt32) return Status::InvalidArgument("record batch is too large");
  }

  std::vector<uint8_t> payload;
  if (options.compression == Compression::kNone) {
    payload = std::move(encoded);
  } else {
    auto compressed = Compress(options.compression, encoded);
    if (!compressed.ok()) return compressed.status();
    payload = std::move(*compressed);
  }
  size_t batch_length = kRecordBatchOverhead - kLogOverhead + payload.size();
  if (batch_length > kMaxInt32) return Status::InvalidArgument("record batch is too large");

  std::vector<uint8_t> batch(kRecordBatchOverhead);
  batch.insert(batch.end(), payload.begin(), payload.end());
  uint8_t* p = batch.data();
  int16_t attributes = static_cast<int16_t>(options.compression);
  if (options.transactional) attributes |= 0x10;
  if (options.control) attributes |= 0x20;
  big_endian::Store64(p + off::kBaseOffset, static_cast<uint64_t>(options.base_offset));
  big_endian::Store32(p + off::kBatchLength, static_cast<uint32_t>(batch_length));
  big_endian::Store32(p + off::kPartitionLeaderEpoch,
                      static_cast<uint32_t>(options.partition_leader_epoch));
  p[off::kMagic] = static_cast<uint8_t>(kMagicV2);
  big_endian::Store16(p + off::kAttributes, static_cast<uint16_t>(attributes));
  big_endian::Store32(p + off::kLastOffsetDelta, static_cast<uint32_t>(records.size() - 1));
  big_endian::Store64(p + off::kFirstTimestamp, static_cast<uint64_t>(first_timestamp));
  big_endian::Store64(p + off::kMaxTimestamp, static_cast<uint64_t>(max_timestamp));
  big_endian::Store64(p + off::kProducerId, static_cast<uint64_t>(options.producer_id));
  big_endian::Store16(p + off::kProducerEpoch, static_cast<uint16_t>(options.producer_epoch));
  big_endian::Store32(p + off::kBaseSequence, static_cast<uint32_t>(options.base_sequence));
  big_endian::Store32(p + off::kRecordCount, static_cast<uint32_t>(records.size()));
  big_endian::Store32(p + off::kCrc,
                      Crc32c(std::span<const uint8_t>(batch).subspan(off::kAttributes)));
  return batch;
}

}  // namespace sluice::kafka

// Header parsing, validation, splitting, in-place rewrites and decoding of record batch v2.
// The builder is in record_batch_builder.cc; record parsing in record_reader.cc.
#include "libs/kafka/records/record_batch.h"

#include <cassert>
#include <string>

#include "libs/kafka/records/big_endian.h"
#include "libs/kafka/records/compression.h"
#include "libs/kafka/records/record_reader.h"

namespace sluice::kafka {
namespace {

namespace off = batch_offsets;
using records_internal::Bytes;

// batchLength counts the bytes after its own field, so it covers at least the rest of the
// fixed header: 61 - 12 = 49.
constexpr int32_t kMinBatchLength = static_cast<int32_t>(kRecordBatchOverhead - kLogOverhead);

// The smallest possible record: length, attributes, timestampDelta, offsetDelta, keyLength,
// valueLength and headerCount, one byte each. Bounds how many records a byte count can hold.
constexpr size_t kMinRecordSize = 7;

std::string Str(int64_t v) { return std::to_string(v); }

// Bytes [21, end): what the CRC covers.
Bytes CrcCoveredBytes(std::span<const uint8_t> batch) { return batch.subspan(off::kAttributes); }

std::string ToString(Bytes bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::optional<std::string> ToOptionalString(records_internal::NullableBytes field) {
  if (field.is_null()) return std::nullopt;
  return ToString(field.bytes());
}

// Checks the record count against what the header and the byte count allow, before walking.
Status CheckRecordCount(const RecordBatchHeader& header, size_t records_bytes) {
  if (header.record_count < 0) {
    return Status::Corruption("record batch has a negative record count " +
                              Str(header.record_count));
  }
  if (static_cast<size_t>(header.record_count) > records_bytes / kMinRecordSize) {
    return Status::Corruption("record batch claims " + Str(header.record_count) + " records in " +
                              Str(static_cast<int64_t>(records_bytes)) + " bytes");
  }
  return Status::Ok();
}

Status MalformedRecord(int32_t index, const char* what) {
  return Status::Corruption("record " + Str(index) + " is malformed: " + what);
}

bool OffsetDeltaOk(OffsetDeltaCheck check, const RecordBatchHeader& header, int32_t index,
                   int32_t delta, int64_t previous_delta) {
  return check == OffsetDeltaCheck::kContiguous
             ? delta == index
             : delta > previous_delta && delta <= header.last_offset_delta;
}

Status BadOffsetDelta(OffsetDeltaCheck check, const RecordBatchHeader& header, int32_t index,
                      int32_t delta) {
  return Status::Corruption("record " + Str(index) + " has offset delta " + Str(delta) +
                            (check == OffsetDeltaCheck::kContiguous
                                 ? std::string(", expected ") + Str(index)
                                 : std::string(" out of order or past lastOffsetDelta ") +
                                       Str(header.last_offset_delta)));
}

// Walks an uncompressed batch's records without allocating.
Status ValidateUncompressedRecords(const RecordBatchHeader& header, Bytes records,
                                   OffsetDeltaCheck check) {
  varint::Cursor in(records);
  int64_t previous_delta = -1;
  for (int32_t i = 0; i < header.record_count; ++i) {
    if (in.at_end()) {
      return Status::Corruption("record batch holds " + Str(i) + " records, header says " +
                                Str(header.record_count));
    }
    auto parsed = records_internal::ParseRecord(in);
    if (parsed.error != nullptr) return MalformedRecord(i, parsed.error);
    int32_t delta = parsed.record.offset_delta;
    if (!OffsetDeltaOk(check, header, i, delta, previous_delta)) {
      return BadOffsetDelta(check, header, i, delta);
    }
    previous_delta = delta;
  }
  if (!in.at_end()) {
    return Status::Corruption(Str(static_cast<int64_t>(in.remaining())) +
                              " bytes follow the last of " + Str(header.record_count) + " records");
  }
  return Status::Ok();
}

Result<Record> MaterializeRecord(const RecordBatchHeader& header,
                                 const records_internal::RecordView& view) {
  Record record;
  if (__builtin_add_overflow(header.base_offset, static_cast<int64_t>(view.offset_delta),
                             &record.offset)) {
    return Status::Corruption("record offset overflows int64");
  }
  if (header.log_append_time()) {
    record.timestamp = header.max_timestamp;
  } else if (__builtin_add_overflow(header.first_timestamp, view.timestamp_delta,
                                    &record.timestamp)) {
    return Status::Corruption("record timestamp overflows int64");
  }
  record.key = ToOptionalString(view.key);
  record.value = ToOptionalString(view.value);
  record.headers.reserve(static_cast<size_t>(view.header_count));
  varint::Cursor headers(view.encoded_headers);
  for (int32_t i = 0; i < view.header_count; ++i) {
    auto header_view = records_internal::ParseRecordHeader(headers);
    if (!header_view.ok()) return header_view.status();
    record.headers.push_back(
        RecordHeader{ToString(header_view->key), ToOptionalString(header_view->value)});
  }
  return record;
}

}  // namespace

Result<RecordBatchHeader> ParseRecordBatchHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kRecordBatchOverhead) {
    return Status::Corruption("record batch header needs 61 bytes, got " +
                              Str(static_cast<int64_t>(bytes.size())));
  }
  const uint8_t* p = bytes.data();
  RecordBatchHeader h;
  h.base_offset = static_cast<int64_t>(big_endian::Load64(p + off::kBaseOffset));
  h.batch_length = static_cast<int32_t>(big_endian::Load32(p + off::kBatchLength));
  h.partition_leader_epoch =
      static_cast<int32_t>(big_endian::Load32(p + off::kPartitionLeaderEpoch));
  h.magic = static_cast<int8_t>(p[off::kMagic]);
  h.crc = big_endian::Load32(p + off::kCrc);
  h.attributes = static_cast<int16_t>(big_endian::Load16(p + off::kAttributes));
  h.last_offset_delta = static_cast<int32_t>(big_endian::Load32(p + off::kLastOffsetDelta));
  h.first_timestamp = static_cast<int64_t>(big_endian::Load64(p + off::kFirstTimestamp));
  h.max_timestamp = static_cast<int64_t>(big_endian::Load64(p + off::kMaxTimestamp));
  h.producer_id = static_cast<int64_t>(big_endian::Load64(p + off::kProducerId));
  h.producer_epoch = static_cast<int16_t>(big_endian::Load16(p + off::kProducerEpoch));
  h.base_sequence = static_cast<int32_t>(big_endian::Load32(p + off::kBaseSequence));
  h.record_count = static_cast<int32_t>(big_endian::Load32(p + off::kRecordCount));
  if (h.magic != kMagicV2) {
    return Status::Corruption("record batch magic is " + Str(h.magic) + ", only 2 is supported");
  }
  if (h.batch_length < kMinBatchLength) {
    return Status::Corruption("record batch length " + Str(h.batch_length) +
                              " is shorter than its header");
  }
  return h;
}

Status ValidateRecordBatch(std::span<const uint8_t> batch, OffsetDeltaCheck offsets) {
  auto header = ParseRecordBatchHeader(batch);
  if (!header.ok()) return header.status();
  if (header->total_size() != batch.size()) {
    return Status::Corruption("record batch length field says " +
                              Str(static_cast<int64_t>(header->total_size())) + " bytes, got " +
                              Str(static_cast<int64_t>(batch.size())));
  }
  uint32_t actual_crc = Crc32c(CrcCoveredBytes(batch));
  if (actual_crc != header->crc) {
    return Status::Corruption("record batch CRC mismatch: stored " + Str(header->crc) +
                              ", computed " + Str(actual_crc));
  }
  if (static_cast<int>(header->compression()) > static_cast<int>(Compression::kZstd)) {
    return Status::Corruption("record batch has unknown compression codec " +
                              Str(static_cast<int>(header->compression())));
  }
  Bytes records = batch.subspan(kRecordBatchOverhead);
  if (header->compression() == Compression::kNone) {
    SLUICE_RETURN_IF_ERROR(CheckRecordCount(*header, records.size()));
  } else if (header->record_count < 0) {
    return Status::Corruption("record batch has a negative record count " +
                              Str(header->record_count));
  }
  if (offsets == OffsetDeltaCheck::kContiguous && header->record_count > 0 &&
      header->last_offset_delta != header->record_count - 1) {
    return Status::Corruption("record batch lastOffsetDelta " + Str(header->last_offset_delta) +
                              " disagrees with its record count " + Str(header->record_count));
  }
  if (header->compression() != Compression::kNone) return Status::Ok();
  return ValidateUncompressedRecords(*header, records, offsets);
}

Result<std::vector<std::span<const uint8_t>>> SplitRecordBatches(std::span<const uint8_t> bytes,
                                                                 size_t* trailing_bytes) {
  std::vector<std::span<const uint8_t>> batches;
  size_t pos = 0;
  while (bytes.size() - pos >= kLogOverhead) {
    const uint8_t* p = bytes.data() + pos;
    size_t available = bytes.size() - pos;
    int32_t batch_length = static_cast<int32_t>(big_endian::Load32(p + off::kBatchLength));
    if (batch_length < kMinBatchLength) {
      return Status::Corruption("record batch at byte " + Str(static_cast<int64_t>(pos)) +
                                " has length " + Str(batch_length));
    }
    // A truncated batch still shows its magic once 17 bytes are there; check it so garbage is
    // reported as corruption rather than mistaken for a partial batch.
    if (available > off::kMagic && static_cast<int8_t>(p[off::kMagic]) != kMagicV2) {
      return Status::Corruption("record batch at byte " + Str(static_cast<int64_t>(pos)) +
                                " has magic " + Str(static_cast<int8_t>(p[off::kMagic])));
    }
    size_t total = kLogOverhead + static_cast<size_t>(batch_length);
    if (total > available) break;  // incomplete final batch (e.g. a fetch cut at max bytes)
    batches.push_back(bytes.subspan(pos, total));
    pos += total;
  }
  if (trailing_bytes != nullptr) *trailing_bytes = bytes.size() - pos;
  return batches;
}

void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset) {
  assert(batch.size() >= kRecordBatchOverhead);
  if (batch.size() < kRecordBatchOverhead) return;
  big_endian::Store64(batch.data() + off::kBaseOffset, static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t epoch) {
  assert(batch.size() >= kRecordBatchOverhead);
  if (batch.size() < kRecordBatchOverhead) return;
  big_endian::Store32(batch.data() + off::kPartitionLeaderEpoch, static_cast<uint32_t>(epoch));
}

void SetLogAppendTime(std::span<uint8_t> batch, int64_t timestamp_ms) {
  assert(batch.size() >= kRecordBatchOverhead);
  if (batch.size() < kRecordBatchOverhead) return;
  uint8_t* p = batch.data();
  constexpr uint16_t kLogAppendTimeBit = 0x8;
  uint16_t attributes = big_endian::Load16(p + off::kAttributes);
  big_endian::Store16(p + off::kAttributes, attributes | kLogAppendTimeBit);
  big_endian::Store64(p + off::kMaxTimestamp, static_cast<uint64_t>(timestamp_ms));
  big_endian::Store32(p + off::kCrc, Crc32c(CrcCoveredBytes(batch)));
}

Result<std::vector<Record>> DecodeRecords(std::span<const uint8_t> batch,
                                          size_t max_decompressed_bytes) {
  auto header = ParseRecordBatchHeader(batch);
  if (!header.ok()) return header.status();
  if (header->total_size() != batch.size()) {
    return Status::Corruption("record batch length field says " +
                              Str(static_cast<int64_t>(header->total_size())) + " bytes, got " +
                              Str(static_cast<int64_t>(batch.size())));
  }
  Bytes records = batch.subspan(kRecordBatchOverhead);
  std::vector<uint8_t> decompressed;
  if (header->compression() != Compression::kNone) {
    auto result = Decompress(header->compression(), records, max_decompressed_bytes);
    if (!result.ok()) return result.status();
    decompressed = std::move(*result);
    records = decompressed;
  }
  SLUICE_RETURN_IF_ERROR(CheckRecordCount(*header, records.size()));

  std::vector<Record> out;
  out.reserve(static_cast<size_t>(header->record_count));
  varint::Cursor in(records);
  for (int32_t i = 0; i < header->record_count; ++i) {
    if (in.at_end()) {
      return Status::Corruption("record batch holds " + Str(i) + " records, header says " +
                                Str(header->record_count));
    }
    auto parsed = records_internal::ParseRecord(in);
    if (parsed.error != nullptr) return MalformedRecord(i, parsed.error);
    auto record = MaterializeRecord(*header, parsed.record);
    if (!record.ok()) return record.status();
    out.push_back(std::move(*record));
  }
  if (!in.at_end()) {
    return Status::Corruption(Str(static_cast<int64_t>(in.remaining())) +
                              " bytes follow the last of " + Str(header->record_count) +
                              " records");
  }
  return out;
}

}  // namespace sluice::kafka

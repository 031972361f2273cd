// Parsing of the records inside a batch (after decompression). Internal to libs/kafka/records.
//
// Record layout (all varints zig-zag, see varint.h):
//
//   length varint          bytes of the record after this field
//   attributes int8        unused, written as 0
//   timestampDelta varlong relative to the batch's firstTimestamp
//   offsetDelta varint     relative to the batch's baseOffset
//   keyLength varint       -1 = null key
//   key bytes
//   valueLength varint     -1 = null value
//   value bytes
//   headerCount varint
//   headers                headerCount x [keyLength varint (>= 0), key, valueLength varint
//                          (-1 = null), value]
//
// The fields must use exactly `length` bytes, as Kafka's DefaultRecord.readFrom requires.
// Views point into the caller's buffer; parsing never allocates (hot path of produce).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "libs/base/status.h"
#include "libs/kafka/records/varint.h"

namespace sluice::kafka::records_internal {

using Bytes = std::span<const uint8_t>;

// A key, value or header value as encoded: a length of -1 means null. (Not
// std::optional<span>: its padded flag byte made every copy a store-forwarding stall, which
// cost a third of ValidateRecordBatch's time.)
struct NullableBytes {
  const uint8_t* data = nullptr;
  int32_t length = -1;

  bool is_null() const { return length < 0; }
  Bytes bytes() const { return {data, is_null() ? size_t{0} : static_cast<size_t>(length)}; }
};

struct RecordHeaderView {
  Bytes key;
  NullableBytes value;
};

struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  NullableBytes key;
  NullableBytes value;
  int32_t header_count = 0;
  Bytes encoded_headers;  // header_count headers, already checked to parse exactly
};

// The outcome of ParseRecord: `error` is null on success, otherwise a fixed description of
// what is malformed (a plain pointer rather than a Status: this runs once per record on the
// produce path, and a Status is only built by the caller once something is wrong).
struct ParsedRecord {
  RecordView record;
  const char* error = nullptr;
};

// Parses the record at `in`'s position and advances past it. Fails when a length is negative
// (other than a null key/value), a field runs past the record or the input, or the record's
// fields do not use exactly its declared length.
ParsedRecord ParseRecord(varint::Cursor& in);

// Parses one header at `in`'s position (the encoded_headers of a RecordView) and advances.
Result<RecordHeaderView> ParseRecordHeader(varint::Cursor& in);

}  // namespace sluice::kafka::records_internal

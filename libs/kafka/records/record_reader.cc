#include "libs/kafka/records/record_reader.h"

#include <limits>
#include <string>

namespace sluice::kafka::records_internal {
namespace {

Status Malformed(const char* what) {
  return Status::Corruption(std::string("record is malformed: ") + what);
}

// ReadField's answer for malformed input (a valid field has length >= -1).
constexpr int32_t kMalformed = std::numeric_limits<int32_t>::min();

// Reads a varint length then that many bytes; -1 means null when `nullable`. Returns a field
// of length kMalformed when the input is malformed. Inlined: this runs several times per record
// on the produce path.
[[gnu::always_inline]] inline NullableBytes ReadField(varint::Cursor& in, bool nullable) {
  auto length = in.ReadVarint();
  if (!length) return {nullptr, kMalformed};
  if (*length < 0) {
    if (*length == -1 && nullable) return {nullptr, -1};
    return {nullptr, kMalformed};
  }
  auto bytes = in.ReadBytes(static_cast<size_t>(*length));
  if (!bytes) return {nullptr, kMalformed};
  return {bytes->data(), *length};
}

// Parses one header; nullopt when malformed.
[[gnu::always_inline]] inline std::optional<RecordHeaderView> ReadHeader(varint::Cursor& in) {
  NullableBytes key = ReadField(in, /*nullable=*/false);
  if (key.length == kMalformed) return std::nullopt;
  NullableBytes value = ReadField(in, /*nullable=*/true);
  if (value.length == kMalformed) return std::nullopt;
  return RecordHeaderView{key.bytes(), value};
}

}  // namespace

Result<RecordHeaderView> ParseRecordHeader(varint::Cursor& in) {
  auto header = ReadHeader(in);
  if (!header) return Malformed("header");
  return *header;
}

ParsedRecord ParseRecord(varint::Cursor& in) {
  ParsedRecord out;
  auto fail = [&out](const char* what) {
    out.error = what;
    return out;
  };
  auto length = in.ReadVarint();
  if (!length || *length < 0) return fail("bad record length");
  auto body_bytes = in.ReadBytes(static_cast<size_t>(*length));
  if (!body_bytes) return fail("record length runs past the batch");
  varint::Cursor body(*body_bytes);

  RecordView& record = out.record;
  auto attributes = body.ReadInt8();
  auto timestamp_delta = attributes ? body.ReadVarlong() : std::nullopt;
  auto offset_delta = timestamp_delta ? body.ReadVarint() : std::nullopt;
  if (!offset_delta) return fail("bad attributes, timestampDelta or offsetDelta");
  record.attributes = *attributes;
  record.timestamp_delta = *timestamp_delta;
  record.offset_delta = *offset_delta;

  record.key = ReadField(body, /*nullable=*/true);
  if (record.key.length == kMalformed) return fail("bad key");
  record.value = ReadField(body, /*nullable=*/true);
  if (record.value.length == kMalformed) return fail("bad value");

  auto header_count = body.ReadVarint();
  if (!header_count || *header_count < 0) return fail("bad header count");
  record.header_count = *header_count;
  size_t headers_start = body.position();
  // Each header takes at least 2 bytes, so a count larger than that bound cannot be honest;
  // checking first keeps a hostile count from spinning through billions of iterations.
  if (static_cast<size_t>(*header_count) > body.remaining() / 2) {
    return fail("header count exceeds the record");
  }
  for (int32_t i = 0; i < *header_count; ++i) {
    if (!ReadHeader(body)) return fail("bad header");
  }
  record.encoded_headers = body_bytes->subspan(headers_start, body.position() - headers_start);
  if (!body.at_end()) return fail("record length disagrees with its fields");
  return out;
}

}  // namespace sluice::kafka::records_internal

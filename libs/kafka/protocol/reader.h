// Reader: decodes Kafka wire primitives from a byte span it does not own.
//
// Invariant: the reader never looks at a byte outside its span. Every read first checks that
// enough bytes remain; on failure it returns Status::Corruption and leaves the position where
// the failed read started. Lengths announced by the input (strings, bytes, arrays, tagged
// fields) are checked against the bytes that remain before anything is allocated, so a hostile
// 2 GiB length costs nothing. No read throws.
//
// Encodings (all integers big-endian):
//   classic string: int16 length, then bytes; -1 means null (nullable forms only)
//   classic bytes/records: int32 length, then bytes; -1 means null
//   classic array: int32 count, then elements; -1 means null
//   compact string/bytes/array: unsigned varint N; 0 means null, otherwise N-1 items follow
//   unsigned varint: 7 bits per byte, least significant group first, high bit = more (<= 5 bytes)
//   varint/varlong: zig-zag ((n << 1) ^ (n >> 63)) then unsigned varint (<= 5 / 10 bytes)
//   tagged-field section: unsigned varint count, then per field: varint tag, varint size, data
//
// Not thread-safe; one reader per decoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "libs/base/status.h"
#include "libs/kafka/protocol/wire_types.h"

namespace sluice::kafka {

// One raw entry of a tagged-field section; `data` points into the reader's span.
struct TaggedFieldView {
  uint32_t tag = 0;
  std::span<const uint8_t> data;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  // The bytes not read yet.
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

  Result<int8_t> ReadInt8();
  Result<int16_t> ReadInt16();
  Result<int32_t> ReadInt32();
  Result<int64_t> ReadInt64();
  Result<uint16_t> ReadUint16();
  Result<uint32_t> ReadUint32();
  Result<double> ReadFloat64();
  // Any non-zero byte is true (as Kafka reads it).
  Result<bool> ReadBool();

  Result<uint32_t> ReadUnsignedVarint();
  Result<int32_t> ReadVarint();
  Result<int64_t> ReadVarlong();

  Result<Uuid> ReadUuid();

  // `compact` selects the flexible-version encoding. The non-nullable forms fail on null.
  Result<std::string> ReadString(bool compact);
  Result<std::optional<std::string>> ReadNullableString(bool compact);
  Result<Bytes> ReadBytes(bool compact);
  Result<std::optional<Bytes>> ReadNullableBytes(bool compact);

  // An array's element count; nullopt means a null array. Fails if the count exceeds the
  // bytes remaining (every element takes at least one byte), which bounds any allocation the
  // caller makes from it.
  Result<std::optional<size_t>> ReadArrayLength(bool compact);

  // The next `n` bytes, without copying.
  Result<std::span<const uint8_t>> ReadRaw(size_t n);

  // The count of a tagged-field section, checked against the bytes remaining (each field takes
  // at least two bytes: tag and size).
  Result<uint32_t> ReadTaggedFieldCount();
  // One tagged field: tag, size and a view of its data.
  Result<TaggedFieldView> ReadTaggedField();

 private:
  Result<int64_t> ReadLengthPrefix(bool compact, int classic_width);
  Status Short(size_t wanted, const char* what) const;
  Result<std::span<const uint8_t>> Take(size_t n, const char* what);

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// `status` with "<field>: " in front of its message, same code. Decoders use it so that an
// error names the field path that failed, e.g. "FetchRequest.Topics: FetchTopic.Topic: ...".
Status WithField(std::string_view field, const Status& status);

}  // namespace sluice::kafka

// Writer: encodes Kafka wire primitives by appending to a byte vector it does not own.
//
// The encodings are the ones listed in reader.h. Writing cannot fail; callers that know the
// final size (every generated message has Size(version)) reserve it first so that encoding
// allocates once. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libs/kafka/protocol/wire_types.h"

namespace sluice::kafka {

class Writer {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  void Reserve(size_t additional) { out_.reserve(out_.size() + additional); }
  // Bytes in the output vector (including any that were there before this writer).
  size_t size() const { return out_.size(); }

  void WriteInt8(int8_t v);
  void WriteInt16(int16_t v);
  void WriteInt32(int32_t v);
  void WriteInt64(int64_t v);
  void WriteUint16(uint16_t v);
  void WriteUint32(uint32_t v);
  void WriteFloat64(double v);
  void WriteBool(bool v);

  void WriteUnsignedVarint(uint32_t v);
  void WriteVarint(int32_t v);
  void WriteVarlong(int64_t v);

  void WriteUuid(const Uuid& v);

  // `compact` selects the flexible-version encoding. A classic string longer than 32767 bytes
  // cannot be encoded; the caller must not pass one (asserted).
  void WriteString(std::string_view s, bool compact);
  void WriteNullableString(const std::optional<std::string>& s, bool compact);
  void WriteBytes(std::span<const uint8_t> b, bool compact);
  void WriteNullableBytes(const std::optional<Bytes>& b, bool compact);
  void WriteArrayLength(size_t count, bool compact);
  void WriteNullArrayLength(bool compact);

  void WriteRaw(std::span<const uint8_t> b);

  // A whole tagged-field section holding exactly `fields` (in the order given).
  void WriteTaggedFields(const std::vector<TaggedField>& fields);
  // One tagged field's tag and size prefix; the caller then writes `size` bytes of data.
  void WriteTaggedFieldHeader(uint32_t tag, size_t size);

 private:
  std::vector<uint8_t>& out_;
};

}  // namespace sluice::kafka

namespace sluice::kafka {

// Writes unknown tagged fields `fields[next..]` while their tag is below `limit`, and returns
// the index of the first one not written. Generated encoders interleave these with the known
// tagged fields so the section stays in ascending tag order.
size_t WriteUnknownTaggedFieldsBelow(Writer& writer, const std::vector<TaggedField>& fields,
                                     size_t next, uint64_t limit);

}  // namespace sluice::kafka

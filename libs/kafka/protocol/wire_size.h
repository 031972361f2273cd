// Encoded sizes of the wire primitives, matching what Writer appends byte for byte. The
// generated Size(version) functions are sums of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libs/kafka/protocol/wire_types.h"

namespace sluice::kafka::wire_size {

constexpr size_t UnsignedVarint(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

constexpr size_t Varint(int32_t v) {
  const uint32_t u = static_cast<uint32_t>(v);
  return UnsignedVarint((u << 1) ^ (v < 0 ? 0xffffffffu : 0u));
}

constexpr size_t Varlong(int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ (v < 0 ? ~uint64_t{0} : uint64_t{0});
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

// The length or count prefix of a string (classic: int16), bytes (classic: int32) or array
// (classic: int32) holding `n` items.
constexpr size_t StringPrefix(size_t n, bool compact) {
  return compact ? UnsignedVarint(static_cast<uint32_t>(n + 1)) : 2;
}
constexpr size_t BytesPrefix(size_t n, bool compact) {
  return compact ? UnsignedVarint(static_cast<uint32_t>(n + 1)) : 4;
}
constexpr size_t ArrayPrefix(size_t n, bool compact) {
  return compact ? UnsignedVarint(static_cast<uint32_t>(n + 1)) : 4;
}
constexpr size_t NullPrefix(bool compact, size_t classic_size) {
  return compact ? 1 : classic_size;
}

inline size_t String(const std::string& s, bool compact) {
  return StringPrefix(s.size(), compact) + s.size();
}
inline size_t NullableString(const std::optional<std::string>& s, bool compact) {
  return s.has_value() ? String(*s, compact) : NullPrefix(compact, 2);
}
inline size_t ByteString(const Bytes& b, bool compact) {
  return BytesPrefix(b.size(), compact) + b.size();
}
inline size_t NullableByteString(const std::optional<Bytes>& b, bool compact) {
  return b.has_value() ? ByteString(*b, compact) : NullPrefix(compact, 4);
}

// One tagged field's tag + size prefix for `size` bytes of data.
constexpr size_t TaggedFieldHeader(uint32_t tag, size_t size) {
  return UnsignedVarint(tag) + UnsignedVarint(static_cast<uint32_t>(size));
}
inline size_t TaggedFieldEntry(const TaggedField& f) {
  return TaggedFieldHeader(f.tag, f.data.size()) + f.data.size();
}

}  // namespace sluice::kafka::wire_size

// Zig-zag varints as used inside record batch v2 records (the same encoding as protobuf's
// sint32/sint64): value -> (value << 1) ^ (value >> 63), then 7 bits per byte, low group first,
// high bit set on every byte but the last. An int32 takes at most 5 bytes, an int64 at most 10.
//
// Internal to libs/kafka/records (libs/kafka/protocol has its own Reader/Writer for the wire
// protocol; these are kept separate so the two areas do not depend on each other).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sluice::kafka::varint {

inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kMaxVarlongBytes = 10;

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Appends the zig-zag varint encoding of `v`.
inline void AppendVarlong(std::vector<uint8_t>& out, int64_t v) {
  uint64_t u = ZigZagEncode(v);
  while (u >= 0x80) {
    out.push_back(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  out.push_back(static_cast<uint8_t>(u));
}
inline void AppendVarint(std::vector<uint8_t>& out, int32_t v) { AppendVarlong(out, v); }

inline size_t VarlongSize(int64_t v) {
  uint64_t u = ZigZagEncode(v);
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

// A read position over a byte span. Every read is bounds-checked and returns nullopt (without
// advancing past the end) when the bytes run out or a varint is longer than its type allows.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }

  std::optional<int64_t> ReadVarlong() { return ReadZigZag(kMaxVarlongBytes); }

  // Like Kafka's ByteUtils.readVarint, bits beyond 32 in the fifth byte are dropped.
  std::optional<int32_t> ReadVarint() {
    auto raw = ReadUnsigned(kMaxVarintBytes);
    if (!raw) return std::nullopt;
    uint32_t u = static_cast<uint32_t>(*raw);
    return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
  }

  std::optional<int8_t> ReadInt8() {
    if (remaining() < 1) return std::nullopt;
    return static_cast<int8_t>(bytes_[pos_++]);
  }

  std::optional<std::span<const uint8_t>> ReadBytes(size_t n) {
    if (remaining() < n) return std::nullopt;
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  std::optional<int64_t> ReadZigZag(size_t max_bytes) {
    auto raw = ReadUnsigned(max_bytes);
    if (!raw) return std::nullopt;
    return ZigZagDecode(*raw);
  }

  std::optional<uint64_t> ReadUnsigned(size_t max_bytes) {
    // Fast path: most fields (small lengths, deltas, counts) fit in one byte.
    if (pos_ < bytes_.size() && bytes_[pos_] < 0x80) return bytes_[pos_++];
    uint64_t value = 0;
    for (size_t i = 0; i < max_bytes; ++i) {
      if (pos_ + i >= bytes_.size()) return std::nullopt;
      uint8_t b = bytes_[pos_ + i];
      value |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        pos_ += i + 1;
        return value;
      }
    }
    return std::nullopt;  // too long for the type
  }

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace sluice::kafka::varint

#include "libs/kafka/protocol/reader.h"

#include <bit>
#include <cstring>

namespace sluice::kafka {
namespace {

template <typename U>
U LoadBigEndian(std::span<const uint8_t> b) {
  U v = 0;
  for (uint8_t byte : b) v = static_cast<U>((v << 8) | byte);
  return v;
}

}  // namespace

Status Reader::Short(size_t wanted, const char* what) const {
  return Status::Corruption(std::string(what) + " needs " + std::to_string(wanted) +
                            " bytes at offset " + std::to_string(pos_) + ", " +
                            std::to_string(remaining()) + " left");
}

Result<std::span<const uint8_t>> Reader::Take(size_t n, const char* what) {
  if (n > remaining()) return Short(n, what);
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<std::span<const uint8_t>> Reader::ReadRaw(size_t n) { return Take(n, "raw bytes"); }

Result<int8_t> Reader::ReadInt8() {
  auto b = Take(1, "int8");
  if (!b.ok()) return b.status();
  return static_cast<int8_t>((*b)[0]);
}

Result<int16_t> Reader::ReadInt16() {
  auto b = Take(2, "int16");
  if (!b.ok()) return b.status();
  return static_cast<int16_t>(LoadBigEndian<uint16_t>(*b));
}

Result<uint16_t> Reader::ReadUint16() {
  auto b = Take(2, "uint16");
  if (!b.ok()) return b.status();
  return LoadBigEndian<uint16_t>(*b);
}

Result<int32_t> Reader::ReadInt32() {
  auto b = Take(4, "int32");
  if (!b.ok()) return b.status();
  return static_cast<int32_t>(LoadBigEndian<uint32_t>(*b));
}

Result<uint32_t> Reader::ReadUint32() {
  auto b = Take(4, "uint32");
  if (!b.ok()) return b.status();
  return LoadBigEndian<uint32_t>(*b);
}

Result<int64_t> Reader::ReadInt64() {
  auto b = Take(8, "int64");
  if (!b.ok()) return b.status();
  return static_cast<int64_t>(LoadBigEndian<uint64_t>(*b));
}

Result<double> Reader::ReadFloat64() {
  auto b = Take(8, "float64");
  if (!b.ok()) return b.status();
  return std::bit_cast<double>(LoadBigEndian<uint64_t>(*b));
}

Result<bool> Reader::ReadBool() {
  auto b = Take(1, "bool");
  if (!b.ok()) return b.status();
  return (*b)[0] != 0;
}

Result<uint32_t> Reader::ReadUnsignedVarint() {
  // At most 5 bytes; the fifth may carry only the top 4 bits of a uint32.
  uint32_t value = 0;
  for (size_t i = 0; i < 5; ++i) {
    if (i >= remaining()) {
      return Status::Corruption("unsigned varint truncated at offset " + std::to_string(pos_));
    }
    uint8_t byte = data_[pos_ + i];
    if (i == 4 && (byte & 0xf0) != 0) break;
    value |= static_cast<uint32_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      pos_ += i + 1;
      return value;
    }
  }
  return Status::Corruption("unsigned varint longer than 32 bits at offset " +
                            std::to_string(pos_));
}

Result<int32_t> Reader::ReadVarint() {
  auto raw = ReadUnsignedVarint();
  if (!raw.ok()) return raw.status();
  uint32_t u = *raw;
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

Result<int64_t> Reader::ReadVarlong() {
  uint64_t u = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (i >= remaining()) {
      return Status::Corruption("varlong truncated at offset " + std::to_string(pos_));
    }
    uint8_t byte = data_[pos_ + i];
    if (i == 9 && (byte & 0xfe) != 0) break;
    u |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      pos_ += i + 1;
      return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    }
  }
  return Status::Corruption("varlong longer than 64 bits at offset " + std::to_string(pos_));
}

Result<Uuid> Reader::ReadUuid() {
  auto b = Take(16, "uuid");
  if (!b.ok()) return b.status();
  Uuid u;
  std::memcpy(u.bytes.data(), b->data(), 16);
  return u;
}

// The length in front of a string, bytes or array: unsigned varint N+1 in flexible versions
// (0 = null), int16 (strings) or int32 (bytes, arrays) in classic ones (-1 = null).
Result<int64_t> Reader::ReadLengthPrefix(bool compact, int classic_width) {
  if (compact) {
    auto n = ReadUnsignedVarint();
    if (!n.ok()) return n.status();
    return static_cast<int64_t>(*n) - 1;
  }
  if (classic_width == 2) {
    auto n = ReadInt16();
    if (!n.ok()) return n.status();
    return static_cast<int64_t>(*n);
  }
  auto n = ReadInt32();
  if (!n.ok()) return n.status();
  return static_cast<int64_t>(*n);
}

Result<std::optional<std::string>> Reader::ReadNullableString(bool compact) {
  const size_t start = pos_;
  auto prefix = ReadLengthPrefix(compact, /*classic_width=*/2);
  if (!prefix.ok()) return prefix.status();
  const int64_t length = *prefix;
  if (length < -1) {
    pos_ = start;
    return Status::Corruption("string length " + std::to_string(length) + " at offset " +
                              std::to_string(start));
  }
  if (length == -1) return std::optional<std::string>();
  auto b = Take(static_cast<size_t>(length), "string");
  if (!b.ok()) {
    pos_ = start;
    return b.status();
  }
  return std::optional<std::string>(std::in_place, reinterpret_cast<const char*>(b->data()),
                                    b->size());
}

Result<std::string> Reader::ReadString(bool compact) {
  const size_t start = pos_;
  auto s = ReadNullableString(compact);
  if (!s.ok()) return s.status();
  if (!s->has_value()) {
    pos_ = start;
    return Status::Corruption("null where a non-nullable string is required at offset " +
                              std::to_string(start));
  }
  return std::move(**s);
}

Result<std::optional<Bytes>> Reader::ReadNullableBytes(bool compact) {
  const size_t start = pos_;
  auto prefix = ReadLengthPrefix(compact, /*classic_width=*/4);
  if (!prefix.ok()) return prefix.status();
  const int64_t length = *prefix;
  if (length < -1) {
    pos_ = start;
    return Status::Corruption("bytes length " + std::to_string(length) + " at offset " +
                              std::to_string(start));
  }
  if (length == -1) return std::optional<Bytes>();
  auto b = Take(static_cast<size_t>(length), "bytes");
  if (!b.ok()) {
    pos_ = start;
    return b.status();
  }
  return std::optional<Bytes>(std::in_place, b->begin(), b->end());
}

Result<Bytes> Reader::ReadBytes(bool compact) {
  const size_t start = pos_;
  auto s = ReadNullableBytes(compact);
  if (!s.ok()) return s.status();
  if (!s->has_value()) {
    pos_ = start;
    return Status::Corruption("null where non-nullable bytes are required at offset " +
                              std::to_string(start));
  }
  return std::move(**s);
}

Result<std::optional<size_t>> Reader::ReadArrayLength(bool compact) {
  const size_t start = pos_;
  auto prefix = ReadLengthPrefix(compact, /*classic_width=*/4);
  if (!prefix.ok()) return prefix.status();
  const int64_t length = *prefix;
  if (length == -1) return std::optional<size_t>();
  if (length < -1 || static_cast<uint64_t>(length) > remaining()) {
    const int64_t left = static_cast<int64_t>(remaining());
    pos_ = start;
    return Status::Corruption("array of " + std::to_string(length) + " elements at offset " +
                              std::to_string(start) + " with " + std::to_string(left) +
                              " bytes left");
  }
  return std::optional<size_t>(static_cast<size_t>(length));
}

Result<uint32_t> Reader::ReadTaggedFieldCount() {
  const size_t start = pos_;
  auto n = ReadUnsignedVarint();
  if (!n.ok()) return n.status();
  if (static_cast<uint64_t>(*n) * 2 > remaining()) {
    const size_t left = remaining();
    pos_ = start;
    return Status::Corruption("tagged-field count " + std::to_string(*n) + " at offset " +
                              std::to_string(start) + " with " + std::to_string(left) +
                              " bytes left");
  }
  return *n;
}

Result<TaggedFieldView> Reader::ReadTaggedField() {
  const size_t start = pos_;
  auto tag = ReadUnsignedVarint();
  if (!tag.ok()) return tag.status();
  auto size = ReadUnsignedVarint();
  if (!size.ok()) {
    pos_ = start;
    return size.status();
  }
  auto data = Take(*size, "tagged field");
  if (!data.ok()) {
    pos_ = start;
    return data.status();
  }
  return TaggedFieldView{*tag, *data};
}

Status WithField(std::string_view field, const Status& status) {
  if (status.ok()) return status;
  std::string message(field);
  message += ": ";
  message += status.message();
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kInvalidArgument: return Status::InvalidArgument(std::move(message));
    case Code::kCorruption: return Status::Corruption(std::move(message));
    case Code::kNotFound: return Status::NotFound(std::move(message));
    case Code::kAlreadyExists: return Status::AlreadyExists(std::move(message));
    case Code::kIoError: return Status::IoError(std::move(message));
    case Code::kOutOfRange: return Status::OutOfRange(std::move(message));
    case Code::kUnavailable: return Status::Unavailable(std::move(message));
    case Code::kConflict: return Status::Conflict(std::move(message));
    case Code::kTimeout: return Status::Timeout(std::move(message));
    case Code::kOk:
    case Code::kInternal: break;
  }
  return Status::Internal(std::move(message));
}

}  // namespace sluice::kafka

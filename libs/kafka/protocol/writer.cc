#include "libs/kafka/protocol/writer.h"

#include <bit>
#include <cassert>
#include <limits>

namespace sluice::kafka {
namespace {

template <typename U>
void StoreBigEndian(std::vector<uint8_t>& out, U v) {
  for (int shift = static_cast<int>(sizeof(U) * 8) - 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(v >> shift));
  }
}

}  // namespace

void Writer::WriteInt8(int8_t v) { out_.push_back(static_cast<uint8_t>(v)); }
void Writer::WriteInt16(int16_t v) { StoreBigEndian(out_, static_cast<uint16_t>(v)); }
void Writer::WriteInt32(int32_t v) { StoreBigEndian(out_, static_cast<uint32_t>(v)); }
void Writer::WriteInt64(int64_t v) { StoreBigEndian(out_, static_cast<uint64_t>(v)); }
void Writer::WriteUint16(uint16_t v) { StoreBigEndian(out_, v); }
void Writer::WriteUint32(uint32_t v) { StoreBigEndian(out_, v); }
void Writer::WriteFloat64(double v) { StoreBigEndian(out_, std::bit_cast<uint64_t>(v)); }
void Writer::WriteBool(bool v) { out_.push_back(v ? 1 : 0); }

void Writer::WriteUnsignedVarint(uint32_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::WriteVarint(int32_t v) {
  const uint32_t u = v;
  WriteUnsignedVarint((u << 1) ^ (v < 0 ? 0xffffffffu : 0u));
}

void Writer::WriteVarlong(int64_t v) {
  const uint64_t u0 = v;
  uint64_t u = (u0 << 1) ^ (v < 0 ? ~uint64_t{0} : uint64_t{0});
  while (u >= 0x80) {
    out_.push_back(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  out_.push_back(static_cast<uint8_t>(u));
}

void Writer::WriteUuid(const Uuid& v) { out_.insert(out_.end(), v.bytes.begin(), v.bytes.end()); }

void Writer::WriteString(std::string_view s, bool compact) {
  if (compact) {
    assert(s.size() < std::numeric_limits<uint32_t>::max());
    WriteUnsignedVarint(static_cast<uint32_t>(s.size() + 1));
  } else {
    assert(s.size() <= static_cast<size_t>(std::numeric_limits<int16_t>::max()));
    WriteInt16(static_cast<int16_t>(s.size()));
  }
  out_.insert(out_.end(), s.begin(), s.end());
}

void Writer::WriteNullableString(const std::optional<std::string>& s, bool compact) {
  if (s.has_value()) {
    WriteString(*s, compact);
  } else if (compact) {
    WriteUnsignedVarint(0);
  } else {
    WriteInt16(-1);
  }
}

void Writer::WriteBytes(std::span<const uint8_t> b, bool compact) {
  if (compact) {
    assert(b.size() < std::numeric_limits<uint32_t>::max());
    WriteUnsignedVarint(static_cast<uint32_t>(b.size() + 1));
  } else {
    assert(b.size() <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
    WriteInt32(static_cast<int32_t>(b.size()));
  }
  out_.insert(out_.end(), b.begin(), b.end());
}

void Writer::WriteNullableBytes(const std::optional<Bytes>& b, bool compact) {
  if (b.has_value()) {
    WriteBytes(*b, compact);
  } else if (compact) {
    WriteUnsignedVarint(0);
  } else {
    WriteInt32(-1);
  }
}

void Writer::WriteArrayLength(size_t count, bool compact) {
  if (compact) {
    assert(count < std::numeric_limits<uint32_t>::max());
    WriteUnsignedVarint(static_cast<uint32_t>(count + 1));
  } else {
    assert(count <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
    WriteInt32(static_cast<int32_t>(count));
  }
}

void Writer::WriteNullArrayLength(bool compact) {
  if (compact) {
    WriteUnsignedVarint(0);
  } else {
    WriteInt32(-1);
  }
}

void Writer::WriteRaw(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }

void Writer::WriteTaggedFields(const std::vector<TaggedField>& fields) {
  WriteUnsignedVarint(static_cast<uint32_t>(fields.size()));
  for (const TaggedField& f : fields) {
    WriteTaggedFieldHeader(f.tag, f.data.size());
    WriteRaw(f.data);
  }
}

void Writer::WriteTaggedFieldHeader(uint32_t tag, size_t size) {
  WriteUnsignedVarint(tag);
  WriteUnsignedVarint(static_cast<uint32_t>(size));
}

}  // namespace sluice::kafka

namespace sluice::kafka {

size_t WriteUnknownTaggedFieldsBelow(Writer& writer, const std::vector<TaggedField>& fields,
                                     size_t next, uint64_t limit) {
  while (next < fields.size() && fields[next].tag < limit) {
    writer.WriteTaggedFieldHeader(fields[next].tag, fields[next].data.size());
    writer.WriteRaw(fields[next].data);
    ++next;
  }
  return next;
}

}  // namespace sluice::kafka

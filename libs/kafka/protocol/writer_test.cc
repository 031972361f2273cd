// The wire primitives' encoding: exact bytes, and agreement with Reader and wire_size.
#include "libs/kafka/protocol/writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/wire_size.h"

namespace sluice::kafka {
namespace {

using Buffer = std::vector<uint8_t>;

TEST(WriterTest, FixedWidthIntegersAreBigEndian) {
  Buffer out;
  Writer w(out);
  w.WriteInt8(-2);
  w.WriteInt16(0x0102);
  w.WriteInt32(-1);
  w.WriteInt64(0x0102030405060708);
  w.WriteUint16(0xfedc);
  w.WriteBool(true);
  EXPECT_EQ(out, (Buffer{0xfe, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 0xfe,
                         0xdc, 0x01}));
}

TEST(WriterTest, AppendsAfterExistingBytes) {
  Buffer out = {0xaa};
  Writer w(out);
  w.WriteInt8(1);
  EXPECT_EQ(out, (Buffer{0xaa, 0x01}));
  EXPECT_EQ(w.size(), 2u);
}

TEST(WriterTest, UnsignedVarintBytes) {
  auto enc = [](uint32_t v) {
    Buffer out;
    Writer(out).WriteUnsignedVarint(v);
    return out;
  };
  EXPECT_EQ(enc(0), (Buffer{0x00}));
  EXPECT_EQ(enc(127), (Buffer{0x7f}));
  EXPECT_EQ(enc(128), (Buffer{0x80, 0x01}));
  EXPECT_EQ(enc(300), (Buffer{0xac, 0x02}));
  EXPECT_EQ(enc(0xffffffffu), (Buffer{0xff, 0xff, 0xff, 0xff, 0x0f}));
}

TEST(WriterTest, ZigZagBytes) {
  auto enc = [](int32_t v) {
    Buffer out;
    Writer(out).WriteVarint(v);
    return out;
  };
  EXPECT_EQ(enc(0), (Buffer{0x00}));
  EXPECT_EQ(enc(-1), (Buffer{0x01}));
  EXPECT_EQ(enc(1), (Buffer{0x02}));
  EXPECT_EQ(enc(-64), (Buffer{0x7f}));
  EXPECT_EQ(enc(64), (Buffer{0x80, 0x01}));
}

TEST(WriterTest, VarintsRoundTripAtTheLimitsAndMatchWireSize) {
  for (int32_t v : {0, 1, -1, 63, -64, 64, -65, 8191, -8192, std::numeric_limits<int32_t>::max(),
                    std::numeric_limits<int32_t>::min()}) {
    Buffer out;
    Writer(out).WriteVarint(v);
    EXPECT_EQ(out.size(), wire_size::Varint(v)) << v;
    EXPECT_EQ(*Reader(out).ReadVarint(), v);
  }
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1} << 40, -(int64_t{1} << 40),
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    Buffer out;
    Writer(out).WriteVarlong(v);
    EXPECT_EQ(out.size(), wire_size::Varlong(v)) << v;
    EXPECT_EQ(*Reader(out).ReadVarlong(), v);
  }
  for (uint32_t v : {0u, 127u, 128u, 16383u, 16384u, 2097151u, 2097152u, 268435455u, 268435456u,
                     0xffffffffu}) {
    Buffer out;
    Writer(out).WriteUnsignedVarint(v);
    EXPECT_EQ(out.size(), wire_size::UnsignedVarint(v)) << v;
    EXPECT_EQ(*Reader(out).ReadUnsignedVarint(), v);
  }
}

TEST(WriterTest, Float64RoundTrips) {
  for (double v : {0.0, -0.0, 1.5, -2.25, 1e308, std::numeric_limits<double>::denorm_min()}) {
    Buffer out;
    Writer(out).WriteFloat64(v);
    EXPECT_EQ(*Reader(out).ReadFloat64(), v);
  }
}

TEST(WriterTest, ClassicAndCompactStrings) {
  Buffer out;
  Writer w(out);
  w.WriteString("ab", false);
  w.WriteNullableString(std::nullopt, false);
  w.WriteString("ab", true);
  w.WriteNullableString(std::nullopt, true);
  w.WriteNullableString(std::string(), true);
  EXPECT_EQ(out, (Buffer{0x00, 0x02, 'a', 'b', 0xff, 0xff, 0x03, 'a', 'b', 0x00, 0x01}));
  EXPECT_EQ(wire_size::String("ab", false), 4u);
  EXPECT_EQ(wire_size::NullableString(std::nullopt, false), 2u);
  EXPECT_EQ(wire_size::String("ab", true), 3u);
  EXPECT_EQ(wire_size::NullableString(std::nullopt, true), 1u);
}

TEST(WriterTest, ClassicAndCompactBytesAndArrays) {
  Buffer out;
  Writer w(out);
  w.WriteBytes(Bytes{7}, false);
  w.WriteNullableBytes(std::nullopt, false);
  w.WriteBytes(Bytes{7}, true);
  w.WriteArrayLength(2, false);
  w.WriteNullArrayLength(false);
  w.WriteArrayLength(2, true);
  w.WriteNullArrayLength(true);
  EXPECT_EQ(out, (Buffer{0, 0, 0, 1, 7, 0xff, 0xff, 0xff, 0xff, 0x02, 7, 0, 0, 0, 2, 0xff, 0xff,
                         0xff, 0xff, 0x03, 0x00}));
}

TEST(WriterTest, LongCompactStringHasMultiByteLength) {
  std::string s(200, 'x');
  Buffer out;
  Writer(out).WriteString(s, true);
  EXPECT_EQ(out.size(), 2 + s.size());
  EXPECT_EQ(out.size(), wire_size::String(s, true));
  EXPECT_EQ(*Reader(out).ReadString(true), s);
}

TEST(WriterTest, TaggedFieldsSection) {
  Buffer out;
  Writer w(out);
  w.WriteTaggedFields({TaggedField{1, {0xaa}}, TaggedField{300, {}}});
  EXPECT_EQ(out, (Buffer{0x02, 0x01, 0x01, 0xaa, 0xac, 0x02, 0x00}));
}

TEST(WriterTest, UnknownTaggedFieldsBelowALimit) {
  std::vector<TaggedField> unknown = {{1, {0x01}}, {5, {0x05}}, {9, {}}};
  Buffer out;
  Writer w(out);
  size_t next = WriteUnknownTaggedFieldsBelow(w, unknown, 0, 5);
  EXPECT_EQ(next, 1u);
  next = WriteUnknownTaggedFieldsBelow(w, unknown, next, UINT64_MAX);
  EXPECT_EQ(next, 3u);
  EXPECT_EQ(out, (Buffer{0x01, 0x01, 0x01, 0x05, 0x01, 0x05, 0x09, 0x00}));
}

TEST(WriterTest, UuidIsSixteenRawBytes) {
  Uuid u;
  u.bytes[0] = 0x12;
  u.bytes[15] = 0x34;
  Buffer out;
  Writer(out).WriteUuid(u);
  ASSERT_EQ(out.size(), 16u);
  EXPECT_EQ(*Reader(out).ReadUuid(), u);
}

}  // namespace
}  // namespace sluice::kafka

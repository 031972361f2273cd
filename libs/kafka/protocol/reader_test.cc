// Edge cases of the wire primitives' decoding: limits, truncation and hostile lengths.
#include "libs/kafka/protocol/reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace sluice::kafka {
namespace {

using Code = Status::Code;

Reader Over(const std::vector<uint8_t>& bytes) { return Reader(bytes); }

TEST(ReaderTest, FixedWidthIntegersAreBigEndian) {
  std::vector<uint8_t> b = {0xff, 0x01, 0x02, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0xdc};
  Reader r = Over(b);
  EXPECT_EQ(*r.ReadInt8(), -1);
  EXPECT_EQ(*r.ReadInt16(), 0x0102);
  EXPECT_EQ(*r.ReadInt32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(*r.ReadInt64(), int64_t{1});
  EXPECT_EQ(*r.ReadUint16(), 0xfedc);
  EXPECT_TRUE(r.empty());
}

TEST(ReaderTest, BoolIsAnyNonZeroByte) {
  std::vector<uint8_t> b = {0x00, 0x01, 0x7f};
  Reader r = Over(b);
  EXPECT_FALSE(*r.ReadBool());
  EXPECT_TRUE(*r.ReadBool());
  EXPECT_TRUE(*r.ReadBool());
}

TEST(ReaderTest, Float64IsIeeeBigEndian) {
  std::vector<uint8_t> b = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0};  // 1.5
  EXPECT_EQ(*Over(b).ReadFloat64(), 1.5);
}

TEST(ReaderTest, TruncatedFixedWidthReadFailsAndDoesNotMove) {
  std::vector<uint8_t> b = {0x01, 0x02, 0x03};
  Reader r = Over(b);
  auto v = r.ReadInt32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kCorruption);
  EXPECT_EQ(r.position(), 0u);
  EXPECT_FALSE(r.ReadInt64().ok());
  EXPECT_FALSE(r.ReadUuid().ok());
  EXPECT_EQ(*r.ReadInt16(), 0x0102);
  EXPECT_FALSE(r.ReadInt16().ok());
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(ReaderTest, EmptyInputFailsEveryRead) {
  std::vector<uint8_t> b;
  Reader r = Over(b);
  EXPECT_FALSE(r.ReadInt8().ok());
  EXPECT_FALSE(r.ReadBool().ok());
  EXPECT_FALSE(r.ReadUnsignedVarint().ok());
  EXPECT_FALSE(r.ReadVarlong().ok());
  EXPECT_FALSE(r.ReadString(false).ok());
  EXPECT_FALSE(r.ReadNullableBytes(true).ok());
  EXPECT_FALSE(r.ReadArrayLength(false).ok());
  EXPECT_FALSE(r.ReadTaggedFieldCount().ok());
}

TEST(ReaderTest, UnsignedVarintLimits) {
  struct Case {
    std::vector<uint8_t> bytes;
    uint32_t value;
  };
  for (const Case& c : {Case{{0x00}, 0}, Case{{0x7f}, 127}, Case{{0x80, 0x01}, 128},
                        Case{{0xff, 0x7f}, 16383}, Case{{0x80, 0x80, 0x01}, 16384},
                        Case{{0xff, 0xff, 0xff, 0xff, 0x0f}, 0xffffffffu}}) {
    Reader r = Over(c.bytes);
    auto v = r.ReadUnsignedVarint();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, c.value);
    EXPECT_TRUE(r.empty());
  }
}

TEST(ReaderTest, UnsignedVarintOverflowingThirtyTwoBitsIsRejected) {
  std::vector<uint8_t> fifth_byte_too_big = {0xff, 0xff, 0xff, 0xff, 0x10};
  EXPECT_EQ(Over(fifth_byte_too_big).ReadUnsignedVarint().status().code(), Code::kCorruption);
  std::vector<uint8_t> six_bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  EXPECT_FALSE(Over(six_bytes).ReadUnsignedVarint().ok());
}

TEST(ReaderTest, TruncatedVarintIsRejected) {
  std::vector<uint8_t> b = {0x80, 0x80};
  Reader r = Over(b);
  EXPECT_FALSE(r.ReadUnsignedVarint().ok());
  EXPECT_EQ(r.position(), 0u);
  EXPECT_FALSE(r.ReadVarlong().ok());
}

TEST(ReaderTest, ZigZagVarintDecodesNegatives) {
  struct Case {
    std::vector<uint8_t> bytes;
    int32_t value;
  };
  for (const Case& c : {Case{{0x00}, 0}, Case{{0x01}, -1}, Case{{0x02}, 1}, Case{{0x03}, -2},
                        Case{{0x7f}, -64}, Case{{0x80, 0x01}, 64},
                        Case{{0xfe, 0xff, 0xff, 0xff, 0x0f}, std::numeric_limits<int32_t>::max()},
                        Case{{0xff, 0xff, 0xff, 0xff, 0x0f}, std::numeric_limits<int32_t>::min()}}) {
    auto v = Over(c.bytes).ReadVarint();
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, c.value);
  }
}

TEST(ReaderTest, ZigZagVarlongLimits) {
  std::vector<uint8_t> max = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  std::vector<uint8_t> min = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_EQ(*Over(max).ReadVarlong(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*Over(min).ReadVarlong(), std::numeric_limits<int64_t>::min());
  std::vector<uint8_t> minus_one = {0x01};
  EXPECT_EQ(*Over(minus_one).ReadVarlong(), -1);
  std::vector<uint8_t> tenth_byte_too_big = {0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0x02};
  EXPECT_FALSE(Over(tenth_byte_too_big).ReadVarlong().ok());
}

TEST(ReaderTest, ClassicStrings) {
  std::vector<uint8_t> b = {0x00, 0x02, 'h', 'i', 0x00, 0x00, 0xff, 0xff};
  Reader r = Over(b);
  EXPECT_EQ(*r.ReadString(false), "hi");
  EXPECT_EQ(*r.ReadString(false), "");
  auto null = r.ReadNullableString(false);
  ASSERT_TRUE(null.ok());
  EXPECT_FALSE(null->has_value());
}

TEST(ReaderTest, NullForNonNullableStringIsCorruption) {
  std::vector<uint8_t> classic = {0xff, 0xff};
  Reader r = Over(classic);
  EXPECT_EQ(r.ReadString(false).status().code(), Code::kCorruption);
  EXPECT_EQ(r.position(), 0u);
  std::vector<uint8_t> compact = {0x00};
  EXPECT_FALSE(Over(compact).ReadString(true).ok());
  EXPECT_FALSE(Over(compact).ReadBytes(true).ok());
}

TEST(ReaderTest, NegativeLengthOtherThanMinusOneIsCorruption) {
  std::vector<uint8_t> string_minus_two = {0xff, 0xfe};
  EXPECT_FALSE(Over(string_minus_two).ReadNullableString(false).ok());
  std::vector<uint8_t> bytes_minus_two = {0xff, 0xff, 0xff, 0xfe};
  EXPECT_FALSE(Over(bytes_minus_two).ReadNullableBytes(false).ok());
  std::vector<uint8_t> array_minus_two = {0xff, 0xff, 0xff, 0xfe};
  EXPECT_FALSE(Over(array_minus_two).ReadArrayLength(false).ok());
}

TEST(ReaderTest, CompactForms) {
  std::vector<uint8_t> b = {0x00, 0x01, 0x03, 'o', 'k', 0x04, 1, 2, 3, 0x03};
  Reader r = Over(b);
  EXPECT_FALSE(r.ReadNullableString(true)->has_value());
  EXPECT_EQ(*r.ReadString(true), "");
  EXPECT_EQ(*r.ReadString(true), "ok");
  EXPECT_EQ(*r.ReadBytes(true), (Bytes{1, 2, 3}));
  // A compact array count of 3 means 2 elements, and 0 bytes remain for them.
  EXPECT_FALSE(r.ReadArrayLength(true).ok());
}

TEST(ReaderTest, HostileLengthsFailWithoutAllocating) {
  // Each announces ~2 GiB or 4 GiB with a handful of bytes behind it; the reader must refuse
  // before allocating (ASan would report a huge allocation otherwise).
  std::vector<uint8_t> bytes_len = {0x7f, 0xff, 0xff, 0xff, 1, 2};
  EXPECT_EQ(Over(bytes_len).ReadBytes(false).status().code(), Code::kCorruption);
  std::vector<uint8_t> string_len = {0x7f, 0xff, 'a'};
  EXPECT_FALSE(Over(string_len).ReadString(false).ok());
  std::vector<uint8_t> compact_len = {0xff, 0xff, 0xff, 0xff, 0x0f, 'a'};
  EXPECT_FALSE(Over(compact_len).ReadString(true).ok());
  EXPECT_FALSE(Over(compact_len).ReadBytes(true).ok());
  std::vector<uint8_t> array_len = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  EXPECT_FALSE(Over(array_len).ReadArrayLength(false).ok());
  EXPECT_FALSE(Over(compact_len).ReadArrayLength(true).ok());
  std::vector<uint8_t> tag_count = {0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0};
  EXPECT_FALSE(Over(tag_count).ReadTaggedFieldCount().ok());
  std::vector<uint8_t> tag_size = {0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0};
  Reader r = Over(tag_size);
  EXPECT_FALSE(r.ReadTaggedField().ok());
  EXPECT_EQ(r.position(), 0u);
}

TEST(ReaderTest, ArrayLengthUpToRemainingBytesIsAccepted) {
  std::vector<uint8_t> b = {0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb};
  auto n = Over(b).ReadArrayLength(false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(**n, 2u);
  std::vector<uint8_t> null = {0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(Over(null).ReadArrayLength(false)->has_value());
}

TEST(ReaderTest, TaggedFieldViewPointsIntoInput) {
  std::vector<uint8_t> b = {0x01, 0x05, 0x02, 0xab, 0xcd, 0xee};
  Reader r = Over(b);
  EXPECT_EQ(*r.ReadTaggedFieldCount(), 1u);
  auto f = r.ReadTaggedField();
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->tag, 5u);
  ASSERT_EQ(f->data.size(), 2u);
  EXPECT_EQ(f->data.data(), b.data() + 3);
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(ReaderTest, UuidIsSixteenRawBytes) {
  std::vector<uint8_t> b(16);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i);
  auto u = Over(b).ReadUuid();
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->bytes[0], 0);
  EXPECT_EQ(u->bytes[15], 15);
}

TEST(ReaderTest, ErrorsNameTheOffset) {
  std::vector<uint8_t> b = {0x00, 0x01};
  Reader r = Over(b);
  ASSERT_TRUE(r.ReadInt8().ok());
  auto v = r.ReadInt32();
  EXPECT_NE(v.status().message().find("offset 1"), std::string::npos) << v.status().message();
}

TEST(ReaderTest, WithFieldPrefixesAndKeepsTheCode) {
  Status s = WithField("FetchRequest.Topics", Status::Corruption("int32 needs 4 bytes"));
  EXPECT_EQ(s.code(), Code::kCorruption);
  EXPECT_EQ(s.message(), "FetchRequest.Topics: int32 needs 4 bytes");
  EXPECT_EQ(WithField("X", Status::InvalidArgument("y")).code(), Code::kInvalidArgument);
  EXPECT_TRUE(WithField("X", Status::Ok()).ok());
}

}  // namespace
}  // namespace sluice::kafka

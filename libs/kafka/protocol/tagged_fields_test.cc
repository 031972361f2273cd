// The generated code's version rules, checked on exact bytes of ApiVersions and the headers:
// tagged fields only when they differ from their default and in ascending tag order, unknown
// tags kept, compact vs classic encodings, the `classic` ClientId, and null where not allowed.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "libs/kafka/messages/api_versions.h"
#include "libs/kafka/messages/request_header.h"

namespace sluice::kafka {
namespace {

using Buffer = std::vector<uint8_t>;

template <typename M>
Buffer Encode(const M& m, int16_t version) {
  Buffer out;
  Writer w(out);
  m.Encode(w, version);
  EXPECT_EQ(out.size(), m.Size(version));
  return out;
}

template <typename M>
Result<M> Decode(const Buffer& bytes, int16_t version) {
  Reader r(bytes);
  M m;
  Status s = m.Decode(r, version);
  if (!s.ok()) return s;
  if (!r.empty()) return Status::Corruption("trailing bytes");
  return m;
}

ApiVersionsResponse OneApi() {
  ApiVersionsResponse r;
  r.api_keys.push_back({18, 0, 3, {}});
  return r;
}

TEST(TaggedFieldsTest, DefaultTaggedFieldsAreNotWritten) {
  // error_code, compact array of 1, {18, 0, 3, no tags}, throttle, no tags.
  EXPECT_EQ(Encode(OneApi(), 3), (Buffer{0, 0, 0x02, 0, 18, 0, 0, 0, 3, 0x00, 0, 0, 0, 0, 0x00}));
}

TEST(TaggedFieldsTest, NonDefaultTaggedFieldsAreWrittenInTagOrder) {
  ApiVersionsResponse r = OneApi();
  r.finalized_features_epoch = 0;  // default -1
  r.supported_features.push_back({"f", 1, 2, {}});
  Buffer b = Encode(r, 3);
  const Buffer tail = {0x02,                            // two tagged fields
                       0x00, 0x08, 0x02, 0x02, 'f', 0, 1, 0, 2, 0x00,  // tag 0: 8 bytes
                       0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};            // tag 1: int64 0
  ASSERT_GE(b.size(), tail.size());
  EXPECT_EQ(Buffer(b.end() - static_cast<std::ptrdiff_t>(tail.size()), b.end()), tail);
  auto back = Decode<ApiVersionsResponse>(b, 3);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == r);
}

TEST(TaggedFieldsTest, UnknownTagsArePreservedAndInterleavedByTag) {
  ApiVersionsResponse r = OneApi();
  r.finalized_features_epoch = 7;  // known tag 1
  // Unknown tags 0 and 3 (tag 0 is SupportedFeatures, empty here, so an unknown 0 stays raw).
  // The section must come out as 0 (unknown), 1 (known), 3 (unknown).
  r.unknown_tagged_fields = {TaggedField{0, {}}, TaggedField{3, {0xee}}};
  Buffer b = Encode(r, 3);
  const Buffer tail = {0x03, 0x00, 0x00, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 7, 0x03, 0x01, 0xee};
  EXPECT_EQ(Buffer(b.end() - static_cast<std::ptrdiff_t>(tail.size()), b.end()), tail);
}

TEST(TaggedFieldsTest, UnknownTagIsKeptOnDecode) {
  Buffer b = Encode(OneApi(), 3);
  b.back() = 0x01;                       // one tagged field
  b.insert(b.end(), {0x09, 0x02, 0xab, 0xcd});  // tag 9, two bytes
  auto r = Decode<ApiVersionsResponse>(b, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(r->unknown_tagged_fields[0].tag, 9u);
  EXPECT_EQ(r->unknown_tagged_fields[0].data, (Bytes{0xab, 0xcd}));
  EXPECT_EQ(Encode(*r, 3), b);
}

TEST(TaggedFieldsTest, KnownTagWithBytesLeftOverIsCorruption) {
  Buffer b = Encode(OneApi(), 3);
  b.back() = 0x01;
  b.insert(b.end(), {0x01, 0x09, 0, 0, 0, 0, 0, 0, 0, 1, 0xff});  // int64 + 1 stray byte
  auto r = Decode<ApiVersionsResponse>(b, 3);
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("FinalizedFeaturesEpoch"), std::string::npos)
      << r.status().message();
}

TEST(TaggedFieldsTest, NonFlexibleVersionsHaveNoTaggedSectionAndClassicLengths) {
  ApiVersionsResponse r = OneApi();
  r.finalized_features_epoch = 5;  // not in v2: silently not written
  EXPECT_EQ(Encode(r, 2), (Buffer{0, 0, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0}));
  // v0 has no ThrottleTimeMs.
  EXPECT_EQ(Encode(r, 0), (Buffer{0, 0, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3}));
}

TEST(TaggedFieldsTest, FieldsAbsentInAVersionDecodeAsDefault) {
  ApiVersionsResponse r = OneApi();
  r.throttle_time_ms = 100;
  auto back = Decode<ApiVersionsResponse>(Encode(r, 0), 0);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->throttle_time_ms, 0);
  EXPECT_EQ(back->finalized_features_epoch, -1);
}

TEST(TaggedFieldsTest, NullForNonNullableArrayIsCorruption) {
  Buffer v0 = {0, 0, 0xff, 0xff, 0xff, 0xff};
  auto r = Decode<ApiVersionsResponse>(v0, 0);
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("ApiVersionsResponse.ApiKeys"), std::string::npos);
  Buffer v3 = {0, 0, 0x00, 0, 0, 0, 0, 0x00};
  EXPECT_FALSE(Decode<ApiVersionsResponse>(v3, 3).ok());
}

TEST(TaggedFieldsTest, ErrorsNameTheNestedFieldPath) {
  Buffer b = {0, 0, 0, 0, 0, 1, 0, 18, 0};  // ApiKeys[0] truncated after ApiKey
  auto r = Decode<ApiVersionsResponse>(b, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("ApiVersionsResponse.ApiKeys: ApiVersion.MinVersion: ", 0),
            0u)
      << r.status().message();
}

TEST(TaggedFieldsTest, FlexibleRequestUsesCompactStrings) {
  ApiVersionsRequest q;
  q.client_software_name = "ab";
  q.client_software_version = "";
  EXPECT_EQ(Encode(q, 3), (Buffer{0x03, 'a', 'b', 0x01, 0x00}));
  EXPECT_EQ(Encode(q, 2), Buffer{});
}

TEST(TaggedFieldsTest, RequestHeaderClientIdIsClassicEvenWhenFlexible) {
  RequestHeader h;
  h.request_api_key = 18;
  h.request_api_version = 3;
  h.correlation_id = 1;
  h.client_id = "ab";
  EXPECT_EQ(Encode(h, 2), (Buffer{0, 18, 0, 3, 0, 0, 0, 1, 0, 2, 'a', 'b', 0x00}));
  EXPECT_EQ(Encode(h, 1), (Buffer{0, 18, 0, 3, 0, 0, 0, 1, 0, 2, 'a', 'b'}));
  EXPECT_EQ(Encode(h, 0), (Buffer{0, 18, 0, 3, 0, 0, 0, 1}));
  h.client_id = std::nullopt;
  EXPECT_EQ(Encode(h, 2), (Buffer{0, 18, 0, 3, 0, 0, 0, 1, 0xff, 0xff, 0x00}));
}

TEST(TaggedFieldsTest, NullableFieldDefaultIsEmptyNotNull) {
  // Kafka's rule: without default=null a nullable field defaults to "" / empty.
  RequestHeader h;
  ASSERT_TRUE(h.client_id.has_value());
  EXPECT_EQ(*h.client_id, "");
}

}  // namespace
}  // namespace sluice::kafka

// Header versions chosen from (api key, api version), as Kafka 2.8 chooses them.
#include "libs/kafka/protocol/request_header_io.h"

#include <gtest/gtest.h>

#include <vector>

#include "libs/kafka/messages/api_table.h"

namespace sluice::kafka {
namespace {

using Buffer = std::vector<uint8_t>;

TEST(ApiTableTest, IsSortedByKeyAndConsistent) {
  for (size_t i = 0; i < kApiTable.size(); ++i) {
    const ApiSpec& a = kApiTable[i];
    if (i > 0) {
      EXPECT_LT(kApiTable[i - 1].key, a.key);
    }
    EXPECT_LE(a.min_version, a.max_version) << a.name;
    EXPECT_LE(a.first_flexible_version, a.max_version) << a.name;
    EXPECT_EQ(FindApi(a.key), &a);
  }
  EXPECT_EQ(FindApi(-1), nullptr);
  EXPECT_EQ(FindApi(32000), nullptr);
}

TEST(ApiTableTest, ApiVersionsIsDescribed) {
  const ApiSpec* api = FindApi(18);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->name, "ApiVersions");
  EXPECT_EQ(api->min_version, 0);
  EXPECT_EQ(api->max_version, 3);
  EXPECT_EQ(api->first_flexible_version, 3);
}

TEST(ApiTableTest, HeaderVersions) {
  EXPECT_EQ(RequestHeaderVersion(18, 2), 1);
  EXPECT_EQ(RequestHeaderVersion(18, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(18, 4), 2);  // past max, still readable as flexible
  EXPECT_EQ(RequestHeaderVersion(7, 0), 0);   // ControlledShutdown v0
  EXPECT_EQ(RequestHeaderVersion(31000, 5), 1);
  EXPECT_EQ(ResponseHeaderVersion(18, 3), 0);  // ApiVersions: always v0
  EXPECT_EQ(ResponseHeaderVersion(18, 0), 0);
  EXPECT_EQ(ResponseHeaderVersion(31000, 9), 0);
}

TEST(RequestHeaderIoTest, ReadsFlexibleHeaderAndStopsAtTheBody) {
  Buffer b = {0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 'c', 0x00, 0xbb};
  Reader r(b);
  auto h = ReadRequestHeader(r);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->request_api_key, 18);
  EXPECT_EQ(h->request_api_version, 3);
  EXPECT_EQ(h->correlation_id, 7);
  EXPECT_EQ(h->client_id, "c");
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(RequestHeaderIoTest, ReadsClassicHeaderWithNullClientId) {
  Buffer b = {0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff};
  Reader r(b);
  auto h = ReadRequestHeader(r);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->client_id.has_value());
  EXPECT_TRUE(r.empty());
}

TEST(RequestHeaderIoTest, TruncatedHeaderFails) {
  Buffer b = {0, 18, 0};
  Reader r(b);
  EXPECT_FALSE(ReadRequestHeader(r).ok());
  Buffer no_client_id = {0, 18, 0, 3, 0, 0, 0, 7};
  Reader r2(no_client_id);
  EXPECT_FALSE(ReadRequestHeader(r2).ok());
}

TEST(RequestHeaderIoTest, WriteThenReadRoundTrips) {
  RequestHeader h;
  h.request_api_key = 18;
  h.request_api_version = 3;
  h.correlation_id = 42;
  h.client_id = "sluice";
  Buffer b;
  Writer w(b);
  WriteRequestHeader(w, h);
  Reader r(b);
  auto back = ReadRequestHeader(r);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == h);
}

TEST(RequestHeaderIoTest, ResponseHeaderForApiVersionsHasNoTaggedSection) {
  Buffer b;
  Writer w(b);
  WriteResponseHeader(w, 18, 3, 5);
  EXPECT_EQ(b, (Buffer{0, 0, 0, 5}));
  EXPECT_EQ(ResponseHeaderSize(18, 3), 4u);
}

}  // namespace
}  // namespace sluice::kafka

#include "broker/server/request_dispatcher.h"

#include <gtest/gtest.h>

#include "broker/server/handlers/api_versions.h"
#include "libs/kafka/messages/metadata.h"
#include "libs/kafka/protocol/request_header_io.h"

namespace sluice::server {
namespace {

// Encodes a request frame body (header + request) the way a client does.
template <typename Req>
std::vector<uint8_t> RequestBytes(const Req& request, int16_t version, int32_t correlation_id) {
  std::vector<uint8_t> out;
  kafka::Writer writer(out);
  kafka::RequestHeader header;
  header.request_api_key = Req::kApiKey;
  header.request_api_version = version;
  header.correlation_id = correlation_id;
  header.client_id = "test-client";
  kafka::WriteRequestHeader(writer, header);
  request.Encode(writer, version);
  return out;
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    RegisterApiVersions(registry_);
    registry_.Register<kafka::MetadataRequest, kafka::MetadataResponse>(
        "Metadata", [](const RequestContext&, kafka::MetadataRequest,
                       std::function<void(kafka::MetadataResponse)> respond) {
          kafka::MetadataResponse response;
          response.controller_id = 7;
          respond(response);
        });
  }
  net::Reply Dispatch(std::vector<uint8_t> frame) {
    net::Reply reply;
    bool called = false;
    dispatcher_.HandleFrame({}, std::move(frame), [&](net::Reply r) {
      reply = std::move(r);
      called = true;
    });
    EXPECT_TRUE(called);  // every handler here answers synchronously
    return reply;
  }
  // Decodes a response frame: size, header (v0/v1), body.
  template <typename Resp>
  Resp DecodeResponse(const net::Reply& reply, int16_t version, int16_t header_version,
                      int32_t expected_correlation) {
    EXPECT_EQ(reply.kind, net::Reply::Kind::kRespond);
    kafka::Reader reader(reply.frame);
    auto size = reader.ReadInt32();
    EXPECT_EQ(static_cast<size_t>(*size), reply.frame.size() - 4);
    EXPECT_EQ(*reader.ReadInt32(), expected_correlation);
    if (header_version >= 1) {
      EXPECT_EQ(*reader.ReadUnsignedVarint(), 0u);
    }
    Resp response;
    Status st = response.Decode(reader, version);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(reader.empty());
    return response;
  }

  ApiRegistry registry_;
  RequestDispatcher dispatcher_{registry_};
};

TEST_F(DispatcherTest, ApiVersionsListIsDerivedFromTheRegistry) {
  auto reply = Dispatch(RequestBytes(kafka::ApiVersionsRequest{}, 2, 11));
  auto response = DecodeResponse<kafka::ApiVersionsResponse>(reply, 2, 0, 11);
  EXPECT_EQ(response.error_code, 0);
  ASSERT_EQ(response.api_keys.size(), 2u);
  EXPECT_EQ(response.api_keys[0].api_key, 3);  // Metadata
  EXPECT_EQ(response.api_keys[0].max_version, 11);
  EXPECT_EQ(response.api_keys[1].api_key, 18);
  EXPECT_EQ(response.api_keys[1].max_version, 3);
}

TEST_F(DispatcherTest, FlexibleApiVersionsV3UsesResponseHeaderV0) {
  kafka::ApiVersionsRequest request;
  request.client_software_name = "librdkafka";
  request.client_software_version = "2.0.2";
  auto reply = Dispatch(RequestBytes(request, 3, 12));
  auto response = DecodeResponse<kafka::ApiVersionsResponse>(reply, 3, 0, 12);
  EXPECT_EQ(response.error_code, 0);
  EXPECT_EQ(response.api_keys.size(), 2u);
}

TEST_F(DispatcherTest, ApiVersionsV3WithAnInvalidSoftwareNameIsInvalidRequest) {
  kafka::ApiVersionsRequest request;
  request.client_software_name = "bad name!";
  request.client_software_version = "1.0";
  auto reply = Dispatch(RequestBytes(request, 3, 14));
  auto response = DecodeResponse<kafka::ApiVersionsResponse>(reply, 3, 0, 14);
  EXPECT_EQ(response.error_code, 42);
  request.client_software_name = "kafka-python";
  request.client_software_version = "2.0.2-";  // must end alphanumeric
  response = DecodeResponse<kafka::ApiVersionsResponse>(Dispatch(RequestBytes(request, 3, 15)), 3,
                                                        0, 15);
  EXPECT_EQ(response.error_code, 42);
}

TEST_F(DispatcherTest, UnsupportedApiVersionsVersionGetsV0AnswerWithError35) {
  // A v9 ApiVersions whose body we must not even try to parse.
  std::vector<uint8_t> frame = {0, 18, 0, 9, 0, 0, 0, 13, 0xff, 0xff, 0xde, 0xad};
  auto reply = Dispatch(frame);
  auto response = DecodeResponse<kafka::ApiVersionsResponse>(reply, 0, 0, 13);
  EXPECT_EQ(response.error_code, 35);
  EXPECT_EQ(response.api_keys.size(), 2u);
}

TEST_F(DispatcherTest, UnknownApiKeyClosesTheConnection) {
  std::vector<uint8_t> frame = {0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0xff, 0xff};
  EXPECT_EQ(Dispatch(frame).kind, net::Reply::Kind::kClose);
}

TEST_F(DispatcherTest, UnsupportedVersionOfOtherApiClosesTheConnection) {
  auto bytes = RequestBytes(kafka::MetadataRequest{}, 11, 1);
  bytes[3] = 42;  // version 42
  EXPECT_EQ(Dispatch(bytes).kind, net::Reply::Kind::kClose);
}

TEST_F(DispatcherTest, TruncatedBodyClosesTheConnection) {
  auto bytes = RequestBytes(kafka::MetadataRequest{}, 4, 1);
  bytes.resize(bytes.size() - 2);
  EXPECT_EQ(Dispatch(bytes).kind, net::Reply::Kind::kClose);
}

TEST_F(DispatcherTest, ShortFrameClosesTheConnection) {
  EXPECT_EQ(Dispatch({0, 3, 0}).kind, net::Reply::Kind::kClose);
}

TEST_F(DispatcherTest, FlexibleMetadataAnswersWithResponseHeaderV1) {
  auto reply = Dispatch(RequestBytes(kafka::MetadataRequest{}, 9, 77));
  auto response = DecodeResponse<kafka::MetadataResponse>(reply, 9, 1, 77);
  EXPECT_EQ(response.controller_id, 7);
}

}  // namespace
}  // namespace sluice::server

#include "libs/kafka/client/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "libs/kafka/messages/metadata.h"
#include "libs/kafka/messages/response_header.h"
#include "libs/kafka/protocol/request_header_io.h"

namespace sluice::kafka::client {
namespace {

// What the fake broker does with one request: the response bytes after the correlation id
// (nullopt: send nothing), or a whole raw frame override.
struct FakeAnswer {
  std::optional<std::vector<uint8_t>> body;
  int32_t correlation_delta = 0;  // != 0 answers with a wrong correlation id
  bool close = false;             // close the connection instead of answering
};
using Handler = std::function<FakeAnswer(const RequestHeader&, Reader& body)>;

// A one-connection broker on 127.0.0.1 driven by a handler; records the headers it saw.
class FakeBroker {
 public:
  explicit FakeBroker(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_fd_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeBroker() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (client_fd_ >= 0) ::shutdown(client_fd_, SHUT_RDWR);
    thread_.join();
    if (client_fd_ >= 0) ::close(client_fd_);
  }
  int port() const { return port_; }
  std::vector<RequestHeader> seen;

 private:
  bool ReadN(uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t r = ::recv(client_fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }
  void Serve() {
    client_fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (client_fd_ < 0) return;
    for (;;) {
      uint8_t size_bytes[4];
      if (!ReadN(size_bytes, 4)) return;
      const uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                            (uint32_t{size_bytes[2]} << 8) | size_bytes[3];
      std::vector<uint8_t> frame(size);
      if (!ReadN(frame.data(), size)) return;
      Reader reader(frame);
      Result<RequestHeader> header = ReadRequestHeader(reader);
      if (!header.ok()) return;
      seen.push_back(*header);
      FakeAnswer answer = handler_(*header, reader);
      if (answer.close) {
        ::shutdown(client_fd_, SHUT_RDWR);
        return;
      }
      if (!answer.body.has_value()) continue;
      std::vector<uint8_t> out(4);
      Writer w(out);
      WriteResponseHeader(w, header->request_api_key, header->request_api_version,
                          header->correlation_id + answer.correlation_delta);
      w.WriteRaw(*answer.body);
      const uint32_t n = static_cast<uint32_t>(out.size() - 4);
      for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(n >> (24 - 8 * i));
      ::send(client_fd_, out.data(), out.size(), MSG_NOSIGNAL);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int client_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::vector<uint8_t> Encode(const auto& message, int16_t version) {
  std::vector<uint8_t> out;
  Writer w(out);
  message.Encode(w, version);
  return out;
}

ApiVersionsResponse BrokerList(int16_t api_versions_max, int16_t metadata_max) {
  ApiVersionsResponse r;
  ApiVersionsResponse::ApiVersion av;
  av.api_key = 18;
  av.min_version = 0;
  av.max_version = api_versions_max;
  r.api_keys.push_back(av);
  ApiVersionsResponse::ApiVersion md;
  md.api_key = 3;
  md.min_version = 0;
  md.max_version = metadata_max;
  r.api_keys.push_back(md);
  return r;
}

// Answers ApiVersions at any version it supports (<= api_versions_max), else KIP-511's v0
// UNSUPPORTED_VERSION answer; `then` handles everything else.
Handler Broker(int16_t api_versions_max, int16_t metadata_max, Handler then = nullptr) {
  return [=](const RequestHeader& h, Reader& body) -> FakeAnswer {
    if (h.request_api_key == 18) {
      ApiVersionsResponse r = BrokerList(api_versions_max, metadata_max);
      if (h.request_api_version > api_versions_max) {
        r.error_code = 35;
        return {Encode(r, 0)};
      }
      return {Encode(r, h.request_api_version)};
    }
    return then ? then(h, body) : FakeAnswer{};
  };
}

ConnectionOptions Quick() {
  ConnectionOptions o;
  o.client_id = "test-client";
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.request_timeout = std::chrono::milliseconds(500);
  return o;
}

TEST(Connection, NegotiatesWithTheNewestApiVersionsTheBrokerKnows) {
  FakeBroker broker(Broker(3, 11));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(broker.seen.size(), 1u);
  EXPECT_EQ(broker.seen[0].request_api_version, 3);
  EXPECT_EQ(broker.seen[0].client_id, "test-client");
}

TEST(Connection, FallsBackAfterUnsupportedVersionKip511) {
  FakeBroker broker(Broker(2, 5));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(broker.seen.size(), 2u);
  EXPECT_EQ(broker.seen[0].request_api_version, 3);
  EXPECT_EQ(broker.seen[1].request_api_version, 2);  // min(ours - 1, broker max)
  EXPECT_NE(broker.seen[0].correlation_id, broker.seen[1].correlation_id);
  auto metadata = (*c)->BrokerVersions(3);
  ASSERT_TRUE(metadata.has_value());
  EXPECT_EQ(metadata->max, 5);
}

TEST(Connection, ChoosesMinOfOurMaxAndTheBrokersMax) {
  FakeBroker broker(Broker(3, 5));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*(*c)->ChooseVersion(3, "Metadata", 0, 11), 5);
  EXPECT_EQ(*(*c)->ChooseVersion(3, "Metadata", 0, 4), 4);
}

TEST(Connection, NoCommonVersionNamesTheBrokerAndBothRanges) {
  FakeBroker broker(Broker(3, 5));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick(), "b1:9092");
  ASSERT_TRUE(c.ok());
  auto v = (*c)->ChooseVersion(3, "Metadata", 6, 11);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(),
            "b1:9092: no common version of Metadata: this client speaks 6-11, the broker 0-5");
  auto missing = (*c)->ChooseVersion(1, "Fetch", 0, 12);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("does not support Fetch"), std::string::npos);
}

TEST(Connection, SendDecodesTheAnswerAtTheNegotiatedVersion) {
  FakeBroker broker(Broker(3, 4, [](const RequestHeader& h, Reader&) -> FakeAnswer {
    MetadataResponse r;
    MetadataResponse::MetadataResponseBroker b;
    b.node_id = 7;
    b.host = "h";
    b.port = 1234;
    r.brokers.push_back(b);
    r.controller_id = 7;
    return {Encode(r, h.request_api_version)};
  }));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok());
  auto response = (*c)->Send<MetadataResponse>(MetadataRequest{});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(broker.seen.back().request_api_version, 4);
  ASSERT_EQ(response->brokers.size(), 1u);
  EXPECT_EQ(response->brokers[0].port, 1234);
  EXPECT_EQ(response->controller_id, 7);
}

TEST(Connection, SilentBrokerTimesOutAndBreaksTheConnection) {
  FakeBroker broker(Broker(3, 11));  // never answers Metadata
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick(), "slow:9092");
  ASSERT_TRUE(c.ok());
  auto response = (*c)->Send<MetadataResponse>(MetadataRequest{});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Status::Code::kTimeout);
  EXPECT_NE(response.status().message().find("slow:9092"), std::string::npos);
  EXPECT_TRUE((*c)->is_broken());
  auto again = (*c)->Send<MetadataResponse>(MetadataRequest{});
  EXPECT_FALSE(again.ok());
}

TEST(Connection, WrongCorrelationIdIsCorruption) {
  FakeBroker broker(Broker(3, 11, [](const RequestHeader& h, Reader&) -> FakeAnswer {
    return {Encode(MetadataResponse{}, h.request_api_version), 1};
  }));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok());
  auto response = (*c)->Send<MetadataResponse>(MetadataRequest{});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Status::Code::kCorruption);
  EXPECT_TRUE((*c)->is_broken());
}

TEST(Connection, ClosedByTheBrokerIsAnIoError) {
  FakeBroker broker(Broker(3, 11, [](const RequestHeader&, Reader&) -> FakeAnswer {
    return {std::nullopt, 0, true};
  }));
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok());
  auto response = (*c)->Send<MetadataResponse>(MetadataRequest{});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Status::Code::kIoError);
  EXPECT_NE(response.status().message().find("closed the connection"), std::string::npos);
}

TEST(Connection, ProduceWithAcksZeroExpectsNoAnswer) {
  FakeBroker broker([](const RequestHeader& h, Reader& body) -> FakeAnswer {
    if (h.request_api_key == 18) {
      ApiVersionsResponse r;
      ApiVersionsResponse::ApiVersion p;
      p.api_key = 0;
      p.max_version = 9;
      r.api_keys.push_back(p);
      return {Encode(r, h.request_api_version)};
    }
    (void)body;
    return {};  // acks=0: Kafka sends nothing
  });
  auto c = Connection::Open("127.0.0.1", broker.port(), Quick());
  ASSERT_TRUE(c.ok());
  ProduceRequest request;
  request.acks = 0;
  auto response = (*c)->Send<ProduceResponse>(request);
  EXPECT_TRUE(response.ok()) << response.status().ToString();
}

TEST(Connection, RefusedConnectionNamesTheAddress) {
  auto c = Connection::Open("127.0.0.1", 1, Quick());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(c.status().message().find("127.0.0.1:1"), std::string::npos);
}

TEST(Connection, UnresolvableHostNamesTheHost) {
  auto c = Connection::Open("no-such-host.invalid", 9092, Quick());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace sluice::kafka::client

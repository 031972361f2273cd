#include "broker/net/socket_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace sluice::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::vector<uint8_t> Frame(const std::vector<uint8_t>& body) {
  std::vector<uint8_t> out(4 + body.size());
  const uint32_t n = static_cast<uint32_t>(body.size());
  out[0] = n >> 24;
  out[1] = n >> 16;
  out[2] = n >> 8;
  out[3] = n;
  std::copy(body.begin(), body.end(), out.begin() + 4);
  return out;
}

// Echoes each frame back; a frame starting with 'D' is answered late (from another thread) to
// prove responses keep request order; 'N' gets no response; 'X' closes the connection.
class EchoHandler : public RequestHandler {
 public:
  void HandleFrame(const ConnectionInfo&, std::vector<uint8_t> frame,
                   std::function<void(Reply)> done) override {
    if (!frame.empty() && frame[0] == 'N') return done(Reply::NoResponse());
    if (!frame.empty() && frame[0] == 'X') return done(Reply::Close("asked to"));
    if (!frame.empty() && frame[0] == 'D') {
      std::thread([frame, done] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        done(Reply::Respond(Frame(frame)));
      }).detach();
      return;
    }
    done(Reply::Respond(Frame(frame)));
  }
};

class SocketServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<SocketServer>(2, ConnectionOptions{.max_request_bytes = 1024},
                                             handler_);
    ASSERT_TRUE(server_->Start({{"PLAINTEXT", "127.0.0.1", 0}}).ok());
    port_ = server_->BoundPort("PLAINTEXT");
    ASSERT_NE(port_, 0);
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  }
  void TearDown() override { server_->Stop(); }

  std::vector<uint8_t> ReadFrame() {
    uint8_t size[4];
    asio::read(socket_, asio::buffer(size));
    std::vector<uint8_t> body((size[0] << 24) | (size[1] << 16) | (size[2] << 8) | size[3]);
    asio::read(socket_, asio::buffer(body));
    return body;
  }
  bool PeerClosed() {
    uint8_t byte;
    boost::system::error_code ec;
    asio::read(socket_, asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  EchoHandler handler_;
  std::unique_ptr<SocketServer> server_;
  uint16_t port_ = 0;
  asio::io_context io_;
  tcp::socket socket_{io_};
};

TEST_F(SocketServerTest, EchoesOneFrame) {
  asio::write(socket_, asio::buffer(Frame({'a', 'b'})));
  EXPECT_EQ(ReadFrame(), (std::vector<uint8_t>{'a', 'b'}));
}

TEST_F(SocketServerTest, PipelinedRequestsAnswerInOrderEvenWhenTheFirstIsSlow) {
  std::vector<uint8_t> all;
  for (auto body : {std::vector<uint8_t>{'D', '1'}, {'2'}, {'N'}, {'3'}}) {
    auto f = Frame(body);
    all.insert(all.end(), f.begin(), f.end());
  }
  asio::write(socket_, asio::buffer(all));
  EXPECT_EQ(ReadFrame(), (std::vector<uint8_t>{'D', '1'}));
  EXPECT_EQ(ReadFrame(), (std::vector<uint8_t>{'2'}));
  EXPECT_EQ(ReadFrame(), (std::vector<uint8_t>{'3'}));  // 'N' got no response
}

TEST_F(SocketServerTest, OversizedFrameClosesConnection) {
  std::vector<uint8_t> header = {0, 0, 0x10, 0};  // 4096 > max 1024
  asio::write(socket_, asio::buffer(header));
  EXPECT_TRUE(PeerClosed());
}

TEST_F(SocketServerTest, NegativeSizeClosesConnection) {
  std::vector<uint8_t> header = {0xff, 0xff, 0xff, 0xf0};
  asio::write(socket_, asio::buffer(header));
  EXPECT_TRUE(PeerClosed());
}

TEST_F(SocketServerTest, HandlerCanCloseAndServerKeepsServingOthers) {
  asio::write(socket_, asio::buffer(Frame({'X'})));
  EXPECT_TRUE(PeerClosed());
  tcp::socket other(io_);
  other.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  asio::write(other, asio::buffer(Frame({'o', 'k'})));
  uint8_t size[4];
  asio::read(other, asio::buffer(size));
  EXPECT_EQ(size[3], 2);
}

TEST(SocketServer, BindConflictNamesTheListener) {
  EchoHandler handler;
  SocketServer first(1, {}, handler);
  ASSERT_TRUE(first.Start({{"PLAINTEXT", "127.0.0.1", 0}}).ok());
  SocketServer second(1, {}, handler);
  Status s = second.Start({{"PLAINTEXT", "127.0.0.1", first.BoundPort("PLAINTEXT")}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("PLAINTEXT"), std::string::npos);
  first.Stop();
}

}  // namespace
}  // namespace sluice::net

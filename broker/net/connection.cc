#include "broker/net/connection.h"

#include <Poco/Logger.h>

namespace sluice::net {

namespace asio = boost::asio;

Connection::Connection(asio::ip::tcp::socket socket, ConnectionInfo info,
                       ConnectionOptions options, RequestHandler& handler)
    : socket_(std::move(socket)),
      strand_(asio::make_strand(socket_.get_executor())),
      info_(std::move(info)),
      options_(options),
      handler_(handler) {}

void Connection::Start() {
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  asio::dispatch(strand_, [self = shared_from_this()] { self->ReadSize(); });
}

void Connection::Close() {
  asio::post(strand_, [self = shared_from_this()] { self->Shutdown("closed by broker"); });
}

void Connection::ReadSize() {
  asio::async_read(socket_, asio::buffer(size_buf_),
                   asio::bind_executor(strand_, [self = shared_from_this()](
                                                    boost::system::error_code ec, size_t) {
                     if (ec) return self->Shutdown(ec == asio::error::eof ? "" : ec.message());
                     const int32_t size = static_cast<int32_t>(
                         (uint32_t(self->size_buf_[0]) << 24) | (uint32_t(self->size_buf_[1]) << 16) |
                         (uint32_t(self->size_buf_[2]) << 8) | uint32_t(self->size_buf_[3]));
                     // Kafka closes the connection for a frame it will not read: a negative size
                     // or one above socket.request.max.bytes (InvalidReceiveException).
                     if (size < 0 || size > self->options_.max_request_bytes) {
                       return self->Shutdown("request size " + std::to_string(size) +
                                             " is outside [0, socket.request.max.bytes=" +
                                             std::to_string(self->options_.max_request_bytes) + "]");
                     }
                     self->ReadBody(size);
                   }));
}

void Connection::ReadBody(int32_t size) {
  body_.resize(static_cast<size_t>(size));
  asio::async_read(socket_, asio::buffer(body_),
                   asio::bind_executor(strand_, [self = shared_from_this()](
                                                    boost::system::error_code ec, size_t) {
                     if (ec) return self->Shutdown(ec.message());
                     std::vector<uint8_t> frame = std::move(self->body_);
                     self->body_ = {};
                     self->handler_.HandleFrame(
                         self->info_, std::move(frame), [self](Reply reply) {
                           asio::dispatch(self->strand_, [self, reply = std::move(reply)]() mutable {
                             self->Finish(std::move(reply));
                           });
                         });
                   }));
}

void Connection::Finish(Reply reply) {
  if (closed_) return;
  switch (reply.kind) {
    case Reply::Kind::kClose:
      return Shutdown(reply.close_reason);
    case Reply::Kind::kNoResponse:
      return ReadSize();
    case Reply::Kind::kRespond:
      out_ = std::move(reply.frame);
      asio::async_write(socket_, asio::buffer(out_),
                        asio::bind_executor(strand_, [self = shared_from_this()](
                                                         boost::system::error_code ec, size_t) {
                          self->out_.clear();
                          if (ec) return self->Shutdown(ec.message());
                          self->ReadSize();
                        }));
      return;
  }
}

void Connection::Shutdown(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) {
    Poco::Logger::get("server").information("Closing connection %s:%hu (%s): %s", info_.peer_host,
                                            info_.peer_port, info_.listener_name, reason);
  }
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  handler_.OnConnectionClosed(info_);
}

}  // namespace sluice::net

// One client connection: reads size-prefixed request frames and writes responses in the order
// the requests arrived.
//
// Kafka's ordering rule ("requests on one connection are processed in the order they are sent
// and responses return in that order") is kept in the simplest way: a connection has at most
// one request in processing. The next frame is read only after the current request's response
// was written (or the request needs no response, as Produce with acks=0). This is what Kafka's
// own network layer does (it mutes a channel while its request is in flight), and it means a
// parked request (a Fetch waiting for data) holds back only its own connection.
//
// Thread safety: all socket operations run on the connection's strand; the dispatcher's
// completion may be called from any thread.
#pragma once

#include "libs/base/asio.h"
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::net {

// What the request layer answers for one frame.
struct Reply {
  enum class Kind { kRespond, kNoResponse, kClose };
  Kind kind = Kind::kRespond;
  std::vector<uint8_t> frame;  // a whole response frame, size prefix included (kRespond only)
  std::string close_reason;    // logged on kClose

  static Reply Respond(std::vector<uint8_t> frame) { return {Kind::kRespond, std::move(frame), {}}; }
  static Reply NoResponse() { return {Kind::kNoResponse, {}, {}}; }
  static Reply Close(std::string reason) { return {Kind::kClose, {}, std::move(reason)}; }
};

struct ConnectionInfo {
  uint64_t id = 0;
  std::string listener_name;
  std::string peer_host;
  uint16_t peer_port = 0;
};

// The request layer: gets one frame body (without the size prefix) and answers exactly once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void HandleFrame(const ConnectionInfo& connection, std::vector<uint8_t> frame,
                           std::function<void(Reply)> done) = 0;
  virtual void OnConnectionClosed(const ConnectionInfo& /*connection*/) {}
};

struct ConnectionOptions {
  int32_t max_request_bytes = 104857600;  // socket.request.max.bytes
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ConnectionInfo info, ConnectionOptions options,
             RequestHandler& handler);
  void Start();
  // Closes the socket; safe from any thread.
  void Close();
  const ConnectionInfo& info() const { return info_; }

 private:
  void ReadSize();
  void ReadBody(int32_t size);
  void Finish(Reply reply);
  void Shutdown(const std::string& reason);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  ConnectionInfo info_;
  ConnectionOptions options_;
  RequestHandler& handler_;
  uint8_t size_buf_[4];
  std::vector<uint8_t> body_;
  std::vector<uint8_t> out_;
  bool closed_ = false;
};

}  // namespace sluice::net

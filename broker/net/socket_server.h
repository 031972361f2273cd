// The broker's network front: one acceptor per listener, a pool of threads running one
// io_context, and the set of live connections (closed on Stop).
//
// Thread safety: Start/Stop from one thread (the broker's main thread); connections run on the
// pool.
#pragma once

#include "libs/base/asio.h"
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "broker/net/connection.h"
#include "libs/base/status.h"

namespace sluice::net {

struct ListenerSpec {
  std::string name;  // e.g. PLAINTEXT
  std::string host;  // empty or 0.0.0.0 = all interfaces
  uint16_t port = 0;  // 0 = ephemeral (tests)
};

class SocketServer {
 public:
  SocketServer(int threads, ConnectionOptions options, RequestHandler& handler);
  ~SocketServer();

  // Binds every listener; fails with a Status naming the listener that could not bind.
  Status Start(const std::vector<ListenerSpec>& listeners);
  // Stops accepting, closes every connection and joins the threads.
  void Stop();
  // The port a listener is bound to (useful with port 0).
  uint16_t BoundPort(const std::string& listener_name) const;
  // The io_context, for timers that belong with the network (fetch purgatory).
  boost::asio::io_context& io_context() { return io_; }
  size_t connection_count() const;

 private:
  struct Acceptor {
    ListenerSpec spec;
    boost::asio::ip::tcp::acceptor acceptor;
  };
  void Accept(Acceptor& acceptor);

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  int thread_count_;
  ConnectionOptions options_;
  RequestHandler& handler_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> next_connection_id_{1};
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;  // GUARDED_BY(mu_)
  bool stopped_ = false;
};

}  // namespace sluice::net

#include "broker/net/socket_server.h"

#include <Poco/Logger.h>

namespace sluice::net {

namespace asio = boost::asio;
using asio::ip::tcp;


SocketServer::SocketServer(int threads, ConnectionOptions options, RequestHandler& handler)
    : work_(asio::make_work_guard(io_)),
      thread_count_(threads < 1 ? 1 : threads),
      options_(options),
      handler_(handler) {}

SocketServer::~SocketServer() { Stop(); }

Status SocketServer::Start(const std::vector<ListenerSpec>& listeners) {
  for (const ListenerSpec& spec : listeners) {
    boost::system::error_code ec;
    const std::string host = spec.host.empty() ? "0.0.0.0" : spec.host;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
      // A host name: resolve it once.
      tcp::resolver resolver(io_);
      auto results = resolver.resolve(host, std::to_string(spec.port), ec);
      if (ec || results.empty()) {
        return Status::InvalidArgument("listener " + spec.name + ": cannot resolve host '" + host +
                                       "': " + ec.message());
      }
      address = results.begin()->endpoint().address();
    }
    auto acceptor = std::make_unique<Acceptor>(Acceptor{spec, tcp::acceptor(io_)});
    tcp::endpoint endpoint(address, spec.port);
    acceptor->acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->acceptor.bind(endpoint, ec);
    if (!ec) acceptor->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::IoError("listener " + spec.name + " cannot listen on " + host + ":" +
                             std::to_string(spec.port) + ": " + ec.message() +
                             " (is another broker running on this port?)");
    }
    acceptor->spec.port = acceptor->acceptor.local_endpoint().port();
    Poco::Logger::get("server").information("Listening on %s://%s:%hu", spec.name, host,
                                            acceptor->spec.port);
    acceptors_.push_back(std::move(acceptor));
  }
  for (auto& acceptor : acceptors_) Accept(*acceptor);
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
  return Status::Ok();
}

void SocketServer::Accept(Acceptor& acceptor) {
  acceptor.acceptor.async_accept(
      asio::make_strand(io_), [this, &acceptor](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          ConnectionInfo info;
          info.id = next_connection_id_++;
          info.listener_name = acceptor.spec.name;
          boost::system::error_code peer_ec;
          auto peer = socket.remote_endpoint(peer_ec);
          if (!peer_ec) {
            info.peer_host = peer.address().to_string();
            info.peer_port = peer.port();
          }
          auto connection =
              std::make_shared<Connection>(std::move(socket), info, options_, handler_);
          {
            std::lock_guard lock(mu_);
            if (stopped_) return;
            // Drop entries of connections that have gone away, so the map stays small.
            for (auto it = connections_.begin(); it != connections_.end();) {
              it = it->second.expired() ? connections_.erase(it) : std::next(it);
            }
            connections_[info.id] = connection;
          }
          connection->Start();
        } else {
          Poco::Logger::get("server").warning("accept failed on %s: %s", acceptor.spec.name,
                                              ec.message());
        }
        Accept(acceptor);
      });
}

void SocketServer::Stop() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
    connections_.clear();
  }
  asio::post(io_, [this] {
    for (auto& acceptor : acceptors_) {
      boost::system::error_code ignored;
      acceptor->acceptor.close(ignored);
    }
  });
  for (auto& c : live) c->Close();
  work_.reset();
  // Give in-flight writes a moment to finish, then stop the loop for good.
  asio::post(io_, [this] { io_.stop(); });
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

uint16_t SocketServer::BoundPort(const std::string& listener_name) const {
  for (const auto& acceptor : acceptors_) {
    if (acceptor->spec.name == listener_name) return acceptor->spec.port;
  }
  return 0;
}

size_t SocketServer::connection_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [id, weak] : connections_) n += weak.expired() ? 0 : 1;
  return n;
}

}  // namespace sluice::net

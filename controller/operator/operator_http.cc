#include "controller/operator/operator_http.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <exception>

namespace sluice::operator_app {
namespace {

using Poco::Net::HTTPResponse;

class EndpointHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit EndpointHandler(const OperatorHttpOptions& options) : options_(options) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    std::string path;
    try {
      path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
      path.clear();
    }
    HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    const std::string& method = request.getMethod();
    if (method != "GET" && method != "HEAD") {
      status = HTTPResponse::HTTP_METHOD_NOT_ALLOWED;
      body = "method not allowed\n";
      response.set("Allow", "GET, HEAD");
    } else if (path == "/metrics") {
      content_type = "text/plain; version=0.0.4; charset=utf-8";
      body = options_.registry->Render();
    } else if (path == "/healthz" || path == "/readyz") {
      const auto& callback = path == "/healthz" ? options_.health : options_.ready;
      Probe probe{true, "ok"};
      if (callback) {
        try {
          probe = callback();
        } catch (const std::exception& e) {
          probe = {false, std::string("probe failed: ") + e.what()};
        }
      }
      status = probe.ok ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE;
      body = probe.detail + "\n";
    } else {
      status = HTTPResponse::HTTP_NOT_FOUND;
      body = "not found: the operator serves /metrics, /healthz and /readyz\n";
    }
    response.setStatus(status);
    response.setContentType(content_type);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.set("Cache-Control", "no-store");
    if (method == "HEAD") {
      response.send();
    } else {
      response.send() << body;
    }
  }

 private:
  const OperatorHttpOptions& options_;
};

class EndpointHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit EndpointHandlerFactory(const OperatorHttpOptions& options) : options_(options) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new EndpointHandler(options_);
  }

 private:
  const OperatorHttpOptions& options_;
};

}  // namespace

struct OperatorHttpServer::Impl {
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
  explicit Impl(int threads) : pool("operator-http", 1, threads) {}
};

OperatorHttpServer::OperatorHttpServer(OperatorHttpOptions options)
    : options_(std::move(options)) {}

OperatorHttpServer::~OperatorHttpServer() { Stop(); }

Status OperatorHttpServer::Start() {
  if (impl_) return Status::Internal("operator HTTP server already started");
  if (options_.registry == nullptr)
    return Status::InvalidArgument("operator HTTP server: no registry");
  const int threads = options_.threads < 1 ? 1 : options_.threads;
  auto impl = std::make_unique<Impl>(threads);
  try {
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR so a restarted operator rebinds past TIME_WAIT; not SO_REUSEPORT, so a second
    // operator on the same port fails loudly instead of sharing it.
    socket.bind(Poco::Net::SocketAddress("0.0.0.0", static_cast<Poco::UInt16>(options_.port)),
                /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(64);
    impl->port = socket.address().port();
    Poco::AutoPtr<Poco::Net::HTTPServerParams> params(new Poco::Net::HTTPServerParams());
    params->setMaxThreads(threads);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(10, 0));  // a stuck client cannot hold a thread forever
    impl->server = std::make_unique<Poco::Net::HTTPServer>(new EndpointHandlerFactory(options_),
                                                           impl->pool, socket, params);
    impl->server->start();
  } catch (const Poco::Exception& e) {
    return Status::IoError("--metrics-port=" + std::to_string(options_.port) +
                           ": cannot listen: " + e.displayText());
  }
  impl_ = std::move(impl);
  return Status::Ok();
}

void OperatorHttpServer::Stop() {
  if (!impl_) return;
  impl_->server->stopAll(/*abortCurrent=*/true);
  impl_->server.reset();
  impl_->pool.joinAll();
  impl_.reset();
}

int OperatorHttpServer::BoundPort() const { return impl_ ? impl_->port : 0; }

}  // namespace sluice::operator_app

#include "broker/admin/admin_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <exception>
#include <ostream>

namespace sluice::admin {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kTextContentType = "text/plain; charset=utf-8";

void Reply(HTTPServerRequest& request, HTTPServerResponse& response,
           HTTPResponse::HTTPStatus status, const char* content_type, const std::string& body) {
  response.setStatus(status);
  response.setContentType(content_type);
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  // Probes and scrapes should never see a cached answer.
  response.set("Cache-Control", "no-store");
  if (request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD) {
    response.send();
  } else {
    response.send() << body;
  }
}

class AdminRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit AdminRequestHandler(const AdminServerOptions& options) : options_(options) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const std::string& method = request.getMethod();
    if (method != Poco::Net::HTTPRequest::HTTP_GET && method != Poco::Net::HTTPRequest::HTTP_HEAD) {
      response.set("Allow", "GET, HEAD");
      Reply(request, response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, kTextContentType,
            "method not allowed\n");
      return;
    }
    std::string path;
    try {
      path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
      Reply(request, response, HTTPResponse::HTTP_BAD_REQUEST, kTextContentType, "bad URI\n");
      return;
    }
    if (path == "/metrics") {
      Reply(request, response, HTTPResponse::HTTP_OK, kPrometheusContentType,
            options_.registry->Render());
    } else if (path == "/healthz") {
      Reply(request, response, HTTPResponse::HTTP_OK, kTextContentType, "ok\n");
    } else if (path == "/readyz") {
      Readiness readiness = Ready();
      if (readiness.ready) {
        Reply(request, response, HTTPResponse::HTTP_OK, kTextContentType, "ready\n");
      } else {
        Reply(request, response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, kTextContentType,
              "not ready: " + readiness.reason + "\n");
      }
    } else {
      Reply(request, response, HTTPResponse::HTTP_NOT_FOUND, kTextContentType,
            "not found; try /metrics, /healthz or /readyz\n");
    }
  }

 private:
  Readiness Ready() const {
    if (!options_.readiness) return Readiness{true, ""};
    try {
      return options_.readiness();
    } catch (const std::exception& e) {
      return Readiness{false, std::string("readiness check failed: ") + e.what()};
    }
  }

  const AdminServerOptions& options_;
};

class AdminRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit AdminRequestHandlerFactory(const AdminServerOptions& options) : options_(options) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new AdminRequestHandler(options_);
  }

 private:
  const AdminServerOptions& options_;
};

}  // namespace

struct AdminServer::Impl {
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int32_t port = 0;
  explicit Impl(int threads) : pool("admin-http", 1, threads) {}
};

AdminServer::AdminServer(AdminServerOptions options) : options_(std::move(options)) {}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Start() {
  if (impl_) return Status::Internal("admin server already started");
  const std::string host = options_.host.empty() ? "0.0.0.0" : options_.host;
  const std::string where = host + ":" + std::to_string(options_.port);
  auto impl = std::make_unique<Impl>(options_.threads < 1 ? 1 : options_.threads);
  try {
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR lets a restarted broker rebind past TIME_WAIT; SO_REUSEPORT stays off
    // (POCO's two-argument bind sets both), or a second broker could share the port.
    socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(options_.port)),
                /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(64);
    impl->port = socket.address().port();
    Poco::AutoPtr<Poco::Net::HTTPServerParams> params(new Poco::Net::HTTPServerParams());
    params->setMaxThreads(options_.threads < 1 ? 1 : options_.threads);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(10, 0));  // a stuck client cannot hold a thread forever
    impl->server = std::make_unique<Poco::Net::HTTPServer>(new AdminRequestHandlerFactory(options_),
                                                           impl->pool, socket, params);
    impl->server->start();
  } catch (const Poco::Exception& e) {
    return Status::IoError("cannot start admin listener on " + where + ": " + e.displayText());
  }
  impl_ = std::move(impl);
  return Status::Ok();
}

void AdminServer::Stop() {
  if (!impl_) return;
  impl_->server->stopAll(/*abortCurrent=*/true);
  impl_->server.reset();
  impl_->pool.joinAll();
  impl_.reset();
}

int32_t AdminServer::BoundPort() const { return impl_ ? impl_->port : 0; }

}  // namespace sluice::admin

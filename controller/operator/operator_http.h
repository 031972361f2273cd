// The operator's HTTP port (--metrics-port), on POCO's HTTPServer as broker/admin does:
//
//   GET /metrics   the registry in the Prometheus text format (version 0.0.4)
//   GET /healthz   200 "ok" while the health callback says so, else 503 with its reason
//   GET /readyz    200 with the state while the readiness callback says so, else 503 and why
//
// Anything else is 404; methods other than GET and HEAD are 405. Callbacks run on the server's
// threads and must be thread-safe and quick.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "libs/base/metrics.h"
#include "libs/base/status.h"

namespace sluice::operator_app {

struct Probe {
  bool ok = false;
  std::string detail;  // the response body: the state, or why not
};

struct OperatorHttpOptions {
  int port = 8080;                        // 0: an ephemeral port, see BoundPort()
  metrics::Registry* registry = nullptr;  // required; must outlive the server
  std::function<Probe()> health;          // null: always healthy
  std::function<Probe()> ready;           // null: always ready
  int threads = 2;
};

class OperatorHttpServer {
 public:
  explicit OperatorHttpServer(OperatorHttpOptions options);
  ~OperatorHttpServer();  // Stop()
  OperatorHttpServer(const OperatorHttpServer&) = delete;
  OperatorHttpServer& operator=(const OperatorHttpServer&) = delete;

  // Binds all interfaces and starts serving; IoError naming the port when it cannot be bound.
  Status Start();
  // Stops accepting and joins the threads. Idempotent.
  void Stop();
  int BoundPort() const;

 private:
  struct Impl;
  OperatorHttpOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::operator_app

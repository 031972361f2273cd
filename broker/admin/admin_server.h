// The admin HTTP port (sluice.admin.listener, default 0.0.0.0:9644), for operators and
// Kubernetes rather than Kafka clients:
//
//   GET /metrics   the metrics registry in the Prometheus text format (version 0.0.4)
//   GET /healthz   200 "ok" whenever the process can answer (liveness)
//   GET /readyz    200 "ready" when the readiness callback says so, else 503 with its reason
//                  (readiness: registered in ZooKeeper and every log loaded)
//
// Anything else is 404; methods other than GET and HEAD are 405.
//
// Thread safety: Start/Stop/BoundPort from one owning thread. Requests are served on the
// server's own small thread pool, so the readiness callback and gauge callbacks run there and
// must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "libs/base/metrics.h"
#include "libs/base/status.h"

namespace sluice::admin {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, e.g. "loading logs (12 of 40 partitions)"
};

struct AdminServerOptions {
  std::string host;     // empty: all interfaces (0.0.0.0); IPv6 without brackets ("::")
  int32_t port = 9644;  // 0: an ephemeral port, see BoundPort()
  metrics::Registry* registry = &metrics::Registry::Default();  // must outlive the server
  std::function<Readiness()> readiness;                         // null: always ready
  int threads = 2;  // concurrent requests; scrapes and probes are few and fast
};

class AdminServer {
 public:
  explicit AdminServer(AdminServerOptions options);
  ~AdminServer();  // stops the server if running
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. IoError if the address cannot be bound; Internal if started
  // twice.
  Status Start();
  // Stops accepting, aborts open connections and joins the threads. Idempotent.
  void Stop();
  // The port actually bound (useful with port 0); 0 before Start().
  int32_t BoundPort() const;

 private:
  struct Impl;
  AdminServerOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::admin

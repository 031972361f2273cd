// The sluice-operator program (controller/main.cc only calls RunOperator).
//
//   flags -> logging (stdout) -> signals -> kube config -> HTTP (/metrics /healthz /readyz)
//   -> wait for the API server (retried with backoff, never a crash) -> PDB kind discovery
//   -> [--leader-elect: campaign for the Lease "sluice-operator"] -> ReconcileLoop (informers,
//   work queue, workers calling ClusterReconciler) -> wait for SIGTERM/SIGINT or a lost Lease
//   -> stop workers (the current pass finishes), stop informers, release the Lease, exit.
//
// Only the leader runs informers and workers: a standby holds no cache, and on becoming leader
// starts from a fresh LIST (the reconciler keeps all its state in the API server). Losing the
// Lease ends the process with exit 1, as client-go operators do, so a replica never keeps acting
// on a stale view; the Deployment restarts it as a standby.
//
// Exit status: 0 after SIGTERM/SIGINT or --help; 1 on a fatal start-up error (unreadable
// kubeconfig, port in use) or a lost Lease; 2 on a bad flag or value.
#pragma once

#include <string>

#include "libs/base/status.h"

namespace sluice::operator_app {

int RunOperator(int argc, char** argv);

// Routes every POCO logger to stdout at `level` (debug|info|warning|error) with one structured
// line per message:
//   time=2024-05-01T12:00:00.123Z level=info logger=operator.loop cluster=ns/demo result=ok
// A message that is not already key=value text is quoted as msg="...". No files: the operator's
// container has a read-only root filesystem and its logs are collected from stdout.
Status InitOperatorLogging(const std::string& level);

// The line format above, for one message (exposed for tests).
std::string FormatLogLine(const std::string& time, const std::string& level,
                          const std::string& logger, const std::string& text);

}  // namespace sluice::operator_app

// sluice-operator's command line, and the settings it derives from the environment (watched
// namespaces, the Lease's namespace, the leader-election identity).
//
// Every flag takes `--flag=value` or `--flag value`; the boolean --leader-elect takes only
// `--leader-elect` or `--leader-elect=true|false` (so `--leader-elect --workers 3` is not
// ambiguous). Errors name the flag and what was expected; the program prints them and exits 2.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::operator_app {

struct OperatorFlags {
  std::string kubeconfig;         // "" = $KUBECONFIG, else in-cluster, else ~/.kube/config
  std::optional<std::string> ns;  // unset = $WATCH_NAMESPACE; "" = all; "a,b" = several
  bool leader_elect = false;
  int metrics_port = 8080;         // 0 = an ephemeral port (tests); the port is logged
  std::string log_level = "info";  // debug | info | warning | error (lower case after parsing)
  int workers = 2;
  int resync_seconds = 60;
  bool help = false;
};

// The usage text printed by --help.
std::string OperatorUsage();

// Parses argv[1..] (args excludes the program name).
Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& args);

// The namespaces to watch: the flag when given, else $WATCH_NAMESPACE (env_value, nullopt when
// unset). "" (or unset) means all namespaces and yields {""}; "a, b,a" yields {"a", "b"} (trimmed,
// de-duplicated, in order). InvalidArgument names an entry that is not a DNS-1123 label, or an
// empty entry in a list ("a,,b"), since an empty entry would silently widen the watch to all
// namespaces.
Result<std::vector<std::string>> ResolveWatchNamespaces(const std::optional<std::string>& flag,
                                                        const std::optional<std::string>& env_value,
                                                        const std::string& source);

// The Lease's namespace: $POD_NAMESPACE when non-empty, else the service account's namespace file
// (its content trimmed) when readable and non-empty, else "default".
std::string ResolveLeaseNamespace(const std::optional<std::string>& pod_namespace,
                                  const std::string& service_account_namespace_file);

// The leader-election identity: $POD_NAME when non-empty (pod names are unique), else
// "<hostname>_<suffix>": two processes on one host must never share an identity, or both would
// believe they hold the Lease.
std::string ResolveIdentity(const std::optional<std::string>& pod_name, const std::string& hostname,
                            const std::string& unique_suffix);

}  // namespace sluice::operator_app

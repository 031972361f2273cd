#include "controller/operator/operator_flags.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace sluice::operator_app {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

Result<int> ParseBoundedInt(const std::string& flag, const std::string& text, int min, int max) {
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                             [](unsigned char c) { return std::isdigit(c) != 0; });
  if (digits && text.size() <= 9) {
    int value = std::stoi(text);
    if (value >= min && value <= max) return value;
  }
  return Status::InvalidArgument("--" + flag + "=" + text + ": expected an integer from " +
                                 std::to_string(min) + " to " + std::to_string(max));
}

// RFC 1123 label: what a namespace name must be.
bool IsDns1123Label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

}  // namespace

std::string OperatorUsage() {
  return R"(Usage: sluice-operator [flags]

Reconciles KafkaCluster resources (sluice.dev/v1alpha1): provisions ZooKeeper and brokers,
reports status, scales, rolls and heals.

Flags (--flag=value or --flag value):
  --kubeconfig PATH       kubeconfig file (default: $KUBECONFIG, else the pod's service
                          account, else ~/.kube/config)
  --namespace NS          namespaces to watch: one, a comma-separated list, or "" for all
                          (default: $WATCH_NAMESPACE, else all)
  --leader-elect          run only while holding the Lease "sluice-operator" in $POD_NAMESPACE
                          (else the service account's namespace, else "default"); identity
                          $POD_NAME, else the hostname with a unique suffix
  --metrics-port PORT     HTTP port for /metrics, /healthz, /readyz (default 8080)
  --log-level LEVEL       debug, info, warning or error (default info); logs go to stdout
  --workers N             clusters reconciled concurrently (default 2)
  --resync-seconds N      reconcile every known cluster at least this often (default 60)
  --help                  print this and exit

Exit status: 0 after SIGTERM/SIGINT, 1 on a fatal error or a lost Lease, 2 on a bad flag.
)";
}

Result<OperatorFlags> ParseOperatorFlags(const std::vector<std::string>& args) {
  OperatorFlags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return Status::InvalidArgument("unexpected argument '" + arg +
                                     "': flags start with -- (see --help)");
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    // The value of a flag that needs one: after '=' or the next argument.
    auto take_value = [&]() -> Result<std::string> {
      if (value) return *value;
      if (i + 1 < args.size()) return args[++i];
      return Status::InvalidArgument("--" + name + " needs a value (see --help)");
    };

    if (name == "help") {
      if (value) return Status::InvalidArgument("--help takes no value");
      flags.help = true;
    } else if (name == "leader-elect") {
      std::string v = Lower(value.value_or("true"));
      if (v != "true" && v != "false") {
        return Status::InvalidArgument("--leader-elect=" + *value + ": expected true or false");
      }
      flags.leader_elect = v == "true";
    } else if (name == "kubeconfig") {
      auto v = take_value();
      if (!v.ok()) return v.status();
      if (v->empty()) return Status::InvalidArgument("--kubeconfig needs a file path");
      flags.kubeconfig = *v;
    } else if (name == "namespace") {
      auto v = take_value();
      if (!v.ok()) return v.status();
      flags.ns = *v;
    } else if (name == "log-level") {
      auto v = take_value();
      if (!v.ok()) return v.status();
      std::string level = Lower(*v);
      if (level != "debug" && level != "info" && level != "warning" && level != "error") {
        return Status::InvalidArgument("--log-level=" + *v +
                                       ": expected debug, info, warning or error");
      }
      flags.log_level = level;
    } else if (name == "metrics-port" || name == "workers" || name == "resync-seconds") {
      auto v = take_value();
      if (!v.ok()) return v.status();
      if (name == "metrics-port") {
        auto port = ParseBoundedInt(name, *v, 0, 65535);
        if (!port.ok()) return port.status();
        flags.metrics_port = *port;
      } else if (name == "workers") {
        auto workers = ParseBoundedInt(name, *v, 1, 64);
        if (!workers.ok()) return workers.status();
        flags.workers = *workers;
      } else {
        auto seconds = ParseBoundedInt(name, *v, 1, 86400);
        if (!seconds.ok()) return seconds.status();
        flags.resync_seconds = *seconds;
      }
    } else {
      return Status::InvalidArgument("unknown flag --" + name + " (see --help)");
    }
  }
  return flags;
}

Result<std::vector<std::string>> ResolveWatchNamespaces(const std::optional<std::string>& flag,
                                                        const std::optional<std::string>& env_value,
                                                        const std::string& source) {
  std::string text = Trim(flag ? *flag : env_value.value_or(""));
  if (text.empty()) return std::vector<std::string>{""};
  std::vector<std::string> namespaces;
  std::stringstream list(text);
  std::string entry;
  while (std::getline(list, entry, ',')) {
    entry = Trim(entry);
    if (entry.empty()) {
      return Status::InvalidArgument(source + "=" + text +
                                     ": an empty entry in the namespace list (\"\" alone means all "
                                     "namespaces)");
    }
    if (!IsDns1123Label(entry)) {
      return Status::InvalidArgument(source + "=" + text + ": '" + entry +
                                     "' is not a namespace name (lower-case letters, digits and "
                                     "'-', at most 63)");
    }
    if (std::find(namespaces.begin(), namespaces.end(), entry) == namespaces.end()) {
      namespaces.push_back(entry);
    }
  }
  if (text.back() == ',') {
    return Status::InvalidArgument(source + "=" + text + ": an empty entry in the namespace list");
  }
  return namespaces;
}

std::string ResolveLeaseNamespace(const std::optional<std::string>& pod_namespace,
                                  const std::string& service_account_namespace_file) {
  if (pod_namespace && !Trim(*pod_namespace).empty()) return Trim(*pod_namespace);
  std::ifstream file(service_account_namespace_file);
  if (file) {
    std::stringstream content;
    content << file.rdbuf();
    std::string ns = Trim(content.str());
    if (!ns.empty()) return ns;
  }
  return "default";
}

std::string ResolveIdentity(const std::optional<std::string>& pod_name, const std::string& hostname,
                            const std::string& unique_suffix) {
  if (pod_name && !Trim(*pod_name).empty()) return Trim(*pod_name);
  std::string host = hostname.empty() ? std::string("sluice-operator") : hostname;
  return host + "_" + unique_suffix;
}

}  // namespace sluice::operator_app

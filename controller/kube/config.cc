#include "controller/kube/config.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include <cpprest/asyncrt_utils.h>
#include <yaml-cpp/yaml.h>

namespace sluice::kube {
namespace {

std::string Trim(std::string s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  s.erase(end == std::string::npos ? 0 : end + 1);
  size_t begin = s.find_first_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string() : s.substr(begin);
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return base_dir + "/" + path;
}

// Finds the entry named `name` in a kubeconfig list like `clusters: [{name, cluster: {...}}]`;
// nullopt when absent or empty.
std::optional<YAML::Node> FindNamed(const YAML::Node& list, const std::string& name,
                                    const char* inner) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const YAML::Node& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name) {
      YAML::Node found = entry[inner];
      if (!found || found.IsNull()) return std::nullopt;
      return found;
    }
  }
  return std::nullopt;
}

std::string Scalar(const YAML::Node& node, const char* key) {
  if (!node || !node.IsMap() || !node[key] || !node[key].IsScalar()) return "";
  return node[key].as<std::string>();
}

Result<std::string> DecodeBase64(const std::string& text, const std::string& what) {
  try {
    std::vector<unsigned char> bytes = utility::conversions::from_base64(Trim(text));
    return std::string(bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(what + " is not valid base64: " + e.what());
  }
}

}  // namespace

Result<std::string> ReadFileText(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + what + " " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<ClusterConfig> LoadInCluster(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    return Status::NotFound(
        "not running in a pod: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set");
  }
  ClusterConfig config;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
  config.server = "https://" + h + ":" + port;
  config.token_file = sa_dir + "/token";
  config.ca_file = sa_dir + "/ca.crt";
  config.source = "in-cluster service account (" + sa_dir + ")";
  Result<std::string> token = ReadFileText(config.token_file, "service-account token");
  if (!token.ok()) return token.status();
  Result<std::string> ns = ReadFileText(sa_dir + "/namespace", "service-account namespace");
  if (!ns.ok()) return ns.status();
  config.ns = Trim(*ns);
  if (!ReadFileText(config.ca_file, "service-account CA").ok()) {
    return Status::NotFound("cannot read service-account CA " + config.ca_file);
  }
  return config;
}

Result<ClusterConfig> LoadKubeconfig(const std::string& path, const std::string& context_name) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::NotFound("cannot read kubeconfig " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("kubeconfig " + path + " is not valid YAML: " + e.what());
  }
  if (!root.IsMap()) return Status::InvalidArgument("kubeconfig " + path + " is not a YAML map");
  const std::string where = "kubeconfig " + path;
  std::string name = context_name;
  if (name.empty()) name = Scalar(root, "current-context");
  if (name.empty()) {
    return Status::InvalidArgument(where + ": no context given and no current-context set");
  }
  try {
    std::optional<YAML::Node> found_context = FindNamed(root["contexts"], name, "context");
    if (!found_context) return Status::NotFound(where + ": context '" + name + "' not in contexts");
    const YAML::Node context = *found_context;
    const std::string cluster_name = Scalar(context, "cluster");
    if (cluster_name.empty()) {
      return Status::InvalidArgument(where + ": context '" + name + "' has no cluster");
    }
    std::optional<YAML::Node> found_cluster = FindNamed(root["clusters"], cluster_name, "cluster");
    if (!found_cluster) {
      return Status::NotFound(where + ": cluster '" + cluster_name + "' (of context '" + name +
                              "') not in clusters");
    }
    const YAML::Node cluster = *found_cluster;
    const std::string base = DirOf(path);
    ClusterConfig config;
    config.source = where + ", context " + name;
    config.server = Scalar(cluster, "server");
    if (config.server.empty()) {
      return Status::InvalidArgument(where + ": cluster '" + cluster_name + "' has no server");
    }
    while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
    config.ca_file = Resolve(base, Scalar(cluster, "certificate-authority"));
    if (std::string data = Scalar(cluster, "certificate-authority-data"); !data.empty()) {
      Result<std::string> pem = DecodeBase64(data, where + ": certificate-authority-data");
      if (!pem.ok()) return pem.status();
      config.ca_data = *pem;
    }
    config.insecure_skip_tls_verify = Scalar(cluster, "insecure-skip-tls-verify") == "true";
    if (std::string ns = Scalar(context, "namespace"); !ns.empty()) config.ns = ns;

    const std::string user_name = Scalar(context, "user");
    if (!user_name.empty()) {
      std::optional<YAML::Node> found_user = FindNamed(root["users"], user_name, "user");
      if (!found_user) {
        return Status::NotFound(where + ": user '" + user_name + "' (of context '" + name +
                                "') not in users");
      }
      const YAML::Node user = *found_user;
      config.token = Scalar(user, "token");
      config.token_file = Resolve(base, Scalar(user, "tokenFile"));
      config.client_cert_file = Resolve(base, Scalar(user, "client-certificate"));
      config.client_key_file = Resolve(base, Scalar(user, "client-key"));
      if (std::string data = Scalar(user, "client-certificate-data"); !data.empty()) {
        Result<std::string> pem = DecodeBase64(data, where + ": client-certificate-data");
        if (!pem.ok()) return pem.status();
        config.client_cert_data = *pem;
      }
      if (std::string data = Scalar(user, "client-key-data"); !data.empty()) {
        Result<std::string> pem = DecodeBase64(data, where + ": client-key-data");
        if (!pem.ok()) return pem.status();
        config.client_key_data = *pem;
      }
      const bool has_cert = !config.client_cert_file.empty() || !config.client_cert_data.empty();
      const bool has_key = !config.client_key_file.empty() || !config.client_key_data.empty();
      if (has_cert != has_key) {
        return Status::InvalidArgument(where + ": user '" + user_name + "' has a client " +
                                       (has_cert ? "certificate but no client-key(-data)"
                                                 : "key but no client-certificate(-data)"));
      }
      if (user["exec"] || user["auth-provider"]) {
        if (config.token.empty() && config.token_file.empty() && !has_cert) {
          return Status::InvalidArgument(where + ": user '" + user_name +
                                         "' uses exec/auth-provider credentials, which this "
                                         "client does not run; use a token or client certificate");
        }
      }
    }
    return config;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(where + ": unexpected shape: " + e.what());
  }
}

Result<ClusterConfig> LoadDefault() {
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first);
  }
  Result<ClusterConfig> in_cluster = LoadInCluster();
  if (in_cluster.ok() || in_cluster.status().code() != Status::Code::kNotFound ||
      std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) {
    return in_cluster;
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return Status::NotFound("no Kubernetes configuration: KUBECONFIG unset, not in a pod, no HOME");
  }
  Result<ClusterConfig> config = LoadKubeconfig(std::string(home) + "/.kube/config");
  if (!config.ok() && config.status().code() == Status::Code::kNotFound) {
    return Status::NotFound("no Kubernetes configuration: KUBECONFIG unset, not in a pod, and " +
                            config.status().message());
  }
  return config;
}

BearerTokenSource::BearerTokenSource(std::string token, std::string token_file,
                                     std::chrono::seconds max_age, Clock clock)
    : token_(std::move(token)),
      token_file_(std::move(token_file)),
      max_age_(max_age),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

Result<std::string> BearerTokenSource::Token() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (token_file_.empty()) return token_;
  const auto now = clock_();
  if (read_once_ && now - read_at_ < max_age_) return token_;
  Result<std::string> text = ReadFileText(token_file_, "bearer token file");
  if (!text.ok()) {
    if (!read_once_) return text.status();
    return token_;  // keep the previous token; try again at the next call
  }
  token_ = Trim(*text);
  read_once_ = true;
  read_at_ = now;
  return token_;
}

}  // namespace sluice::kube

// Where the API server is and how to authenticate to it: a kubeconfig file, or the pod's service
// account when the operator runs in the cluster.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "libs/base/status.h"

namespace sluice::kube {

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct ClusterConfig {
  std::string server;  // https://host:port (no trailing slash)
  // Certificate authority for the server's certificate: a PEM file, or PEM text. Both empty =
  // the system's trust store.
  std::string ca_file;
  std::string ca_data;
  bool insecure_skip_tls_verify = false;
  // Bearer token: literal, or a file re-read when older than a minute (projected service-account
  // tokens are rotated by the kubelet and expire; a token read once at start stops working).
  std::string token;
  std::string token_file;
  // Client certificate authentication (PEM file or PEM text each).
  std::string client_cert_file;
  std::string client_cert_data;
  std::string client_key_file;
  std::string client_key_data;
  std::string ns = "default";  // the namespace of the context, or the pod's namespace
  std::string source;          // where this came from, for messages ("kubeconfig /x, context y")
};

// The pod's service account: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, token,
// ca.crt and namespace from `sa_dir`. kNotFound when not running in a pod.
Result<ClusterConfig> LoadInCluster(const std::string& sa_dir = kServiceAccountDir);

// A kubeconfig file; `context` empty = its current-context. Relative file paths in it are
// relative to the file's directory, as kubectl does. Errors name the file and the missing field.
Result<ClusterConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");

// $KUBECONFIG (its first file), else in-cluster, else ~/.kube/config.
Result<ClusterConfig> LoadDefault();

// Reads a whole file; the error names the file and what it was for.
Result<std::string> ReadFileText(const std::string& path, const std::string& what);

// The bearer token to send, thread-safe. With a token file, the file is read at first use and
// again when the last read is older than `max_age`; a failed re-read keeps the old token (and
// reports nothing: the server's 401 will say it more clearly).
class BearerTokenSource {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  BearerTokenSource(std::string token, std::string token_file,
                    std::chrono::seconds max_age = std::chrono::seconds(60), Clock clock = {});
  // Empty when neither a token nor a token file is configured.
  Result<std::string> Token();

 private:
  std::mutex mutex_;
  std::string token_;
  const std::string token_file_;
  const std::chrono::seconds max_age_;
  Clock clock_;
  bool read_once_ = false;
  std::chrono::steady_clock::time_point read_at_;
};

}  // namespace sluice::kube

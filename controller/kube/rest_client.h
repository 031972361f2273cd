// RestClient: the Client interface (client.h) over the Kubernetes REST API, on cpprestsdk.
//
// TLS verifies the server with the configured CA (or the system store); authentication is a
// client certificate and/or a Bearer token (re-read from its file every minute, see config.h).
// Every call is synchronous and thread-safe: calls from many threads share one connection pool.
// Watch opens a connection of its own and reads the chunked body incrementally, so events reach
// the handler as the server sends them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "controller/kube/client.h"
#include "controller/kube/config.h"

namespace web::http::client {
class http_client;
}

namespace sluice::kube {

struct RestClientOptions {
  // Limit for one non-watch request (connect, send, and reading the answer).
  std::chrono::seconds request_timeout{30};
  std::string user_agent = "sluice-operator";
};

class RestClient : public Client {
 public:
  // Checks that the CA and client certificate/key parse (errors name the file); no request is made.
  static Result<std::unique_ptr<RestClient>> Create(const ClusterConfig& config,
                                                    const RestClientOptions& options = {});
  ~RestClient() override;
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  Result<web::json::value> Get(const ResourceType& type, const std::string& ns,
                               const std::string& name) override;
  Result<ObjectList> List(const ResourceType& type, const std::string& ns,
                          const ListOptions& options) override;
  Result<web::json::value> Create(const ResourceType& type, const std::string& ns,
                                  const web::json::value& object) override;
  Result<web::json::value> Update(const ResourceType& type, const std::string& ns,
                                  const web::json::value& object) override;
  Result<web::json::value> MergePatch(const ResourceType& type, const std::string& ns,
                                      const std::string& name,
                                      const web::json::value& patch) override;
  Result<web::json::value> UpdateStatus(const ResourceType& type, const std::string& ns,
                                        const web::json::value& object) override;
  Result<web::json::value> MergePatchStatus(const ResourceType& type, const std::string& ns,
                                            const std::string& name,
                                            const web::json::value& patch) override;
  Status Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                const DeleteOptions& options) override;
  Status Watch(const ResourceType& type, const std::string& ns, const ListOptions& options,
               std::chrono::seconds timeout,
               const std::function<bool(const WatchEvent&)>& on_event) override;

  // GET of any API path (discovery documents, /version, /readyz?verbose). Non-JSON bodies are
  // returned as a JSON string.
  Result<web::json::value> GetPath(const std::string& path_and_query);

  // Cancels every running watch and request and makes later calls fail with kUnavailable at
  // once: for shutdown. Idempotent.
  void Stop();

  const ClusterConfig& config() const { return config_; }

 private:
  struct Pems {
    std::string ca;
    std::string client_cert;
    std::string client_key;
  };
  struct HttpAnswer {
    int status = 0;
    std::string body;
  };
  RestClient(ClusterConfig config, Pems pems, RestClientOptions options);

  std::unique_ptr<web::http::client::http_client> MakeHttpClient(
      std::chrono::seconds timeout) const;
  Result<HttpAnswer> Send(const std::string& method, const std::string& path_and_query,
                          const std::optional<web::json::value>& body,
                          const std::string& content_type);
  Result<web::json::value> SendForObject(const std::string& method,
                                         const std::string& path_and_query,
                                         const std::optional<web::json::value>& body,
                                         const std::string& content_type = "application/json");
  Result<std::string> AuthorizationHeader();

  const ClusterConfig config_;
  const Pems pems_;
  const RestClientOptions options_;
  BearerTokenSource tokens_;
  std::unique_ptr<web::http::client::http_client> http_;
  pplx::cancellation_token_source stop_;
};

// The PodDisruptionBudget kind the server serves: policy/v1 when /apis/policy/v1 lists
// poddisruptionbudgets (1.21+), else policy/v1beta1 (types::kPodDisruptionBudget).
Result<ResourceType> DiscoverPodDisruptionBudget(RestClient& client);

// The query string (without '?') for a list or watch; exposed for tests.
std::string ListQuery(const ListOptions& options, const std::string& continue_token);

}  // namespace sluice::kube

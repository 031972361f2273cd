#include "controller/kube/rest_client.h"

#include "libs/base/asio.h"

#include <cpprest/http_client.h>
#include <boost/asio/ssl.hpp>

#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

namespace http = web::http;

std::string Encode(const std::string& value) { return web::uri::encode_data_string(value); }

// Applies the CA, client certificate and key to an OpenSSL context; throws
// boost::system::system_error when one does not parse.
void ConfigureTls(boost::asio::ssl::context& context, const std::string& ca,
                  const std::string& cert, const std::string& key) {
  if (!ca.empty()) context.add_certificate_authority(boost::asio::buffer(ca));
  if (!cert.empty()) {
    context.use_certificate_chain(boost::asio::buffer(cert));
    context.use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem);
  }
}

// Connection failures, timeouts and cancellation all mean "try again later" to callers.
Status TransportError(const std::string& method, const std::string& path, const char* what) {
  return Status::Unavailable(method + " " + path + ": " + what);
}

web::json::value DeleteOptionsBody(const DeleteOptions& options) {
  web::json::value body = web::json::value::object();
  body["kind"] = web::json::value::string("DeleteOptions");
  body["apiVersion"] = web::json::value::string("v1");
  switch (options.propagation) {
    case PropagationPolicy::kDefault:
      break;
    case PropagationPolicy::kBackground:
      body["propagationPolicy"] = web::json::value::string("Background");
      break;
    case PropagationPolicy::kForeground:
      body["propagationPolicy"] = web::json::value::string("Foreground");
      break;
    case PropagationPolicy::kOrphan:
      body["propagationPolicy"] = web::json::value::string("Orphan");
      break;
  }
  if (options.precondition_uid) {
    body["preconditions"]["uid"] = web::json::value::string(*options.precondition_uid);
  }
  if (options.grace_period_seconds) {
    body["gracePeriodSeconds"] = web::json::value::number(*options.grace_period_seconds);
  }
  return body;
}

}  // namespace

std::string ListQuery(const ListOptions& options, const std::string& continue_token) {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    if (!query.empty()) query += "&";
    query += key;
    query += "=";
    query += Encode(value);
  };
  add("labelSelector", options.label_selector);
  add("fieldSelector", options.field_selector);
  if (options.limit > 0) add("limit", std::to_string(options.limit));
  // The server refuses resourceVersion together with continue: the token pins the snapshot.
  if (continue_token.empty()) {
    add("resourceVersion", options.resource_version);
  } else {
    add("continue", continue_token);
  }
  return query;
}

Result<std::unique_ptr<RestClient>> RestClient::Create(const ClusterConfig& config,
                                                       const RestClientOptions& options) {
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("server '" + config.server + "' from " + config.source +
                                   " is not an http(s) URL");
  }
  Pems pems;
  pems.ca = config.ca_data;
  if (pems.ca.empty() && !config.ca_file.empty()) {
    Result<std::string> text = ReadFileText(config.ca_file, "certificate authority");
    if (!text.ok()) return text.status();
    pems.ca = *text;
  }
  pems.client_cert = config.client_cert_data;
  if (pems.client_cert.empty() && !config.client_cert_file.empty()) {
    Result<std::string> text = ReadFileText(config.client_cert_file, "client certificate");
    if (!text.ok()) return text.status();
    pems.client_cert = *text;
  }
  pems.client_key = config.client_key_data;
  if (pems.client_key.empty() && !config.client_key_file.empty()) {
    Result<std::string> text = ReadFileText(config.client_key_file, "client key");
    if (!text.ok()) return text.status();
    pems.client_key = *text;
  }
  // Parse them now, so a bad file is reported at start rather than as a failed handshake later.
  try {
    boost::asio::ssl::context probe(boost::asio::ssl::context::tls_client);
    if (!pems.ca.empty()) probe.add_certificate_authority(boost::asio::buffer(pems.ca));
  } catch (const boost::system::system_error& e) {
    return Status::InvalidArgument("certificate authority " +
                                   (config.ca_file.empty() ? config.source : config.ca_file) +
                                   " is not a PEM certificate: " + e.what());
  }
  try {
    boost::asio::ssl::context probe(boost::asio::ssl::context::tls_client);
    ConfigureTls(probe, "", pems.client_cert, pems.client_key);
  } catch (const boost::system::system_error& e) {
    return Status::InvalidArgument("client certificate/key (" + config.source +
                                   ") do not parse or do not match: " + e.what());
  }
  return std::unique_ptr<RestClient>(new RestClient(config, std::move(pems), options));
}

RestClient::RestClient(ClusterConfig config, Pems pems, RestClientOptions options)
    : config_(std::move(config)),
      pems_(std::move(pems)),
      options_(std::move(options)),
      // kubectl's precedence: a literal token wins over tokenFile.
      tokens_(config_.token, config_.token.empty() ? config_.token_file : std::string()) {
  http_ = MakeHttpClient(options_.request_timeout);
}

RestClient::~RestClient() { Stop(); }

void RestClient::Stop() {
  if (!stop_.get_token().is_canceled()) stop_.cancel();
}

std::unique_ptr<http::client::http_client> RestClient::MakeHttpClient(
    std::chrono::seconds timeout) const {
  http::client::http_client_config http_config;
  http_config.set_timeout(timeout);
  http_config.set_validate_certificates(!config_.insecure_skip_tls_verify);
  const Pems pems = pems_;
  http_config.set_ssl_context_callback([pems](boost::asio::ssl::context& context) {
    ConfigureTls(context, pems.ca, pems.client_cert, pems.client_key);
  });
  return std::make_unique<http::client::http_client>(web::uri(config_.server), http_config);
}

Result<std::string> RestClient::AuthorizationHeader() {
  Result<std::string> token = tokens_.Token();
  if (!token.ok()) return token.status();
  if (token->empty()) return std::string();
  return "Bearer " + *token;
}

Result<RestClient::HttpAnswer> RestClient::Send(const std::string& method,
                                                const std::string& path_and_query,
                                                const std::optional<web::json::value>& body,
                                                const std::string& content_type) {
  if (stop_.get_token().is_canceled()) {
    return TransportError(method, path_and_query, "client stopped");
  }
  http::http_request request(method);
  request.set_request_uri(path_and_query);
  request.headers().add("Accept", "application/json");
  request.headers().add("User-Agent", options_.user_agent);
  Result<std::string> authorization = AuthorizationHeader();
  if (!authorization.ok()) return authorization.status();
  if (!authorization->empty()) request.headers().add("Authorization", *authorization);
  if (body) request.set_body(body->serialize(), content_type);
  try {
    http::http_response response = http_->request(request, stop_.get_token()).get();
    HttpAnswer answer;
    answer.status = response.status_code();
    answer.body = response.extract_utf8string(true).get();
    return answer;
  } catch (const pplx::task_canceled&) {
    return TransportError(method, path_and_query, "cancelled (client stopped)");
  } catch (const http::http_exception& e) {
    return TransportError(method, path_and_query, e.what());
  } catch (const std::exception& e) {
    return TransportError(method, path_and_query, e.what());
  }
}

Result<web::json::value> RestClient::SendForObject(const std::string& method,
                                                   const std::string& path_and_query,
                                                   const std::optional<web::json::value>& body,
                                                   const std::string& content_type) {
  Result<HttpAnswer> answer = Send(method, path_and_query, body, content_type);
  if (!answer.ok()) return answer.status();
  SLUICE_RETURN_IF_ERROR(StatusFromHttp(answer->status, method, path_and_query, answer->body));
  try {
    return web::json::value::parse(answer->body);
  } catch (const web::json::json_exception& e) {
    return Status::Corruption(method + " " + path_and_query + ": answer is not JSON: " + e.what());
  }
}

Result<web::json::value> RestClient::GetPath(const std::string& path_and_query) {
  Result<HttpAnswer> answer = Send("GET", path_and_query, std::nullopt, "");
  if (!answer.ok()) return answer.status();
  SLUICE_RETURN_IF_ERROR(StatusFromHttp(answer->status, "GET", path_and_query, answer->body));
  try {
    return web::json::value::parse(answer->body);
  } catch (const web::json::json_exception&) {
    return web::json::value::string(answer->body);
  }
}

Result<web::json::value> RestClient::Get(const ResourceType& type, const std::string& ns,
                                         const std::string& name) {
  return SendForObject("GET", type.Path(ns, name), std::nullopt);
}

Result<ObjectList> RestClient::List(const ResourceType& type, const std::string& ns,
                                    const ListOptions& options) {
  ObjectList list;
  std::string continue_token;
  do {
    std::string path = type.Path(ns);
    std::string query = ListQuery(options, continue_token);
    if (!query.empty()) path += "?" + query;
    Result<web::json::value> page = SendForObject("GET", path, std::nullopt);
    if (!page.ok()) return page.status();
    if (page->has_field("items") && page->at("items").is_array()) {
      for (const web::json::value& item : page->at("items").as_array()) {
        web::json::value copy = item;
        // Items of a list carry no kind/apiVersion; fill them so objects look alike wherever
        // they came from (GET, LIST, WATCH).
        if (!copy.has_field("kind")) copy["kind"] = web::json::value::string(type.kind);
        if (!copy.has_field("apiVersion")) {
          copy["apiVersion"] = web::json::value::string(type.ApiVersion());
        }
        list.items.push_back(std::move(copy));
      }
    }
    continue_token.clear();
    if (page->has_field("metadata")) {
      const web::json::value& metadata = page->at("metadata");
      if (metadata.has_field("resourceVersion") && metadata.at("resourceVersion").is_string()) {
        list.resource_version = metadata.at("resourceVersion").as_string();
      }
      if (metadata.has_field("continue") && metadata.at("continue").is_string()) {
        continue_token = metadata.at("continue").as_string();
      }
    }
  } while (!continue_token.empty());
  return list;
}

Result<web::json::value> RestClient::Create(const ResourceType& type, const std::string& ns,
                                            const web::json::value& object) {
  const std::string target_ns = ns.empty() ? NamespaceOf(object) : ns;
  return SendForObject("POST", type.Path(target_ns), object);
}

Result<web::json::value> RestClient::Update(const ResourceType& type, const std::string& ns,
                                            const web::json::value& object) {
  const std::string target_ns = ns.empty() ? NamespaceOf(object) : ns;
  return SendForObject("PUT", type.Path(target_ns, NameOf(object)), object);
}

Result<web::json::value> RestClient::MergePatch(const ResourceType& type, const std::string& ns,
                                                const std::string& name,
                                                const web::json::value& patch) {
  return SendForObject("PATCH", type.Path(ns, name), patch, "application/merge-patch+json");
}

Result<web::json::value> RestClient::UpdateStatus(const ResourceType& type, const std::string& ns,
                                                  const web::json::value& object) {
  const std::string target_ns = ns.empty() ? NamespaceOf(object) : ns;
  return SendForObject("PUT", type.Path(target_ns, NameOf(object), "status"), object);
}

Result<web::json::value> RestClient::MergePatchStatus(const ResourceType& type,
                                                      const std::string& ns,
                                                      const std::string& name,
                                                      const web::json::value& patch) {
  return SendForObject("PATCH", type.Path(ns, name, "status"), patch,
                       "application/merge-patch+json");
}

Status RestClient::Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                          const DeleteOptions& options) {
  const std::string path = type.Path(ns, name);
  Result<HttpAnswer> answer = Send("DELETE", path, DeleteOptionsBody(options), "application/json");
  if (!answer.ok()) return answer.status();
  return StatusFromHttp(answer->status, "DELETE", path, answer->body);
}

Status RestClient::Watch(const ResourceType& type, const std::string& ns,
                         const ListOptions& options, std::chrono::seconds timeout,
                         const std::function<bool(const WatchEvent&)>& on_event) {
  if (options.resource_version.empty()) {
    return Status::InvalidArgument("Watch " + type.Path(ns) +
                                   " needs a resourceVersion: list first and watch from its RV");
  }
  ListOptions query_options = options;
  query_options.limit = 0;
  std::string path = type.Path(ns) + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=" +
                     std::to_string(timeout.count());
  if (std::string query = ListQuery(query_options, ""); !query.empty()) path += "&" + query;

  // One source cancels this watch: Stop() of the client, or the caller's token.
  pplx::cancellation_token_source cancel;
  pplx::cancellation_token stop_token = stop_.get_token();
  auto stop_registration = stop_token.register_callback([cancel] { cancel.cancel(); });
  std::optional<pplx::cancellation_token_registration> caller_registration;
  if (options.cancel.is_cancelable()) {
    caller_registration = options.cancel.register_callback([cancel] { cancel.cancel(); });
  }
  struct Deregister {
    std::function<void()> fn;
    ~Deregister() { fn(); }
  } deregister{[&] {
    stop_token.deregister_callback(stop_registration);
    if (caller_registration) options.cancel.deregister_callback(*caller_registration);
  }};
  if (stop_token.is_canceled() || options.cancel.is_canceled()) {
    return TransportError("WATCH", path, "cancelled");
  }

  http::http_request request(http::methods::GET);
  request.set_request_uri(path);
  request.headers().add("Accept", "application/json");
  request.headers().add("User-Agent", options_.user_agent);
  Result<std::string> authorization = AuthorizationHeader();
  if (!authorization.ok()) return authorization.status();
  if (!authorization->empty()) request.headers().add("Authorization", *authorization);

  // A client of its own: its timeout must outlast the server's timeoutSeconds.
  std::unique_ptr<http::client::http_client> client =
      MakeHttpClient(timeout + std::chrono::seconds(30));
  try {
    http::http_response response = client->request(request, cancel.get_token()).get();
    if (response.status_code() != http::status_codes::OK) {
      std::string body = response.extract_utf8string(true).get();
      return StatusFromHttp(response.status_code(), "WATCH", path, body);
    }
    concurrency::streams::streambuf<uint8_t> buffer = response.body().streambuf();
    LineSplitter splitter;
    Status result = Status::Ok();
    bool keep_going = true;
    auto on_line = [&](std::string_view line) {
      Result<WatchEvent> event = ParseWatchLine(line);
      if (!event.ok()) {
        result = event.status();
        return false;
      }
      if (!on_event(*event)) {
        keep_going = false;
        return false;
      }
      return true;
    };
    std::vector<uint8_t> chunk(64 * 1024);
    while (result.ok() && keep_going) {
      // Wait for one byte (this is what blocks while the server has nothing to say), then
      // take whatever else has already arrived without waiting for more.
      auto first = buffer.bumpc().get();
      if (first == concurrency::streams::streambuf<uint8_t>::traits::eof()) break;
      chunk[0] = static_cast<uint8_t>(first);
      size_t available = std::min(static_cast<size_t>(buffer.in_avail()), chunk.size() - 1);
      size_t got = available > 0 ? buffer.getn(chunk.data() + 1, available).get() : 0;
      std::string_view data(reinterpret_cast<const char*>(chunk.data()), got + 1);
      if (!splitter.Feed(data, on_line)) break;
    }
    if (!keep_going || !result.ok()) {
      cancel.cancel();  // close the connection now rather than reading to the server's timeout
    }
    return result;
  } catch (const pplx::task_canceled&) {
    return TransportError("WATCH", path, "cancelled");
  } catch (const std::exception& e) {
    if (cancel.get_token().is_canceled()) return TransportError("WATCH", path, "cancelled");
    return TransportError("WATCH", path, e.what());
  }
}

Result<ResourceType> DiscoverPodDisruptionBudget(RestClient& client) {
  Result<web::json::value> v1 = client.GetPath("/apis/policy/v1");
  if (!v1.ok()) {
    if (v1.status().code() == Status::Code::kNotFound) return types::kPodDisruptionBudget;
    return v1.status();
  }
  if (v1->is_object() && v1->has_field("resources") && v1->at("resources").is_array()) {
    for (const web::json::value& resource : v1->at("resources").as_array()) {
      if (resource.has_field("name") && resource.at("name").is_string() &&
          resource.at("name").as_string() == "poddisruptionbudgets") {
        ResourceType type = types::kPodDisruptionBudget;
        type.version = "v1";
        return type;
      }
    }
  }
  return types::kPodDisruptionBudget;
}

}  // namespace sluice::kube

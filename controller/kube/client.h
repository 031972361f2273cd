// The Kubernetes API as the operator sees it: typed paths, JSON objects, and errors as Status.
//
// Client is an interface so that reconcile decisions can be tested against a GoogleMock'd client;
// RestClient (rest_client.h) is the implementation on cpprestsdk against the real REST API.
//
// Error mapping (every call): 404 -> kNotFound; 409 with reason AlreadyExists -> kAlreadyExists;
// other 409 -> kConflict (stale resourceVersion: re-read and retry); 410 -> kOutOfRange (watch or
// list resourceVersion expired: re-list); 400/422 -> kInvalidArgument (the API server's message,
// which names the bad field); 401/403 -> kIoError ("forbidden: ..." with the verb and resource, so
// a missing RBAC rule is obvious in the log); 429, 5xx, timeouts and connection failures ->
// kUnavailable (retry with backoff). Messages start with the HTTP status and the request path.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>
#include <pplx/pplxtasks.h>

#include "libs/base/status.h"

namespace sluice::kube {

// A kind the operator uses, enough to build its REST paths:
//   core:  /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
//   group: /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // Path of the collection (name empty) or of one object; ns ignored when !namespaced, and an
  // empty ns on a namespaced type means all namespaces (list/watch only).
  std::string Path(const std::string& ns, const std::string& name = "",
                   const std::string& subresource = "") const;
};

namespace types {
extern const ResourceType kPod;
extern const ResourceType kService;
extern const ResourceType kConfigMap;
extern const ResourceType kPersistentVolumeClaim;
extern const ResourceType kNode;
extern const ResourceType kEndpoints;
extern const ResourceType kStatefulSet;          // apps/v1
extern const ResourceType kPodDisruptionBudget;  // policy/v1beta1 on 1.20, policy/v1 from 1.21
extern const ResourceType kLease;                // coordination.k8s.io/v1
extern const ResourceType kEvent;                // events.k8s.io/v1
extern const ResourceType kKafkaCluster;         // sluice.dev/v1alpha1
}  // namespace types

struct ListOptions {
  std::string
      label_selector;  // e.g. "app.kubernetes.io/instance=demo,app.kubernetes.io/component=broker"
  std::string field_selector;
  std::string resource_version;  // "" = most recent (quorum read)
  int64_t limit = 0;             // 0 = no paging; otherwise pages are followed with `continue`
  // Watch only: cancelling it ends a running Watch promptly (it returns kUnavailable "cancelled"),
  // so an informer can stop without waiting for the next event or the server's timeout.
  pplx::cancellation_token cancel = pplx::cancellation_token::none();
};

struct ObjectList {
  std::vector<web::json::value> items;
  std::string resource_version;  // the list's metadata.resourceVersion, where a watch starts
};

enum class PropagationPolicy { kDefault, kBackground, kForeground, kOrphan };

struct DeleteOptions {
  PropagationPolicy propagation = PropagationPolicy::kDefault;
  std::optional<std::string> precondition_uid;  // delete only this incarnation of the name
  std::optional<int64_t> grace_period_seconds;
};

// One event of a watch stream. BOOKMARK events carry only metadata.resourceVersion.
struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  web::json::value object;
};

class Client {
 public:
  virtual ~Client() = default;

  virtual Result<web::json::value> Get(const ResourceType& type, const std::string& ns,
                                       const std::string& name) = 0;
  virtual Result<ObjectList> List(const ResourceType& type, const std::string& ns,
                                  const ListOptions& options) = 0;
  // POST. The object's metadata.name (or generateName) names it.
  virtual Result<web::json::value> Create(const ResourceType& type, const std::string& ns,
                                          const web::json::value& object) = 0;
  // PUT with the object's metadata.resourceVersion: kConflict when it is stale.
  virtual Result<web::json::value> Update(const ResourceType& type, const std::string& ns,
                                          const web::json::value& object) = 0;
  // PATCH application/merge-patch+json (RFC 7386); works for built-in kinds and custom resources.
  virtual Result<web::json::value> MergePatch(const ResourceType& type, const std::string& ns,
                                              const std::string& name,
                                              const web::json::value& patch) = 0;
  // PUT .../status with the object's resourceVersion (only .status is taken by the server).
  virtual Result<web::json::value> UpdateStatus(const ResourceType& type, const std::string& ns,
                                                const web::json::value& object) = 0;
  // PATCH .../status, merge-patch.
  virtual Result<web::json::value> MergePatchStatus(const ResourceType& type, const std::string& ns,
                                                    const std::string& name,
                                                    const web::json::value& patch) = 0;
  // kNotFound if already gone (callers usually treat that as success).
  virtual Status Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                        const DeleteOptions& options) = 0;

  // Opens a watch from resource_version (never empty: list first) and calls on_event for each
  // event until on_event returns false, the server ends the stream (timeout_seconds), or the
  // connection fails. Returns OK when the stream ended normally, kOutOfRange when the server
  // answered or sent 410 Gone (re-list), another error otherwise.
  virtual Status Watch(const ResourceType& type, const std::string& ns, const ListOptions& options,
                       std::chrono::seconds timeout,
                       const std::function<bool(const WatchEvent&)>& on_event) = 0;
};

}  // namespace sluice::kube

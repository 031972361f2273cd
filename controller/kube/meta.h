// Small helpers over Kubernetes JSON objects and API responses, shared by the client, the
// informers and reconcile.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <cpprest/json.h>

#include "controller/kube/client.h"
#include "libs/base/status.h"

namespace sluice::kube {

// metadata.* accessors; a missing field reads as empty.
std::string ResourceVersionOf(const web::json::value& object);
std::string NameOf(const web::json::value& object);
std::string NamespaceOf(const web::json::value& object);
std::string UidOf(const web::json::value& object);
int64_t GenerationOf(const web::json::value& object);
std::map<std::string, std::string> LabelsOf(const web::json::value& object);
std::map<std::string, std::string> AnnotationsOf(const web::json::value& object);
// The informer / work-queue key: "ns/name", or "name" for cluster-scoped objects.
std::string KeyOf(const web::json::value& object);
std::string MakeKey(const std::string& ns, const std::string& name);
// Splits a key made by MakeKey into {ns, name} (ns empty for cluster-scoped).
std::pair<std::string, std::string> SplitKey(const std::string& key);

// Runs fn until it returns something other than kConflict, at most `attempts` times; fn should
// re-read the object each time (a 409 means its copy was stale). Returns fn's last Status.
Status RetryOnConflict(const std::function<Status()>& fn, int attempts = 5);

// Maps an HTTP answer to a Status as client.h specifies. `body` is the response body, usually a
// metav1.Status whose `message` names the problem and whose `reason` tells AlreadyExists apart
// from Conflict. Returns OK for 2xx.
Status StatusFromHttp(int http_status, std::string_view method, std::string_view path,
                      std::string_view body);

// Splits a watch response body, which arrives in arbitrary pieces, into newline-delimited JSON
// documents. Bytes of an unfinished line are kept until the rest arrives.
class LineSplitter {
 public:
  // Appends data and calls on_line for every complete line (without the newline; empty lines
  // are skipped). Stops early and returns false when on_line returns false.
  bool Feed(std::string_view data, const std::function<bool(std::string_view)>& on_line);
  // Bytes received after the last newline.
  const std::string& pending() const { return pending_; }

 private:
  std::string pending_;
};

// Parses one watch line {"type": ..., "object": ...}. An ERROR event becomes an error Status
// mapped from the metav1.Status it carries (code 410 -> kOutOfRange); malformed JSON or an
// unknown type -> kCorruption.
Result<WatchEvent> ParseWatchLine(std::string_view line);

// Kubernetes time formats, UTC: Time "2006-01-02T15:04:05Z", MicroTime "...05.000000Z".
std::string FormatTime(std::chrono::system_clock::time_point t);
std::string FormatMicroTime(std::chrono::system_clock::time_point t);

}  // namespace sluice::kube

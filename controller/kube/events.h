// EventRecorder: events.k8s.io/v1 Events about the operator's objects, best effort.
//
// Record() never blocks on the API server: events go to a bounded queue that a thread of the
// recorder posts (the oldest are dropped past the bound; failures are logged and forgotten;
// Events are "best-effort, supplemental data"). A repeat of the same regarding object + reason +
// note within 10 minutes is not a new Event: the first one's series {count, lastObservedTime} is
// patched instead, as client-go's event broadcaster does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "controller/kube/client.h"

namespace sluice::kube {

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string reporting_controller = "sluice.dev/operator";
  std::string reporting_instance;  // the operator pod's name
  size_t max_queued = 1000;
  std::chrono::seconds series_window{600};
  std::function<std::chrono::system_clock::time_point()> wall;  // injectable for tests
};

// The Event object Record() posts, without sending it; exposed for tests.
web::json::value BuildEvent(const EventRecorderOptions& options, const web::json::value& regarding,
                            const std::optional<web::json::value>& related, EventType type,
                            const std::string& reason, const std::string& action,
                            const std::string& note, std::chrono::system_clock::time_point now);

// An ObjectReference {apiVersion, kind, namespace, name, uid, resourceVersion} to `object`.
web::json::value ObjectReferenceTo(const web::json::value& object);

class EventRecorder {
 public:
  EventRecorder(Client& client, EventRecorderOptions options);
  ~EventRecorder();  // posts nothing more; drops what is still queued
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `regarding` and `related` are full objects (as read from the API) or ObjectReferences.
  // reason: CamelCase; action: what was done ("Scale", "Restart"); note: human text (cut at 1 KB).
  void Record(const web::json::value& regarding, EventType type, const std::string& reason,
              const std::string& action, const std::string& note,
              const std::optional<web::json::value>& related = std::nullopt);

  // Waits until everything queued so far was sent (or failed); for tests and shutdown.
  bool Flush(std::chrono::milliseconds timeout);
  size_t dropped() const;

 private:
  struct Pending {
    web::json::value event;
    std::string series_key;
    std::chrono::system_clock::time_point at;
  };
  struct Series {
    std::string ns;
    std::string name;
    int64_t count = 1;
    std::chrono::system_clock::time_point first;
  };
  void Loop();
  void Send(Pending pending);

  Client& client_;
  const EventRecorderOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  bool sending_ = false;
  size_t dropped_ = 0;
  std::map<std::string, Series> series_;  // only the sender thread touches it
  std::thread thread_;
};

}  // namespace sluice::kube

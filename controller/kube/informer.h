// Informer: a list+watch cache of one kind (one namespace or all, optionally a label selector),
// like client-go's reflector + store.
//
//  * LIST, then WATCH from the list's resourceVersion; every event's RV (BOOKMARKs included) is
//    remembered, and a stream the server ended is re-opened from the last RV.
//  * 410 Gone (HTTP or an ERROR event) -> re-LIST: the cache is replaced, handlers see adds and
//    updates for what changed and deletes for objects that vanished meanwhile.
//  * Other errors: logged, and retried after an exponential backoff (200 ms .. 30 s, +-20 %
//    jitter), reset once a LIST or WATCH succeeds.
//
// Handlers run on the informer's thread, in event order, without the cache lock held (they may
// call Get/List). They should only enqueue work (WorkQueue::Add), not do it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "controller/kube/client.h"

namespace sluice::kube {

// Backoff delays: initial, doubling per failure up to max, each multiplied by a random factor
// in [1 - jitter, 1 + jitter] (and never above max).
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter,
          uint64_t seed = std::random_device()());
  std::chrono::milliseconds Next();
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  const std::chrono::milliseconds initial_;
  const std::chrono::milliseconds max_;
  const double jitter_;
  int failures_ = 0;
  std::mt19937_64 random_;
};

struct InformerOptions {
  std::string ns;  // "" = all namespaces (or a cluster-scoped kind)
  std::string label_selector;
  std::string field_selector;
  // Each watch asks the server to end it after a random time in [min, 2*min] (client-go's
  // reflector does the same, spreading re-watches of many informers).
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{30000};
  int64_t list_page_size = 500;
};

struct InformerHandlers {
  std::function<void(const web::json::value& object)> on_add;
  std::function<void(const web::json::value& old_object, const web::json::value& new_object)>
      on_update;
  std::function<void(const web::json::value& last_known)> on_delete;
};

class Informer {
 public:
  Informer(Client& client, ResourceType type, InformerOptions options = {});
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Before Start. Several handler sets may be added; they run in the order added.
  void AddHandlers(InformerHandlers handlers);
  void Start();
  // Ends the watch (cancelling it) and joins the thread. Idempotent.
  void Stop();

  // True once the first LIST is in the cache.
  bool HasSynced() const;
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // Snapshots of the cache.
  std::optional<web::json::value> Get(const std::string& ns, const std::string& name) const;
  std::vector<web::json::value> List() const;
  std::vector<std::string> Keys() const;

  // The RV the next watch would start from; how many LISTs ran (1 + re-lists). For tests and logs.
  std::string LastResourceVersion() const;
  int ListCount() const { return list_count_.load(); }
  const ResourceType& type() const { return type_; }

 private:
  void Run();
  // LIST and replace the cache; OK or the error.
  Status ListAndReplace();
  // One WATCH from last_rv_; returns how it ended.
  Status WatchOnce();
  void Apply(const WatchEvent& event);
  bool SleepUnlessStopped(std::chrono::milliseconds delay);
  std::string Describe() const;

  Client& client_;
  const ResourceType type_;
  const InformerOptions options_;
  std::vector<InformerHandlers> handlers_;

  mutable std::mutex mutex_;  // guards cache_, last_rv_, synced_
  mutable std::condition_variable synced_changed_;
  std::map<std::string, web::json::value> cache_;  // key "ns/name" -> object
  std::string last_rv_;
  bool synced_ = false;
  std::atomic<int> list_count_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_changed_;
  bool stopping_ = false;
  pplx::cancellation_token_source cancel_;
  std::thread thread_;
  std::mt19937_64 random_{std::random_device()()};
};

}  // namespace sluice::kube

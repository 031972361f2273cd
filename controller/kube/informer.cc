#include "controller/kube/informer.h"

#include <Poco/Logger.h>

#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {
Poco::Logger& Log() { return Poco::Logger::get("operator.kube.informer"); }
}  // namespace

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter,
                 uint64_t seed)
    : initial_(initial), max_(max), jitter_(jitter), random_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  double base = static_cast<double>(initial_.count());
  for (int i = 0; i < failures_ && base < static_cast<double>(max_.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(max_.count()));
  ++failures_;
  std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0 + jitter_);
  double delay = std::min(base * factor(random_), static_cast<double>(max_.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

Informer::Informer(Client& client, ResourceType type, InformerOptions options)
    : client_(client), type_(std::move(type)), options_(std::move(options)) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(InformerHandlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_changed_.notify_all();
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return synced_;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return synced_changed_.wait_for(lock, timeout, [this] { return synced_; });
}

std::optional<web::json::value> Informer::Get(const std::string& ns,
                                              const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cache_.find(MakeKey(type_.namespaced ? ns : "", name));
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

std::vector<web::json::value> Informer::List() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<web::json::value> out;
  out.reserve(cache_.size());
  for (const auto& [key, object] : cache_) out.push_back(object);
  return out;
}

std::vector<std::string> Informer::Keys() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [key, object] : cache_) out.push_back(key);
  return out;
}

std::string Informer::LastResourceVersion() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_rv_;
}

std::string Informer::Describe() const {
  std::string text = type_.Path(options_.ns);
  if (!options_.label_selector.empty()) text += "?labelSelector=" + options_.label_selector;
  return text;
}

bool Informer::SleepUnlessStopped(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  return !stop_changed_.wait_for(lock, delay, [this] { return stopping_; });
}

void Informer::Run() {
  Backoff backoff(options_.backoff_initial, options_.backoff_max, 0.2);
  bool need_list = true;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(stop_mutex_);
      if (stopping_) return;
    }
    Status status;
    if (need_list) {
      status = ListAndReplace();
      if (status.ok()) {
        need_list = false;
        backoff.Reset();
        continue;
      }
    } else {
      status = WatchOnce();
      if (status.ok()) {
        backoff.Reset();
        continue;  // the server ended the stream: re-watch from the last RV
      }
      if (status.code() == Status::Code::kOutOfRange) {
        Log().information("informer " + Describe() + ": resourceVersion " + LastResourceVersion() +
                          " expired (" + status.message() + "); re-listing");
        need_list = true;
        continue;  // 410 is the normal way history ends: re-list at once
      }
    }
    {
      std::lock_guard<std::mutex> lock(stop_mutex_);
      if (stopping_) return;
    }
    const std::chrono::milliseconds delay = backoff.Next();
    Log().warning("informer " + Describe() + ": " + (need_list ? "LIST" : "WATCH") +
                  " failed (attempt " + std::to_string(backoff.failures()) + "), retrying in " +
                  std::to_string(delay.count()) + " ms: " + status.ToString());
    if (!SleepUnlessStopped(delay)) return;
  }
}

Status Informer::ListAndReplace() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.list_page_size;
  Result<ObjectList> list = client_.List(type_, options_.ns, list_options);
  list_count_.fetch_add(1);
  if (!list.ok()) return list.status();

  std::map<std::string, web::json::value> fresh;
  for (const web::json::value& item : list->items) fresh[KeyOf(item)] = item;
  std::vector<web::json::value> added;
  std::vector<std::pair<web::json::value, web::json::value>> updated;
  std::vector<web::json::value> deleted;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, object] : fresh) {
      auto old = cache_.find(key);
      if (old == cache_.end()) {
        added.push_back(object);
      } else if (ResourceVersionOf(old->second) != ResourceVersionOf(object)) {
        updated.emplace_back(old->second, object);
      }
    }
    for (const auto& [key, object] : cache_) {
      if (fresh.count(key) == 0) deleted.push_back(object);
    }
    cache_ = std::move(fresh);
    last_rv_ = list->resource_version;
    synced_ = true;
  }
  synced_changed_.notify_all();
  for (const InformerHandlers& h : handlers_) {
    for (const web::json::value& object : deleted) {
      if (h.on_delete) h.on_delete(object);
    }
    for (const web::json::value& object : added) {
      if (h.on_add) h.on_add(object);
    }
    for (const auto& [old_object, new_object] : updated) {
      if (h.on_update) h.on_update(old_object, new_object);
    }
  }
  return Status::Ok();
}

Status Informer::WatchOnce() {
  ListOptions watch_options;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.resource_version = LastResourceVersion();
  watch_options.cancel = cancel_.get_token();
  std::uniform_int_distribution<int64_t> spread(options_.min_watch_timeout.count(),
                                                2 * options_.min_watch_timeout.count());
  const std::chrono::seconds timeout(spread(random_));
  return client_.Watch(type_, options_.ns, watch_options, timeout, [this](const WatchEvent& e) {
    Apply(e);
    return true;
  });
}

void Informer::Apply(const WatchEvent& event) {
  const std::string rv = ResourceVersionOf(event.object);
  if (event.type == WatchEvent::Type::kBookmark) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!rv.empty()) last_rv_ = rv;
    return;
  }
  const std::string key = KeyOf(event.object);
  std::optional<web::json::value> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) old = it->second;
    if (event.type == WatchEvent::Type::kDeleted) {
      cache_.erase(key);
    } else {
      cache_[key] = event.object;
    }
    if (!rv.empty()) last_rv_ = rv;
  }
  for (const InformerHandlers& h : handlers_) {
    if (event.type == WatchEvent::Type::kDeleted) {
      if (h.on_delete) h.on_delete(event.object);
    } else if (old) {
      if (h.on_update) h.on_update(*old, event.object);
    } else {
      if (h.on_add) h.on_add(event.object);
    }
  }
}

}  // namespace sluice::kube

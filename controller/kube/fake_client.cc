#include "controller/kube/fake_client.h"

#include <algorithm>
#include <type_traits>

#include "controller/kube/meta.h"

namespace sluice::kube {
namespace {

using web::json::value;

// Pods' default terminationGracePeriodSeconds; what a graceful Delete without the option gets.
constexpr int64_t kDefaultGracePeriodSeconds = 30;

std::string Collection(const ResourceType& type) { return type.group + "/" + type.plural; }

std::string NamespaceFor(const ResourceType& type, const std::string& ns) {
  return type.namespaced ? ns : "";
}

std::string ObjectKey(const ResourceType& type, const std::string& ns, const std::string& name) {
  return Collection(type) + "|" + NamespaceFor(type, ns) + "|" + name;
}

std::string NotFoundMessage(const std::string& method, const std::string& path,
                            const ResourceType& type, const std::string& name) {
  return "HTTP 404 " + method + " " + path + ": " + type.plural + " \"" + name + "\" not found";
}

bool IsDeleting(const value& object) {
  return object.has_field("metadata") && object.at("metadata").has_field("deletionTimestamp");
}

std::vector<std::string> FinalizersOf(const value& object) {
  std::vector<std::string> out;
  if (!object.has_field("metadata") || !object.at("metadata").has_field("finalizers")) return out;
  const value& list = object.at("metadata").at("finalizers");
  if (!list.is_array()) return out;
  for (const value& f : list.as_array()) {
    if (f.is_string()) out.push_back(f.as_string());
  }
  return out;
}

// metadata.deletionGracePeriodSeconds; 0 when absent (an object marked only for its finalizers).
int64_t GracePeriodOf(const value& object) {
  if (!object.has_field("metadata")) return 0;
  const value& m = object.at("metadata");
  if (!m.has_field("deletionGracePeriodSeconds")) return 0;
  return m.at("deletionGracePeriodSeconds").as_number().to_int64();
}

// What generation tracks: everything but metadata, status and the type fields.
std::string ContentOf(value object) {
  if (object.is_object()) {
    for (const char* field : {"metadata", "status", "kind", "apiVersion"}) {
      if (object.has_field(field)) object.erase(field);
    }
  }
  return object.serialize();
}

void CopyField(const value& from, value& to, const std::string& field) {
  if (from.has_field(field)) {
    to[field] = from.at(field);
  } else if (to.has_field(field)) {
    to.erase(field);
  }
}

// Equality-based selectors only; see fake_client.h.
Result<bool> Matches(const value& object, const std::string& selector) {
  if (selector.empty()) return true;
  std::map<std::string, std::string> labels = LabelsOf(object);
  size_t start = 0;
  while (start <= selector.size()) {
    size_t comma = selector.find(',', start);
    std::string term =
        selector.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (term.find(' ') != std::string::npos || term.find('!') != std::string::npos) {
      return Status::InvalidArgument("FakeClient supports only k=v and k selectors: " + selector);
    }
    size_t eq = term.find('=');
    if (eq == std::string::npos) {
      if (labels.count(term) == 0) return false;
    } else {
      std::string key = term.substr(0, eq);
      std::string label_value = term.substr(term[eq + 1] == '=' ? eq + 2 : eq + 1);
      auto it = labels.find(key);
      if (it == labels.end() || it->second != label_value) return false;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

}  // namespace

value ApplyMergePatch(const value& target, const value& patch) {
  if (!patch.is_object()) return patch;
  value result = target.is_object() ? target : value::object();
  for (const auto& [key, field] : patch.as_object()) {
    if (field.is_null()) {
      if (result.has_field(key)) result.erase(key);
    } else {
      result[key] = ApplyMergePatch(result.has_field(key) ? result.at(key) : value(), field);
    }
  }
  return result;
}

// ---- faults, observation, counters --------------------------------------------------------------

Status FakeClient::Admit(const Request& request) {
  std::function<Status(const Request&)> fault;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++calls_[request.verb];
    auto it = faults_.find(request.verb);
    if (it != faults_.end() && !it->second.empty()) {
      Status status = it->second.front();
      it->second.pop_front();
      return status;
    }
    fault = fail_when_;
  }
  return fault ? fault(request) : Status::Ok();
}

template <typename T>
T FakeClient::Observed(const Request& request, T outcome) {
  std::function<void(const Request&, const Status&)> observer;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    observer = observer_;
  }
  if (observer) {
    if constexpr (std::is_same_v<T, Status>) {
      observer(request, outcome);
    } else {
      observer(request, outcome.status());
    }
  }
  return outcome;
}

void FakeClient::FailNext(const std::string& verb, Status status, int times) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (int i = 0; i < times; ++i) faults_[verb].push_back(status);
}

void FakeClient::FailWhen(std::function<Status(const Request&)> fault) {
  std::lock_guard<std::mutex> lock(mutex_);
  fail_when_ = std::move(fault);
}

void FakeClient::ClearFaults() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.clear();
  fail_when_ = nullptr;
}

void FakeClient::OnRequest(std::function<void(const Request&, const Status&)> observer) {
  std::lock_guard<std::mutex> lock(mutex_);
  observer_ = std::move(observer);
}

int FakeClient::Calls(const std::string& verb) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = calls_.find(verb);
  return it == calls_.end() ? 0 : it->second;
}

std::string FakeClient::CurrentResourceVersion() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::to_string(rv_);
}

int FakeClient::OpenWatches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_watches_;
}

// ---- the store ----------------------------------------------------------------------------------

void FakeClient::Record(const std::string& collection, const std::string& ns,
                        WatchEvent::Type change, const value& object) {
  Change entry;
  entry.rv = rv_;
  entry.collection = collection;
  entry.ns = ns;
  entry.event.type = change;
  entry.event.object = object;
  log_.push_back(std::move(entry));
  changed_.notify_all();
}

value FakeClient::Commit(const std::string& key, Stored stored, WatchEvent::Type change) {
  ++rv_;
  stored.object["metadata"]["resourceVersion"] = value::string(std::to_string(rv_));
  // The write that lets the last finalizer go (or ends the grace period) removes the object.
  if (change != WatchEvent::Type::kDeleted && IsDeleting(stored.object) &&
      FinalizersOf(stored.object).empty() && GracePeriodOf(stored.object) == 0) {
    change = WatchEvent::Type::kDeleted;
  }
  Record(stored.collection, stored.ns, change, stored.object);
  if (change == WatchEvent::Type::kDeleted) {
    objects_.erase(key);
    return stored.object;
  }
  value result = stored.object;
  objects_[key] = std::move(stored);
  return result;
}

Result<value> FakeClient::WriteExisting(const ResourceType& type, const std::string& ns_arg,
                                        const std::string& name, const value& object,
                                        WriteKind kind, const std::string& method) {
  const std::string ns = NamespaceFor(type, ns_arg);
  const std::string key = ObjectKey(type, ns, name);
  const std::string path = type.Path(ns, name, kind == WriteKind::kStatus ? "status" : "");
  auto existing = objects_.find(key);
  if (existing == objects_.end())
    return Status::NotFound(NotFoundMessage(method, path, type, name));
  const value& old = existing->second.object;
  const std::string sent_rv = ResourceVersionOf(object);
  if (kind != WriteKind::kRaw && !sent_rv.empty() && sent_rv != ResourceVersionOf(old)) {
    return Status::Conflict("HTTP 409 " + method + " " + path +
                            ": Operation cannot be fulfilled on " + type.plural + " \"" + name +
                            "\": the object has been modified; please apply your changes to "
                            "the latest version and try again");
  }
  value next;
  if (kind == WriteKind::kStatus) {
    next = old;
    CopyField(object, next, "status");
  } else {
    next = object;
    value& meta = next["metadata"];
    const value& old_meta = old.at("metadata");
    meta["name"] = value::string(name);
    for (const char* field : {"uid", "creationTimestamp"}) CopyField(old_meta, meta, field);
    if (kind == WriteKind::kMain) {
      CopyField(old, next, "status");
      CopyField(old_meta, meta, "deletionTimestamp");
      CopyField(old_meta, meta, "deletionGracePeriodSeconds");
      if (IsDeleting(old)) {
        std::vector<std::string> before = FinalizersOf(old);
        for (const std::string& finalizer : FinalizersOf(next)) {
          if (std::find(before.begin(), before.end(), finalizer) == before.end()) {
            return Status::InvalidArgument(
                "HTTP 422 " + method + " " + path +
                ": metadata.finalizers: Forbidden: no new "
                "finalizers can be added if the object is being deleted, found new finalizers "
                "[\"" +
                finalizer + "\"]");
          }
        }
      }
    }
    int64_t generation = GenerationOf(old);
    if (ContentOf(next) != ContentOf(old)) ++generation;
    meta["generation"] = value::number(generation);
    for (const char* field : {"kind", "apiVersion"}) {
      if (!next.has_field(field)) CopyField(old, next, field);
    }
  }
  if (type.namespaced) next["metadata"]["namespace"] = value::string(ns);
  Stored stored{Collection(type), ns, std::move(next)};
  return Commit(key, std::move(stored), WatchEvent::Type::kModified);
}

std::optional<value> FakeClient::Peek(const ResourceType& type, const std::string& ns,
                                      const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = objects_.find(ObjectKey(type, ns, name));
  if (it == objects_.end()) return std::nullopt;
  return it->second.object;
}

std::vector<value> FakeClient::PeekAll(const ResourceType& type, const std::string& ns) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<value> out;
  const std::string prefix = Collection(type) + "|";
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (it->first.rfind(prefix, 0) != 0) break;
    if (type.namespaced && !ns.empty() && it->second.ns != ns) continue;
    out.push_back(it->second.object);
  }
  return out;
}

void FakeClient::Put(const ResourceType& type, const std::string& ns_arg, const value& object) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string ns = NamespaceFor(type, ns_arg.empty() ? NamespaceOf(object) : ns_arg);
  const std::string name = NameOf(object);
  if (objects_.count(ObjectKey(type, ns, name)) != 0) {
    // Cannot fail: the object exists and a raw write checks no resourceVersion.
    (void)WriteExisting(type, ns, name, object, WriteKind::kRaw, "PUT");
    return;
  }
  value created = object;
  value& meta = created["metadata"];
  if (!meta.has_field("uid")) {
    meta["uid"] = value::string("uid-" + std::to_string(++uid_counter_));
  }
  if (!meta.has_field("creationTimestamp")) {
    meta["creationTimestamp"] = value::string(FormatTime(std::chrono::system_clock::now()));
  }
  if (!meta.has_field("generation")) meta["generation"] = value::number(1);
  if (type.namespaced) meta["namespace"] = value::string(ns);
  if (!created.has_field("kind")) created["kind"] = value::string(type.kind);
  if (!created.has_field("apiVersion")) created["apiVersion"] = value::string(type.ApiVersion());
  Commit(ObjectKey(type, ns, name), Stored{Collection(type), ns, std::move(created)},
         WatchEvent::Type::kAdded);
}

void FakeClient::SetGracefulDeletion(const ResourceType& type, bool graceful) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (graceful) {
    graceful_collections_.insert(Collection(type));
  } else {
    graceful_collections_.erase(Collection(type));
  }
}

int FakeClient::FinishTerminating() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> keys;
  for (const auto& [key, stored] : objects_) {
    if (IsDeleting(stored.object) && GracePeriodOf(stored.object) > 0) keys.push_back(key);
  }
  int removed = 0;
  for (const std::string& key : keys) {
    Stored stored = objects_.at(key);
    stored.object["metadata"]["deletionGracePeriodSeconds"] = value::number(0);
    removed += FinalizersOf(stored.object).empty() ? 1 : 0;
    Commit(key, std::move(stored), WatchEvent::Type::kModified);  // removes it when unheld
  }
  return removed;
}

// ---- Client
// ---------------------------------------------------------------------------------------

Result<value> FakeClient::Get(const ResourceType& type, const std::string& ns,
                              const std::string& name) {
  const Request request{"GET", type, ns, name};
  Result<value> outcome = [&]() -> Result<value> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::optional<value> object = Peek(type, ns, name);
    if (!object) {
      return Status::NotFound(NotFoundMessage("GET", type.Path(ns, name), type, name));
    }
    return *object;
  }();
  return Observed(request, std::move(outcome));
}

Result<ObjectList> FakeClient::List(const ResourceType& type, const std::string& ns,
                                    const ListOptions& options) {
  const Request request{"LIST", type, ns, ""};
  Result<ObjectList> outcome = [&]() -> Result<ObjectList> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::lock_guard<std::mutex> lock(mutex_);
    ObjectList list;
    const std::string prefix = Collection(type) + "|";
    for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
      if (it->first.rfind(prefix, 0) != 0) break;
      if (type.namespaced && !ns.empty() && it->second.ns != ns) continue;
      Result<bool> match = Matches(it->second.object, options.label_selector);
      if (!match.ok()) return match.status();
      if (*match) list.items.push_back(it->second.object);
    }
    list.resource_version = std::to_string(rv_);
    return list;
  }();
  return Observed(request, std::move(outcome));
}

Result<value> FakeClient::Create(const ResourceType& type, const std::string& ns_arg,
                                 const value& object) {
  const std::string ns = NamespaceFor(type, ns_arg.empty() ? NamespaceOf(object) : ns_arg);
  const std::string name = NameOf(object);
  const Request request{"CREATE", type, ns, name};
  Result<value> outcome = [&]() -> Result<value> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    const std::string path = type.Path(ns);
    if (!ResourceVersionOf(object).empty()) {
      return Status::InvalidArgument("HTTP 400 POST " + path +
                                     ": resourceVersion should not be set on objects to be "
                                     "created");
    }
    if (name.empty()) {
      return Status::InvalidArgument("HTTP 422 POST " + path + ": metadata.name: Required value");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string key = ObjectKey(type, ns, name);
    if (objects_.count(key) != 0) {
      return Status::AlreadyExists("HTTP 409 POST " + path + ": " + type.plural + " \"" + name +
                                   "\" already exists");
    }
    value created = object;
    value& meta = created["metadata"];
    meta["uid"] = value::string("uid-" + std::to_string(++uid_counter_));
    meta["generation"] = value::number(1);
    meta["creationTimestamp"] = value::string(FormatTime(std::chrono::system_clock::now()));
    for (const char* field : {"deletionTimestamp", "deletionGracePeriodSeconds"}) {
      if (meta.has_field(field)) meta.erase(field);
    }
    if (type.namespaced) meta["namespace"] = value::string(ns);
    if (type.kind != "Node" && created.has_field("status")) created.erase("status");
    if (!created.has_field("kind")) created["kind"] = value::string(type.kind);
    if (!created.has_field("apiVersion")) created["apiVersion"] = value::string(type.ApiVersion());
    return Commit(key, Stored{Collection(type), ns, std::move(created)}, WatchEvent::Type::kAdded);
  }();
  return Observed(request, std::move(outcome));
}

Result<value> FakeClient::Update(const ResourceType& type, const std::string& ns_arg,
                                 const value& object) {
  const std::string ns = NamespaceFor(type, ns_arg.empty() ? NamespaceOf(object) : ns_arg);
  const Request request{"UPDATE", type, ns, NameOf(object)};
  Result<value> outcome = [&]() -> Result<value> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::lock_guard<std::mutex> lock(mutex_);
    return WriteExisting(type, ns, request.name, object, WriteKind::kMain, "PUT");
  }();
  return Observed(request, std::move(outcome));
}

Result<value> FakeClient::UpdateStatus(const ResourceType& type, const std::string& ns_arg,
                                       const value& object) {
  const std::string ns = NamespaceFor(type, ns_arg.empty() ? NamespaceOf(object) : ns_arg);
  const Request request{"UPDATE_STATUS", type, ns, NameOf(object)};
  Result<value> outcome = [&]() -> Result<value> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::lock_guard<std::mutex> lock(mutex_);
    return WriteExisting(type, ns, request.name, object, WriteKind::kStatus, "PUT");
  }();
  return Observed(request, std::move(outcome));
}

Result<value> FakeClient::MergePatch(const ResourceType& type, const std::string& ns,
                                     const std::string& name, const value& patch) {
  const Request request{"PATCH", type, NamespaceFor(type, ns), name};
  Result<value> outcome = [&]() -> Result<value> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(ObjectKey(type, ns, name));
    if (it == objects_.end()) {
      return Status::NotFound(NotFoundMessage("PATCH", type.Path(ns, name), type, name));
    }
    // The current resourceVersion stays unless the patch carries one (then a precondition).
    return WriteExisting(type, ns, name, ApplyMergePatch(it->second.object, patch),
                         WriteKind::kMain, "PATCH");
  }();
  return Observed(request, std::move(outcome));
}

Result<value> FakeClient::MergePatchStatus(const ResourceType& type, const std::string& ns,
                                           const std::string& name, const value& patch) {
  const Request request{"PATCH_STATUS", type, NamespaceFor(type, ns), name};
  Result<value> outcome = [&]() -> Result<value> {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(ObjectKey(type, ns, name));
    if (it == objects_.end()) {
      return Status::NotFound(NotFoundMessage("PATCH", type.Path(ns, name, "status"), type, name));
    }
    return WriteExisting(type, ns, name, ApplyMergePatch(it->second.object, patch),
                         WriteKind::kStatus, "PATCH");
  }();
  return Observed(request, std::move(outcome));
}

Status FakeClient::Delete(const ResourceType& type, const std::string& ns_arg,
                          const std::string& name, const DeleteOptions& options) {
  const std::string ns = NamespaceFor(type, ns_arg);
  const Request request{"DELETE", type, ns, name};
  Status outcome = [&]() -> Status {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string key = ObjectKey(type, ns, name);
    const std::string path = type.Path(ns, name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound(NotFoundMessage("DELETE", path, type, name));
    const std::string uid = UidOf(it->second.object);
    if (options.precondition_uid && *options.precondition_uid != uid) {
      return Status::Conflict("HTTP 409 DELETE " + path +
                              ": Precondition failed: UID in precondition: " +
                              *options.precondition_uid + ", UID in object meta: " + uid);
    }
    Stored stored = it->second;
    value& meta = stored.object["metadata"];
    const bool force = options.grace_period_seconds && *options.grace_period_seconds == 0;
    if (IsDeleting(stored.object)) {
      // Already terminating: only a forced delete (the kubelet's last word) changes anything.
      if (force && GracePeriodOf(stored.object) != 0) {
        meta["deletionGracePeriodSeconds"] = value::number(0);
        Commit(key, std::move(stored), WatchEvent::Type::kModified);
      }
      return Status::Ok();
    }
    const bool graceful = graceful_collections_.count(stored.collection) != 0 && !force;
    if (!graceful && FinalizersOf(stored.object).empty()) {
      Commit(key, std::move(stored), WatchEvent::Type::kDeleted);
      return Status::Ok();
    }
    meta["deletionTimestamp"] = value::string(FormatTime(std::chrono::system_clock::now()));
    meta["deletionGracePeriodSeconds"] = value::number(
        graceful ? options.grace_period_seconds.value_or(kDefaultGracePeriodSeconds) : 0);
    if (graceful) {
      meta["generation"] = value::number(GenerationOf(stored.object) + 1);
    }
    Commit(key, std::move(stored), WatchEvent::Type::kModified);
    return Status::Ok();
  }();
  return Observed(request, std::move(outcome));
}

// ---- watches ------------------------------------------------------------------------------------

void FakeClient::Compact() {
  std::lock_guard<std::mutex> lock(mutex_);
  compacted_rv_ = rv_;  // the log stays: watches filter by RV, and indexes stay valid
}

void FakeClient::EndWatches() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++watch_epoch_;
  changed_.notify_all();
}

void FakeClient::Bookmark(const ResourceType& type) {
  std::lock_guard<std::mutex> lock(mutex_);
  bookmarks_.emplace_back(Collection(type), rv_);
  changed_.notify_all();
}

Status FakeClient::Watch(const ResourceType& type, const std::string& ns,
                         const ListOptions& options, std::chrono::seconds timeout,
                         const std::function<bool(const WatchEvent&)>& on_event) {
  const Request request{"WATCH", type, NamespaceFor(type, ns), ""};
  Status outcome = [&]() -> Status {
    SLUICE_RETURN_IF_ERROR(Admit(request));
    std::unique_lock<std::mutex> lock(mutex_);
    if (options.resource_version.empty()) {
      return Status::InvalidArgument("FakeClient::Watch needs a resourceVersion");
    }
    int64_t from = std::stoll(options.resource_version);
    if (from < compacted_rv_) {
      return Status::OutOfRange("HTTP 410 WATCH " + type.Path(ns) +
                                ": too old resource version: " + options.resource_version + " (" +
                                std::to_string(compacted_rv_) + ")");
    }
    ++open_watches_;
    struct Closer {
      int& open;
      ~Closer() { --open; }
    } closer{open_watches_};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const int64_t epoch = watch_epoch_;
    const std::string collection = Collection(type);
    size_t next_log = 0;
    size_t next_bookmark = bookmarks_.size();
    while (true) {
      // Cancellation is observed within 20 ms: the token has no condition variable of ours.
      if (options.cancel.is_canceled()) return Status::Unavailable("watch cancelled");
      if (watch_epoch_ != epoch) return Status::Ok();
      if (from < compacted_rv_) {
        return Status::OutOfRange("watch ERROR event: code 410: too old resource version");
      }
      bool delivered = false;
      for (; next_log < log_.size(); ++next_log) {
        const Change change = log_[next_log];
        if (change.rv <= from || change.collection != collection) continue;
        if (type.namespaced && !ns.empty() && change.ns != ns) continue;
        Result<bool> match = Matches(change.event.object, options.label_selector);
        if (!match.ok()) return match.status();
        from = change.rv;
        if (!*match) continue;
        delivered = true;
        lock.unlock();
        bool more = on_event(change.event);
        lock.lock();
        if (!more) return Status::Ok();
      }
      for (; next_bookmark < bookmarks_.size(); ++next_bookmark) {
        if (bookmarks_[next_bookmark].first != collection) continue;
        WatchEvent bookmark;
        bookmark.type = WatchEvent::Type::kBookmark;
        bookmark.object["metadata"]["resourceVersion"] =
            value::string(std::to_string(bookmarks_[next_bookmark].second));
        delivered = true;
        lock.unlock();
        bool more = on_event(bookmark);
        lock.lock();
        if (!more) return Status::Ok();
      }
      if (delivered) continue;
      if (std::chrono::steady_clock::now() >= deadline) return Status::Ok();
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }();
  return Observed(request, std::move(outcome));
}

}  // namespace sluice::kube

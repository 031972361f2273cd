#include "broker/metadata/zk_client.h"

// The synchronous API of the multi-threaded client is only declared with THREADED.
#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

#include <Poco/Logger.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace sluice::metadata {
namespace {

using Clock = std::chrono::steady_clock;

// ZooKeeper's default jute.maxbuffer is 1 MiB; most znodes (broker registrations, partition
// states) are well under 1 KiB, so reads start with a 64 KiB buffer and retry at the exact size.
constexpr int kInitialReadBuffer = 64 * 1024;
// A sequential create appends a 10-digit counter to the requested path.
constexpr size_t kSequenceSuffixRoom = 16;
// Back-off between attempts to open a new session after expiry.
constexpr auto kReconnectBackoff = std::chrono::milliseconds(500);

Poco::Logger& ZkLog() { return Poco::Logger::get("zookeeper"); }

// The C client formats lines as "...:ZOO_WARN@function@line: text". Its INFO lines (client
// environment, every connect) are only interesting when debugging.
void ForwardZkLogLine(const char* message) {
  Poco::Logger& log = ZkLog();
  if (std::strstr(message, "ZOO_ERROR") != nullptr) {
    log.error(message);
  } else if (std::strstr(message, "ZOO_WARN") != nullptr) {
    log.warning(message);
  } else {
    log.debug(message);
  }
}

int CreateFlags(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent:
      return ZOO_PERSISTENT;
    case CreateMode::kEphemeral:
      return ZOO_EPHEMERAL;
    case CreateMode::kPersistentSequential:
      return ZOO_PERSISTENT_SEQUENTIAL;
    case CreateMode::kEphemeralSequential:
      return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

ZkStat ToZkStat(const struct Stat& s) {
  ZkStat out;
  out.czxid = s.czxid;
  out.mzxid = s.mzxid;
  out.ctime_ms = s.ctime;
  out.mtime_ms = s.mtime;
  out.version = s.version;
  out.cversion = s.cversion;
  out.ephemeral_owner = s.ephemeralOwner;
  out.data_length = s.dataLength;
  out.num_children = s.numChildren;
  out.pzxid = s.pzxid;
  return out;
}

// Splits "h1:2181,h2:2181/kafka" into ("h1:2181,h2:2181", "/kafka"). A chroot of "/" is none.
std::pair<std::string, std::string> SplitChroot(const std::string& connect_string) {
  size_t slash = connect_string.find('/');
  if (slash == std::string::npos) return {connect_string, ""};
  std::string chroot = connect_string.substr(slash);
  if (chroot == "/") chroot.clear();
  return {connect_string.substr(0, slash), chroot};
}

std::optional<WatchEvent::Type> WatchEventType(int type) {
  if (type == ZOO_CREATED_EVENT) return WatchEvent::Type::kCreated;
  if (type == ZOO_DELETED_EVENT) return WatchEvent::Type::kDeleted;
  if (type == ZOO_CHANGED_EVENT) return WatchEvent::Type::kDataChanged;
  if (type == ZOO_CHILD_EVENT) return WatchEvent::Type::kChildrenChanged;
  if (type == ZOO_NOTWATCHING_EVENT) return WatchEvent::Type::kWatchRemoved;
  return std::nullopt;
}

Status ZkErrorStatus(int rc, std::string_view op, const std::string& path,
                     const std::string& connect_string) {
  std::string what = std::string("ZooKeeper ") + std::string(op) + " " + path + ": " + zerror(rc);
  switch (rc) {
    case ZOK:
      return Status::Ok();
    case ZNONODE:
      return Status::NotFound(what);
    case ZNODEEXISTS:
      return Status::AlreadyExists(what);
    case ZBADVERSION:
    case ZNOTEMPTY:
      return Status::Conflict(what);
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZSESSIONEXPIRED:
    case ZSESSIONMOVED:
    case ZCLOSING:
    case ZINVALIDSTATE:
      return Status::Unavailable(what + " (ZooKeeper at " + connect_string + ")");
    case ZBADARGUMENTS:
    case ZNOCHILDRENFOREPHEMERALS:
    case ZINVALIDACL:
      return Status::InvalidArgument(what);
    default:
      return Status::Internal(what);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

class ZkClient::Impl {
 public:
  explicit Impl(ZkClientOptions options) : options_(std::move(options)) {
    event_thread_ = std::thread([this] { RunEventLoop(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(events_mu_);
      stopping_ = true;
    }
    events_cv_.notify_all();
    // The event thread finishes its current task (possibly re-opening a session) and exits; only
    // then is the handle closed, so no session outlives the client. zookeeper_close joins the C
    // client's threads, which may be enqueueing into events_mu_: never hold it here.
    event_thread_.join();
    CloseHandle();
  }

  // Opens a session on the current connect string and waits until connected.
  Status OpenSession() {
    uint64_t generation = ++generation_;
    auto context = std::make_unique<HandleContext>(HandleContext{this, generation});
    {
      std::lock_guard lock(state_mu_);
      session_state_ = ZOO_CONNECTING_STATE;
      state_generation_ = generation;
      if (!disconnected_since_) disconnected_since_ = std::chrono::steady_clock::now();
    }
    zhandle_t* zh =
        zookeeper_init2(options_.connect_string.c_str(), &SessionWatcher,
                        options_.session_timeout_ms, nullptr, context.get(), 0, &ForwardZkLogLine);
    if (zh == nullptr) {
      return Status::InvalidArgument("cannot open a ZooKeeper handle for '" +
                                     options_.connect_string + "': " + std::strerror(errno));
    }
    bool connected;
    bool expired;
    {
      std::unique_lock lock(state_mu_);
      connected =
          state_cv_.wait_for(lock, std::chrono::milliseconds(options_.connection_timeout_ms), [&] {
            return session_state_ == ZOO_CONNECTED_STATE ||
                   session_state_ == ZOO_EXPIRED_SESSION_STATE ||
                   session_state_ == ZOO_AUTH_FAILED_STATE;
          });
      connected = connected && session_state_ == ZOO_CONNECTED_STATE;
      expired = session_state_ == ZOO_EXPIRED_SESSION_STATE;
    }
    if (!connected) {
      zookeeper_close(zh);
      return Status::Unavailable(
          "cannot connect to ZooKeeper at " + options_.connect_string +
          (expired ? " (session expired while connecting)"
                   : " within " + std::to_string(options_.connection_timeout_ms) + " ms"));
    }
    zhandle_t* old = nullptr;
    {
      std::unique_lock lock(handle_mu_);
      old = zh_;
      zh_ = zh;
    }
    if (old != nullptr) zookeeper_close(old);
    {
      std::lock_guard lock(contexts_mu_);
      contexts_.push_back(std::move(context));
    }
    return Status::Ok();
  }

  void CloseHandle() {
    zhandle_t* zh = nullptr;
    {
      std::unique_lock lock(handle_mu_);
      zh = zh_;
      zh_ = nullptr;
    }
    if (zh != nullptr) zookeeper_close(zh);
  }

  // Runs `call(zh)` with the current handle held against replacement.
  template <typename F>
  int WithHandle(F&& call) {
    std::shared_lock lock(handle_mu_);
    if (zh_ == nullptr) return ZCLOSING;
    return call(zh_);
  }

  Status Error(int rc, std::string_view op, const std::string& path) const {
    return ZkErrorStatus(rc, op, path, options_.connect_string);
  }

  // Registers a callback and returns the C watcher context for it; 0 means "no watch".
  uintptr_t RegisterWatch(WatchCallback callback) {
    if (!callback) return 0;
    std::lock_guard lock(watches_mu_);
    uintptr_t id = next_watch_id_++;
    watches_.emplace(id, std::move(callback));
    return id;
  }
  void DropWatch(uintptr_t id) {
    if (id == 0) return;
    std::lock_guard lock(watches_mu_);
    watches_.erase(id);
  }

  int AddSessionListener(SessionCallback callback) {
    std::lock_guard lock(listeners_mu_);
    int handle = next_listener_++;
    listeners_.emplace(handle, std::move(callback));
    return handle;
  }
  void RemoveSessionListener(int handle) {
    std::lock_guard lock(listeners_mu_);
    listeners_.erase(handle);
  }

  std::optional<std::chrono::steady_clock::time_point> DisconnectedSince() {
    std::lock_guard lock(state_mu_);
    return disconnected_since_;
  }

  clientid_t ClientId() const {
    std::shared_lock lock(handle_mu_);
    if (zh_ == nullptr) return clientid_t{};
    return *zoo_client_id(zh_);
  }

  const ZkClientOptions& options() const { return options_; }

  static void WatchTrampoline(zhandle_t* zh, int type, int /*state*/, const char* path,
                              void* watcher_ctx);

 private:
  struct HandleContext {
    Impl* impl;
    uint64_t generation;
  };

  static void SessionWatcher(zhandle_t* zh, int type, int state, const char* path, void* ctx);

  void Enqueue(std::function<void()> task) {
    {
      std::lock_guard lock(events_mu_);
      if (stopping_) return;
      events_.push_back(std::move(task));
    }
    events_cv_.notify_one();
  }

  void RunEventLoop() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(events_mu_);
        events_cv_.wait(lock, [&] { return stopping_ || !events_.empty(); });
        if (stopping_) return;
        task = std::move(events_.front());
        events_.pop_front();
      }
      task();
    }
  }

  void FireWatch(uintptr_t id, WatchEvent event) {
    WatchCallback callback;
    {
      std::lock_guard lock(watches_mu_);
      auto it = watches_.find(id);
      if (it == watches_.end()) return;  // a watch of an expired session
      callback = std::move(it->second);
      watches_.erase(it);
    }
    callback(event);
  }

  void NotifyListeners(SessionEvent event) {
    std::vector<SessionCallback> callbacks;
    {
      std::lock_guard lock(listeners_mu_);
      for (auto& [handle, callback] : listeners_) callbacks.push_back(callback);
    }
    for (auto& callback : callbacks) callback(event);
  }

  // Runs on the event thread: the old session's ephemerals and watches are gone for good.
  void HandleExpiry(uint64_t generation) {
    if (generation != generation_.load()) return;  // already replaced
    ZkLog().warning("ZooKeeper session expired (" + options_.connect_string +
                    "); opening a new session");
    NotifyListeners(SessionEvent::kExpired);
    {
      std::lock_guard lock(watches_mu_);
      watches_.clear();
    }
    while (true) {
      {
        std::lock_guard lock(events_mu_);
        if (stopping_) return;
      }
      Status status = OpenSession();
      if (status.ok()) break;
      ZkLog().warning("re-opening the ZooKeeper session failed: " + status.ToString());
      std::this_thread::sleep_for(kReconnectBackoff);
    }
    ZkLog().information("new ZooKeeper session established (" + options_.connect_string + ")");
    NotifyListeners(SessionEvent::kNewSession);
  }

  const ZkClientOptions options_;

  mutable std::shared_mutex handle_mu_;  // shared for calls, exclusive to swap the handle
  zhandle_t* zh_ = nullptr;
  std::atomic<uint64_t> generation_{0};

  std::mutex contexts_mu_;  // handle contexts live as long as the client: events may name them
  std::vector<std::unique_ptr<HandleContext>> contexts_;

  std::mutex state_mu_;
  std::condition_variable state_cv_;
  int session_state_ = 0;
  // When the session stopped being connected (nullopt while connected). GUARDED_BY(state_mu_)
  std::optional<std::chrono::steady_clock::time_point> disconnected_since_;
  uint64_t state_generation_ = 0;

  std::mutex watches_mu_;
  uintptr_t next_watch_id_ = 1;
  std::map<uintptr_t, WatchCallback> watches_;

  std::mutex listeners_mu_;
  int next_listener_ = 1;
  std::map<int, SessionCallback> listeners_;

  std::mutex events_mu_;
  std::condition_variable events_cv_;
  std::deque<std::function<void()>> events_;
  bool stopping_ = false;
  std::thread event_thread_;
};

// Called on the C client's completion thread: record state, hand everything else to the event
// thread. Must not block on anything held across a ZooKeeper call.
void ZkClient::Impl::SessionWatcher(zhandle_t* /*zh*/, int type, int state, const char* /*path*/,
                                    void* ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  auto* context = static_cast<HandleContext*>(ctx);
  Impl* self = context->impl;
  {
    std::lock_guard lock(self->state_mu_);
    if (context->generation == self->state_generation_) {
      self->session_state_ = state;
      if (state == ZOO_CONNECTED_STATE) {
        self->disconnected_since_.reset();
      } else if (!self->disconnected_since_) {
        self->disconnected_since_ = std::chrono::steady_clock::now();
      }
    }
  }
  self->state_cv_.notify_all();
  if (state == ZOO_EXPIRED_SESSION_STATE) {
    uint64_t generation = context->generation;
    self->Enqueue([self, generation] { self->HandleExpiry(generation); });
  }
}

void ZkClient::Impl::WatchTrampoline(zhandle_t* zh, int type, int /*state*/, const char* path,
                                     void* watcher_ctx) {
  // Session events are also delivered to path watchers; the watch itself stays armed.
  std::optional<WatchEvent::Type> event_type = WatchEventType(type);
  if (!event_type) return;
  auto* context = static_cast<const HandleContext*>(zoo_get_context(zh));
  Impl* self = context->impl;
  auto id = reinterpret_cast<uintptr_t>(watcher_ctx);
  WatchEvent event{*event_type, path == nullptr ? "" : path};
  self->Enqueue([self, id, event] { self->FireWatch(id, event); });
}

// ---------------------------------------------------------------------------------------------

ZkOp ZkOp::Create(std::string path, std::string data, CreateMode mode) {
  return ZkOp{Kind::kCreate, std::move(path), std::move(data), mode, kAnyVersion};
}
ZkOp ZkOp::SetData(std::string path, std::string data, int32_t expected_version) {
  return ZkOp{Kind::kSetData, std::move(path), std::move(data), CreateMode::kPersistent,
              expected_version};
}
ZkOp ZkOp::Delete(std::string path, int32_t expected_version) {
  return ZkOp{Kind::kDelete, std::move(path), "", CreateMode::kPersistent, expected_version};
}
ZkOp ZkOp::CheckVersion(std::string path, int32_t expected_version) {
  return ZkOp{Kind::kCheckVersion, std::move(path), "", CreateMode::kPersistent, expected_version};
}

const char* CreateModeName(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent:
      return "persistent";
    case CreateMode::kEphemeral:
      return "ephemeral";
    case CreateMode::kPersistentSequential:
      return "persistent_sequential";
    case CreateMode::kEphemeralSequential:
      return "ephemeral_sequential";
  }
  return "?";
}

Result<std::unique_ptr<ZkClient>> ZkClient::Connect(const ZkClientOptions& options) {
  auto [hosts, chroot] = SplitChroot(options.connect_string);
  if (hosts.empty()) {
    return Status::InvalidArgument("ZooKeeper connect string '" + options.connect_string +
                                   "' names no host");
  }
  if (!chroot.empty()) {
    // The C client refuses to work under a chroot that does not exist; create it from a
    // chroot-less session first (Kafka's KafkaZkClient does the same).
    ZkClientOptions root_options = options;
    root_options.connect_string = hosts;
    auto root = Connect(root_options);
    if (!root.ok()) return root.status();
    SLUICE_RETURN_IF_ERROR((*root)->CreatePersistentRecursive(chroot));
  }
  auto impl = std::make_unique<Impl>(options);
  SLUICE_RETURN_IF_ERROR(impl->OpenSession());
  return std::unique_ptr<ZkClient>(new ZkClient(std::move(impl)));
}

ZkClient::ZkClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZkClient::~ZkClient() = default;

Result<std::string> ZkClient::Create(const std::string& path, std::string_view data,
                                     CreateMode mode) {
  std::string created(path.size() + kSequenceSuffixRoom, '\0');
  int rc = impl_->WithHandle([&](zhandle_t* zh) {
    return zoo_create(zh, path.c_str(), data.data(), static_cast<int>(data.size()),
                      &ZOO_OPEN_ACL_UNSAFE, CreateFlags(mode), created.data(),
                      static_cast<int>(created.size()));
  });
  if (rc != ZOK)
    return impl_->Error(rc, std::string("create (") + CreateModeName(mode) + ")", path);
  created.resize(std::strlen(created.c_str()));
  return created;
}

Status ZkClient::CreatePersistentRecursive(const std::string& path, std::string_view data) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("ZooKeeper path '" + path + "' is not absolute");
  }
  // Create parents top-down; an AlreadyExists at any level is expected.
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    auto parent = Create(path.substr(0, slash), "", CreateMode::kPersistent);
    if (!parent.ok() && parent.status().code() != Status::Code::kAlreadyExists) {
      return parent.status();
    }
  }
  auto created = Create(path, data, CreateMode::kPersistent);
  if (!created.ok() && created.status().code() != Status::Code::kAlreadyExists) {
    return created.status();
  }
  return Status::Ok();
}

Result<ZkNode> ZkClient::Get(const std::string& path, WatchCallback watch) {
  uintptr_t watch_id = impl_->RegisterWatch(std::move(watch));
  std::string buffer(kInitialReadBuffer, '\0');
  struct Stat stat {};
  int length = static_cast<int>(buffer.size());
  int rc = impl_->WithHandle([&](zhandle_t* zh) {
    return watch_id != 0
               ? zoo_wget(zh, path.c_str(), &Impl::WatchTrampoline,
                          reinterpret_cast<void*>(watch_id), buffer.data(), &length, &stat)
               : zoo_get(zh, path.c_str(), 0, buffer.data(), &length, &stat);
  });
  if (rc != ZOK) {
    impl_->DropWatch(watch_id);  // a failed get leaves no watch behind
    return impl_->Error(rc, "get", path);
  }
  if (stat.dataLength > static_cast<int>(buffer.size())) {
    // Larger than the first buffer: read again at the exact size (the watch stays armed).
    buffer.assign(stat.dataLength, '\0');
    length = stat.dataLength;
    rc = impl_->WithHandle(
        [&](zhandle_t* zh) { return zoo_get(zh, path.c_str(), 0, buffer.data(), &length, &stat); });
    if (rc != ZOK) return impl_->Error(rc, "get", path);
  }
  buffer.resize(length < 0 ? 0 : length);  // -1 means the znode holds null
  return ZkNode{std::move(buffer), ToZkStat(stat)};
}

Result<ZkStat> ZkClient::Set(const std::string& path, std::string_view data,
                             int32_t expected_version) {
  struct Stat stat {};
  int rc = impl_->WithHandle([&](zhandle_t* zh) {
    return zoo_set2(zh, path.c_str(), data.data(), static_cast<int>(data.size()), expected_version,
                    &stat);
  });
  if (rc != ZOK) {
    return impl_->Error(rc, "set (expected version " + std::to_string(expected_version) + ")",
                        path);
  }
  return ToZkStat(stat);
}

Status ZkClient::Delete(const std::string& path, int32_t expected_version) {
  int rc = impl_->WithHandle(
      [&](zhandle_t* zh) { return zoo_delete(zh, path.c_str(), expected_version); });
  return impl_->Error(rc, "delete", path);
}

Status ZkClient::DeleteRecursive(const std::string& path) {
  auto children = GetChildren(path);
  if (!children.ok()) {
    return children.status().code() == Status::Code::kNotFound ? Status::Ok() : children.status();
  }
  for (const std::string& child : *children) {
    SLUICE_RETURN_IF_ERROR(DeleteRecursive(path == "/" ? "/" + child : path + "/" + child));
  }
  Status status = Delete(path);
  return status.code() == Status::Code::kNotFound ? Status::Ok() : status;
}

Result<std::vector<std::string>> ZkClient::GetChildren(const std::string& path,
                                                       WatchCallback watch) {
  uintptr_t watch_id = impl_->RegisterWatch(std::move(watch));
  struct String_vector names {};
  int rc = impl_->WithHandle([&](zhandle_t* zh) {
    return watch_id != 0 ? zoo_wget_children(zh, path.c_str(), &Impl::WatchTrampoline,
                                             reinterpret_cast<void*>(watch_id), &names)
                         : zoo_get_children(zh, path.c_str(), 0, &names);
  });
  if (rc != ZOK) {
    impl_->DropWatch(watch_id);
    return impl_->Error(rc, "get children", path);
  }
  std::vector<std::string> out;
  out.reserve(names.count);
  for (int i = 0; i < names.count; ++i) out.emplace_back(names.data[i]);
  deallocate_String_vector(&names);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::optional<ZkStat>> ZkClient::Exists(const std::string& path, WatchCallback watch) {
  uintptr_t watch_id = impl_->RegisterWatch(std::move(watch));
  struct Stat stat {};
  int rc = impl_->WithHandle([&](zhandle_t* zh) {
    return watch_id != 0 ? zoo_wexists(zh, path.c_str(), &Impl::WatchTrampoline,
                                       reinterpret_cast<void*>(watch_id), &stat)
                         : zoo_exists(zh, path.c_str(), 0, &stat);
  });
  // An exists watch is armed both when the znode is there and when it is not.
  if (rc == ZOK) return std::optional<ZkStat>(ToZkStat(stat));
  if (rc == ZNONODE) return std::optional<ZkStat>();
  impl_->DropWatch(watch_id);
  return impl_->Error(rc, "exists", path);
}

Status ZkClient::Multi(const std::vector<ZkOp>& ops) {
  if (ops.empty()) return Status::Ok();
  std::vector<zoo_op_t> c_ops(ops.size());
  std::vector<zoo_op_result_t> results(ops.size());
  std::vector<std::string> created_paths(ops.size());
  std::vector<struct Stat> stats(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const ZkOp& op = ops[i];
    switch (op.kind) {
      case ZkOp::Kind::kCreate:
        created_paths[i].assign(op.path.size() + kSequenceSuffixRoom, '\0');
        zoo_create_op_init(&c_ops[i], op.path.c_str(), op.data.data(),
                           static_cast<int>(op.data.size()), &ZOO_OPEN_ACL_UNSAFE,
                           CreateFlags(op.mode), created_paths[i].data(),
                           static_cast<int>(created_paths[i].size()));
        break;
      case ZkOp::Kind::kSetData:
        zoo_set_op_init(&c_ops[i], op.path.c_str(), op.data.data(),
                        static_cast<int>(op.data.size()), op.version, &stats[i]);
        break;
      case ZkOp::Kind::kDelete:
        zoo_delete_op_init(&c_ops[i], op.path.c_str(), op.version);
        break;
      case ZkOp::Kind::kCheckVersion:
        zoo_check_op_init(&c_ops[i], op.path.c_str(), op.version);
        break;
    }
  }
  int rc = impl_->WithHandle([&](zhandle_t* zh) {
    return zoo_multi(zh, static_cast<int>(c_ops.size()), c_ops.data(), results.data());
  });
  if (rc == ZOK) return Status::Ok();
  // Name the op that failed; the others report ZRUNTIMEINCONSISTENCY (rolled back).
  static constexpr const char* kOpNames[] = {"multi/create", "multi/set", "multi/delete",
                                             "multi/check version"};
  for (size_t i = 0; i < ops.size(); ++i) {
    if (results[i].err != ZOK && results[i].err != ZRUNTIMEINCONSISTENCY) {
      return impl_->Error(results[i].err, kOpNames[static_cast<int>(ops[i].kind)], ops[i].path);
    }
  }
  return impl_->Error(rc, "multi", ops.front().path);
}

int ZkClient::AddSessionListener(SessionCallback callback) {
  return impl_->AddSessionListener(std::move(callback));
}
void ZkClient::RemoveSessionListener(int handle) { impl_->RemoveSessionListener(handle); }

int64_t ZkClient::session_id() const { return impl_->ClientId().client_id; }

std::optional<std::chrono::steady_clock::time_point> ZkClient::disconnected_since() const {
  return impl_->DisconnectedSince();
}

std::string ZkClient::session_password() const {
  clientid_t id = impl_->ClientId();
  return std::string(id.passwd, sizeof(id.passwd));
}

const std::string& ZkClient::connect_string() const { return impl_->options().connect_string; }

}  // namespace sluice::metadata

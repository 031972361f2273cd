// ZkClient: a small synchronous C++ wrapper over the ZooKeeper C client (zookeeper_mt).
//
// Errors are Status values: ZNONODE -> NotFound, ZNODEEXISTS -> AlreadyExists,
// ZBADVERSION -> Conflict, ZNOTEMPTY -> Conflict, connection loss / timeout / expired session /
// closing -> Unavailable; anything else -> Internal with zerror()'s text.
//
// Watches. ZooKeeper watches are one-shot: a watch fires at most once and must be re-armed by
// reading again. Every read that can watch (Get, GetChildren, Exists) takes an optional
// WatchCallback; the callback runs on this client's *event thread* (never on the C client's own
// threads), so it may call this client's synchronous methods, which is how it re-arms:
//
//   void ArmTopicsWatch() {
//     auto topics = zk.GetChildren("/brokers/topics", [this](const WatchEvent&) {
//       ArmTopicsWatch();  // re-read + re-arm in one call
//     });
//     ...
//   }
//
// Callbacks are delivered one at a time, in the order ZooKeeper delivered them. A callback that
// blocks delays every later callback of this client (so long work belongs on the owner's thread).
// Watches of a session that expired never fire: owners re-arm in their SessionEvent::kNewSession
// handler.
//
// Sessions. When ZooKeeper expires the session (ephemeral znodes are gone), the event thread
// notifies every session listener with kExpired, opens a new session (retrying with back-off until
// it succeeds or the client is closed), then notifies kNewSession. Owners stop acting on
// ephemeral-backed roles at kExpired and re-create ephemeral znodes and watches at kNewSession.
//
// Logging. The C client's own log lines go to Poco::Logger::get("zookeeper") (never stderr).
//
// Thread safety: all methods may be called concurrently from any thread, including from watch and
// session callbacks. Destruction must not happen on the event thread (i.e. not from a callback).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/base/status.h"

namespace sluice::metadata {

// The znode metadata ZooKeeper keeps beside the data (the C client's struct Stat).
struct ZkStat {
  int64_t czxid = 0;  // zxid of the create; Kafka uses /brokers/ids/<id>'s as the broker epoch
  int64_t mzxid = 0;
  int64_t ctime_ms = 0;
  int64_t mtime_ms = 0;
  int32_t version = 0;  // data version, what conditional Set/Delete compare against
  int32_t cversion = 0;
  int64_t ephemeral_owner = 0;  // session id owning an ephemeral znode, 0 if persistent
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;
};

struct ZkNode {
  std::string data;
  ZkStat stat;
};

enum class CreateMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };

// Passed as expected_version to skip the version check.
inline constexpr int32_t kAnyVersion = -1;

struct WatchEvent {
  enum class Type { kCreated, kDeleted, kDataChanged, kChildrenChanged, kWatchRemoved };
  Type type;
  std::string path;  // relative to the chroot, like every path of this API
};
using WatchCallback = std::function<void(const WatchEvent&)>;

enum class SessionEvent { kExpired, kNewSession };
using SessionCallback = std::function<void(SessionEvent)>;

// One operation of an atomic Multi.
struct ZkOp {
  enum class Kind { kCreate, kSetData, kDelete, kCheckVersion };
  Kind kind;
  std::string path;
  std::string data;                           // kCreate, kSetData
  CreateMode mode = CreateMode::kPersistent;  // kCreate
  int32_t version = kAnyVersion;              // kSetData, kDelete, kCheckVersion

  static ZkOp Create(std::string path, std::string data, CreateMode mode = CreateMode::kPersistent);
  static ZkOp SetData(std::string path, std::string data, int32_t expected_version);
  static ZkOp Delete(std::string path, int32_t expected_version = kAnyVersion);
  static ZkOp CheckVersion(std::string path, int32_t expected_version);
};

struct ZkClientOptions {
  // "host:port[,host:port...][/chroot]", exactly Kafka's zookeeper.connect. A missing chroot
  // path is created (persistent, with parents) before the real session is opened, as Kafka does.
  std::string connect_string;
  int session_timeout_ms = 18000;  // Kafka 2.8 zookeeper.session.timeout.ms
  int connection_timeout_ms =
      18000;  // Kafka: zookeeper.connection.timeout.ms defaults to the above
};

class ZkClient {
 public:
  // Opens a session and waits until it is connected, or fails with Unavailable naming the
  // connect string after connection_timeout_ms.
  static Result<std::unique_ptr<ZkClient>> Connect(const ZkClientOptions& options);

  // Closes the session (its ephemeral znodes disappear at once) and joins the event thread.
  ~ZkClient();
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // Creates `path` and returns the created path (with the sequence suffix for sequential modes).
  // AlreadyExists if present; NotFound if the parent is missing.
  Result<std::string> Create(const std::string& path, std::string_view data, CreateMode mode);
  // Creates `path` and any missing parents as persistent znodes with empty data, then `path`
  // itself with `data`. OK if `path` already exists (its data is left as is).
  Status CreatePersistentRecursive(const std::string& path, std::string_view data = {});

  Result<ZkNode> Get(const std::string& path, WatchCallback watch = nullptr);
  // Conditional write: Conflict when the znode's version is not expected_version (unless
  // kAnyVersion). Returns the new stat.
  Result<ZkStat> Set(const std::string& path, std::string_view data, int32_t expected_version);
  // Conflict on a version mismatch or when the znode has children.
  Status Delete(const std::string& path, int32_t expected_version = kAnyVersion);
  // Deletes `path` and everything below it. OK if it does not exist. Not atomic: a concurrent
  // writer adding children can make it fail with Conflict; callers retry.
  Status DeleteRecursive(const std::string& path);
  // Children names (not full paths), sorted.
  Result<std::vector<std::string>> GetChildren(const std::string& path,
                                               WatchCallback watch = nullptr);
  // nullopt when absent. With a watch, fires on creation (if absent) or change/deletion.
  Result<std::optional<ZkStat>> Exists(const std::string& path, WatchCallback watch = nullptr);
  // All ops or none. On failure the Status names the first failing op and its path.
  Status Multi(const std::vector<ZkOp>& ops);

  // Listeners run on the event thread. Returns a handle for RemoveSessionListener.
  int AddSessionListener(SessionCallback callback);
  void RemoveSessionListener(int handle);

  // The current session's id (what ZkStat::ephemeral_owner holds for our ephemeral znodes).
  int64_t session_id() const;
  // Since when the client has not been connected to a ZooKeeper server (nullopt while
  // connected). The C client drops a connection after 2/3 of the session timeout without an
  // answer, so a broker disconnected for another third may already have lost its session.
  std::optional<std::chrono::steady_clock::time_point> disconnected_since() const;
  // The current session's password; tests use it to expire a session from a second handle.
  std::string session_password() const;
  const std::string& connect_string() const;

 private:
  class Impl;
  explicit ZkClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

const char* CreateModeName(CreateMode mode);

}  // namespace sluice::metadata

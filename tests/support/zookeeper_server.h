// ZooKeeperServer: a real Apache ZooKeeper (Debian's `zookeeper` package, Java) started by a test
// on a free loopback port in a fresh temporary directory.
//
//   auto zk = ZooKeeperServer::Start();           // ~1.5-3 s: JVM start + `ruok` -> `imok`
//   ASSERT_TRUE(zk.ok()) << zk.status().ToString();
//   ZkClient::Connect({(*zk)->connect_string() + "/my-test"});
//
// The child JVM dies with the test process (PR_SET_PDEATHSIG), so a crashed test leaves no
// server behind. Thread safety: none; drive one server from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "libs/base/status.h"
#include "tests/support/temp_dir.h"

namespace sluice::test {

struct ZooKeeperServerOptions {
  // ZooKeeper bounds negotiated session timeouts to [2, 20] ticks; 500 ms lets tests use
  // sessions of 1-10 s (ZooKeeper's default tick is 2000 ms).
  int tick_time_ms = 500;
  std::chrono::milliseconds start_timeout{30000};
  // The `java` to run; empty means $SLUICE_JAVA or `java` on PATH.
  std::string java;
};

class ZooKeeperServer {
 public:
  // Starts the server and waits for `ruok` -> `imok`. On failure (no java, the JVM exits, the
  // timeout passes) the Status carries the tail of the server's log.
  static Result<std::unique_ptr<ZooKeeperServer>> Start(ZooKeeperServerOptions options = {});

  // Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its directory.
  ~ZooKeeperServer();
  ZooKeeperServer(const ZooKeeperServer&) = delete;
  ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;

  // "127.0.0.1:<port>" (append "/chroot" for a chroot).
  const std::string& connect_string() const { return connect_string_; }
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }

  // Graceful stop: SIGTERM and wait. Data stays for Restart().
  Status Stop();
  // SIGKILL and wait: a crash. Data stays for Restart().
  void Kill();
  // Starts again on the same port with the same data (sessions survive a quick restart).
  Status Restart();

  // The last `lines` lines of the server's console log.
  std::string LogTail(size_t lines = 30) const;

 private:
  explicit ZooKeeperServer(ZooKeeperServerOptions options);
  Status Launch();
  Status WaitUntilServing();
  void Reap(std::chrono::milliseconds grace);

  ZooKeeperServerOptions options_;
  TempDir dir_{"sluice-zookeeper"};
  int port_ = 0;
  std::string connect_string_;
  pid_t pid_ = -1;
};

// Sends a four-letter-word command ("ruok", "stat", "mntr") to 127.0.0.1:port and returns the
// answer; Unavailable if nothing listens.
Result<std::string> FourLetterWord(int port, const std::string& command);

// One server per test binary, started on first use and stopped at exit. Tests sharing it keep
// apart by each connecting under its own chroot (see UniqueChroot). A failed start is remembered
// and returned to every caller.
Result<ZooKeeperServer*> SharedZooKeeperServer();

// Makes ZooKeeper expire a live session, as a network partition longer than the session
// timeout would: opens a second connection with the same session id and password, then closes
// it. The session's ephemeral znodes disappear at once and its owner sees ZOO_EXPIRED_SESSION
// when it next talks to the server.
Status ExpireZooKeeperSession(const std::string& connect_string, int64_t session_id,
                              const std::string& password);

// A chroot no other test in this process uses: "/t<pid>-<n>-<name>".
std::string UniqueChroot(const std::string& name);

}  // namespace sluice::test

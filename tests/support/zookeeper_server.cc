#include "tests/support/zookeeper_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// The synchronous API of the multi-threaded client is only declared with THREADED.
#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace sluice::test {
namespace {

using Clock = std::chrono::steady_clock;

// Debian's layout: every jar under /usr/share/java, the package's config (log4j) beside it.
constexpr const char* kClassPath = "/usr/share/java/*:/etc/zookeeper/conf";
constexpr const char* kMainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

// A port the kernel just handed out and released; another process could take it before
// ZooKeeper binds, which Start() reports as a failed start.
Result<int> PickFreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IoError(std::string("bind 127.0.0.1:0: ") + std::strerror(err));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Result<std::string> FourLetterWord(int port, const std::string& command) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Unavailable("connect 127.0.0.1:" + std::to_string(port) + ": " +
                               std::strerror(err));
  }
  std::string answer;
  if (::send(fd, command.data(), command.size(), MSG_NOSIGNAL) ==
      static_cast<ssize_t>(command.size())) {
    char buffer[4096];
    ssize_t n;
    while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0) answer.append(buffer, n);
  }
  ::close(fd);
  return answer;
}

ZooKeeperServer::ZooKeeperServer(ZooKeeperServerOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<ZooKeeperServer>> ZooKeeperServer::Start(ZooKeeperServerOptions options) {
  std::unique_ptr<ZooKeeperServer> server(new ZooKeeperServer(std::move(options)));
  auto port = PickFreeLoopbackPort();
  if (!port.ok()) return port.status();
  server->port_ = *port;
  server->connect_string_ = "127.0.0.1:" + std::to_string(*port);
  std::string config =
      "dataDir=" + server->dir_.Child("data") + "\n" + "clientPort=" + std::to_string(*port) +
      "\n" +
      "clientPortAddress=127.0.0.1\n"
      "tickTime=" +
      std::to_string(server->options_.tick_time_ms) + "\n" +
      "maxClientCnxns=0\n"
      "admin.enableServer=false\n"
      "4lw.commands.whitelist=*\n"
      // Snapshots and the transaction log stay small in tests; fsync would only slow them.
      "forceSync=no\n";
  SLUICE_RETURN_IF_ERROR(WriteFile(server->dir_.Child("zoo.cfg"), config));
  SLUICE_RETURN_IF_ERROR(server->Launch());
  return server;
}

ZooKeeperServer::~ZooKeeperServer() {
  if (pid_ > 0) Reap(std::chrono::seconds(10));
}

Status ZooKeeperServer::Launch() {
  std::string java = options_.java;
  if (java.empty()) {
    const char* env = std::getenv("SLUICE_JAVA");
    java = env != nullptr && *env != '\0' ? env : "java";
  }
  std::string log_path = dir_.Child("zookeeper.out");
  // Everything the child needs is built before fork: after fork only async-signal-safe calls.
  std::vector<std::string> args = {
      java,
      // Start-up time dominates tests: a one-tier JIT and the serial GC start fastest.
      "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx256m",
      "-Dzookeeper.root.logger=INFO,CONSOLE", "-Dzookeeper.log.dir=" + dir_.path(), "-cp",
      kClassPath, kMainClass, dir_.Child("zoo.cfg")};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) return Status::IoError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the test already died
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::execvp(argv[0], argv.data());
    const char msg[] = "exec of java failed\n";
    (void)!::write(STDERR_FILENO, msg, sizeof(msg) - 1);
    ::_exit(127);
  }
  pid_ = pid;
  Status status = WaitUntilServing();
  if (!status.ok()) Reap(std::chrono::seconds(2));
  return status;
}

Status ZooKeeperServer::WaitUntilServing() {
  auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("ZooKeeper exited during start-up (status " +
                                 std::to_string(wstatus) + "); log tail:\n" + LogTail());
    }
    auto answer = FourLetterWord(port_, "ruok");
    if (answer.ok() && *answer == "imok") return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Timeout("ZooKeeper did not answer ruok on 127.0.0.1:" + std::to_string(port_) +
                         " within " + std::to_string(options_.start_timeout.count()) +
                         " ms; log tail:\n" + LogTail());
}

void ZooKeeperServer::Reap(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Status ZooKeeperServer::Stop() {
  if (pid_ <= 0) return Status::Ok();
  Reap(std::chrono::seconds(10));
  return Status::Ok();
}

void ZooKeeperServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Status ZooKeeperServer::Restart() {
  SLUICE_RETURN_IF_ERROR(Stop());
  return Launch();
}

std::string ZooKeeperServer::LogTail(size_t lines) const {
  std::ifstream in(dir_.Child("zookeeper.out"));
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& l : tail) out += l + "\n";
  return out.empty() ? "(empty log)\n" : out;
}

Result<ZooKeeperServer*> SharedZooKeeperServer() {
  static std::mutex mu;
  static std::unique_ptr<ZooKeeperServer> server;
  static std::optional<Status> failure;
  std::lock_guard lock(mu);
  if (server) return server.get();
  if (failure) return *failure;
  auto started = ZooKeeperServer::Start();
  if (!started.ok()) {
    failure = started.status();
    return *failure;
  }
  server = std::move(*started);
  return server.get();
}

namespace {

struct ConnectWait {
  std::mutex mu;
  std::condition_variable cv;
  int state = 0;
};

void RecordState(zhandle_t*, int type, int state, const char*, void* ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  auto* wait = static_cast<ConnectWait*>(ctx);
  std::lock_guard lock(wait->mu);
  wait->state = state;
  wait->cv.notify_all();
}

void DiscardZkLog(const char*) {}

}  // namespace

Status ExpireZooKeeperSession(const std::string& connect_string, int64_t session_id,
                              const std::string& password) {
  clientid_t id{};
  id.client_id = session_id;
  std::memcpy(id.passwd, password.data(), std::min(password.size(), sizeof(id.passwd)));
  ConnectWait wait;
  zhandle_t* zh =
      zookeeper_init2(connect_string.c_str(), &RecordState, 10000, &id, &wait, 0, &DiscardZkLog);
  if (zh == nullptr) return Status::Unavailable("zookeeper_init2 failed for " + connect_string);
  int state;
  {
    std::unique_lock lock(wait.mu);
    wait.cv.wait_for(lock, std::chrono::seconds(10), [&] {
      return wait.state == ZOO_CONNECTED_STATE || wait.state == ZOO_EXPIRED_SESSION_STATE;
    });
    state = wait.state;
  }
  zookeeper_close(zh);  // closing the shared session expires it for its owner too
  if (state == ZOO_EXPIRED_SESSION_STATE) return Status::Ok();  // already expired
  if (state != ZOO_CONNECTED_STATE) {
    return Status::Unavailable("could not attach to the session to expire it");
  }
  return Status::Ok();
}

std::string UniqueChroot(const std::string& name) {
  static std::atomic<int> counter{0};
  std::string clean;
  for (char c : name) clean += (std::isalnum(static_cast<unsigned char>(c)) ? c : '-');
  return "/t" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + clean;
}

}  // namespace sluice::test

// sluice-broker: a Kafka-compatible broker.
//
//   sluice-broker [-daemon] server.properties [--override key=value]... [--log-dir DIR]
//
// Exits 0 after a clean shutdown (SIGTERM/SIGINT), 1 when start-up fails (the message says
// why and what to change), 2 for a usage error.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/server/broker.h"
#include "libs/base/logging.h"

namespace {

constexpr const char* kUsage =
    "USAGE: sluice-broker [-daemon] server.properties [--override property=value]* "
    "[--log-dir DIR]\n";

struct Args {
  bool daemon = false;
  std::string config_path;
  std::vector<std::string> overrides;
  std::string log_dir;
};

bool ParseArgs(int argc, char** argv, Args& args, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-daemon" || a == "--daemon") {
      args.daemon = true;
    } else if (a == "--override") {
      if (i + 1 >= argc) {
        error = "--override needs a value: --override key=value";
        return false;
      }
      args.overrides.push_back(argv[++i]);
    } else if (a.rfind("--override=", 0) == 0) {
      args.overrides.push_back(a.substr(11));
    } else if (a == "--log-dir") {
      if (i + 1 >= argc) {
        error = "--log-dir needs a directory";
        return false;
      }
      args.log_dir = argv[++i];
    } else if (a.rfind("--log-dir=", 0) == 0) {
      args.log_dir = a.substr(10);
    } else if (a == "-h" || a == "--help") {
      error = "";
      return false;
    } else if (!a.empty() && a[0] == '-') {
      error = "unknown option '" + a + "'";
      return false;
    } else if (args.config_path.empty()) {
      args.config_path = a;
    } else {
      error = "unexpected argument '" + a + "' (one server.properties file is expected)";
      return false;
    }
  }
  if (args.config_path.empty()) {
    error = "missing server.properties";
    return false;
  }
  for (const auto& o : args.overrides) {
    if (o.find('=') == std::string::npos) {
      error = "--override '" + o + "' is not of the form key=value";
      return false;
    }
  }
  return true;
}

// Detaches like Kafka's -daemon: a new session, stdout/stderr to <log dir>/sluiceServer.out.
bool Daemonize(const std::string& log_dir) {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid > 0) _exit(0);
  setsid();
  const std::string out = log_dir + "/sluiceServer.out";
  const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int null_fd = open("/dev/null", O_RDONLY);
  if (fd < 0 || null_fd < 0) return false;
  dup2(null_fd, STDIN_FILENO);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
  close(null_fd);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::string error;
  if (!ParseArgs(argc, argv, args, error)) {
    if (!error.empty()) std::cerr << "sluice-broker: " << error << "\n";
    std::cerr << kUsage;
    return error.empty() ? 0 : 2;
  }
  auto config = sluice::config::LoadBrokerConfig(args.config_path, args.overrides);
  if (!config.ok()) {
    std::cerr << "sluice-broker: " << config.status().message() << "\n";
    return 1;
  }

  const char* env_log_dir = std::getenv("LOG_DIR");
  const std::string log_dir = sluice::log::ResolveLogDir(
      !args.log_dir.empty() ? args.log_dir : (env_log_dir ? env_log_dir : ""),
      sluice::log::DefaultLogDirForExecutable());
  sluice::log::LogOptions log_options;
  log_options.dir = log_dir;
  log_options.to_console = !args.daemon;
  log_options.data_dirs = config->log_dirs;
  if (auto st = sluice::log::InitLogging(log_options); !st.ok()) {
    std::cerr << "sluice-broker: " << st.message() << "\n";
    return 1;
  }
  if (args.daemon && !Daemonize(log_dir)) {
    std::cerr << "sluice-broker: could not start as a daemon\n";
    return 1;
  }
  for (const auto& warning : config->warnings) Poco::Logger::get("server").warning(warning);

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int exit_code = 0;
  {
    sluice::server::Broker broker(std::move(*config));
    if (auto st = broker.Start(); !st.ok()) {
      Poco::Logger::get("server").fatal("Start-up failed: %s", st.ToString());
      std::cerr << "sluice-broker: start-up failed: " << st.message() << "\n";
      broker.Stop();
      exit_code = 1;
    } else {
      int sig = 0;
      sigwait(&signals, &sig);
      Poco::Logger::get("server").information("Received signal %d, shutting down", sig);
      broker.Stop();
    }
  }
  sluice::log::ShutdownLogging();
  return exit_code;
}

// Application logs (not data): where the broker writes what it is doing, for people to read.
//
// Like Kafka's log4j setup, each concern has its own file in the *application log directory*
// (LOG_DIR or --log-dir), which is never one of the data directories in log.dirs:
//
//   logger name      file                 what goes there
//   "server"         server.log           everything not listed below (also the root logger)
//   "controller"     controller.log       the controller broker's decisions
//   "state-change"   state-change.log     partition and replica state transitions
//   "log-cleaner"    log-cleaner.log      compaction of cleanup.policy=compact logs
//   "request"        kafka-request.log    per-request traces; off unless request_level is set
//
// Files rotate at 100 MiB, keeping 10 numbered archives (server.log.0 ... server.log.9), the
// spirit of log4j's RollingFileAppender defaults. Lines look like Kafka's:
//
//   [2024-05-01 12:00:00,123] INFO Registered broker 0 at path /brokers/ids/0 (server)
//
// Use POCO directly; loggers are cheap to look up once and keep:
//
//   Poco::Logger& log = Poco::Logger::get("server");      // or sluice::log::Server()
//   log.information("Started log manager with %z logs", n);
//   poco_debug(log, "expensive " + Describe(x));           // macro skips formatting when off
//
// A child logger such as Poco::Logger::get("server.storage") writes to its parent's file when
// it is first looked up after InitLogging.
//
// Thread safety: logging from any thread is safe. InitLogging/ShutdownLogging must not run
// concurrently with each other; call them at start-up and shut-down.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace Poco {
class Logger;
}

namespace sluice::log {

inline constexpr const char* kServerLogger = "server";
inline constexpr const char* kControllerLogger = "controller";
inline constexpr const char* kStateChangeLogger = "state-change";
inline constexpr const char* kRequestLogger = "request";
inline constexpr const char* kLogCleanerLogger = "log-cleaner";

struct LogOptions {
  // The application log directory; created (with parents) if missing.
  std::string dir;
  // Also write every line to stdout (containers collect it from there).
  bool to_console = false;
  // Level for server, controller, state-change and log-cleaner: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE
  // (log4j names, any case; POCO's names such as "information" work too).
  std::string level = "INFO";
  // Level for the request logger. OFF (the default) creates no kafka-request.log.
  std::string request_level = "OFF";
  // The data directories (log.dirs). InitLogging refuses a `dir` equal to or inside one of
  // them: the log manager treats every entry there as broker data.
  std::vector<std::string> data_dirs;
  uint64_t rotate_bytes = 100ull * 1024 * 1024;
  int keep_archives = 10;
};

// Creates the directory and routes the loggers above to their files. May be called again
// (e.g. by tests) to move to another directory; the previous files are closed.
// Errors: InvalidArgument for a bad level or a directory inside log.dirs; IoError when the
// directory or a file cannot be created.
Status InitLogging(const LogOptions& options);

// Closes the files; later log calls are dropped until InitLogging runs again.
void ShutdownLogging();

// The application log directory: `flag_value` (--log-dir) if non-empty, else the LOG_DIR
// environment variable if non-empty, else `default_dir`.
std::string ResolveLogDir(const std::string& flag_value, const std::string& default_dir);

// `<install>/logs` where the running executable is `<install>/bin/<name>` (Kafka's
// $base_dir/logs); falls back to "logs" relative to the working directory.
std::string DefaultLogDirForExecutable();

// Maps a level name (log4j or POCO spelling, any case) to POCO's priority; OFF is 0.
Result<int> ParseLevel(const std::string& name);

Poco::Logger& Server();
Poco::Logger& Controller();
Poco::Logger& StateChange();
Poco::Logger& Request();

}  // namespace sluice::log

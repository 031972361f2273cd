#include "libs/base/logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/FileChannel.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/LocalDateTime.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/SplitterChannel.h>
#include <Poco/StreamChannel.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace sluice::log {

namespace fs = std::filesystem;

namespace {

// "[2024-05-01 12:00:00,123] INFO text (logger)": Kafka's log4j layout "[%d] %p %m (%c)%n",
// in local time like log4j. The channel appends the newline.
class KafkaStyleFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& msg, std::string& text) override {
    Poco::LocalDateTime local(msg.getTime());
    text.reserve(msg.getText().size() + msg.getSource().size() + 40);
    text += '[';
    text += Poco::DateTimeFormatter::format(local, "%Y-%m-%d %H:%M:%S,%i");
    text += "] ";
    text += PriorityName(msg.getPriority());
    text += ' ';
    text += msg.getText();
    text += " (";
    text += msg.getSource();
    text += ')';
  }

 private:
  static const char* PriorityName(Poco::Message::Priority p) {
    switch (p) {
      case Poco::Message::PRIO_FATAL:
        return "FATAL";
      case Poco::Message::PRIO_CRITICAL:
        return "FATAL";
      case Poco::Message::PRIO_ERROR:
        return "ERROR";
      case Poco::Message::PRIO_WARNING:
        return "WARN";
      case Poco::Message::PRIO_NOTICE:
        return "INFO";
      case Poco::Message::PRIO_INFORMATION:
        return "INFO";
      case Poco::Message::PRIO_DEBUG:
        return "DEBUG";
      case Poco::Message::PRIO_TRACE:
        return "TRACE";
    }
    return "INFO";
  }
};

// The file channels opened by the last InitLogging, closed by ShutdownLogging.
std::vector<Poco::AutoPtr<Poco::FileChannel>>& OpenFiles() {
  static auto* files = new std::vector<Poco::AutoPtr<Poco::FileChannel>>();
  return *files;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

fs::path Normalized(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  fs::path n = fs::weakly_canonical(ec ? p : abs, ec).lexically_normal();
  if (n.has_filename() || !n.has_parent_path() || n == n.root_path()) return n;
  return n.parent_path();  // drop a trailing separator
}

// True when `inner` is `outer` or below it, comparing normalized absolute paths.
bool IsSameOrInside(const fs::path& inner, const fs::path& outer) {
  fs::path rel = Normalized(inner).lexically_relative(Normalized(outer));
  return !rel.empty() && *rel.begin() != "..";
}

Result<Poco::AutoPtr<Poco::FileChannel>> OpenFile(const fs::path& path, const LogOptions& options) {
  Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(path.string()));
  file->setProperty(Poco::FileChannel::PROP_ROTATION, std::to_string(options.rotate_bytes));
  file->setProperty(Poco::FileChannel::PROP_ARCHIVE, "number");
  file->setProperty(Poco::FileChannel::PROP_PURGECOUNT, std::to_string(options.keep_archives));
  // Flush each line: these logs matter most right before a crash.
  file->setProperty(Poco::FileChannel::PROP_FLUSH, "true");
  try {
    file->open();  // create the file now, not at the first line
  } catch (const Poco::Exception& e) {
    return Status::IoError("cannot open application log " + path.string() + ": " + e.displayText());
  }
  return file;
}

// file -> formatter, plus stdout when asked.
Poco::AutoPtr<Poco::Channel> Route(Poco::AutoPtr<Poco::FileChannel> file,
                                   Poco::AutoPtr<Poco::Channel> console) {
  Poco::AutoPtr<Poco::Formatter> formatter(new KafkaStyleFormatter());
  Poco::AutoPtr<Poco::Channel> target = file;
  if (console) {
    Poco::AutoPtr<Poco::SplitterChannel> split(new Poco::SplitterChannel());
    split->addChannel(file);
    split->addChannel(console);
    target = split;
  }
  return new Poco::FormattingChannel(formatter, target);
}

}  // namespace

Result<int> ParseLevel(const std::string& name) {
  const std::string n = Lower(name);
  if (n == "off" || n == "none") return 0;
  if (n == "fatal") return static_cast<int>(Poco::Message::PRIO_FATAL);
  if (n == "critical") return static_cast<int>(Poco::Message::PRIO_CRITICAL);
  if (n == "error") return static_cast<int>(Poco::Message::PRIO_ERROR);
  if (n == "warn" || n == "warning") return static_cast<int>(Poco::Message::PRIO_WARNING);
  if (n == "notice") return static_cast<int>(Poco::Message::PRIO_NOTICE);
  if (n == "info" || n == "information") return static_cast<int>(Poco::Message::PRIO_INFORMATION);
  if (n == "debug") return static_cast<int>(Poco::Message::PRIO_DEBUG);
  if (n == "trace" || n == "all") return static_cast<int>(Poco::Message::PRIO_TRACE);
  return Status::InvalidArgument("unknown log level '" + name +
                                 "' (expected OFF, FATAL, ERROR, WARN, INFO, DEBUG or TRACE)");
}

Status InitLogging(const LogOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("application log directory is empty");
  Result<int> level = ParseLevel(options.level);
  if (!level.ok()) return level.status();
  Result<int> request_level = ParseLevel(options.request_level);
  if (!request_level.ok()) return request_level.status();
  for (const std::string& data_dir : options.data_dirs) {
    if (!data_dir.empty() && IsSameOrInside(options.dir, data_dir)) {
      return Status::InvalidArgument("application log directory " + options.dir +
                                     " is inside data directory " + data_dir +
                                     " (log.dirs); set LOG_DIR or --log-dir elsewhere");
    }
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return Status::IoError("cannot create application log directory " + options.dir + ": " +
                           ec.message());
  }

  Poco::AutoPtr<Poco::Channel> console;
  if (options.to_console) console = new Poco::StreamChannel(std::cout);

  const fs::path dir(options.dir);
  std::vector<Poco::AutoPtr<Poco::FileChannel>> files;
  auto server_file = OpenFile(dir / "server.log", options);
  if (!server_file.ok()) return server_file.status();
  auto controller_file = OpenFile(dir / "controller.log", options);
  if (!controller_file.ok()) return controller_file.status();
  auto state_change_file = OpenFile(dir / "state-change.log", options);
  if (!state_change_file.ok()) return state_change_file.status();
  auto log_cleaner_file = OpenFile(dir / "log-cleaner.log", options);
  if (!log_cleaner_file.ok()) return log_cleaner_file.status();
  files = {*server_file, *controller_file, *state_change_file, *log_cleaner_file};

  Poco::AutoPtr<Poco::Channel> server = Route(*server_file, console);
  Poco::AutoPtr<Poco::Channel> request = server;  // unused while the request level is OFF
  if (*request_level != 0) {
    auto request_file = OpenFile(dir / "kafka-request.log", options);
    if (!request_file.ok()) return request_file.status();
    files.push_back(*request_file);
    request = Route(*request_file, console);
  }

  ShutdownLogging();
  // Logger::setChannel/setLevel apply to a name and every existing logger below it, and ""
  // is the root: set the root first, then the specific hierarchies override it. root() and
  // get() make sure the loggers exist, so loggers looked up later inherit from them.
  Poco::Logger::root();
  Poco::Logger::get(kServerLogger);
  Poco::Logger::get(kControllerLogger);
  Poco::Logger::get(kStateChangeLogger);
  Poco::Logger::get(kRequestLogger);
  Poco::Logger::get(kLogCleanerLogger);
  Poco::Logger::setChannel("", server);
  Poco::Logger::setLevel("", *level);
  Poco::Logger::setChannel(kControllerLogger, Route(*controller_file, console));
  Poco::Logger::setLevel(kControllerLogger, *level);
  Poco::Logger::setChannel(kStateChangeLogger, Route(*state_change_file, console));
  Poco::Logger::setLevel(kStateChangeLogger, *level);
  Poco::Logger::setChannel(kLogCleanerLogger, Route(*log_cleaner_file, console));
  Poco::Logger::setLevel(kLogCleanerLogger, *level);
  Poco::Logger::setChannel(kRequestLogger, request);
  Poco::Logger::setLevel(kRequestLogger, *request_level);
  OpenFiles() = std::move(files);
  return Status::Ok();
}

void ShutdownLogging() {
  Poco::Logger::setChannel("", Poco::Channel::Ptr());
  for (auto& file : OpenFiles()) file->close();
  OpenFiles().clear();
}

std::string ResolveLogDir(const std::string& flag_value, const std::string& default_dir) {
  if (!flag_value.empty()) return flag_value;
  const char* env = std::getenv("LOG_DIR");
  if (env != nullptr && *env != '\0') return env;
  return default_dir;
}

std::string DefaultLogDirForExecutable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || !exe.has_parent_path()) return "logs";
  return (exe.parent_path().parent_path() / "logs").string();
}

Poco::Logger& Server() { return Poco::Logger::get(kServerLogger); }
Poco::Logger& Controller() { return Poco::Logger::get(kControllerLogger); }
Poco::Logger& StateChange() { return Poco::Logger::get(kStateChangeLogger); }
Poco::Logger& Request() { return Poco::Logger::get(kRequestLogger); }

}  // namespace sluice::log

// Reads lines from a file descriptor (stdin) with a deadline, so that the console producer can
// send lingering batches while the user is not typing. std::getline cannot do this: its buffer
// hides from poll() whether a line is already waiting.
//
// Lines end at '\n'; a trailing '\r' is dropped (Java's BufferedReader.readLine does the
// same); a last line without '\n' is still a line. Not thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace sluice::tools {

class LineSource {
 public:
  explicit LineSource(int fd) : fd_(fd) {}

  enum class Outcome { kLine, kEndOfInput, kTimedOut, kInterrupted };
  struct Next {
    Outcome outcome;
    std::string line;  // set for kLine
  };
  // Waits until a line is complete, the input ends, `deadline` passes (nullopt: no deadline),
  // or a signal interrupts the wait.
  Next Read(std::optional<std::chrono::steady_clock::time_point> deadline);

 private:
  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace sluice::tools

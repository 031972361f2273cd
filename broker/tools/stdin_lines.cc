#include "broker/tools/stdin_lines.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace sluice::tools {

LineSource::Next LineSource::Read(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  for (;;) {
    if (size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return {Outcome::kLine, std::move(line)};
    }
    if (eof_) {
      if (buffer_.empty()) return {Outcome::kEndOfInput, {}};
      std::string line = std::move(buffer_);
      buffer_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return {Outcome::kLine, std::move(line)};
    }
    int timeout_ms = -1;
    if (deadline.has_value()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      timeout_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1'000'000'000));
    }
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return {Outcome::kInterrupted, {}};
      eof_ = true;
      continue;
    }
    if (ready == 0) return {Outcome::kTimedOut, {}};
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) return {Outcome::kInterrupted, {}};
      if (errno == EAGAIN) continue;
      eof_ = true;
      continue;
    }
    if (n == 0) {
      eof_ = true;
      continue;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace sluice::tools

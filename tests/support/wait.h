// WaitUntil: polls a condition until it holds or a deadline passes, for tests of asynchronous
// behaviour (watches, elections). Returns the condition's last value.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace sluice::test {

inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace sluice::test

// Wall-clock time in Kafka's unit: milliseconds since the Unix epoch, as record timestamps,
// znode timestamps, retention and producer ids use it. For measuring intervals use
// std::chrono::steady_clock instead: the wall clock may jump.
#pragma once

#include <chrono>

#include "libs/base/ids.h"

namespace sluice {

inline TimestampMs WallClockNow() {
  return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
}

}  // namespace sluice

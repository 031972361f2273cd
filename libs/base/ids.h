// Strong types for every offset, epoch and id, so that an Offset is never passed where a
// BrokerId is expected. Each wraps one integer of the width Kafka's protocol gives it.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace sluice {

template <typename Tag, typename Rep>
class StrongInt {
 public:
  using rep = Rep;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongInt&) const = default;
  constexpr StrongInt& operator++() { ++v_; return *this; }
  constexpr StrongInt operator+(Rep d) const { return StrongInt(v_ + d); }
  constexpr StrongInt operator-(Rep d) const { return StrongInt(v_ - d); }
  constexpr Rep operator-(StrongInt o) const { return v_ - o.v_; }
  friend std::ostream& operator<<(std::ostream& os, StrongInt s) { return os << s.v_; }

 private:
  Rep v_{};
};

// A record's position in a partition's log (Kafka int64 offset).
using Offset = StrongInt<struct OffsetTag, int64_t>;
// A partition leader's epoch (int32), stamped into record batches.
using LeaderEpoch = StrongInt<struct LeaderEpochTag, int32_t>;
// The controller broker's epoch, from /controller_epoch (int32).
using ControllerEpoch = StrongInt<struct ControllerEpochTag, int32_t>;
// broker.id (int32).
using BrokerId = StrongInt<struct BrokerIdTag, int32_t>;
// A partition index within a topic (int32).
using PartitionId = StrongInt<struct PartitionIdTag, int32_t>;
// Milliseconds since the Unix epoch, as record timestamps use.
using TimestampMs = StrongInt<struct TimestampMsTag, int64_t>;

}  // namespace sluice

template <typename Tag, typename Rep>
struct std::hash<sluice::StrongInt<Tag, Rep>> {
  size_t operator()(sluice::StrongInt<Tag, Rep> v) const { return std::hash<Rep>()(v.value()); }
};

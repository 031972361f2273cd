// Value types shared by the wire primitives and the generated messages.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace sluice::kafka {

// Kafka's `bytes` (and `records`) payload.
using Bytes = std::vector<uint8_t>;

// Kafka's `uuid`: 16 bytes on the wire, most significant byte first. All zeroes is Kafka's
// "zero UUID", the default of every uuid field.
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  bool operator==(const Uuid&) const = default;
};

// One entry of a flexible struct's tagged-field section whose tag the reader did not know.
// Kept so that a message decoded and re-encoded round-trips byte for byte.
struct TaggedField {
  uint32_t tag = 0;
  Bytes data;
  bool operator==(const TaggedField&) const = default;
};

}  // namespace sluice::kafka

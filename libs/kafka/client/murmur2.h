// Kafka's murmur2 hash (org.apache.kafka.common.utils.Utils.murmur2): MurmurHash2, 32-bit,
// seed 0x9747b28c, 4-byte little-endian blocks. Kafka's default partitioner puts a keyed record
// in partition `ToPositive(Murmur2(key)) % partitions`, so a key lands where Java clients and
// librdkafka's "murmur2_random" partitioner put it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::kafka::client {

int32_t Murmur2(std::span<const uint8_t> data);
inline int32_t Murmur2(std::string_view data) {
  return Murmur2(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()),
                                          data.size()));
}

// Kafka's Utils.toPositive: clears the sign bit (not abs(), which overflows for INT32_MIN).
constexpr int32_t ToPositive(int32_t n) { return n & 0x7fffffff; }

}  // namespace sluice::kafka::client

// The "consumer" protocol type's subscription bytes (Kafka's ConsumerProtocol), which are
// otherwise opaque to the coordinator. The coordinator reads them only to learn which topics a
// group consumes: OffsetDelete refuses GROUP_SUBSCRIBED_TO_TOPIC for those, and offset expiry
// spares them.
//
// Subscription, after an int16 version (0-1 in Kafka 2.8; later versions only append fields,
// so a higher version is read as its prefix):
//   topics: int32 count, then int16-length strings
//   user_data: int32 length (-1 = null), then bytes
//   owned_partitions (v1+): [topic string, partitions [int32]]
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::group {

inline constexpr const char* kConsumerProtocolType = "consumer";

// The subscribed topics. Corruption when the bytes do not hold a subscription.
Result<std::vector<std::string>> DecodeSubscriptionTopics(std::span<const uint8_t> subscription);

// Encodes a version-0 subscription (tests, and tools that speak the protocol).
std::vector<uint8_t> EncodeSubscriptionV0(const std::vector<std::string>& topics);

}  // namespace sluice::group

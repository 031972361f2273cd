// The "consumer" protocol type's opaque bytes inside JoinGroup and SyncGroup, as Kafka's
// ConsumerProtocol encodes them (classic, non-flexible encoding; all integers big-endian):
//
//   Subscription   version int16 (0 or 1)
//                  topics [string]                      int32 count, int16-length strings
//                  user_data bytes?                     int32 length, -1 = null
//                  owned_partitions [topic string, partitions [int32]]    v1+
//   Assignment     version int16 (0 or 1; v1 is v0 on the wire)
//                  assigned_partitions [topic string, partitions [int32]]
//                  user_data bytes?
//
// Decoding accepts newer versions by reading the fields it knows and ignoring what follows
// (Kafka's rule for this protocol); a version below 0 is Corruption. Encoding writes v0 unless
// a subscription owns partitions (then v1). The group coordinator never looks inside these
// bytes; kafka-consumer-groups.sh does (--describe shows the assignment).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libs/base/status.h"

namespace sluice::kafka::client {

// The JoinGroup ProtocolType of Kafka consumers.
inline constexpr const char kConsumerProtocolType[] = "consumer";

struct Subscription {
  std::vector<std::string> topics;
  std::optional<std::vector<uint8_t>> user_data;
  std::map<std::string, std::vector<int32_t>> owned_partitions;  // v1+
  bool operator==(const Subscription&) const = default;
};

struct Assignment {
  std::map<std::string, std::vector<int32_t>> partitions;  // topic -> partitions
  std::optional<std::vector<uint8_t>> user_data;
  bool operator==(const Assignment&) const = default;
};

std::vector<uint8_t> EncodeSubscription(const Subscription& subscription);
Result<Subscription> DecodeSubscription(std::span<const uint8_t> bytes);

std::vector<uint8_t> EncodeAssignment(const Assignment& assignment);
Result<Assignment> DecodeAssignment(std::span<const uint8_t> bytes);

}  // namespace sluice::kafka::client

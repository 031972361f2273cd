#include "libs/kafka/client/consumer_protocol.h"

#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::kafka::client {
namespace {

// ConsumerProtocol uses the classic encoding throughout (never compact).
constexpr bool kClassic = false;

void WriteTopicPartitions(Writer& w, const std::map<std::string, std::vector<int32_t>>& tps) {
  w.WriteArrayLength(tps.size(), kClassic);
  for (const auto& [topic, partitions] : tps) {
    w.WriteString(topic, kClassic);
    w.WriteArrayLength(partitions.size(), kClassic);
    for (int32_t p : partitions) w.WriteInt32(p);
  }
}

void WriteUserData(Writer& w, const std::optional<std::vector<uint8_t>>& user_data) {
  w.WriteNullableBytes(user_data, kClassic);
}

Status Fail(std::string_view what, const Status& status) {
  return Status::Corruption(std::string(what) + ": " + status.message());
}

Result<std::map<std::string, std::vector<int32_t>>> ReadTopicPartitions(Reader& r) {
  std::map<std::string, std::vector<int32_t>> result;
  Result<std::optional<size_t>> topics = r.ReadArrayLength(kClassic);
  if (!topics.ok()) return topics.status();
  for (size_t i = 0; i < topics->value_or(0); ++i) {
    Result<std::string> topic = r.ReadString(kClassic);
    if (!topic.ok()) return topic.status();
    Result<std::optional<size_t>> count = r.ReadArrayLength(kClassic);
    if (!count.ok()) return count.status();
    std::vector<int32_t>& partitions = result[*topic];
    for (size_t j = 0; j < count->value_or(0); ++j) {
      Result<int32_t> p = r.ReadInt32();
      if (!p.ok()) return p.status();
      partitions.push_back(*p);
    }
  }
  return result;
}

Result<int16_t> ReadVersion(Reader& r) {
  Result<int16_t> version = r.ReadInt16();
  if (!version.ok()) return version.status();
  if (*version < 0) return Status::Corruption("negative version " + std::to_string(*version));
  return version;
}

}  // namespace

std::vector<uint8_t> EncodeSubscription(const Subscription& subscription) {
  const int16_t version = subscription.owned_partitions.empty() ? 0 : 1;
  std::vector<uint8_t> out;
  Writer w(out);
  w.WriteInt16(version);
  w.WriteArrayLength(subscription.topics.size(), kClassic);
  for (const std::string& topic : subscription.topics) w.WriteString(topic, kClassic);
  WriteUserData(w, subscription.user_data);
  if (version >= 1) WriteTopicPartitions(w, subscription.owned_partitions);
  return out;
}

Result<Subscription> DecodeSubscription(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  Subscription s;
  Result<int16_t> version = ReadVersion(r);
  if (!version.ok()) return Fail("consumer subscription: version", version.status());
  Result<std::optional<size_t>> topics = r.ReadArrayLength(kClassic);
  if (!topics.ok()) return Fail("consumer subscription: topics", topics.status());
  for (size_t i = 0; i < topics->value_or(0); ++i) {
    Result<std::string> topic = r.ReadString(kClassic);
    if (!topic.ok()) return Fail("consumer subscription: topic", topic.status());
    s.topics.push_back(std::move(*topic));
  }
  Result<std::optional<Bytes>> user_data = r.ReadNullableBytes(kClassic);
  if (!user_data.ok()) return Fail("consumer subscription: user data", user_data.status());
  s.user_data = std::move(*user_data);
  if (*version >= 1) {
    Result<std::map<std::string, std::vector<int32_t>>> owned = ReadTopicPartitions(r);
    if (!owned.ok()) return Fail("consumer subscription: owned partitions", owned.status());
    s.owned_partitions = std::move(*owned);
  }
  // Later versions append fields (e.g. v2's generation id); they are ignored.
  return s;
}

std::vector<uint8_t> EncodeAssignment(const Assignment& assignment) {
  std::vector<uint8_t> out;
  Writer w(out);
  w.WriteInt16(0);
  WriteTopicPartitions(w, assignment.partitions);
  WriteUserData(w, assignment.user_data);
  return out;
}

Result<Assignment> DecodeAssignment(std::span<const uint8_t> bytes) {
  Assignment a;
  // A member that got nothing (the group has more members than partitions) may receive an
  // empty assignment from some leaders: that means "no partitions".
  if (bytes.empty()) return a;
  Reader r(bytes);
  Result<int16_t> version = ReadVersion(r);
  if (!version.ok()) return Fail("consumer assignment: version", version.status());
  Result<std::map<std::string, std::vector<int32_t>>> partitions = ReadTopicPartitions(r);
  if (!partitions.ok()) return Fail("consumer assignment: partitions", partitions.status());
  a.partitions = std::move(*partitions);
  Result<std::optional<Bytes>> user_data = r.ReadNullableBytes(kClassic);
  if (!user_data.ok()) return Fail("consumer assignment: user data", user_data.status());
  a.user_data = std::move(*user_data);
  return a;
}

}  // namespace sluice::kafka::client

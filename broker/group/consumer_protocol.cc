#include "broker/group/consumer_protocol.h"

#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::group {

Result<std::vector<std::string>> DecodeSubscriptionTopics(std::span<const uint8_t> subscription) {
  kafka::Reader reader(subscription);
  auto version = reader.ReadInt16();
  if (!version.ok() || *version < 0) {
    return Status::Corruption("consumer subscription: bad version");
  }
  auto count = reader.ReadInt32();
  if (!count.ok() || *count < 0) {
    return Status::Corruption("consumer subscription: bad topic count");
  }
  // Each topic takes at least its 2-byte length: bound the count before reserving.
  if (static_cast<size_t>(*count) > reader.remaining() / 2) {
    return Status::Corruption("consumer subscription: topic count past the end");
  }
  std::vector<std::string> topics;
  topics.reserve(static_cast<size_t>(*count));
  for (int32_t i = 0; i < *count; ++i) {
    auto topic = reader.ReadString(/*compact=*/false);
    if (!topic.ok())
      return Status::Corruption("consumer subscription: " + topic.status().message());
    topics.push_back(std::move(*topic));
  }
  return topics;
}

std::vector<uint8_t> EncodeSubscriptionV0(const std::vector<std::string>& topics) {
  std::vector<uint8_t> out;
  kafka::Writer writer(out);
  writer.WriteInt16(0);
  writer.WriteInt32(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) {
    writer.WriteString(t, /*compact=*/false);
  }
  writer.WriteInt32(-1);  // null user data
  return out;
}

}  // namespace sluice::group

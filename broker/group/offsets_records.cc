#include "broker/group/offsets_records.h"

#include "libs/kafka/messages/group_metadata_key.h"
#include "libs/kafka/messages/group_metadata_value.h"
#include "libs/kafka/messages/offset_commit_key.h"
#include "libs/kafka/messages/offset_commit_value.h"
#include "libs/kafka/protocol/reader.h"
#include "libs/kafka/protocol/writer.h"

namespace sluice::group {

namespace {

// The versions Kafka 2.8 writes (GroupMetadataManager with inter.broker.protocol.version 2.8).
constexpr int16_t kOffsetKeyVersion = 1;
constexpr int16_t kGroupKeyVersion = 2;
constexpr int16_t kOffsetValueVersion = 3;
constexpr int16_t kOffsetValueWithExpiryVersion = 1;
constexpr int16_t kGroupValueVersion = 3;

template <typename Message>
std::string EncodeVersioned(const Message& message, int16_t version) {
  std::vector<uint8_t> out;
  out.reserve(2 + message.Size(version));
  kafka::Writer writer(out);
  writer.WriteInt16(version);
  message.Encode(writer, version);
  return std::string(out.begin(), out.end());
}

template <typename Message>
Result<Message> DecodeVersioned(std::span<const uint8_t> bytes, const char* what) {
  kafka::Reader reader(bytes);
  auto version = reader.ReadInt16();
  if (!version.ok()) return Status::Corruption(std::string(what) + ": no version");
  if (*version < Message::kMinVersion || *version > Message::kMaxVersion) {
    return Status::Corruption(std::string(what) + ": unknown version " + std::to_string(*version));
  }
  Message message;
  Status st = message.Decode(reader, *version);
  if (!st.ok()) return Status::Corruption(st.message());
  return message;
}

}  // namespace

std::string EncodeOffsetKey(const OffsetKey& key) {
  kafka::OffsetCommitKey message;
  message.group = key.group;
  message.topic = key.topic;
  message.partition = key.partition;
  return EncodeVersioned(message, kOffsetKeyVersion);
}

std::string EncodeGroupKey(const GroupKey& key) {
  kafka::GroupMetadataKey message;
  message.group = key.group;
  return EncodeVersioned(message, kGroupKeyVersion);
}

std::string EncodeCommittedOffset(const CommittedOffset& value) {
  kafka::OffsetCommitValue message;
  message.offset = value.offset;
  message.leader_epoch = value.leader_epoch;
  message.metadata = value.metadata;
  message.commit_timestamp = value.commit_timestamp_ms;
  if (value.expire_timestamp_ms) {
    message.expire_timestamp = *value.expire_timestamp_ms;
    return EncodeVersioned(message, kOffsetValueWithExpiryVersion);
  }
  return EncodeVersioned(message, kOffsetValueVersion);
}

std::string EncodeStoredGroup(const StoredGroup& value) {
  kafka::GroupMetadataValue message;
  message.protocol_type = value.protocol_type;
  message.generation = value.generation;
  message.protocol = value.protocol;
  message.leader = value.leader;
  message.current_state_timestamp = value.current_state_timestamp_ms;
  for (const auto& m : value.members) {
    auto& out = message.members.emplace_back();
    out.member_id = m.member_id;
    out.group_instance_id = m.group_instance_id;
    out.client_id = m.client_id;
    out.client_host = m.client_host;
    out.rebalance_timeout = m.rebalance_timeout_ms;
    out.session_timeout = m.session_timeout_ms;
    out.subscription = m.subscription;
    out.assignment = m.assignment;
  }
  return EncodeVersioned(message, kGroupValueVersion);
}

Result<RecordKey> DecodeRecordKey(std::span<const uint8_t> bytes) {
  kafka::Reader peek(bytes);
  auto version = peek.ReadInt16();
  if (!version.ok()) return Status::Corruption("__consumer_offsets key: no version");
  if (*version <= kafka::OffsetCommitKey::kMaxVersion) {
    auto key = DecodeVersioned<kafka::OffsetCommitKey>(bytes, "OffsetCommitKey");
    if (!key.ok()) return key.status();
    return RecordKey(OffsetKey{key->group, key->topic, key->partition});
  }
  auto key = DecodeVersioned<kafka::GroupMetadataKey>(bytes, "GroupMetadataKey");
  if (!key.ok()) return key.status();
  return RecordKey(GroupKey{key->group});
}

Result<CommittedOffset> DecodeCommittedOffset(std::span<const uint8_t> bytes) {
  kafka::Reader peek(bytes);
  auto version = peek.ReadInt16();
  auto value = DecodeVersioned<kafka::OffsetCommitValue>(bytes, "OffsetCommitValue");
  if (!value.ok()) return value.status();
  CommittedOffset out;
  out.offset = value->offset;
  out.leader_epoch = value->leader_epoch;
  out.metadata = value->metadata;
  out.commit_timestamp_ms = value->commit_timestamp;
  if (*version == 1 && value->expire_timestamp != -1) {
    out.expire_timestamp_ms = value->expire_timestamp;
  }
  return out;
}

Result<StoredGroup> DecodeStoredGroup(std::span<const uint8_t> bytes) {
  kafka::Reader peek(bytes);
  auto version = peek.ReadInt16();
  auto value = DecodeVersioned<kafka::GroupMetadataValue>(bytes, "GroupMetadataValue");
  if (!value.ok()) return value.status();
  StoredGroup out;
  out.protocol_type = value->protocol_type;
  out.generation = value->generation;
  out.protocol = value->protocol;
  out.leader = value->leader;
  out.current_state_timestamp_ms = value->current_state_timestamp;
  for (const auto& m : value->members) {
    auto& member = out.members.emplace_back();
    member.member_id = m.member_id;
    member.group_instance_id = m.group_instance_id;
    member.client_id = m.client_id;
    member.client_host = m.client_host;
    // Version 0 has one timeout for both roles.
    member.rebalance_timeout_ms = *version >= 1 ? m.rebalance_timeout : m.session_timeout;
    member.session_timeout_ms = m.session_timeout;
    member.subscription = m.subscription;
    member.assignment = m.assignment;
  }
  return out;
}

}  // namespace sluice::group

// The records of __consumer_offsets, in Kafka 2.8's formats (FORMAT.md beside this file): what
// the coordinator appends and what it replays when it takes over a partition. The field
// layouts are the schemas in schemas/ (generated code stays private to this library); this
// header speaks in plain structs.
//
// Keys: int16 version, then OffsetCommitKey (versions 0-1) or GroupMetadataKey (version 2).
// Values: int16 version, then OffsetCommitValue (0-3) or GroupMetadataValue (0-3); a null
// value is a tombstone. Encoders write the versions Kafka 2.8 writes: key v1 / v2,
// OffsetCommitValue v3 (v1 when the commit carries an expire timestamp), GroupMetadataValue v3.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "libs/base/status.h"

namespace sluice::group {

// A group's committed position in one partition: the OffsetCommitKey.
struct OffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const OffsetKey&) const = default;
};

// The GroupMetadataKey.
struct GroupKey {
  std::string group;
  auto operator<=>(const GroupKey&) const = default;
};

using RecordKey = std::variant<OffsetKey, GroupKey>;

// OffsetCommitValue.
struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;  // -1: unknown (values before v3 have none)
  std::string metadata;
  int64_t commit_timestamp_ms = -1;
  // Only from commits that asked for their own retention (OffsetCommit v2-4 with
  // RetentionTimeMs != -1, or v1 with a commit timestamp): the offset expires then.
  std::optional<int64_t> expire_timestamp_ms;
  bool operator==(const CommittedOffset&) const = default;
};

// GroupMetadataValue.MemberMetadata.
struct StoredMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::vector<uint8_t> subscription;  // the member's metadata for the group's protocol
  std::vector<uint8_t> assignment;
  bool operator==(const StoredMember&) const = default;
};

// GroupMetadataValue.
struct StoredGroup {
  std::string protocol_type;  // "" when the group never had a protocol type
  int32_t generation = 0;
  std::optional<std::string> protocol;      // null while Empty
  std::optional<std::string> leader;        // null while Empty
  int64_t current_state_timestamp_ms = -1;  // -1: unknown (values before v2)
  std::vector<StoredMember> members;
  bool operator==(const StoredGroup&) const = default;
};

std::string EncodeOffsetKey(const OffsetKey& key);
std::string EncodeGroupKey(const GroupKey& key);
std::string EncodeCommittedOffset(const CommittedOffset& value);
std::string EncodeStoredGroup(const StoredGroup& value);

// Decoders accept every version Kafka ever wrote. Corruption for truncated bytes or an unknown
// version (a key version above 2 is a record type this broker does not know).
Result<RecordKey> DecodeRecordKey(std::span<const uint8_t> bytes);
Result<CommittedOffset> DecodeCommittedOffset(std::span<const uint8_t> bytes);
Result<StoredGroup> DecodeStoredGroup(std::span<const uint8_t> bytes);

// Convenience for record fields held as std::string.
inline std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace sluice::group

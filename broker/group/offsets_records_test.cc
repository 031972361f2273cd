// Golden bytes derived by hand from the layouts in FORMAT.md (Kafka 2.8's OffsetCommitKey,
// GroupMetadataKey, OffsetCommitValue, GroupMetadataValue): big-endian integers, int16-length
// strings (-1 = null), int32-length bytes, int32-count arrays, each prefixed by its int16
// version.
#include "broker/group/offsets_records.h"

#include <gtest/gtest.h>

namespace sluice::group {
namespace {

std::string B(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(OffsetsRecords, OffsetCommitKeyIsVersion1) {
  EXPECT_EQ(EncodeOffsetKey({"g", "t", 3}), B({0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 3}));
}

TEST(OffsetsRecords, GroupMetadataKeyIsVersion2) {
  EXPECT_EQ(EncodeGroupKey({"grp"}), B({0, 2, 0, 3, 'g', 'r', 'p'}));
}

TEST(OffsetsRecords, OffsetCommitValueIsVersion3WithoutExpiry) {
  CommittedOffset v{5, 2, "m", 1000, std::nullopt};
  EXPECT_EQ(EncodeCommittedOffset(v), B({0, 3,                               // version
                                         0, 0, 0,   0, 0, 0, 0,    5,        // offset
                                         0, 0, 0,   2,                       // leader epoch
                                         0, 1, 'm',                          // metadata
                                         0, 0, 0,   0, 0, 0, 0x03, 0xe8}));  // commit ts
}

TEST(OffsetsRecords, OffsetCommitValueWithExpiryIsVersion1) {
  CommittedOffset v{5, 2, "", 1000, 2000};
  EXPECT_EQ(EncodeCommittedOffset(v), B({0, 1,                             // version
                                         0, 0, 0, 0, 0, 0, 0,    5,        // offset
                                         0, 0,                             // metadata ""
                                         0, 0, 0, 0, 0, 0, 0x03, 0xe8,     // commit ts
                                         0, 0, 0, 0, 0, 0, 0x07, 0xd0}));  // expire ts
}

TEST(OffsetsRecords, EmptyGroupMetadataValueHasNullProtocolAndLeader) {
  StoredGroup g;
  g.protocol_type = "consumer";
  g.generation = 4;
  g.current_state_timestamp_ms = 1;
  EXPECT_EQ(EncodeStoredGroup(g), B({0,    3,    0,    8,    'c', 'o', 'n', 's',
                                     'u',  'm',  'e',  'r',  0,   0,   0,   4,  // type, gen
                                     0xff, 0xff, 0xff, 0xff,                    // null, null
                                     0,    0,    0,    0,    0,   0,   0,   1,  // state ts
                                     0,    0,    0,    0}));                    // no members
}

TEST(OffsetsRecords, GroupMetadataValueWithAMember) {
  StoredGroup g;
  g.protocol_type = "c";
  g.generation = 1;
  g.protocol = "r";
  g.leader = "m";
  g.current_state_timestamp_ms = 0;
  StoredMember m;
  m.member_id = "m";
  m.group_instance_id = "i";
  m.client_id = "c";
  m.client_host = "/h";
  m.rebalance_timeout_ms = 300;
  m.session_timeout_ms = 10;
  m.subscription = {9};
  m.assignment = {};
  g.members.push_back(m);
  const std::string
      expected = B({0,   3,    0,    1, 'c', 0,   0,  0, 1,   0, 1, 'r', 0,   1,
                    'm', 0,    0,    0, 0,   0,   0,  0, 0,   0, 0, 0,   1,  // one member
                    0,   1,    'm',  0, 1,   'i', 0,  1, 'c', 0, 2, '/', 'h', 0,
                    0,   0x01, 0x2c, 0, 0,   0,   10,          // rebalance 300, session 10
                    0,   0,    0,    1, 9,   0,   0,  0, 0});  // subscription, assignment
  EXPECT_EQ(EncodeStoredGroup(g), expected);
  auto decoded = DecodeStoredGroup(AsBytes(expected));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, g);
}

TEST(OffsetsRecords, KeysDecodeToTheirKind) {
  auto offset = DecodeRecordKey(AsBytes(EncodeOffsetKey({"g", "t", 7})));
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(std::get<OffsetKey>(*offset), (OffsetKey{"g", "t", 7}));
  // Version 0 offset keys (Kafka before 0.10) have the same layout.
  auto v0 = DecodeRecordKey(AsBytes(B({0, 0, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 3})));
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(std::get<OffsetKey>(*v0), (OffsetKey{"g", "t", 3}));
  auto group = DecodeRecordKey(AsBytes(EncodeGroupKey({"g"})));
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(std::get<GroupKey>(*group).group, "g");
}

TEST(OffsetsRecords, UnknownOrTruncatedRecordsAreCorruption) {
  EXPECT_FALSE(DecodeRecordKey(AsBytes(B({0, 3, 0, 1, 'g'}))).ok());  // key version 3
  EXPECT_FALSE(DecodeRecordKey(AsBytes(B({0}))).ok());
  EXPECT_FALSE(DecodeRecordKey(AsBytes(B({0, 1, 0, 5, 'g'}))).ok());
  EXPECT_FALSE(DecodeCommittedOffset(AsBytes(B({0, 4, 0, 0}))).ok());  // value version 4
  EXPECT_FALSE(DecodeStoredGroup(AsBytes(B({0, 3, 0, 1}))).ok());
}

TEST(OffsetsRecords, OldValueVersionsDecode) {
  // OffsetCommitValue v0: offset, metadata, commit timestamp.
  auto v0 = DecodeCommittedOffset(
      AsBytes(B({0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})));
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(v0->offset, 9);
  EXPECT_EQ(v0->leader_epoch, -1);
  EXPECT_EQ(v0->commit_timestamp_ms, 1);
  EXPECT_FALSE(v0->expire_timestamp_ms);
  // GroupMetadataValue v0: no rebalance timeout, the session timeout stands in for it.
  auto g0 = DecodeStoredGroup(
      AsBytes(B({0, 0, 0,   0, 0, 0,   0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 1, 'm',
                 0, 1, 'c', 0, 1, 'h', 0, 0, 0,    50,   0,    0,    0, 0, 0, 0, 0, 0})));
  ASSERT_TRUE(g0.ok()) << g0.status().ToString();
  ASSERT_EQ(g0->members.size(), 1u);
  EXPECT_EQ(g0->members[0].rebalance_timeout_ms, 50);
  EXPECT_EQ(g0->members[0].session_timeout_ms, 50);
  EXPECT_FALSE(g0->members[0].group_instance_id);
}

}  // namespace
}  // namespace sluice::group

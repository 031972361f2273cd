// Byte-exact layouts of the controller/replication messages in the versions where Kafka 2.8
// changed their shape, written out by hand from the protocol specification (the BNF on
// kafka.apache.org/protocol), independently of the generator: the partition states move from a
// flat list with topic names (LeaderAndIsr v0-1, UpdateMetadata v0-4, StopReplica v0) to
// per-topic lists; UpdateMetadata v0 brokers have one host/port, v1+ a list of endpoints;
// ControlledShutdown v0 travels under request header v0 (no client id); nullable arrays say
// "all" (ElectLeaders, ListPartitionReassignments) or "cancel" (AlterPartitionReassignments).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "libs/kafka/messages/all_messages.h"
#include "libs/kafka/messages/api_table.h"
#include "libs/kafka/protocol/request_header_io.h"

namespace sluice::kafka {
namespace {

using Buffer = std::vector<uint8_t>;

// Appends big-endian integers and Kafka strings/arrays to an expected byte string.
class Bytes {
 public:
  Bytes& I8(int8_t v) { return Int(static_cast<uint8_t>(v), 1); }
  Bytes& I16(int16_t v) { return Int(static_cast<uint16_t>(v), 2); }
  Bytes& I32(int32_t v) { return Int(static_cast<uint32_t>(v), 4); }
  Bytes& I64(int64_t v) { return Int(static_cast<uint64_t>(v), 8); }
  Bytes& Bool(bool v) { return I8(v ? 1 : 0); }
  Bytes& Str(const std::string& s) {  // classic: int16 length
    I16(static_cast<int16_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& CStr(const std::string& s) {  // compact: uvarint length + 1
    UVarint(s.size() + 1);
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& Len(int32_t n) { return I32(n); }           // classic array length (-1 = null)
  Bytes& CLen(int64_t n) { return UVarint(n + 1); }  // compact array length (-1 = null)
  Bytes& Tags() { return UVarint(0); }               // an empty tagged-field section
  Bytes& Raw(std::initializer_list<uint8_t> bytes) {
    out_.insert(out_.end(), bytes);
    return *this;
  }
  Bytes& UVarint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  const Buffer& buffer() const { return out_; }

 private:
  Bytes& Int(uint64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Buffer out_;
};

// Encodes `m` at `version`, compares with `expected`, and decodes the expected bytes back to
// `m` with nothing left over.
template <typename M>
void ExpectWire(const M& m, int16_t version, const Bytes& expected) {
  SCOPED_TRACE(std::string(M::kName) + " v" + std::to_string(version));
  Buffer encoded;
  Writer writer(encoded);
  m.Encode(writer, version);
  EXPECT_EQ(encoded, expected.buffer());
  EXPECT_EQ(m.Size(version), expected.buffer().size());
  Reader reader(expected.buffer());
  M decoded;
  Status s = decoded.Decode(reader, version);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(reader.empty());
  EXPECT_TRUE(decoded == m);
}

LeaderAndIsrRequest::LeaderAndIsrPartitionState PartitionState(const std::string& topic) {
  LeaderAndIsrRequest::LeaderAndIsrPartitionState p;
  p.topic_name = topic;
  p.partition_index = 2;
  p.controller_epoch = 7;
  p.leader = 1;
  p.leader_epoch = 4;
  p.isr = {1, 3};
  p.zk_version = 9;
  p.replicas = {1, 3};
  p.is_new = true;
  return p;
}

TEST(InterBrokerMessagesTest, LeaderAndIsrV1ListsPartitionsWithTheirTopic) {
  LeaderAndIsrRequest m;
  m.controller_id = 5;
  m.controller_epoch = 7;
  m.ungrouped_partition_states = {PartitionState("t")};
  m.live_leaders = {{1, "h1", 9092, {}}};
  Bytes b;
  b.I32(5).I32(7).Len(1);
  b.Str("t").I32(2).I32(7).I32(1).I32(4).Len(2).I32(1).I32(3).I32(9).Len(2).I32(1).I32(3);
  b.Bool(true);  // IsNew, v1+
  b.Len(1).I32(1).Str("h1").I32(9092);
  ExpectWire(m, 1, b);
}

TEST(InterBrokerMessagesTest, LeaderAndIsrV3GroupsByTopicWithBrokerEpoch) {
  LeaderAndIsrRequest m;
  m.controller_id = 5;
  m.controller_epoch = 7;
  m.broker_epoch = 0x100000001;
  auto state = PartitionState("");  // the topic name is not in a v2+ partition state
  state.adding_replicas = {3};
  m.topic_states = {{"t", {}, {state}, {}}};
  Bytes b;
  b.I32(5).I32(7).I64(0x100000001);
  b.Len(1).Str("t").Len(1);
  b.I32(2).I32(7).I32(1).I32(4).Len(2).I32(1).I32(3).I32(9).Len(2).I32(1).I32(3);
  b.Len(1).I32(3).Len(0);  // AddingReplicas, RemovingReplicas (v3+)
  b.Bool(true);
  b.Len(0);  // LiveLeaders
  ExpectWire(m, 3, b);
}

TEST(InterBrokerMessagesTest, LeaderAndIsrV5AddsTypeAndTopicIdAndIsFlexible) {
  LeaderAndIsrRequest m;
  m.controller_id = 5;
  m.controller_epoch = 7;
  m.broker_epoch = 12;
  m.type = 1;
  LeaderAndIsrRequest::LeaderAndIsrTopicState topic;
  topic.topic_name = "t";
  for (int i = 0; i < 16; ++i) topic.topic_id.bytes[i] = static_cast<uint8_t>(i + 1);
  topic.partition_states = {PartitionState("")};
  m.topic_states = {topic};
  Bytes b;
  b.I32(5).I32(7).I64(12).I8(1);
  b.CLen(1).CStr("t").Raw({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  b.CLen(1).I32(2).I32(7).I32(1).I32(4).CLen(2).I32(1).I32(3).I32(9).CLen(2).I32(1).I32(3);
  b.CLen(0).CLen(0).Bool(true).Tags();  // partition state
  b.Tags();                             // topic state
  b.CLen(0).Tags();                     // LiveLeaders, then the request's tags
  ExpectWire(m, 5, b);
}

TEST(InterBrokerMessagesTest, LeaderAndIsrResponseV5GroupsErrorsByTopicId) {
  LeaderAndIsrResponse m;
  LeaderAndIsrResponse::LeaderAndIsrTopicError topic;
  topic.topic_id.bytes.fill(0xab);
  topic.partition_errors = {{"", 2, 6, {}}};
  m.topics = {topic};
  Bytes b;
  b.I16(0).CLen(1);
  b.Raw({0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
         0xab});
  b.CLen(1).I32(2).I16(6).Tags().Tags().Tags();
  ExpectWire(m, 5, b);

  LeaderAndIsrResponse v4;
  v4.partition_errors = {{"t", 2, 6, {}}};
  Bytes b4;
  b4.I16(0).CLen(1).CStr("t").I32(2).I16(6).Tags().Tags();
  ExpectWire(v4, 4, b4);
}

TEST(InterBrokerMessagesTest, UpdateMetadataV0BrokerHasOneHostAndPort) {
  UpdateMetadataRequest m;
  m.controller_id = 1;
  m.controller_epoch = 2;
  UpdateMetadataRequest::UpdateMetadataPartitionState p;
  p.topic_name = "t";
  p.partition_index = 0;
  p.controller_epoch = 2;
  p.leader = 1;
  p.leader_epoch = 3;
  p.isr = {1};
  p.zk_version = 4;
  p.replicas = {1};
  m.ungrouped_partition_states = {p};
  UpdateMetadataRequest::UpdateMetadataBroker broker;
  broker.id = 1;
  broker.v0_host = "h";
  broker.v0_port = 9092;
  m.live_brokers = {broker};
  Bytes b;
  b.I32(1).I32(2).Len(1);
  b.Str("t").I32(0).I32(2).I32(1).I32(3).Len(1).I32(1).I32(4).Len(1).I32(1);
  b.Len(1).I32(1).Str("h").I32(9092);
  ExpectWire(m, 0, b);
}

TEST(InterBrokerMessagesTest, UpdateMetadataV7IsFlexibleWithEndpointsRackAndTopicId) {
  UpdateMetadataRequest m;
  m.controller_id = 1;
  m.controller_epoch = 2;
  m.broker_epoch = 3;
  UpdateMetadataRequest::UpdateMetadataPartitionState p;
  p.partition_index = 0;
  p.controller_epoch = 2;
  p.leader = 1;
  p.leader_epoch = 3;
  p.isr = {1};
  p.zk_version = 4;
  p.replicas = {1};
  p.offline_replicas = {2};
  UpdateMetadataRequest::UpdateMetadataTopicState topic;
  topic.topic_name = "t";
  topic.partition_states = {p};
  m.topic_states = {topic};
  UpdateMetadataRequest::UpdateMetadataBroker broker;
  broker.id = 1;
  broker.endpoints = {{9092, "h", "PLAINTEXT", 0, {}}};
  broker.rack = std::nullopt;
  m.live_brokers = {broker};
  Bytes b;
  b.I32(1).I32(2).I64(3);
  b.CLen(1).CStr("t").Raw({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  b.CLen(1).I32(0).I32(2).I32(1).I32(3).CLen(1).I32(1).I32(4).CLen(1).I32(1).CLen(1).I32(2);
  b.Tags().Tags();
  b.CLen(1).I32(1).CLen(1).I32(9092).CStr("h").CStr("PLAINTEXT").I16(0).Tags();
  b.UVarint(0);  // Rack: null
  b.Tags().Tags();
  ExpectWire(m, 7, b);
}

TEST(InterBrokerMessagesTest, StopReplicaLayoutsPerVersion) {
  StopReplicaRequest v0;
  v0.controller_id = 1;
  v0.controller_epoch = 2;
  v0.delete_partitions = true;
  v0.ungrouped_partitions = {{"t", 3, {}}};
  ExpectWire(v0, 0, Bytes().I32(1).I32(2).Bool(true).Len(1).Str("t").I32(3));

  StopReplicaRequest v1;
  v1.controller_id = 1;
  v1.controller_epoch = 2;
  v1.broker_epoch = 9;
  v1.delete_partitions = false;
  v1.topics = {{"t", {3, 4}, {}}};
  ExpectWire(v1, 1, Bytes().I32(1).I32(2).I64(9).Bool(false).Len(1).Str("t").Len(2).I32(3).I32(4));

  StopReplicaRequest v3;
  v3.controller_id = 1;
  v3.controller_epoch = 2;
  v3.broker_epoch = 9;
  v3.topic_states = {{"t", {{3, 5, true, {}}}, {}}};
  Bytes b3;
  b3.I32(1).I32(2).I64(9).CLen(1).CStr("t").CLen(1).I32(3).I32(5).Bool(true).Tags();
  b3.Tags().Tags();
  ExpectWire(v3, 3, b3);
  EXPECT_EQ(StopReplicaRequest::StopReplicaPartitionState{}.leader_epoch, -1);
}

TEST(InterBrokerMessagesTest, ControlledShutdownV0UsesHeaderV0WithoutClientId) {
  // size-less frame: key 7, version 0, correlation id 3, then BrokerId 2.
  const Buffer frame = Bytes().I16(7).I16(0).I32(3).I32(2).buffer();
  Reader reader(frame);
  auto header = ReadRequestHeader(reader);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->request_api_key, 7);
  EXPECT_EQ(header->correlation_id, 3);
  // Header v0 has no ClientId on the wire: it decodes as the field's default, "".
  EXPECT_EQ(header->client_id, std::optional<std::string>(""));
  ControlledShutdownRequest request;
  ASSERT_TRUE(request.Decode(reader, 0).ok());
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(request.broker_id, 2);
  EXPECT_EQ(request.broker_epoch, -1);

  Buffer written;
  Writer writer(written);
  WriteRequestHeader(writer, *header);
  request.Encode(writer, 0);
  EXPECT_EQ(written, frame);

  // v1 is the same body under the standard header (with a client id).
  EXPECT_EQ(RequestHeaderVersion(7, 1), 1);
  ControlledShutdownRequest v2;
  v2.broker_id = 2;
  v2.broker_epoch = 77;
  ExpectWire(v2, 2, Bytes().I32(2).I64(77));
  ControlledShutdownResponse response;
  response.remaining_partitions = {{"t", 1, {}}};
  ExpectWire(response, 3, Bytes().I16(0).CLen(1).CStr("t").I32(1).Tags().Tags());
}

TEST(InterBrokerMessagesTest, OffsetForLeaderEpochReplicaIdFromV3) {
  OffsetForLeaderEpochRequest m;
  EXPECT_EQ(m.replica_id, -2);  // a "debug" consumer unless a follower says who it is
  m.replica_id = 4;
  m.topics = {{"t", {{0, 6, 5, {}}}, {}}};
  ExpectWire(m, 3, Bytes().I32(4).Len(1).Str("t").Len(1).I32(0).I32(6).I32(5));
  // v0-1: no ReplicaId, no CurrentLeaderEpoch.
  OffsetForLeaderEpochRequest v0;
  v0.replica_id = -2;
  v0.topics = {{"t", {{0, -1, 5, {}}}, {}}};
  ExpectWire(v0, 0, Bytes().Len(1).Str("t").Len(1).I32(0).I32(5));

  OffsetForLeaderEpochResponse response;
  response.topics = {{"t", {{0, 2, 5, 100, {}}}, {}}};
  ExpectWire(
      response, 4,
      Bytes().I32(0).CLen(1).CStr("t").CLen(1).I16(0).I32(2).I32(5).I64(100).Tags().Tags().Tags());
  OffsetForLeaderEpochResponse::EpochEndOffset unknown;
  EXPECT_EQ(unknown.leader_epoch, -1);
  EXPECT_EQ(unknown.end_offset, -1);
}

TEST(InterBrokerMessagesTest, NullArraysMeanAllOrCancel) {
  ElectLeadersRequest elect;  // defaults: TopicPartitions empty (not null), TimeoutMs 60000
  EXPECT_EQ(elect.timeout_ms, 60000);
  elect.election_type = 0;
  elect.topic_partitions = std::nullopt;  // every partition
  ExpectWire(elect, 0, Bytes().Len(-1).I32(60000));
  ExpectWire(elect, 2, Bytes().I8(0).CLen(-1).I32(60000).Tags());

  AlterPartitionReassignmentsRequest alter;
  AlterPartitionReassignmentsRequest::ReassignablePartition cancel;
  EXPECT_FALSE(cancel.replicas.has_value());  // default=null: a cancellation
  cancel.partition_index = 1;
  alter.topics = {{"t", {cancel}, {}}};
  ExpectWire(alter, 0,
             Bytes().I32(60000).CLen(1).CStr("t").CLen(1).I32(1).CLen(-1).Tags().Tags().Tags());

  ListPartitionReassignmentsRequest list;
  EXPECT_FALSE(list.topics.has_value());  // default=null: every reassignment
  ExpectWire(list, 0, Bytes().I32(60000).CLen(-1).Tags());
}

}  // namespace
}  // namespace sluice::kafka

// One encoder/decoder per znode, in Apache Kafka 2.8's layout and JSON (kafka.zk.ZkData).
// This file is the only place znode paths are built.
//
// Layout (P = persistent, E = ephemeral, S = sequential):
//   /controller                          E  {"version":1,"brokerid":1,"timestamp":"<ms>"}
//   /controller_epoch                    P  1        (plain decimal, fences stale controllers)
//   /brokers/ids/<id>                    E  BrokerIdZNode v5 (czxid = broker epoch, KIP-380)
//   /brokers/topics/<t>                  P  {"version":3,"partitions":{"0":[1,2]},
//                                             "adding_replicas":{},"removing_replicas":{},
//                                             "topic_id":"<22-char base64url>"}
//   /brokers/topics/<t>/partitions/<p>/state
//                                        P  {"version":1,"leader":1,"leader_epoch":0,
//                                             "controller_epoch":1,"isr":[1,2]}
//   /config/<type>/<name>                P  {"version":1,"config":{"retention.ms":"1000"}}
//   /config/changes/config_change_<seq>  PS {"version":2,"entity_path":"topics/<t>"}
//   /admin/delete_topics/<t>             P  (empty: a deletion request)
//   /admin/reassign_partitions           P  {"version":1,"partitions":[{"topic":"t","partition":0,
//                                             "replicas":[1,2]}]}
//   /admin/preferred_replica_election    P {"version":1,"partitions":[{"topic":"t","partition":0}]}
//   /isr_change_notification/isr_change_<seq>
//                                        PS
//                                        {"version":1,"partitions":[{"topic":"t","partition":0}]}
//   /cluster/id                          P  {"version":"1","id":"<22-char base64url>"}
//
// Key order. Kafka serialises Scala/Java hash maps, so its key order is an accident of hashing
// (e.g. a real 2.8 state znode reads {"controller_epoch":1,"leader":0,"version":1,
// "leader_epoch":0,"isr":[0]}). JSON objects are unordered and Kafka parses any order; we write
// keys in the documented order above and decode any order.
//
// Decoders never throw and never crash: malformed JSON, a missing required field or a field of
// the wrong type is a Corruption status naming the znode.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/metadata/uuid.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"

namespace sluice::metadata {

// ZkData.PersistentZkPaths: created (empty) at broker start-up.
std::vector<std::string> PersistentZkPaths();

// ---- /controller, /controller_epoch ---------------------------------------------------------

struct ControllerRegistration {
  BrokerId broker_id;
  int64_t timestamp_ms = 0;
};

struct ControllerZNode {
  static std::string Path();
  static std::string Encode(const ControllerRegistration& controller);
  // timestamp is optional on decode (Kafka only reads "brokerid").
  static Result<ControllerRegistration> Decode(std::string_view bytes);
};

struct ControllerEpochZNode {
  static std::string Path();
  static std::string Encode(ControllerEpoch epoch);
  static Result<ControllerEpoch> Decode(std::string_view bytes);
};

// ---- /brokers/ids/<id> ----------------------------------------------------------------------

// One advertised listener: "<listener_name>://<host>:<port>", security protocol from
// listener_security_protocol_map (or the listener name itself in registrations before v4).
struct BrokerEndpoint {
  std::string listener_name;  // e.g. "PLAINTEXT", "INTERNAL"
  std::string host;           // may be empty (bind-all listeners advertise no host)
  int32_t port = 0;
  std::string security_protocol;  // PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL

  // "PLAINTEXT://host:9092"; IPv6 hosts in brackets, like Kafka's Utils.formatAddress.
  std::string ConnectionString() const;
  bool operator==(const BrokerEndpoint&) const = default;
};

struct BrokerRegistration {
  BrokerId id;
  std::vector<BrokerEndpoint> endpoints;
  std::optional<std::string> rack;
  int32_t jmx_port = -1;
  int64_t timestamp_ms = 0;
  int32_t version = 5;  // what we write: Kafka 2.7+ (inter.broker.protocol.version >= 2.7)

  // The first PLAINTEXT endpoint: what the top-level "host"/"port" fields carry for old clients.
  const BrokerEndpoint* PlaintextEndpoint() const;
};

struct BrokerIdsZNode {
  static std::string Path();
};

struct BrokerIdZNode {
  static std::string Path(BrokerId id);
  // Always version 5 ("features":{} — we support no finalized features, as 2.8 in ZK mode).
  static std::string Encode(const BrokerRegistration& broker);
  // Accepts versions 1..5.
  static Result<BrokerRegistration> Decode(BrokerId id, std::string_view bytes);
};

// ---- /brokers/topics/<t> --------------------------------------------------------------------

using PartitionAssignment = std::map<PartitionId, std::vector<BrokerId>>;

struct TopicAssignment {
  PartitionAssignment partitions;       // partition -> replicas, preferred leader first
  PartitionAssignment adding_replicas;  // only partitions under reassignment appear here
  PartitionAssignment removing_replicas;
  std::optional<Uuid> topic_id;  // absent in v1/v2 znodes (written before 2.8)
};

struct TopicsZNode {
  static std::string Path();  // /brokers/topics
};

struct TopicZNode {
  static std::string Path(std::string_view topic);
  // Version 3 (with topic_id when set, as Kafka 2.8 writes it).
  static std::string Encode(const TopicAssignment& assignment);
  // Accepts versions 1..3. A znode without "partitions" decodes to no partitions (as Kafka).
  static Result<TopicAssignment> Decode(std::string_view bytes);
};

struct TopicPartitionsZNode {
  static std::string Path(std::string_view topic);  // /brokers/topics/<t>/partitions
};

struct TopicPartitionZNode {
  static std::string Path(std::string_view topic, PartitionId partition);
};

// ---- /brokers/topics/<t>/partitions/<p>/state -----------------------------------------------

inline constexpr BrokerId kNoLeader{-1};

// Kafka's LeaderIsrAndControllerEpoch plus the znode version it was read at.
struct PartitionState {
  BrokerId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> isr;
  ControllerEpoch controller_epoch{0};
  int32_t zk_version = 0;  // not encoded: the state znode's stat.version on read

  bool operator==(const PartitionState&) const = default;
};

struct TopicPartitionStateZNode {
  static std::string Path(std::string_view topic, PartitionId partition);
  static std::string Encode(const PartitionState& state);
  static Result<PartitionState> Decode(std::string_view bytes, int32_t zk_version);
};

// ---- /config/... ----------------------------------------------------------------------------

using ConfigMap = std::map<std::string, std::string>;

// Entity types under /config (kafka.server.ConfigType).
inline constexpr std::string_view kConfigTypeTopic = "topics";
inline constexpr std::string_view kConfigTypeClient = "clients";
inline constexpr std::string_view kConfigTypeUser = "users";
inline constexpr std::string_view kConfigTypeBroker = "brokers";

struct ConfigEntityZNode {
  static std::string Path(std::string_view entity_type, std::string_view entity_name);
  static std::string Encode(const ConfigMap& config);
  // Values must be JSON strings (Kafka stores Properties). No "config" decodes to empty.
  static Result<ConfigMap> Decode(std::string_view bytes);
};

struct ConfigEntityChangeNotificationZNode {
  static std::string Path();  // /config/changes
};

struct ConfigEntityChangeNotificationSequenceZNode {
  // Create this path with a persistent-sequential mode: ZooKeeper appends the counter.
  static std::string CreatePath();  // /config/changes/config_change_
  // entity_path is "<type>/<name>", e.g. "topics/orders".
  static std::string Encode(std::string_view entity_path);
  static Result<std::string> Decode(std::string_view bytes);
};

// ---- /admin/delete_topics/<t> ---------------------------------------------------------------

struct DeleteTopicsZNode {
  static std::string Path();  // /admin/delete_topics
};

struct DeleteTopicsTopicZNode {
  static std::string Path(std::string_view topic);
  static std::string Encode() { return std::string(); }  // the znode's presence is the request
};

// ---- /admin/reassign_partitions, /admin/preferred_replica_election, /isr_change_notification

// A topic-partition named in a znode's "partitions" list.
using TopicPartitionName = std::pair<std::string, PartitionId>;

struct ReassignPartitionsZNode {
  static std::string Path();  // /admin/reassign_partitions
  // Target replica list per partition (log_dirs, if present, are ignored on decode).
  static std::string Encode(const std::map<TopicPartitionName, std::vector<BrokerId>>& moves);
  static Result<std::map<TopicPartitionName, std::vector<BrokerId>>> Decode(std::string_view bytes);
};

struct PreferredReplicaElectionZNode {
  static std::string Path();  // /admin/preferred_replica_election
  static std::string Encode(const std::vector<TopicPartitionName>& partitions);
  static Result<std::vector<TopicPartitionName>> Decode(std::string_view bytes);
};

struct IsrChangeNotificationZNode {
  static std::string Path();  // /isr_change_notification
};

struct IsrChangeNotificationSequenceZNode {
  // Create with a persistent-sequential mode: /isr_change_notification/isr_change_<10 digits>.
  static std::string CreatePath();
  static std::string Path(std::string_view child_name);  // child_name as GetChildren lists it
  static std::string Encode(const std::vector<TopicPartitionName>& partitions);
  static Result<std::vector<TopicPartitionName>> Decode(std::string_view bytes);
};

// ---- /cluster/id ----------------------------------------------------------------------------

struct ClusterIdZNode {
  static std::string Path();
  static std::string Encode(std::string_view cluster_id);
  static Result<std::string> Decode(std::string_view bytes);
};

}  // namespace sluice::metadata

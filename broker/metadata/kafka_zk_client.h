// KafkaZkClient: Kafka's operations on ZooKeeper (kafka.zk.KafkaZkClient, kafka.zk.AdminZkClient)
// in terms of the znodes of znodes.h.
//
// Every state change is a conditional write: partition states against their zkVersion, topic
// assignments against the topic znode's version, the controller epoch against its own version.
// Writes made on behalf of the controller broker may also carry a `controller_epoch_zk_version`
// fence: the write is then a ZooKeeper multi that first checks /controller_epoch still has that
// version, so a controller that lost its role (a newer controller bumped the epoch) cannot
// overwrite its successor's decisions (Kafka does the same since 2.2, KAFKA-6082).
// A failed fence is a Conflict.
//
// Thread safety: as thread-safe as ZkClient (any thread). The object only holds a reference to
// the ZkClient, which must outlive it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "broker/metadata/zk_client.h"
#include "broker/metadata/znodes.h"
#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/base/topic_name.h"

namespace sluice::metadata {

struct ControllerElection {
  bool elected = false;                   // this call made the broker the controller
  std::optional<BrokerId> controller_id;  // the controller now (nullopt: none right now)
  ControllerEpoch epoch{0};               // the current controller epoch
  int32_t epoch_zk_version = 0;  // /controller_epoch's znode version: the controller's fence
};

// A registered broker and its epoch (the czxid of /brokers/ids/<id>, KIP-380).
struct LiveBroker {
  BrokerRegistration registration;
  int64_t epoch = 0;
};

struct VersionedTopicAssignment {
  TopicAssignment assignment;
  int32_t zk_version = 0;  // the topic znode's version, for conditional updates
};

// Kafka's topic name rules (org.apache.kafka.common.internals.Topic.validate): 1..249 characters
// of [a-zA-Z0-9._-], not "." or "..". InvalidArgument otherwise.
using ::sluice::ValidateTopicName;  // libs/base/topic_name.h

class KafkaZkClient {
 public:
  explicit KafkaZkClient(ZkClient& zk) : zk_(zk) {}

  ZkClient& zk() { return zk_; }

  // Creates PersistentZkPaths() (and parents) where missing. Idempotent.
  Status EnsurePersistentPaths();

  // Returns /cluster/id's id, creating it with a fresh random Uuid (22-char base64url) if absent.
  // Concurrent callers all get the one id that won.
  Result<std::string> GetOrCreateClusterId();

  // ---- brokers ----

  // Creates the ephemeral /brokers/ids/<id> and returns the broker epoch (the znode's czxid).
  // Re-registering from the session that already owns the znode is OK (returns its czxid).
  // AlreadyExists "broker.id N is already registered in ZooKeeper at <path> by <host:port>" when
  // another session holds the id.
  Result<int64_t> RegisterBroker(const BrokerRegistration& broker);
  // Registered brokers sorted by id. A registration that fails to decode is skipped with a
  // warning (one bad znode must not hide the cluster).
  Result<std::vector<BrokerRegistration>> GetLiveBrokers();
  // As GetLiveBrokers, with each broker's epoch.
  Result<std::vector<LiveBroker>> GetLiveBrokersWithEpochs();
  // Children of /brokers/ids, sorted; the watch fires when a broker comes or goes.
  Result<std::vector<BrokerId>> GetLiveBrokerIds(WatchCallback watch = nullptr);

  // ---- controller ----

  // Kafka's registerControllerAndIncrementControllerEpoch: reads /controller_epoch (creating it
  // with 0 if absent), then atomically creates the ephemeral /controller and sets
  // /controller_epoch to epoch+1 conditional on the version read. The first controller of a
  // cluster gets epoch 1. Loses (elected = false) when /controller exists or another broker
  // bumped the epoch first. If our own session already holds /controller, reports elected.
  Result<ControllerElection> TryElectController(BrokerId broker);
  // The controller's id, or nullopt when /controller is absent. The watch (an exists watch)
  // fires when /controller is created, changed or deleted.
  Result<std::optional<BrokerId>> GetControllerId(WatchCallback watch = nullptr);
  // /controller_epoch and its znode version; nullopt when absent.
  Result<std::optional<std::pair<ControllerEpoch, int32_t>>> GetControllerEpoch();

  // ---- topics ----

  // Like AdminZkClient.createTopicWithAssignment: writes /config/topics/<t> (even when empty),
  // then /brokers/topics/<t> (v3, fresh topic id). AlreadyExists if the topic znode exists;
  // InvalidArgument for a bad name or assignment (partitions must be 0..n-1, each with at least
  // one replica and no duplicate replica).
  Status CreateTopic(const std::string& topic, const PartitionAssignment& assignment,
                     const ConfigMap& configs);
  // Adds partitions: `new_partitions` must continue the numbering (n, n+1, ...). The rewrite of
  // /brokers/topics/<t> is conditional on the version read, so a concurrent change is Conflict.
  // NotFound if the topic does not exist.
  Status AddPartitions(const std::string& topic, const PartitionAssignment& new_partitions);
  // NotFound if absent. A data watch fires on change (e.g. added partitions) or deletion.
  Result<VersionedTopicAssignment> GetTopicAssignment(const std::string& topic,
                                                      WatchCallback watch = nullptr);
  // Rewrites /brokers/topics/<t> (replicas, adding/removing replicas; the topic id is kept as
  // given) conditional on `expected_version`; returns the new version. Conflict on a version
  // mismatch or a failed fence.
  Result<int32_t> SetTopicAssignment(const std::string& topic, const TopicAssignment& assignment,
                                     int32_t expected_version,
                                     std::optional<int32_t> controller_epoch_zk_version);
  // Children of /brokers/topics, sorted; the watch fires when a topic is created or deleted.
  Result<std::vector<std::string>> GetAllTopics(WatchCallback watch = nullptr);

  // ---- partition state ----

  // NotFound if the state znode is absent.
  Result<PartitionState> GetPartitionState(const std::string& topic, PartitionId partition);
  // States of every partition of `topic` that has one (empty if none or no topic).
  Result<std::map<PartitionId, PartitionState>> GetPartitionStates(const std::string& topic);
  // Creates /brokers/topics/<t>/partitions/<p>/state (and the two parents). AlreadyExists if
  // present. `state.zk_version` is ignored.
  Status CreatePartitionState(const std::string& topic, PartitionId partition,
                              const PartitionState& state,
                              std::optional<int32_t> controller_epoch_zk_version = std::nullopt);
  // Conditional on state.zk_version: Conflict if the znode changed since it was read. Returns
  // the new zk_version.
  Result<int32_t> SetPartitionState(
      const std::string& topic, PartitionId partition, const PartitionState& state,
      std::optional<int32_t> controller_epoch_zk_version = std::nullopt);

  // ---- ISR change notifications (the partition leader -> the controller) ----

  // Creates a persistent-sequential /isr_change_notification/isr_change_<seq> naming the
  // partitions whose ISR this broker just wrote, so the controller re-reads them and sends
  // UpdateMetadata (Kafka's propagateIsrChanges). An empty list writes nothing.
  Status CreateIsrChangeNotification(const std::vector<TopicPartitionName>& partitions);
  // Children of /isr_change_notification (e.g. "isr_change_0000000003"), sorted; the watch fires
  // when one is added or removed.
  Result<std::vector<std::string>> GetIsrChangeNotifications(WatchCallback watch = nullptr);
  // The partitions one notification names. NotFound if it was deleted meanwhile; Corruption if
  // malformed.
  Result<std::vector<TopicPartitionName>> GetIsrChangeNotification(const std::string& child_name);
  // Deletes the named notifications (absent ones are fine), fenced like every controller write.
  Status DeleteIsrChangeNotifications(const std::vector<std::string>& child_names,
                                      std::optional<int32_t> controller_epoch_zk_version);

  // ---- admin requests: /admin/reassign_partitions, /admin/preferred_replica_election ----

  // nullopt when absent. The watch (an exists watch) fires when it is created, changed or deleted.
  Result<std::optional<std::map<TopicPartitionName, std::vector<BrokerId>>>>
  GetPartitionReassignmentRequest(WatchCallback watch = nullptr);
  // Creates the znode (the tools' path). AlreadyExists while a request is being processed.
  Status CreatePartitionReassignmentRequest(
      const std::map<TopicPartitionName, std::vector<BrokerId>>& moves);
  // Rewrites it with the moves still pending, or deletes it when `moves` is empty. Absent is fine.
  Status UpdatePartitionReassignmentRequest(
      const std::map<TopicPartitionName, std::vector<BrokerId>>& moves,
      std::optional<int32_t> controller_epoch_zk_version);
  // nullopt when absent; the watch (exists watch) fires on creation, change, deletion.
  Result<std::optional<std::vector<TopicPartitionName>>> GetPreferredReplicaElectionRequest(
      WatchCallback watch = nullptr);
  // AlreadyExists while one is being processed.
  Status CreatePreferredReplicaElectionRequest(const std::vector<TopicPartitionName>& partitions);
  // Absent is fine.
  Status DeletePreferredReplicaElectionRequest(std::optional<int32_t> controller_epoch_zk_version);

  // ---- topic configs ----

  // The topic's overrides; empty when /config/topics/<t> is absent (as Kafka).
  Result<ConfigMap> GetTopicConfig(const std::string& topic);
  // Replaces the topic's overrides and creates a /config/changes/config_change_<seq>
  // notification {"version":2,"entity_path":"topics/<t>"} so brokers reload them.
  Status SetTopicConfig(const std::string& topic, const ConfigMap& configs);

  // ---- topic deletion ----

  // Creates /admin/delete_topics/<t>: NotFound if the topic does not exist, AlreadyExists if it
  // is already marked.
  Status MarkTopicForDeletion(const std::string& topic);
  // Children of /admin/delete_topics, sorted; the watch fires when one is added or removed.
  Result<std::vector<std::string>> GetTopicDeletions(WatchCallback watch = nullptr);
  // Completes a deletion like Kafka's TopicDeletionManager: deletes /brokers/topics/<t>
  // recursively, /config/topics/<t>, then /admin/delete_topics/<t>. Absent znodes are fine.
  Status DeleteTopicZNodes(const std::string& topic,
                           std::optional<int32_t> controller_epoch_zk_version = std::nullopt);
  // Drops the deletion request only (delete.topic.enable=false). Absent is fine.
  Status RemoveTopicDeletion(const std::string& topic,
                             std::optional<int32_t> controller_epoch_zk_version = std::nullopt);

 private:
  // Runs `ops` in one multi, prefixed by a check of /controller_epoch's version when fenced.
  Status FencedMulti(std::vector<ZkOp> ops, std::optional<int32_t> controller_epoch_zk_version);
  Status SetOrCreateEntityConfig(std::string_view type, const std::string& name,
                                 const ConfigMap& configs);

  ZkClient& zk_;
};

}  // namespace sluice::metadata

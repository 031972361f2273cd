#include "broker/metadata/kafka_zk_client.h"
#include "libs/base/clock.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace sluice::metadata {
namespace {

// Kafka's Topic.MAX_NAME_LENGTH: 255 minus room for a partition suffix and ".deleted" markers.

bool IsNotFound(const Status& status) { return status.code() == Status::Code::kNotFound; }
bool IsAlreadyExists(const Status& status) { return status.code() == Status::Code::kAlreadyExists; }

Status ValidateAssignment(const std::string& topic, const PartitionAssignment& assignment,
                          int32_t first_partition) {
  if (assignment.empty()) {
    return Status::InvalidArgument("topic " + topic + ": no partitions to assign");
  }
  int32_t expected = first_partition;
  for (const auto& [partition, replicas] : assignment) {
    if (partition.value() != expected) {
      return Status::InvalidArgument("topic " + topic + ": partition " +
                                     std::to_string(partition.value()) +
                                     " breaks the numbering, expected " + std::to_string(expected));
    }
    ++expected;
    if (replicas.empty()) {
      return Status::InvalidArgument("topic " + topic + ": partition " +
                                     std::to_string(partition.value()) + " has no replicas");
    }
    std::set<BrokerId> unique(replicas.begin(), replicas.end());
    if (unique.size() != replicas.size()) {
      return Status::InvalidArgument("topic " + topic + ": partition " +
                                     std::to_string(partition.value()) + " lists a replica twice");
    }
  }
  return Status::Ok();
}

std::string DescribeBroker(const BrokerRegistration& broker) {
  if (const BrokerEndpoint* plaintext = broker.PlaintextEndpoint()) {
    return plaintext->host + ":" + std::to_string(plaintext->port);
  }
  if (!broker.endpoints.empty()) return broker.endpoints.front().ConnectionString();
  return "(no endpoints)";
}

}  // namespace

Status KafkaZkClient::EnsurePersistentPaths() {
  for (const std::string& path : PersistentZkPaths()) {
    SLUICE_RETURN_IF_ERROR(zk_.CreatePersistentRecursive(path));
  }
  return Status::Ok();
}

Result<std::string> KafkaZkClient::GetOrCreateClusterId() {
  auto existing = zk_.Get(ClusterIdZNode::Path());
  if (existing.ok()) return ClusterIdZNode::Decode(existing->data);
  if (!IsNotFound(existing.status())) return existing.status();
  std::string id = Uuid::Random().ToBase64Url();
  SLUICE_RETURN_IF_ERROR(zk_.CreatePersistentRecursive("/cluster"));
  auto created =
      zk_.Create(ClusterIdZNode::Path(), ClusterIdZNode::Encode(id), CreateMode::kPersistent);
  if (created.ok()) return id;
  if (!IsAlreadyExists(created.status())) return created.status();
  // Another broker won the race: its id is the cluster's.
  auto winner = zk_.Get(ClusterIdZNode::Path());
  if (!winner.ok()) return winner.status();
  return ClusterIdZNode::Decode(winner->data);
}

// ---- brokers --------------------------------------------------------------------------------

Result<int64_t> KafkaZkClient::RegisterBroker(const BrokerRegistration& broker) {
  const std::string path = BrokerIdZNode::Path(broker.id);
  auto created = zk_.Create(path, BrokerIdZNode::Encode(broker), CreateMode::kEphemeral);
  if (!created.ok() && !IsAlreadyExists(created.status())) return created.status();
  auto node = zk_.Get(path);
  if (!node.ok()) return node.status();
  if (node->stat.ephemeral_owner != zk_.session_id()) {
    std::string holder = "another session";
    auto other = BrokerIdZNode::Decode(broker.id, node->data);
    if (other.ok()) holder = DescribeBroker(*other);
    return Status::AlreadyExists("broker.id " + std::to_string(broker.id.value()) +
                                 " is already registered in ZooKeeper at " + path + " by " +
                                 holder);
  }
  return node->stat.czxid;
}

Result<std::vector<BrokerId>> KafkaZkClient::GetLiveBrokerIds(WatchCallback watch) {
  auto children = zk_.GetChildren(BrokerIdsZNode::Path(), std::move(watch));
  if (!children.ok()) return children.status();
  std::vector<BrokerId> ids;
  for (const std::string& name : *children) {
    try {
      size_t used = 0;
      int id = std::stoi(name, &used);
      if (used == name.size()) ids.emplace_back(id);
    } catch (const std::exception&) {
      // Not a broker id: Kafka ignores such children too.
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<BrokerRegistration>> KafkaZkClient::GetLiveBrokers() {
  auto live = GetLiveBrokersWithEpochs();
  if (!live.ok()) return live.status();
  std::vector<BrokerRegistration> brokers;
  brokers.reserve(live->size());
  for (LiveBroker& broker : *live) brokers.push_back(std::move(broker.registration));
  return brokers;
}

Result<std::vector<LiveBroker>> KafkaZkClient::GetLiveBrokersWithEpochs() {
  auto ids = GetLiveBrokerIds();
  if (!ids.ok()) return ids.status();
  std::vector<LiveBroker> brokers;
  for (BrokerId id : *ids) {
    auto node = zk_.Get(BrokerIdZNode::Path(id));
    if (!node.ok()) {
      if (IsNotFound(node.status())) continue;  // went away since listed
      return node.status();
    }
    auto broker = BrokerIdZNode::Decode(id, node->data);
    if (!broker.ok()) {
      Poco::Logger::get("controller")
          .warning("skipping broker registration: " + broker.status().ToString());
      continue;
    }
    brokers.push_back(LiveBroker{std::move(*broker), node->stat.czxid});
  }
  return brokers;
}

// ---- controller -----------------------------------------------------------------------------

Result<std::optional<std::pair<ControllerEpoch, int32_t>>> KafkaZkClient::GetControllerEpoch() {
  auto node = zk_.Get(ControllerEpochZNode::Path());
  if (!node.ok()) {
    if (IsNotFound(node.status())) return std::optional<std::pair<ControllerEpoch, int32_t>>();
    return node.status();
  }
  auto epoch = ControllerEpochZNode::Decode(node->data);
  if (!epoch.ok()) return epoch.status();
  return std::optional(std::make_pair(*epoch, node->stat.version));
}

Result<std::optional<BrokerId>> KafkaZkClient::GetControllerId(WatchCallback watch) {
  auto exists = zk_.Exists(ControllerZNode::Path(), std::move(watch));
  if (!exists.ok()) return exists.status();
  if (!exists->has_value()) return std::optional<BrokerId>();
  auto node = zk_.Get(ControllerZNode::Path());
  if (!node.ok()) {
    if (IsNotFound(node.status())) return std::optional<BrokerId>();  // the watch will fire
    return node.status();
  }
  auto controller = ControllerZNode::Decode(node->data);
  if (!controller.ok()) return controller.status();
  return std::optional(controller->broker_id);
}

Result<ControllerElection> KafkaZkClient::TryElectController(BrokerId broker) {
  auto epoch = GetControllerEpoch();
  if (!epoch.ok()) return epoch.status();
  if (!epoch->has_value()) {
    // First controller of the cluster: epoch 0 at version 0, bumped to 1 below.
    auto created =
        zk_.Create(ControllerEpochZNode::Path(), ControllerEpochZNode::Encode(ControllerEpoch(0)),
                   CreateMode::kPersistent);
    if (!created.ok() && !IsAlreadyExists(created.status())) return created.status();
    epoch = GetControllerEpoch();
    if (!epoch.ok()) return epoch.status();
    if (!epoch->has_value()) return Status::Unavailable("/controller_epoch vanished");
  }
  auto [current_epoch, version] = **epoch;
  ControllerEpoch next_epoch = current_epoch + 1;

  Status won = zk_.Multi(
      {ZkOp::Create(ControllerZNode::Path(),
                    ControllerZNode::Encode(ControllerRegistration{broker, WallClockNow().value()}),
                    CreateMode::kEphemeral),
       ZkOp::SetData(ControllerEpochZNode::Path(), ControllerEpochZNode::Encode(next_epoch),
                     version)});
  if (won.ok()) {
    return ControllerElection{true, broker, next_epoch, version + 1};
  }
  if (!IsAlreadyExists(won) && won.code() != Status::Code::kConflict) return won;

  // Lost: someone holds /controller, or bumped the epoch between our read and our multi. If the
  // holder is our own session (an earlier attempt succeeded but its answer was lost), we won.
  ControllerElection lost;
  auto node = zk_.Get(ControllerZNode::Path());
  auto now_epoch = GetControllerEpoch();
  if (!now_epoch.ok()) return now_epoch.status();
  if (now_epoch->has_value()) {
    lost.epoch = (*now_epoch)->first;
    lost.epoch_zk_version = (*now_epoch)->second;
  }
  if (node.ok()) {
    auto controller = ControllerZNode::Decode(node->data);
    if (controller.ok()) {
      lost.controller_id = controller->broker_id;
      lost.elected =
          controller->broker_id == broker && node->stat.ephemeral_owner == zk_.session_id();
    }
  } else if (!IsNotFound(node.status())) {
    return node.status();
  }
  return lost;
}

// ---- topics ---------------------------------------------------------------------------------

Status KafkaZkClient::SetOrCreateEntityConfig(std::string_view type, const std::string& name,
                                              const ConfigMap& configs) {
  const std::string path = ConfigEntityZNode::Path(type, name);
  const std::string data = ConfigEntityZNode::Encode(configs);
  auto set = zk_.Set(path, data, kAnyVersion);
  if (set.ok()) return Status::Ok();
  if (!IsNotFound(set.status())) return set.status();
  auto created = zk_.Create(path, data, CreateMode::kPersistent);
  if (created.ok()) return Status::Ok();
  if (IsNotFound(created.status())) {  // /config/<type> missing: paths not ensured yet
    return zk_.CreatePersistentRecursive(path, data);
  }
  if (IsAlreadyExists(created.status())) return zk_.Set(path, data, kAnyVersion).status();
  return created.status();
}

Status KafkaZkClient::CreateTopic(const std::string& topic, const PartitionAssignment& assignment,
                                  const ConfigMap& configs) {
  SLUICE_RETURN_IF_ERROR(ValidateTopicName(topic));
  SLUICE_RETURN_IF_ERROR(ValidateAssignment(topic, assignment, 0));
  auto exists = zk_.Exists(TopicZNode::Path(topic));
  if (!exists.ok()) return exists.status();
  if (exists->has_value()) return Status::AlreadyExists("Topic '" + topic + "' already exists.");
  // Configs first: a broker that sees the topic znode must find its overrides already there.
  SLUICE_RETURN_IF_ERROR(SetOrCreateEntityConfig(kConfigTypeTopic, topic, configs));
  TopicAssignment full;
  full.partitions = assignment;
  full.topic_id = Uuid::Random();
  auto created =
      zk_.Create(TopicZNode::Path(topic), TopicZNode::Encode(full), CreateMode::kPersistent);
  if (created.ok()) return Status::Ok();
  if (IsAlreadyExists(created.status())) {
    return Status::AlreadyExists("Topic '" + topic + "' already exists.");
  }
  if (IsNotFound(created.status())) {  // /brokers/topics missing
    SLUICE_RETURN_IF_ERROR(zk_.CreatePersistentRecursive(TopicsZNode::Path()));
    return zk_.Create(TopicZNode::Path(topic), TopicZNode::Encode(full), CreateMode::kPersistent)
        .status();
  }
  return created.status();
}

Result<VersionedTopicAssignment> KafkaZkClient::GetTopicAssignment(const std::string& topic,
                                                                   WatchCallback watch) {
  auto node = zk_.Get(TopicZNode::Path(topic), std::move(watch));
  if (!node.ok()) return node.status();
  auto assignment = TopicZNode::Decode(node->data);
  if (!assignment.ok()) {
    return Status::Corruption(TopicZNode::Path(topic) + ": " + assignment.status().message());
  }
  return VersionedTopicAssignment{std::move(*assignment), node->stat.version};
}

Status KafkaZkClient::AddPartitions(const std::string& topic,
                                    const PartitionAssignment& new_partitions) {
  auto current = GetTopicAssignment(topic);
  if (!current.ok()) return current.status();
  const auto first = static_cast<int32_t>(current->assignment.partitions.size());
  SLUICE_RETURN_IF_ERROR(ValidateAssignment(topic, new_partitions, first));
  TopicAssignment updated = current->assignment;
  updated.partitions.insert(new_partitions.begin(), new_partitions.end());
  return zk_.Set(TopicZNode::Path(topic), TopicZNode::Encode(updated), current->zk_version)
      .status();
}

Result<int32_t> KafkaZkClient::SetTopicAssignment(
    const std::string& topic, const TopicAssignment& assignment, int32_t expected_version,
    std::optional<int32_t> controller_epoch_zk_version) {
  SLUICE_RETURN_IF_ERROR(FencedMulti(
      {ZkOp::SetData(TopicZNode::Path(topic), TopicZNode::Encode(assignment), expected_version)},
      controller_epoch_zk_version));
  return expected_version + 1;  // a successful conditional set bumps the version by one
}

Result<std::vector<std::string>> KafkaZkClient::GetAllTopics(WatchCallback watch) {
  return zk_.GetChildren(TopicsZNode::Path(), std::move(watch));
}

// ---- partition state ------------------------------------------------------------------------

Status KafkaZkClient::FencedMulti(std::vector<ZkOp> ops,
                                  std::optional<int32_t> controller_epoch_zk_version) {
  if (controller_epoch_zk_version) {
    ops.insert(ops.begin(),
               ZkOp::CheckVersion(ControllerEpochZNode::Path(), *controller_epoch_zk_version));
  }
  Status status = zk_.Multi(ops);
  if (!status.ok() && controller_epoch_zk_version &&
      status.message().find(ControllerEpochZNode::Path()) != std::string::npos) {
    return Status::Conflict("controller moved: /controller_epoch is no longer at version " +
                            std::to_string(*controller_epoch_zk_version) + " (" + status.message() +
                            ")");
  }
  return status;
}

Result<PartitionState> KafkaZkClient::GetPartitionState(const std::string& topic,
                                                        PartitionId partition) {
  const std::string path = TopicPartitionStateZNode::Path(topic, partition);
  auto node = zk_.Get(path);
  if (!node.ok()) return node.status();
  auto state = TopicPartitionStateZNode::Decode(node->data, node->stat.version);
  if (!state.ok()) return Status::Corruption(path + ": " + state.status().message());
  return state;
}

Result<std::map<PartitionId, PartitionState>> KafkaZkClient::GetPartitionStates(
    const std::string& topic) {
  std::map<PartitionId, PartitionState> states;
  auto children = zk_.GetChildren(TopicPartitionsZNode::Path(topic));
  if (!children.ok()) {
    if (IsNotFound(children.status())) return states;
    return children.status();
  }
  for (const std::string& name : *children) {
    int32_t partition = 0;
    try {
      partition = std::stoi(name);
    } catch (const std::exception&) {
      continue;
    }
    auto state = GetPartitionState(topic, PartitionId(partition));
    if (state.ok()) {
      states.emplace(PartitionId(partition), std::move(*state));
    } else if (!IsNotFound(state.status())) {
      return state.status();
    }
  }
  return states;
}

Status KafkaZkClient::CreatePartitionState(const std::string& topic, PartitionId partition,
                                           const PartitionState& state,
                                           std::optional<int32_t> controller_epoch_zk_version) {
  // The parents carry no data; creating them twice is harmless.
  for (const std::string& parent :
       {TopicPartitionsZNode::Path(topic), TopicPartitionZNode::Path(topic, partition)}) {
    auto created = zk_.Create(parent, "", CreateMode::kPersistent);
    if (!created.ok() && !IsAlreadyExists(created.status())) return created.status();
  }
  return FencedMulti({ZkOp::Create(TopicPartitionStateZNode::Path(topic, partition),
                                   TopicPartitionStateZNode::Encode(state))},
                     controller_epoch_zk_version);
}

Result<int32_t> KafkaZkClient::SetPartitionState(
    const std::string& topic, PartitionId partition, const PartitionState& state,
    std::optional<int32_t> controller_epoch_zk_version) {
  const std::string path = TopicPartitionStateZNode::Path(topic, partition);
  if (!controller_epoch_zk_version) {
    auto stat = zk_.Set(path, TopicPartitionStateZNode::Encode(state), state.zk_version);
    if (!stat.ok()) return stat.status();
    return stat->version;
  }
  SLUICE_RETURN_IF_ERROR(
      FencedMulti({ZkOp::SetData(path, TopicPartitionStateZNode::Encode(state), state.zk_version)},
                  controller_epoch_zk_version));
  return state.zk_version + 1;  // a successful conditional set bumps the version by one
}

// ---- ISR change notifications ---------------------------------------------------------------

Status KafkaZkClient::CreateIsrChangeNotification(
    const std::vector<TopicPartitionName>& partitions) {
  if (partitions.empty()) return Status::Ok();
  const std::string data = IsrChangeNotificationSequenceZNode::Encode(partitions);
  auto created = zk_.Create(IsrChangeNotificationSequenceZNode::CreatePath(), data,
                            CreateMode::kPersistentSequential);
  if (created.ok()) return Status::Ok();
  if (!IsNotFound(created.status())) return created.status();
  // The parent is missing (paths not ensured yet on this cluster): create it and retry once.
  SLUICE_RETURN_IF_ERROR(zk_.CreatePersistentRecursive(IsrChangeNotificationZNode::Path()));
  return zk_
      .Create(IsrChangeNotificationSequenceZNode::CreatePath(), data,
              CreateMode::kPersistentSequential)
      .status();
}

Result<std::vector<std::string>> KafkaZkClient::GetIsrChangeNotifications(WatchCallback watch) {
  return zk_.GetChildren(IsrChangeNotificationZNode::Path(), std::move(watch));
}

Result<std::vector<TopicPartitionName>> KafkaZkClient::GetIsrChangeNotification(
    const std::string& child_name) {
  auto node = zk_.Get(IsrChangeNotificationSequenceZNode::Path(child_name));
  if (!node.ok()) return node.status();
  return IsrChangeNotificationSequenceZNode::Decode(node->data);
}

Status KafkaZkClient::DeleteIsrChangeNotifications(
    const std::vector<std::string>& child_names,
    std::optional<int32_t> controller_epoch_zk_version) {
  for (const std::string& name : child_names) {
    Status status = FencedMulti({ZkOp::Delete(IsrChangeNotificationSequenceZNode::Path(name))},
                                controller_epoch_zk_version);
    if (!status.ok() && !IsNotFound(status)) return status;
  }
  return Status::Ok();
}

// ---- admin requests -------------------------------------------------------------------------

Result<std::optional<std::map<TopicPartitionName, std::vector<BrokerId>>>>
KafkaZkClient::GetPartitionReassignmentRequest(WatchCallback watch) {
  using Moves = std::map<TopicPartitionName, std::vector<BrokerId>>;
  auto exists = zk_.Exists(ReassignPartitionsZNode::Path(), std::move(watch));
  if (!exists.ok()) return exists.status();
  if (!exists->has_value()) return std::optional<Moves>();
  auto node = zk_.Get(ReassignPartitionsZNode::Path());
  if (!node.ok()) {
    if (IsNotFound(node.status())) return std::optional<Moves>();
    return node.status();
  }
  auto moves = ReassignPartitionsZNode::Decode(node->data);
  if (!moves.ok()) return moves.status();
  return std::optional<Moves>(std::move(*moves));
}

Status KafkaZkClient::CreatePartitionReassignmentRequest(
    const std::map<TopicPartitionName, std::vector<BrokerId>>& moves) {
  auto created = zk_.Create(ReassignPartitionsZNode::Path(), ReassignPartitionsZNode::Encode(moves),
                            CreateMode::kPersistent);
  if (created.ok()) return Status::Ok();
  if (IsAlreadyExists(created.status())) {
    return Status::AlreadyExists("a partition reassignment is already in progress (" +
                                 ReassignPartitionsZNode::Path() + " exists)");
  }
  if (IsNotFound(created.status())) {
    return zk_.CreatePersistentRecursive(ReassignPartitionsZNode::Path(),
                                         ReassignPartitionsZNode::Encode(moves));
  }
  return created.status();
}

Status KafkaZkClient::UpdatePartitionReassignmentRequest(
    const std::map<TopicPartitionName, std::vector<BrokerId>>& moves,
    std::optional<int32_t> controller_epoch_zk_version) {
  Status status =
      moves.empty()
          ? FencedMulti({ZkOp::Delete(ReassignPartitionsZNode::Path())},
                        controller_epoch_zk_version)
          : FencedMulti({ZkOp::SetData(ReassignPartitionsZNode::Path(),
                                       ReassignPartitionsZNode::Encode(moves), kAnyVersion)},
                        controller_epoch_zk_version);
  return IsNotFound(status) ? Status::Ok() : status;
}

Result<std::optional<std::vector<TopicPartitionName>>>
KafkaZkClient::GetPreferredReplicaElectionRequest(WatchCallback watch) {
  using List = std::vector<TopicPartitionName>;
  auto exists = zk_.Exists(PreferredReplicaElectionZNode::Path(), std::move(watch));
  if (!exists.ok()) return exists.status();
  if (!exists->has_value()) return std::optional<List>();
  auto node = zk_.Get(PreferredReplicaElectionZNode::Path());
  if (!node.ok()) {
    if (IsNotFound(node.status())) return std::optional<List>();
    return node.status();
  }
  auto partitions = PreferredReplicaElectionZNode::Decode(node->data);
  if (!partitions.ok()) return partitions.status();
  return std::optional<List>(std::move(*partitions));
}

Status KafkaZkClient::CreatePreferredReplicaElectionRequest(
    const std::vector<TopicPartitionName>& partitions) {
  const std::string data = PreferredReplicaElectionZNode::Encode(partitions);
  auto created = zk_.Create(PreferredReplicaElectionZNode::Path(), data, CreateMode::kPersistent);
  if (created.ok()) return Status::Ok();
  if (IsAlreadyExists(created.status())) {
    return Status::AlreadyExists("a preferred replica election is already in progress (" +
                                 PreferredReplicaElectionZNode::Path() + " exists)");
  }
  if (IsNotFound(created.status())) {
    return zk_.CreatePersistentRecursive(PreferredReplicaElectionZNode::Path(), data);
  }
  return created.status();
}

Status KafkaZkClient::DeletePreferredReplicaElectionRequest(
    std::optional<int32_t> controller_epoch_zk_version) {
  Status status = FencedMulti({ZkOp::Delete(PreferredReplicaElectionZNode::Path())},
                              controller_epoch_zk_version);
  return IsNotFound(status) ? Status::Ok() : status;
}

// ---- configs --------------------------------------------------------------------------------

Result<ConfigMap> KafkaZkClient::GetTopicConfig(const std::string& topic) {
  auto node = zk_.Get(ConfigEntityZNode::Path(kConfigTypeTopic, topic));
  if (!node.ok()) {
    if (IsNotFound(node.status())) return ConfigMap();
    return node.status();
  }
  return ConfigEntityZNode::Decode(node->data);
}

Status KafkaZkClient::SetTopicConfig(const std::string& topic, const ConfigMap& configs) {
  SLUICE_RETURN_IF_ERROR(SetOrCreateEntityConfig(kConfigTypeTopic, topic, configs));
  std::string entity_path = std::string(kConfigTypeTopic) + "/" + topic;
  return zk_
      .Create(ConfigEntityChangeNotificationSequenceZNode::CreatePath(),
              ConfigEntityChangeNotificationSequenceZNode::Encode(entity_path),
              CreateMode::kPersistentSequential)
      .status();
}

// ---- deletion -------------------------------------------------------------------------------

Status KafkaZkClient::MarkTopicForDeletion(const std::string& topic) {
  auto exists = zk_.Exists(TopicZNode::Path(topic));
  if (!exists.ok()) return exists.status();
  if (!exists->has_value()) return Status::NotFound("Topic '" + topic + "' does not exist.");
  auto created = zk_.Create(DeleteTopicsTopicZNode::Path(topic), DeleteTopicsTopicZNode::Encode(),
                            CreateMode::kPersistent);
  if (created.ok()) return Status::Ok();
  if (IsAlreadyExists(created.status())) {
    return Status::AlreadyExists("Topic '" + topic + "' is already marked for deletion.");
  }
  if (IsNotFound(created.status())) {  // /admin/delete_topics missing
    return zk_.CreatePersistentRecursive(DeleteTopicsTopicZNode::Path(topic));
  }
  return created.status();
}

Result<std::vector<std::string>> KafkaZkClient::GetTopicDeletions(WatchCallback watch) {
  return zk_.GetChildren(DeleteTopicsZNode::Path(), std::move(watch));
}

Status KafkaZkClient::DeleteTopicZNodes(const std::string& topic,
                                        std::optional<int32_t> controller_epoch_zk_version) {
  if (controller_epoch_zk_version) {
    // Check the fence once up front: the recursive delete itself cannot be one multi cheaply.
    auto epoch = GetControllerEpoch();
    if (!epoch.ok()) return epoch.status();
    if (!epoch->has_value() || (*epoch)->second != *controller_epoch_zk_version) {
      return Status::Conflict("controller moved: /controller_epoch is no longer at version " +
                              std::to_string(*controller_epoch_zk_version));
    }
  }
  SLUICE_RETURN_IF_ERROR(zk_.DeleteRecursive(TopicZNode::Path(topic)));
  Status config = zk_.Delete(ConfigEntityZNode::Path(kConfigTypeTopic, topic));
  if (!config.ok() && !IsNotFound(config)) return config;
  return RemoveTopicDeletion(topic, controller_epoch_zk_version);
}

Status KafkaZkClient::RemoveTopicDeletion(const std::string& topic,
                                          std::optional<int32_t> controller_epoch_zk_version) {
  Status status =
      FencedMulti({ZkOp::Delete(DeleteTopicsTopicZNode::Path(topic))}, controller_epoch_zk_version);
  return IsNotFound(status) ? Status::Ok() : status;
}

}  // namespace sluice::metadata

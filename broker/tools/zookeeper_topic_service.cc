// `sluice topics --zookeeper`: Kafka 2.8's ZookeeperTopicService (the only mode of Kafka 2.1's
// tool, the one the seed tutorial types). Everything is a read or write of Kafka's znodes
// (broker/metadata/znodes.h); the controller broker reacts to the writes as it does to Kafka's
// tool: it elects leaders for a new /brokers/topics/<t>, and it acts on
// /admin/delete_topics/<t> (deleting the topic, or just the request when
// delete.topic.enable=false).
#include <set>

#include "broker/assignment/replica_assignment.h"
#include "broker/config/topic_config.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/zk_client.h"
#include "broker/tools/topic_service.h"

namespace sluice::tools {

namespace {

using metadata::KafkaZkClient;
using metadata::ZkClient;

// Kafka's tool waits this long for a ZooKeeper session (TopicCommand's 30000 ms).
constexpr int kZkTimeoutMs = 30000;

class ZookeeperTopicService final : public TopicService {
 public:
  explicit ZookeeperTopicService(std::unique_ptr<ZkClient> zk) : zk_(std::move(zk)), kafka_(*zk_) {}

  Status Create(const TopicCommandOptions& o, std::ostream& out) override {
    const std::string& topic = *o.topic;
    if (HasCollisionChars(topic)) out << kCollisionWarning << "\n";
    Status created = CreateTopic(o);
    if (created.code() == Status::Code::kAlreadyExists && o.if_not_exists) return Status::Ok();
    SLUICE_RETURN_IF_ERROR(created);
    out << "Created topic " << topic << ".\n";
    return Status::Ok();
  }

  Status List(const TopicCommandOptions& o, std::ostream& out) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    for (const std::string& topic : *topics) {
      auto marked = IsMarkedForDeletion(topic);
      if (!marked.ok()) return marked.status();
      out << topic << (*marked ? " - marked for deletion" : "") << "\n";
    }
    return Status::Ok();
  }

  Status Describe(const TopicCommandOptions& o, std::ostream& out) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    SLUICE_RETURN_IF_ERROR(EnsureTopicsFound(*topics, o));
    auto live = kafka_.GetLiveBrokerIds();
    if (!live.ok()) return live.status();
    std::vector<TopicDescription> descriptions;
    for (const std::string& topic : *topics) {
      auto description = DescribeTopic(topic);
      if (description.status().code() == Status::Code::kNotFound) {
        // Deleted between listing and reading: Kafka says so and goes on.
        out << "Topic " << topic << " doesn't exist!\n";
        continue;
      }
      if (!description.ok()) return description.status();
      descriptions.push_back(std::move(*description));
    }
    PrintDescriptions(descriptions, o.describe_filter, std::set<BrokerId>(live->begin(), live->end()),
                      out);
    return Status::Ok();
  }

  Status Alter(const TopicCommandOptions& o, std::ostream& out) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    SLUICE_RETURN_IF_ERROR(EnsureTopicsFound(*topics, o));
    for (const std::string& topic : *topics) {
      if (!o.configs_to_add.empty() || !o.configs_to_delete.empty()) {
        auto configs = kafka_.GetTopicConfig(topic);
        if (!configs.ok()) return configs.status();
        out << kAlterConfigWarning << "\n";
        for (const auto& [key, value] : o.configs_to_add) (*configs)[key] = value;
        for (const std::string& key : o.configs_to_delete) configs->erase(key);
        SLUICE_RETURN_IF_ERROR(kafka_.SetTopicConfig(topic, *configs));
        out << "Updated config for topic " << topic << ".\n";
      }
      if (o.partitions) {
        if (IsInternalTopic(topic)) {
          return Status::InvalidArgument(
              "The number of partitions for the internal topics(__consumer_offsets,"
              "__transaction_state) cannot be changed.");
        }
        out << kAddPartitionsWarning << "\n";
        SLUICE_RETURN_IF_ERROR(AddPartitions(topic, o));
        out << "Adding partitions succeeded!\n";
      }
    }
    return Status::Ok();
  }

  Status Delete(const TopicCommandOptions& o, std::ostream& out) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    SLUICE_RETURN_IF_ERROR(EnsureTopicsFound(*topics, o));
    for (const std::string& topic : *topics) {
      if (IsInternalTopic(topic)) {
        return Status::InvalidArgument("Topic " + topic +
                                       " is a kafka internal topic and is not allowed to be "
                                       "marked for deletion.");
      }
      Status marked = kafka_.MarkTopicForDeletion(topic);
      if (marked.code() == Status::Code::kAlreadyExists) {
        out << "Topic " << topic << " is already marked for deletion.\n";
        continue;
      }
      if (!marked.ok()) {
        return Status::Unavailable("Error while deleting topic " + topic + ": " +
                                   marked.message());
      }
      out << "Topic " << topic << " is marked for deletion.\n";
      out << "Note: This will have no impact if delete.topic.enable is not set to true.\n";
    }
    return Status::Ok();
  }

 private:
  Result<std::vector<std::string>> SelectTopics(const TopicCommandOptions& o) {
    auto filter = TopicFilter::Create(o.topic, o.exclude_internal);
    if (!filter.ok()) return filter.status();
    auto all = kafka_.GetAllTopics();
    if (!all.ok()) return all.status();
    return filter->Select(std::move(*all));
  }

  Result<bool> IsMarkedForDeletion(const std::string& topic) {
    auto exists = zk_->Exists(metadata::DeleteTopicsTopicZNode::Path(topic));
    if (!exists.ok()) return exists.status();
    return exists->has_value();
  }

  // AdminZkClient.validateTopicCreate, then the writes.
  Status CreateTopic(const TopicCommandOptions& o) {
    const std::string& topic = *o.topic;
    SLUICE_RETURN_IF_ERROR(metadata::ValidateTopicName(topic));
    auto all = kafka_.GetAllTopics();
    if (!all.ok()) return all.status();
    for (const std::string& existing : *all) {
      if (existing == topic) return Status::AlreadyExists("Topic '" + topic + "' already exists.");
    }
    auto marked = IsMarkedForDeletion(topic);
    if (!marked.ok()) return marked.status();
    if (*marked) return Status::AlreadyExists("Topic '" + topic + "' is marked for deletion.");
    if (HasCollisionChars(topic)) {
      std::string colliding;
      for (const std::string& existing : *all) {
        if (existing != topic && Canonical(existing) == Canonical(topic)) {
          colliding += (colliding.empty() ? "" : ", ") + existing;
        }
      }
      if (!colliding.empty()) {
        return Status::InvalidArgument("Topic '" + topic +
                                       "' collides with existing topics: " + colliding);
      }
    }
    PartitionAssignment assignment;
    if (o.replica_assignment) {
      assignment = *o.replica_assignment;
    } else {
      auto brokers = BrokerRacks(o);
      if (!brokers.ok()) return brokers.status();
      auto computed = assignment::AssignReplicasToBrokers(*brokers, *o.partitions,
                                                          *o.replication_factor);
      if (!computed.ok()) return computed.status();
      assignment = std::move(*computed);
    }
    if (!assignment.empty()) {
      const auto replication_factor = static_cast<int32_t>(assignment.begin()->second.size());
      SLUICE_RETURN_IF_ERROR(config::ValidateMinInsyncReplicas(o.configs_to_add, replication_factor));
    }
    return kafka_.CreateTopic(topic, assignment, o.configs_to_add);
  }

  // AdminZkClient.getBrokerMetadatas: the live brokers with their racks, sorted by id;
  // --disable-rack-aware drops the racks, otherwise partial rack information is an error.
  Result<std::vector<assignment::BrokerRack>> BrokerRacks(const TopicCommandOptions& o) {
    auto live = kafka_.GetLiveBrokers();
    if (!live.ok()) return live.status();
    std::vector<assignment::BrokerRack> brokers;
    for (const auto& b : *live) brokers.push_back({b.id, b.rack});
    return assignment::ApplyRackAwareMode(std::move(brokers),
                                          o.disable_rack_aware
                                              ? assignment::RackAwareMode::kDisabled
                                              : assignment::RackAwareMode::kEnforced);
  }

  // '.' and '_' are the same character in metric names.
  static std::string Canonical(std::string topic) {
    for (char& c : topic) c = c == '.' ? '_' : c;
    return topic;
  }

  // AdminZkClient.addPartitions: the new partitions continue the numbering, placed like a new
  // topic's (starting after partition 0's first replica) unless --replica-assignment lists them.
  Status AddPartitions(const std::string& topic, const TopicCommandOptions& o) {
    auto existing = kafka_.GetTopicAssignment(topic);
    if (!existing.ok()) return existing.status();
    const PartitionAssignment& current = existing->assignment.partitions;
    auto partition0 = current.find(PartitionId(0));
    if (partition0 == current.end()) {
      return Status::Corruption("Unexpected existing replica assignment for topic '" + topic +
                                "', partition id 0 is missing.");
    }
    const auto existing_count = static_cast<int32_t>(current.size());
    const int32_t to_add = *o.partitions - existing_count;
    if (to_add <= 0) {
      return Status::InvalidArgument(
          "The number of partitions for a topic can only be increased. Topic " + topic +
          " currently has " + std::to_string(existing_count) + " partitions, " +
          std::to_string(*o.partitions) + " would not be an increase.");
    }
    auto brokers = kafka_.GetLiveBrokerIds();
    if (!brokers.ok()) return brokers.status();
    PartitionAssignment added;
    if (o.replica_assignment) {
      for (const auto& [partition, replicas] : *o.replica_assignment) {
        if (partition.value() >= existing_count) added.emplace(partition, replicas);
      }
      if (static_cast<int32_t>(added.size()) != to_add) {
        return Status::InvalidArgument("Increasing the number of partitions by " +
                                       std::to_string(to_add) + " but " +
                                       std::to_string(added.size()) + " assignments provided.");
      }
      SLUICE_RETURN_IF_ERROR(
          ValidateReplicaAssignment(added, partition0->second.size(), *brokers));
    } else {
      auto racks = BrokerRacks(o);
      if (!racks.ok()) return racks.status();
      int32_t start = 0;
      for (size_t i = 0; i < racks->size(); ++i) {
        if ((*racks)[i].id >= partition0->second.front()) {
          start = static_cast<int32_t>(i);
          break;
        }
      }
      auto computed = assignment::AssignReplicasToBrokers(
          *racks, to_add, static_cast<int32_t>(partition0->second.size()), start, existing_count);
      if (!computed.ok()) return computed.status();
      added = std::move(*computed);
    }
    return kafka_.AddPartitions(topic, added);
  }

  Result<TopicDescription> DescribeTopic(const std::string& topic) {
    auto assignment = kafka_.GetTopicAssignment(topic);
    if (!assignment.ok()) return assignment.status();
    auto states = kafka_.GetPartitionStates(topic);
    if (!states.ok()) return states.status();
    auto configs = kafka_.GetTopicConfig(topic);
    if (!configs.ok()) return configs.status();
    auto marked = IsMarkedForDeletion(topic);
    if (!marked.ok()) return marked.status();

    TopicDescription d;
    d.name = topic;
    if (assignment->assignment.topic_id) {
      d.topic_id = assignment->assignment.topic_id->ToBase64Url();
    }
    d.configs.assign(configs->begin(), configs->end());  // /config/topics holds overrides only
    d.marked_for_deletion = *marked;
    for (const auto& [partition, replicas] : assignment->assignment.partitions) {
      PartitionDescription p;
      p.partition = partition;
      p.replicas = replicas;
      if (auto state = states->find(partition); state != states->end()) {
        if (state->second.leader != metadata::kNoLeader) p.leader = state->second.leader;
        p.isr = state->second.isr;
      }
      auto adding = assignment->assignment.adding_replicas.find(partition);
      if (adding != assignment->assignment.adding_replicas.end()) p.adding_replicas = adding->second;
      auto removing = assignment->assignment.removing_replicas.find(partition);
      if (removing != assignment->assignment.removing_replicas.end()) {
        p.removing_replicas = removing->second;
      }
      d.partitions.push_back(std::move(p));
    }
    return d;
  }

  std::unique_ptr<ZkClient> zk_;
  KafkaZkClient kafka_;
};

}  // namespace

Result<std::unique_ptr<TopicService>> ConnectZookeeperTopicService(const std::string& connect) {
  metadata::ZkClientOptions options;
  options.connect_string = connect;
  options.session_timeout_ms = kZkTimeoutMs;
  options.connection_timeout_ms = kZkTimeoutMs;
  auto zk = ZkClient::Connect(options);
  if (!zk.ok()) return zk.status();
  return std::unique_ptr<TopicService>(new ZookeeperTopicService(std::move(*zk)));
}

}  // namespace sluice::tools

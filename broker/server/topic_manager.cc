#include "broker/server/topic_manager.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <set>

#include "broker/config/topic_config.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

// The most partitions one topic may have. Kafka sets no limit of its own, but the assignment must
// fit in one znode (ZooKeeper's 1 MiB jute.maxbuffer, about 15 bytes a partition), and a hostile
// count must not make the broker build a map of 2^31 entries.
constexpr int32_t kMaxPartitionsPerTopic = 50000;

// How often waits re-check the metadata cache. The controller broker acts within milliseconds
// on one machine; 20 ms keeps CreateTopics latency low without spinning.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

}  // namespace

TopicManager::TopicManager(const config::BrokerConfig& config, metadata::KafkaZkClient& zk,
                           MetadataCache& metadata, boost::asio::io_context& io)
    : config_(config), zk_(zk), metadata_(metadata), io_(io) {}

std::vector<int32_t> TopicManager::LiveBrokers() const {
  std::vector<int32_t> ids;
  auto live = zk_.GetLiveBrokerIds();
  if (live.ok()) {
    for (BrokerId id : *live) ids.push_back(id.value());
  } else {
    for (const auto& b : metadata_.brokers()) ids.push_back(b.id.value());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<assignment::BrokerRack> TopicManager::LiveBrokerRacks() const {
  std::vector<assignment::BrokerRack> brokers;
  auto live = zk_.GetLiveBrokers();
  if (live.ok()) {
    for (const auto& b : *live) brokers.push_back({b.id, b.rack});
  } else {
    for (const auto& b : metadata_.brokers()) brokers.push_back({b.id, b.rack});
  }
  std::sort(brokers.begin(), brokers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return brokers;
}

namespace {

// Kafka's placement result in the handlers' plain-integer form.
std::map<int32_t, std::vector<int32_t>> ToPlain(const assignment::ReplicaAssignment& placed) {
  std::map<int32_t, std::vector<int32_t>> out;
  for (const auto& [p, replicas] : placed) {
    auto& ids = out[p.value()];
    for (BrokerId b : replicas) ids.push_back(b.value());
  }
  return out;
}

}  // namespace

std::pair<TopicError, CreatedTopic> TopicManager::CreateTopic(const NewTopic& topic,
                                                              bool validate_only) {
  CreatedTopic created;
  if (Status st = metadata::ValidateTopicName(topic.name); !st.ok()) {
    return {{ErrorCode::kInvalidTopicException, st.message()}, created};
  }
  if (Status st = config::ValidateTopicConfigs(topic.configs); !st.ok()) {
    return {{ErrorCode::kInvalidConfig, st.message()}, created};
  }
  const std::vector<int32_t> live = LiveBrokers();
  std::map<int32_t, std::vector<int32_t>> assignment;
  if (!topic.assignment.empty()) {
    if (topic.num_partitions != -1 || topic.replication_factor != -1) {
      return {{ErrorCode::kInvalidRequest,
               "Both numPartitions or replicationFactor and replicasAssignment were set. Both "
               "cannot be used at the same time."},
              created};
    }
    const size_t rf = topic.assignment.begin()->second.size();
    for (const auto& [p, replicas] : topic.assignment) {
      std::set<int32_t> unique(replicas.begin(), replicas.end());
      if (replicas.empty() || unique.size() != replicas.size() || replicas.size() != rf) {
        return {{ErrorCode::kInvalidReplicaAssignment,
                 "Partition " + std::to_string(p) +
                     " has an empty, duplicated or inconsistently sized replica list"},
                created};
      }
      for (int32_t b : replicas) {
        if (!std::binary_search(live.begin(), live.end(), b)) {
          return {{ErrorCode::kInvalidReplicaAssignment,
                   "Unknown broker " + std::to_string(b) + " in the assignment of partition " +
                       std::to_string(p)},
                  created};
        }
      }
    }
    for (int32_t p = 0; p < static_cast<int32_t>(topic.assignment.size()); ++p) {
      if (!topic.assignment.count(p)) {
        return {{ErrorCode::kInvalidReplicaAssignment,
                 "Partitions must be numbered consecutively from 0"},
                created};
      }
    }
    assignment = topic.assignment;
  } else {
    const int32_t partitions =
        topic.num_partitions == -1 ? config_.num_partitions : topic.num_partitions;
    const int16_t rf = topic.replication_factor == -1
                           ? static_cast<int16_t>(config_.default_replication_factor)
                           : topic.replication_factor;
    if (partitions <= 0) {
      return {{ErrorCode::kInvalidPartitions, "Number of partitions must be larger than 0."},
              created};
    }
    if (partitions > kMaxPartitionsPerTopic) {
      return {{ErrorCode::kInvalidPartitions,
               "Number of partitions " + std::to_string(partitions) + " is larger than " +
                   std::to_string(kMaxPartitionsPerTopic) +
                   ", the most one topic's assignment can hold in ZooKeeper."},
              created};
    }
    if (rf <= 0) {
      return {{ErrorCode::kInvalidReplicationFactor,
               "Replication factor must be larger than 0."},
              created};
    }
    if (static_cast<size_t>(rf) > live.size()) {
      return {{ErrorCode::kInvalidReplicationFactor,
               "Replication factor: " + std::to_string(rf) +
                   " larger than available brokers: " + std::to_string(live.size()) + "."},
              created};
    }
    // As Kafka's ZkAdminManager: the live brokers with their racks; partial rack information
    // is Kafka's AdminOperationException (an UNKNOWN_SERVER_ERROR on the wire).
    auto placed = assignment::AssignReplicasToBrokers(LiveBrokerRacks(), partitions, rf);
    if (!placed.ok()) return {{ErrorCode::kUnknownServerError, placed.status().message()}, created};
    assignment = ToPlain(*placed);
  }
  created.num_partitions = static_cast<int32_t>(assignment.size());
  created.replication_factor = static_cast<int16_t>(assignment.begin()->second.size());
  if (Status st = config::ValidateMinInsyncReplicas(topic.configs, created.replication_factor);
      !st.ok()) {
    return {{ErrorCode::kInvalidConfig, st.message()}, created};
  }
  if (metadata_.topic(topic.name)) {
    return {{ErrorCode::kTopicAlreadyExists, "Topic '" + topic.name + "' already exists."},
            created};
  }
  if (validate_only) return {{}, created};

  metadata::PartitionAssignment zk_assignment;
  for (const auto& [p, replicas] : assignment) {
    auto& ids = zk_assignment[PartitionId(p)];
    for (int32_t b : replicas) ids.push_back(BrokerId(b));
  }
  Status st = zk_.CreateTopic(topic.name, zk_assignment, topic.configs);
  if (st.code() == Status::Code::kAlreadyExists) {
    return {{ErrorCode::kTopicAlreadyExists, "Topic '" + topic.name + "' already exists."},
            created};
  }
  if (!st.ok()) return {{ErrorCode::kUnknownServerError, st.message()}, created};
  Poco::Logger::get("server").information(
      "Created topic %s with %d partitions and replication factor %d", topic.name,
      created.num_partitions, static_cast<int>(created.replication_factor));
  return {{}, created};
}

TopicError TopicManager::CreatePartitions(const std::string& topic, int32_t total_count,
                                          const std::vector<std::vector<int32_t>>& assignment,
                                          bool validate_only) {
  auto current = zk_.GetTopicAssignment(topic);
  if (!current.ok()) {
    if (current.status().code() == Status::Code::kNotFound) {
      return {ErrorCode::kUnknownTopicOrPartition, "The topic '" + topic + "' does not exist."};
    }
    return {ErrorCode::kUnknownServerError, current.status().message()};
  }
  const auto& existing = current->assignment.partitions;
  const int32_t old_count = static_cast<int32_t>(existing.size());
  if (total_count < old_count) {
    return {ErrorCode::kInvalidPartitions,
            "Topic currently has " + std::to_string(old_count) +
                " partitions, which is higher than the requested " + std::to_string(total_count) +
                "."};
  }
  if (total_count > kMaxPartitionsPerTopic) {
    return {ErrorCode::kInvalidPartitions,
            "Number of partitions " + std::to_string(total_count) + " is larger than " +
                std::to_string(kMaxPartitionsPerTopic) +
                ", the most one topic's assignment can hold in ZooKeeper."};
  }
  if (total_count == old_count) {
    return {ErrorCode::kInvalidPartitions,
            "Topic already has " + std::to_string(old_count) + " partitions."};
  }
  const int16_t rf = static_cast<int16_t>(existing.begin()->second.size());
  const std::vector<int32_t> live = LiveBrokers();
  std::map<int32_t, std::vector<int32_t>> added;
  if (!assignment.empty()) {
    if (static_cast<int32_t>(assignment.size()) != total_count - old_count) {
      return {ErrorCode::kInvalidReplicaAssignment,
              "Increasing the number of partitions by " + std::to_string(total_count - old_count) +
                  " but " + std::to_string(assignment.size()) + " assignments provided."};
    }
    for (size_t i = 0; i < assignment.size(); ++i) {
      std::set<int32_t> unique(assignment[i].begin(), assignment[i].end());
      if (assignment[i].size() != static_cast<size_t>(rf) || unique.size() != assignment[i].size()) {
        return {ErrorCode::kInvalidReplicaAssignment,
                "Inconsistent replication factor or duplicate brokers in the assignment"};
      }
      for (int32_t b : assignment[i]) {
        if (!std::binary_search(live.begin(), live.end(), b)) {
          return {ErrorCode::kInvalidReplicaAssignment,
                  "Unknown broker " + std::to_string(b) + " in the assignment"};
        }
      }
      added[old_count + static_cast<int32_t>(i)] = assignment[i];
    }
  } else {
    if (static_cast<size_t>(rf) > live.size()) {
      return {ErrorCode::kInvalidReplicationFactor,
              "Replication factor " + std::to_string(rf) + " larger than available brokers " +
                  std::to_string(live.size())};
    }
    // AdminZkClient.createNewPartitionsAssignment: start at the first broker whose id is >=
    // partition 0's first replica, so the new partitions continue the existing layout.
    const std::vector<assignment::BrokerRack> brokers = LiveBrokerRacks();
    const BrokerId partition0_leader = existing.begin()->second.front();
    int32_t start_index = 0;
    for (size_t i = 0; i < brokers.size(); ++i) {
      if (brokers[i].id >= partition0_leader) {
        start_index = static_cast<int32_t>(i);
        break;
      }
    }
    auto placed = assignment::AssignReplicasToBrokers(brokers, total_count - old_count, rf,
                                                      start_index, old_count);
    if (!placed.ok()) return {ErrorCode::kUnknownServerError, placed.status().message()};
    added = ToPlain(*placed);
  }
  if (validate_only) return {};
  metadata::PartitionAssignment zk_added;
  for (const auto& [p, replicas] : added) {
    auto& ids = zk_added[PartitionId(p)];
    for (int32_t b : replicas) ids.push_back(BrokerId(b));
  }
  Status st = zk_.AddPartitions(topic, zk_added);
  if (!st.ok()) return {ErrorCode::kUnknownServerError, st.message()};
  return {};
}

TopicError TopicManager::DeleteTopic(const std::string& topic) {
  if (!config_.delete_topic_enable) {
    return {ErrorCode::kTopicDeletionDisabled,
            "Topic deletion is disabled (delete.topic.enable=false)."};
  }
  auto current = zk_.GetTopicAssignment(topic);
  if (!current.ok()) {
    return {ErrorCode::kUnknownTopicOrPartition,
            "This server does not host this topic-partition."};
  }
  Status st = zk_.MarkTopicForDeletion(topic);
  if (!st.ok() && st.code() != Status::Code::kAlreadyExists) {
    return {ErrorCode::kUnknownServerError, st.message()};
  }
  return {};
}

void TopicManager::WhenTopicsReady(std::vector<std::string> topics,
                                   std::chrono::milliseconds timeout,
                                   std::function<void(bool)> done) {
  auto ready = [this, topics = std::move(topics)] {
    for (const auto& name : topics) {
      auto t = metadata_.topic(name);
      if (!t || t->partitions.empty()) return false;
      for (const auto& [p, meta] : t->partitions) {
        if (meta.leader < 0) return false;
      }
    }
    return true;
  };
  PollUntil(std::move(ready), std::chrono::steady_clock::now() + timeout, std::move(done));
}

void TopicManager::WhenTopicsGone(std::vector<std::string> topics,
                                  std::chrono::milliseconds timeout,
                                  std::function<void(bool)> done) {
  auto gone = [this, topics = std::move(topics)] {
    for (const auto& name : topics) {
      if (metadata_.topic(name)) return false;
    }
    return true;
  };
  PollUntil(std::move(gone), std::chrono::steady_clock::now() + timeout, std::move(done));
}

void TopicManager::PollUntil(std::function<bool()> condition,
                             std::chrono::steady_clock::time_point deadline,
                             std::function<void(bool)> done) {
  if (condition()) return done(true);
  if (std::chrono::steady_clock::now() >= deadline) return done(false);
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, kPollInterval);
  timer->async_wait([this, timer, condition = std::move(condition), deadline,
                     done = std::move(done)](const boost::system::error_code& ec) mutable {
    if (ec) return done(false);
    PollUntil(std::move(condition), deadline, std::move(done));
  });
}

}  // namespace sluice::server

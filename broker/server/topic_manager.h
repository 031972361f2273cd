// Topic administration as the broker serves it: creating topics (CreateTopics, auto-creation on
// Metadata), adding partitions, marking topics for deletion, and waiting until the controller
// broker has acted on such a change (partitions have leaders, or the topic is gone).
//
// Creation writes Kafka's znodes (/config/topics/<t>, /brokers/topics/<t>) exactly as Kafka's
// AdminZkClient does; the controller broker then creates partition states and leaders. So a
// topic made by `kafka-topics.sh --zookeeper` and one made here follow the same path.
//
// Thread-safety: all methods are safe from any thread. Waits run on timers, not threads.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/assignment/replica_assignment.h"
#include "broker/config/broker_config.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/server/metadata_cache.h"
#include "libs/base/asio.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::server {

struct TopicError {
  kafka::ErrorCode code = kafka::ErrorCode::kNone;
  std::string message;
  bool ok() const { return code == kafka::ErrorCode::kNone; }
};

struct NewTopic {
  std::string name;
  int32_t num_partitions = -1;     // -1: num.partitions
  int16_t replication_factor = -1;  // -1: default.replication.factor
  std::map<int32_t, std::vector<int32_t>> assignment;  // explicit replicas; overrides both
  std::map<std::string, std::string> configs;
};

struct CreatedTopic {
  int32_t num_partitions = 0;
  int16_t replication_factor = 0;
};

class TopicManager {
 public:
  TopicManager(const config::BrokerConfig& config, metadata::KafkaZkClient& zk,
               MetadataCache& metadata, boost::asio::io_context& io);

  // Validates `topic` (name, partitions, replication factor against live brokers, configs,
  // explicit assignment) and, unless `validate_only`, writes its znodes. Kafka's codes:
  // INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR,
  // INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, TOPIC_ALREADY_EXISTS, INVALID_REQUEST.
  std::pair<TopicError, CreatedTopic> CreateTopic(const NewTopic& topic, bool validate_only);

  // Grows `topic` to `total_count` partitions (replicas placed by Kafka's assignReplicasToBrokers
  // starting at partition 0's leader, as AdminZkClient.createNewPartitionsAssignment does, or
  // `assignment` for the new partitions).
  TopicError CreatePartitions(const std::string& topic, int32_t total_count,
                              const std::vector<std::vector<int32_t>>& assignment,
                              bool validate_only);

  // Marks the topic for deletion (/admin/delete_topics/<t>). TOPIC_DELETION_DISABLED when
  // delete.topic.enable is false, UNKNOWN_TOPIC_OR_PARTITION when it does not exist.
  TopicError DeleteTopic(const std::string& topic);

  // Calls `done(true)` once every topic in `topics` has all its partitions with a leader in the
  // metadata cache, or `done(false)` after `timeout`.
  void WhenTopicsReady(std::vector<std::string> topics, std::chrono::milliseconds timeout,
                       std::function<void(bool)> done);
  // Calls `done(true)` once none of `topics` is in the metadata cache, or false at timeout.
  void WhenTopicsGone(std::vector<std::string> topics, std::chrono::milliseconds timeout,
                      std::function<void(bool)> done);

  // Live broker ids, ascending.
  std::vector<int32_t> LiveBrokers() const;

 private:
  void PollUntil(std::function<bool()> condition, std::chrono::steady_clock::time_point deadline,
                 std::function<void(bool)> done);
  // Live brokers with their broker.rack, sorted by id (what Kafka's placement takes): from
  // /brokers/ids, else from the metadata cache.
  std::vector<assignment::BrokerRack> LiveBrokerRacks() const;

  const config::BrokerConfig& config_;
  metadata::KafkaZkClient& zk_;
  MetadataCache& metadata_;
  boost::asio::io_context& io_;
};

}  // namespace sluice::server

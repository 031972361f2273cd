// `sluice reassign-partitions --zookeeper`: Kafka 2.8's deprecated ZooKeeper path. Reads
// /brokers/ids and /brokers/topics/<t>; starting a reassignment creates
// /admin/reassign_partitions, which the controller broker watches, carries out and trims as
// partitions complete. Cancelling and listing need the Admin API (the options reject them here).
#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/zk_client.h"
#include "broker/tools/reassignment_cluster.h"

namespace sluice::tools {

namespace {

using metadata::KafkaZkClient;
using metadata::ZkClient;

// Kafka's tool waits this long for a ZooKeeper session (30000 ms).
constexpr int kZkTimeoutMs = 30000;

class ZookeeperReassignmentCluster final : public ReassignmentCluster {
 public:
  explicit ZookeeperReassignmentCluster(std::unique_ptr<ZkClient> zk)
      : zk_(std::move(zk)), kafka_(*zk_) {}

  bool via_zookeeper() const override { return true; }

  Result<std::vector<assignment::BrokerRack>> Brokers() override {
    auto live = kafka_.GetLiveBrokers();
    if (!live.ok()) return live.status();
    std::vector<assignment::BrokerRack> brokers;
    for (const auto& b : *live) brokers.push_back({b.id, b.rack});
    return brokers;
  }

  Result<PartitionReplicas> ReplicaAssignment(const std::set<std::string>& topics) override {
    PartitionReplicas out;
    for (const std::string& topic : topics) {
      auto assignment = kafka_.GetTopicAssignment(topic);
      if (assignment.status().code() == Status::Code::kNotFound) continue;
      if (!assignment.ok()) return assignment.status();
      for (const auto& [partition, replicas] : assignment->assignment.partitions) {
        out.emplace(TopicPartition{topic, partition}, replicas);
      }
    }
    return out;
  }

  Result<std::map<TopicPartition, OngoingReassignment>> Ongoing() override {
    auto request = kafka_.GetPartitionReassignmentRequest();
    if (!request.ok()) return request.status();
    std::map<TopicPartition, OngoingReassignment> out;
    if (!*request) return out;
    for (const auto& [name, target] : **request) {
      const TopicPartition tp{name.first, name.second};
      OngoingReassignment r;
      r.replicas = target;  // the topic znode's set replaces it below when readable
      auto assignment = kafka_.GetTopicAssignment(name.first);
      if (assignment.ok()) {
        const auto& a = assignment->assignment;
        if (auto it = a.partitions.find(name.second); it != a.partitions.end()) {
          r.replicas = it->second;
        }
        if (auto it = a.adding_replicas.find(name.second); it != a.adding_replicas.end()) {
          r.adding = it->second;
        }
        if (auto it = a.removing_replicas.find(name.second); it != a.removing_replicas.end()) {
          r.removing = it->second;
        }
      }
      out.emplace(tp, std::move(r));
    }
    return out;
  }

  Result<std::map<TopicPartition, std::string>> Alter(
      const std::map<TopicPartition, std::optional<std::vector<BrokerId>>>& targets) override {
    std::map<metadata::TopicPartitionName, std::vector<BrokerId>> moves;
    for (const auto& [tp, replicas] : targets) {
      if (!replicas) {
        return Status::InvalidArgument(
            "Cancelling a reassignment needs --bootstrap-server (the Admin API)");
      }
      moves.emplace(metadata::TopicPartitionName{tp.topic, tp.partition}, *replicas);
    }
    Status created = kafka_.CreatePartitionReassignmentRequest(moves);
    if (created.code() == Status::Code::kAlreadyExists) {
      return Status::Conflict("a partition reassignment is already in progress");
    }
    if (!created.ok()) return created;
    return std::map<TopicPartition, std::string>{};
  }

 private:
  std::unique_ptr<ZkClient> zk_;
  KafkaZkClient kafka_;
};

}  // namespace

Result<std::unique_ptr<ReassignmentCluster>> ConnectZookeeperReassignmentCluster(
    const std::string& connect) {
  metadata::ZkClientOptions options;
  options.connect_string = connect;
  options.session_timeout_ms = kZkTimeoutMs;
  options.connection_timeout_ms = kZkTimeoutMs;
  auto zk = ZkClient::Connect(options);
  if (!zk.ok()) return zk.status();
  return std::unique_ptr<ReassignmentCluster>(new ZookeeperReassignmentCluster(std::move(*zk)));
}

}  // namespace sluice::tools

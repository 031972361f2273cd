// `sluice reassign-partitions --bootstrap-server`: the cluster seen through the Admin API, as
// Kafka 2.8's AdminClient path does it: Metadata for brokers (with racks) and replica sets,
// ListPartitionReassignments (46) and AlterPartitionReassignments (45) at the controller.
#include "broker/tools/kafka_error_text.h"
#include "broker/tools/reassignment_cluster.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/messages/alter_partition_reassignments.h"
#include "libs/kafka/messages/list_partition_reassignments.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

namespace kc = kafka::client;
using kafka::ErrorCode;

// How long the controller may take (the requests' timeout_ms; Kafka's AdminClient default is
// default.api.timeout.ms = 60 s, we keep the tools' 30 s).
constexpr int32_t kAdminTimeoutMs = 30000;
// Attempts when the broker we took for the controller says it is not (it moved).
constexpr int kControllerAttempts = 5;

std::vector<BrokerId> Ids(const std::vector<int32_t>& ids) {
  return std::vector<BrokerId>(ids.begin(), ids.end());
}

class AdminReassignmentCluster final : public ReassignmentCluster {
 public:
  explicit AdminReassignmentCluster(std::unique_ptr<kc::Client> client)
      : client_(std::move(client)) {}

  bool via_zookeeper() const override { return false; }

  Result<std::vector<assignment::BrokerRack>> Brokers() override {
    auto metadata = client_->FetchMetadata(std::vector<std::string>{});
    if (!metadata.ok()) return metadata.status();
    std::vector<assignment::BrokerRack> brokers;
    for (const auto& b : metadata->brokers) brokers.push_back({b.id, b.rack});
    return brokers;
  }

  Result<PartitionReplicas> ReplicaAssignment(const std::set<std::string>& topics) override {
    PartitionReplicas out;
    if (topics.empty()) return out;
    auto metadata = client_->FetchMetadata(std::vector<std::string>(topics.begin(), topics.end()));
    if (!metadata.ok()) return metadata.status();
    for (const auto& [name, topic] : metadata->topics) {
      if (!topics.contains(name)) continue;
      if (topic.error_code == static_cast<int16_t>(ErrorCode::kUnknownTopicOrPartition)) continue;
      SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(topic.error_code));
      for (const auto& p : topic.partitions)
        out.emplace(TopicPartition{name, p.partition}, p.replicas);
    }
    return out;
  }

  Result<std::map<TopicPartition, OngoingReassignment>> Ongoing() override {
    kafka::ListPartitionReassignmentsRequest request;
    request.timeout_ms = kAdminTimeoutMs;
    request.topics = std::nullopt;  // every ongoing reassignment
    auto response = SendToController<kafka::ListPartitionReassignmentsResponse>(request);
    if (!response.ok()) return response.status();
    SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(response->error_code, response->error_message));
    std::map<TopicPartition, OngoingReassignment> out;
    for (const auto& t : response->topics) {
      for (const auto& p : t.partitions) {
        out[TopicPartition{t.name, PartitionId(p.partition_index)}] = {
            Ids(p.replicas), Ids(p.adding_replicas), Ids(p.removing_replicas)};
      }
    }
    return out;
  }

  Result<std::map<TopicPartition, std::string>> Alter(
      const std::map<TopicPartition, std::optional<std::vector<BrokerId>>>& targets) override {
    kafka::AlterPartitionReassignmentsRequest request;
    request.timeout_ms = kAdminTimeoutMs;
    for (const auto& [tp, replicas] : targets) {
      if (request.topics.empty() || request.topics.back().name != tp.topic) {
        request.topics.emplace_back();
        request.topics.back().name = tp.topic;
      }
      kafka::AlterPartitionReassignmentsRequest::ReassignablePartition p;
      p.partition_index = tp.partition.value();
      if (replicas) {
        std::vector<int32_t> ids;
        for (BrokerId b : *replicas) ids.push_back(b.value());
        p.replicas = std::move(ids);
      }
      request.topics.back().partitions.push_back(std::move(p));
    }
    auto response = SendToController<kafka::AlterPartitionReassignmentsResponse>(request);
    if (!response.ok()) return response.status();
    SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(response->error_code, response->error_message));
    std::map<TopicPartition, std::string> errors;
    for (const auto& t : response->responses) {
      for (const auto& p : t.partitions) {
        if (p.error_code != 0) {
          errors[TopicPartition{t.name, PartitionId(p.partition_index)}] =
              KafkaErrorText(p.error_code, p.error_message);
        }
      }
    }
    return errors;
  }

 private:
  // The request goes to the controller; when the answer is NOT_CONTROLLER (the controller
  // moved), metadata is refreshed and the new controller asked, as the AdminClient does.
  template <typename Resp, typename Req>
  Result<Resp> SendToController(const Req& request) {
    for (int attempt = 1;; ++attempt) {
      auto response = client_->SendToController<Resp>(request);
      if (!response.ok() ||
          response->error_code != static_cast<int16_t>(ErrorCode::kNotController) ||
          attempt == kControllerAttempts) {
        return response;
      }
      client_->Backoff();
      auto refreshed = client_->FetchMetadata(std::vector<std::string>{});
      if (!refreshed.ok()) return refreshed.status();
    }
  }

  std::unique_ptr<kc::Client> client_;
};

}  // namespace

Result<std::unique_ptr<ReassignmentCluster>> ConnectAdminReassignmentCluster(
    const std::string& bootstrap) {
  kc::ClientOptions options;
  options.bootstrap_servers = bootstrap;
  options.connection.client_id = "reassign-partitions-tool";
  auto client = kc::Client::Create(std::move(options));
  if (!client.ok()) return client.status();
  return std::unique_ptr<ReassignmentCluster>(new AdminReassignmentCluster(std::move(*client)));
}

}  // namespace sluice::tools

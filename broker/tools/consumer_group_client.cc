#include "broker/tools/consumer_group_client.h"

#include <algorithm>
#include <set>

#include "broker/tools/kafka_error_text.h"
#include "libs/kafka/client/consumer_protocol.h"
#include "libs/kafka/client/errors.h"
#include "libs/kafka/client/offsets.h"
#include "libs/kafka/messages/delete_groups.h"
#include "libs/kafka/messages/describe_groups.h"
#include "libs/kafka/messages/list_groups.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

namespace kc = kafka::client;
using kafka::ErrorCode;

// Attempts at a coordinator that is moving or loading its state (Kafka's AdminClient retries
// these until its timeout).
constexpr int kCoordinatorAttempts = 10;

bool IsConsumerProtocol(const std::string& protocol_type) {
  return protocol_type.empty() || protocol_type == kc::kConsumerProtocolType;
}

}  // namespace

Result<std::unique_ptr<ConsumerGroupClient>> ConsumerGroupClient::Connect(
    const std::string& bootstrap, std::chrono::milliseconds timeout) {
  kc::ClientOptions options;
  options.bootstrap_servers = bootstrap;
  options.connection.client_id = "sluice-consumer-groups";
  options.connection.request_timeout = timeout;
  auto client = kc::Client::Create(std::move(options));
  if (!client.ok()) return client.status();
  return std::unique_ptr<ConsumerGroupClient>(new ConsumerGroupClient(std::move(*client)));
}

Result<std::vector<ListedGroup>> ConsumerGroupClient::ListGroups() {
  auto metadata = client_->FetchMetadata(std::vector<std::string>{});
  if (!metadata.ok()) return metadata.status();
  std::map<std::string, ListedGroup> groups;
  // Each broker only knows the groups it coordinates: ask all of them.
  for (const kc::BrokerAddress& broker : metadata->brokers) {
    auto response = client_->Send<kafka::ListGroupsResponse>(broker.id, kafka::ListGroupsRequest{});
    if (!response.ok()) return response.status();
    SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(response->error_code));
    for (const auto& g : response->groups) {
      if (IsConsumerProtocol(g.protocol_type)) {
        groups[g.group_id] = ListedGroup{g.group_id, g.group_state};
      }
    }
  }
  std::vector<ListedGroup> out;
  for (auto& [id, g] : groups) out.push_back(std::move(g));
  return out;
}

Result<GroupInfo> ConsumerGroupClient::DescribeGroup(const std::string& group) {
  kafka::DescribeGroupsRequest request;
  request.groups = {group};
  Status last;
  for (int attempt = 0; attempt < kCoordinatorAttempts; ++attempt) {
    if (attempt > 0) client_->Backoff();
    auto coordinator = client_->FindCoordinator(group);
    if (!coordinator.ok()) return coordinator.status();
    auto response = client_->Send<kafka::DescribeGroupsResponse>(*coordinator, request);
    if (!response.ok()) return response.status();
    if (response->groups.empty()) {
      return Status::Corruption("DescribeGroups answered no group for '" + group + "'");
    }
    const auto& described = response->groups.front();
    if (kc::IsCoordinatorError(described.error_code)) {
      last = KafkaErrorToStatus(described.error_code);
      continue;
    }
    GroupInfo info;
    info.group_id = group;
    if (described.error_code == static_cast<int16_t>(ErrorCode::kGroupIdNotFound)) {
      info.state = "Dead";
      return info;
    }
    SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(described.error_code));
    info.state = described.group_state;
    info.assignment_strategy = described.protocol_data;
    const kc::ClusterMetadata cached = client_->CachedMetadata();
    const kc::BrokerAddress* address = cached.FindBroker(*coordinator);
    info.coordinator = (address ? address->host + ":" + std::to_string(address->port) : "?") +
                       "  (" + std::to_string(coordinator->value()) + ")";
    for (const auto& m : described.members) {
      GroupMemberInfo member;
      member.member_id = m.member_id;
      member.group_instance_id = m.group_instance_id;
      member.client_id = m.client_id;
      member.host = m.client_host;
      if (IsConsumerProtocol(described.protocol_type) && !m.member_assignment.empty()) {
        // A member whose assignment does not decode shows no partitions rather than failing
        // the whole describe (Kafka's tool would throw; a person still wants the rest).
        auto assignment = kc::DecodeAssignment(m.member_assignment);
        if (assignment.ok()) {
          for (const auto& [topic, partitions] : assignment->partitions) {
            for (int32_t p : partitions) member.assignment.push_back({topic, PartitionId(p)});
          }
        }
      }
      info.members.push_back(std::move(member));
    }
    return info;
  }
  return last;
}

Result<std::map<TopicPartition, int64_t>> ConsumerGroupClient::CommittedOffsets(
    const std::string& group) {
  auto committed = kc::FetchCommittedOffsets(*client_, group, std::nullopt);
  if (!committed.ok()) return committed.status();
  std::map<TopicPartition, int64_t> out;
  for (const auto& [tp, c] : *committed) {
    if (c.offset.value() >= 0) out[tp] = c.offset.value();
  }
  return out;
}

Result<std::map<TopicPartition, int64_t>> ConsumerGroupClient::Offsets(
    const std::vector<TopicPartition>& partitions, bool latest) {
  std::map<TopicPartition, int64_t> out;
  if (partitions.empty()) return out;
  auto offsets = kc::ListOffsets(*client_, partitions,
                                 latest ? kc::OffsetSpec::Latest() : kc::OffsetSpec::Earliest());
  if (!offsets.ok()) return offsets.status();
  for (const auto& [tp, offset] : *offsets) out[tp] = offset.value();
  return out;
}

Result<std::vector<TopicPartition>> ConsumerGroupClient::PartitionsOf(const std::string& topic) {
  auto metadata = client_->Topic(topic, /*refresh=*/true);
  if (!metadata.ok()) return metadata.status();
  std::vector<TopicPartition> out;
  for (const auto& p : metadata->partitions) out.push_back({topic, p.partition});
  return out;
}

Status ConsumerGroupClient::Commit(const std::string& group,
                                   const std::map<TopicPartition, int64_t>& offsets) {
  std::map<TopicPartition, Offset> typed;
  for (const auto& [tp, offset] : offsets) typed[tp] = Offset(offset);
  return kc::CommitOffsets(*client_, group, typed);
}

Result<std::map<std::string, int16_t>> ConsumerGroupClient::DeleteGroups(
    const std::vector<std::string>& groups) {
  std::map<std::string, int16_t> results;
  for (const std::string& group : groups) {
    kafka::DeleteGroupsRequest request;
    request.groups_names = {group};
    int16_t code = 0;
    for (int attempt = 0; attempt < kCoordinatorAttempts; ++attempt) {
      if (attempt > 0) client_->Backoff();
      auto coordinator = client_->FindCoordinator(group);
      if (!coordinator.ok()) return coordinator.status();
      auto response = client_->Send<kafka::DeleteGroupsResponse>(*coordinator, request);
      if (!response.ok()) return response.status();
      code = response->results.empty() ? static_cast<int16_t>(ErrorCode::kUnknownServerError)
                                       : response->results.front().error_code;
      if (!kc::IsCoordinatorError(code)) break;
    }
    results[group] = code;
  }
  return results;
}

}  // namespace sluice::tools

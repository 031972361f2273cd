// NewKafkaAdmin: KafkaAdmin on libs/kafka/client, speaking the same Admin API requests as
// `sluice topics --describe` and `sluice reassign-partitions --bootstrap-server` (Metadata,
// DescribeConfigs, ListPartitionReassignments, AlterPartitionReassignments, ElectLeaders).
//
// Every call opens a fresh Client (the brokers the operator talks to come and go, and calls are
// rare), so no connection outlives a call. Describe asks the bootstrap brokers one at a time:
// the first that answers every request wins, and a dead, paused or failing one falls through to
// the next, each failure kept for the error. Requests the controller broker must answer go to
// the controller Metadata names and are sent again (after a metadata refresh) when it answers
// NOT_CONTROLLER or cannot be reached, as Kafka's AdminClient does.
#include "controller/kafka_admin/kafka_admin.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "libs/kafka/client/client.h"
#include "libs/kafka/client/errors.h"
#include "libs/kafka/messages/alter_partition_reassignments.h"
#include "libs/kafka/messages/describe_configs.h"
#include "libs/kafka/messages/elect_leaders.h"
#include "libs/kafka/messages/list_partition_reassignments.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::kafka_admin {

namespace {

namespace kc = kafka::client;
using kafka::ErrorCode;

// DescribeConfigs resource type of a topic (Kafka's ConfigResource.Type.TOPIC).
constexpr int8_t kTopicResource = 2;
// ElectLeaders election type PREFERRED.
constexpr int8_t kPreferredElection = 0;
// Attempts at a controller request whose target turned out not to be (or no longer be) the
// controller broker, with the client's backoff and a metadata refresh between them.
constexpr int kControllerAttempts = 5;
constexpr const char* kMinInsyncReplicas = "min.insync.replicas";
constexpr const char* kClientId = "sluice-operator";

// A status of `status`'s category with another message.
Status Rewrap(const Status& status, std::string message) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(std::move(message));
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Status::Code::kIoError:
      return Status::IoError(std::move(message));
    case Status::Code::kOutOfRange:
      return Status::OutOfRange(std::move(message));
    case Status::Code::kUnavailable:
      return Status::Unavailable(std::move(message));
    case Status::Code::kConflict:
      return Status::Conflict(std::move(message));
    case Status::Code::kTimeout:
      return Status::Timeout(std::move(message));
    case Status::Code::kOk:  // nothing failed: a caller's bug, not the cluster's
    case Status::Code::kInternal:
      return Status::Internal(std::move(message));
  }
  return Status::Internal(std::move(message));
}

// The same status with `context` in front of its message, so a person reads which broker and
// which request failed ("ListPartitionReassignments at controller broker 1: ...").
Status WithContext(const Status& status, const std::string& context) {
  return Rewrap(status, context + ": " + status.message());
}

std::string Address(const kc::HostPort& host_port) {
  const bool ipv6 = host_port.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host_port.host + "]" : host_port.host) + ":" +
         std::to_string(host_port.port);
}

// A nested message on one line, so each bootstrap broker's failure is one line of the list.
std::string OneLine(const std::string& message) {
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] != '\n') {
      out += message[i];
      continue;
    }
    while (i + 1 < message.size() && message[i + 1] == ' ') ++i;
    out += ' ';
  }
  return out;
}

std::string PartitionName(const std::string& topic, int32_t partition) {
  return topic + "-" + std::to_string(partition);
}

std::vector<int32_t> Ids(const std::vector<BrokerId>& ids) {
  std::vector<int32_t> out;
  out.reserve(ids.size());
  for (BrokerId id : ids) out.push_back(id.value());
  return out;
}

class ClientKafkaAdmin final : public KafkaAdmin {
 public:
  ClientKafkaAdmin(std::string bootstrap, std::chrono::milliseconds timeout)
      : bootstrap_(std::move(bootstrap)), timeout_(timeout) {}

  Result<ClusterState> Describe() override {
    auto entries = kc::ParseBootstrapServers(bootstrap_);
    if (!entries.ok()) return WithContext(entries.status(), "Describe");
    std::string failures;
    Status last;
    for (const kc::HostPort& entry : *entries) {
      const std::string address = Address(entry);
      Result<ClusterState> state = DescribeVia(address);
      if (state.ok()) return state;
      last = state.status();
      failures += "\n  " + OneLine(last.message());
    }
    return Rewrap(
        last, "Describe: no bootstrap broker of " + bootstrap_ +
                  " answered Metadata, DescribeConfigs and ListPartitionReassignments:" + failures);
  }

  Status Reassign(const std::vector<Move>& moves) override {
    if (moves.empty()) return Status::Ok();
    kafka::AlterPartitionReassignmentsRequest request;
    request.timeout_ms = BrokerDeadlineMs();
    // One topic entry per topic, partitions in the order given (the moves may come unsorted).
    std::map<std::string, size_t> topic_index;
    for (const Move& move : moves) {
      if (move.target_replicas.empty()) {
        return Status::InvalidArgument("Reassign: the move of " +
                                       PartitionName(move.topic, move.partition) +
                                       " has no target replicas");
      }
      auto [it, inserted] = topic_index.emplace(move.topic, request.topics.size());
      if (inserted) {
        request.topics.emplace_back();
        request.topics.back().name = move.topic;
      }
      kafka::AlterPartitionReassignmentsRequest::ReassignablePartition partition;
      partition.partition_index = move.partition;
      partition.replicas = move.target_replicas;
      request.topics[it->second].partitions.push_back(std::move(partition));
    }
    auto client = Connect();
    if (!client.ok()) return WithContext(client.status(), "Reassign");
    auto response = SendToController<kafka::AlterPartitionReassignmentsResponse>(
        **client, request, "AlterPartitionReassignments",
        [](const kafka::AlterPartitionReassignmentsResponse& r) {
          return r.error_code == static_cast<int16_t>(ErrorCode::kNotController);
        });
    if (!response.ok()) return response.status();
    if (response->error_code != 0) {
      return kc::KafkaErrorStatus(response->error_code, "AlterPartitionReassignments",
                                  response->error_message.value_or(""));
    }
    std::string refused;
    size_t refused_count = 0;
    int16_t first_code = 0;
    for (const auto& topic : response->responses) {
      for (const auto& partition : topic.partitions) {
        if (partition.error_code == 0) continue;
        if (first_code == 0) first_code = partition.error_code;
        ++refused_count;
        refused += "\n  " + PartitionName(topic.name, partition.partition_index) + ": " +
                   kc::DescribeKafkaError(partition.error_code) +
                   (partition.error_message ? ": " + *partition.error_message : "");
      }
    }
    if (first_code != 0) {
      // The category of the first refusal (InvalidArgument for a bad target, NotFound for an
      // unknown partition...), the message listing every refused partition.
      return Rewrap(kc::KafkaErrorStatus(first_code, "AlterPartitionReassignments"),
                    "AlterPartitionReassignments refused " + std::to_string(refused_count) +
                        " of " + std::to_string(moves.size()) + " partitions:" + refused);
    }
    return Status::Ok();
  }

  Status ElectPreferredLeaders(
      const std::vector<std::pair<std::string, int32_t>>& partitions) override {
    kafka::ElectLeadersRequest request;
    request.election_type = kPreferredElection;
    request.timeout_ms = BrokerDeadlineMs();
    if (partitions.empty()) {
      request.topic_partitions = std::nullopt;  // every partition
    } else {
      std::vector<kafka::ElectLeadersRequest::TopicPartitions> topics;
      std::map<std::string, size_t> topic_index;
      for (const auto& [topic, partition] : partitions) {
        auto [it, inserted] = topic_index.emplace(topic, topics.size());
        if (inserted) {
          topics.emplace_back();
          topics.back().topic = topic;
        }
        topics[it->second].partition_id.push_back(partition);
      }
      request.topic_partitions = std::move(topics);
    }
    auto client = Connect();
    if (!client.ok()) return WithContext(client.status(), "ElectPreferredLeaders");
    auto response = SendToController<kafka::ElectLeadersResponse>(
        **client, request, "ElectLeaders", [](const kafka::ElectLeadersResponse& r) {
          // v1+ says so at the top; v0 only per partition.
          const auto not_controller = static_cast<int16_t>(ErrorCode::kNotController);
          if (r.error_code == not_controller) return true;
          bool any = false;
          for (const auto& t : r.replica_election_results) {
            for (const auto& p : t.partition_result) {
              if (p.error_code != not_controller) return false;
              any = true;
            }
          }
          return any;
        });
    if (!response.ok()) return response.status();
    if (response->error_code != 0) {
      return kc::KafkaErrorStatus(response->error_code, "ElectLeaders");
    }
    std::string failed;
    size_t failed_count = 0;
    int16_t first_code = 0;
    for (const auto& topic : response->replica_election_results) {
      for (const auto& partition : topic.partition_result) {
        // ELECTION_NOT_NEEDED: the preferred replica leads already, which is what was asked.
        if (partition.error_code == 0 ||
            partition.error_code == static_cast<int16_t>(ErrorCode::kElectionNotNeeded)) {
          continue;
        }
        if (first_code == 0) first_code = partition.error_code;
        ++failed_count;
        failed += "\n  " + PartitionName(topic.topic, partition.partition_id) + ": " +
                  kc::DescribeKafkaError(partition.error_code) +
                  (partition.error_message ? ": " + *partition.error_message : "");
      }
    }
    if (first_code != 0) {
      return Rewrap(kc::KafkaErrorStatus(first_code, "ElectLeaders"),
                    "ElectLeaders(PREFERRED) failed for " + std::to_string(failed_count) +
                        " partitions:" + failed);
    }
    return Status::Ok();
  }

 private:
  kc::ClientOptions Options(std::string bootstrap) const {
    kc::ClientOptions options;
    options.bootstrap_servers = std::move(bootstrap);
    options.connection.client_id = kClientId;
    options.connection.connect_timeout = timeout_;
    options.connection.request_timeout = timeout_;
    return options;
  }

  // A client through the whole bootstrap list (Client::Create falls through unreachable ones).
  Result<std::unique_ptr<kc::Client>> Connect() const {
    return kc::Client::Create(Options(bootstrap_));
  }

  // The deadline the brokers get inside requests that wait (elections, reassignment starts):
  // shorter than the round trip's own timeout so the answer arrives before the client gives up.
  int32_t BrokerDeadlineMs() const {
    const auto ms = timeout_.count();
    return static_cast<int32_t>(std::max<int64_t>(1, ms - std::min<int64_t>(ms / 4, 5000)));
  }

  // Describe through one bootstrap broker: Metadata and DescribeConfigs from it, the
  // reassignments from the controller it names.
  Result<ClusterState> DescribeVia(const std::string& address) const {
    auto created = kc::Client::Create(Options(address));
    if (!created.ok()) return WithContext(created.status(), "Metadata (brokers) from " + address);
    kc::Client& client = **created;

    auto metadata = client.FetchMetadata(std::nullopt);
    if (!metadata.ok()) {
      return WithContext(metadata.status(), "Metadata (all topics) from " + address);
    }
    ClusterState state;
    state.controller_id = metadata->controller_id.value();
    for (const kc::BrokerAddress& broker : metadata->brokers) {
      state.live_brokers.push_back(broker.id.value());
    }
    std::sort(state.live_brokers.begin(), state.live_brokers.end());
    for (const auto& [name, topic] : metadata->topics) {
      // Deleted between listing and describing: not part of the cluster any more.
      if (topic.error_code == static_cast<int16_t>(ErrorCode::kUnknownTopicOrPartition)) continue;
      if (topic.error_code != 0) {
        // A topic-level error (e.g. LEADER_NOT_AVAILABLE while it is being created) leaves its
        // partitions unknown; planning without them could move too little, so the caller
        // asks again later.
        return kc::KafkaErrorStatus(topic.error_code,
                                    "Metadata from " + address + ": topic '" + name + "'");
      }
      TopicState t;
      t.name = name;
      t.internal = topic.is_internal;
      for (const kc::PartitionMetadata& p : topic.partitions) {
        PartitionState partition;
        partition.topic = name;
        partition.partition = p.partition.value();
        partition.leader = p.leader.value();
        partition.replicas = Ids(p.replicas);
        partition.isr = Ids(p.isr);
        t.partitions.push_back(std::move(partition));
      }
      state.topics.push_back(std::move(t));
    }

    auto min_isr = DescribeMinInsyncReplicas(client, state, address);
    if (!min_isr.ok()) return min_isr.status();
    std::erase_if(state.topics, [&](const TopicState& t) { return !min_isr->contains(t.name); });
    for (TopicState& topic : state.topics) topic.min_insync_replicas = min_isr->at(topic.name);

    SLUICE_RETURN_IF_ERROR(FillReassignments(client, state));
    return state;
  }

  // One DescribeConfigs for every topic's min.insync.replicas (the effective value: the
  // topic's override, else the broker's setting, else Kafka's default). Topics deleted since
  // Metadata are absent from the result.
  Result<std::map<std::string, int32_t>> DescribeMinInsyncReplicas(
      kc::Client& client, const ClusterState& state, const std::string& address) const {
    std::map<std::string, int32_t> min_isr;
    if (state.topics.empty()) return min_isr;
    kafka::DescribeConfigsRequest request;
    for (const TopicState& topic : state.topics) {
      kafka::DescribeConfigsRequest::DescribeConfigsResource resource;
      resource.resource_type = kTopicResource;
      resource.resource_name = topic.name;
      resource.configuration_keys = std::vector<std::string>{kMinInsyncReplicas};
      request.resources.push_back(std::move(resource));
    }
    const std::string context = "DescribeConfigs (" + std::string(kMinInsyncReplicas) + " of " +
                                std::to_string(state.topics.size()) + " topics) from " + address;
    auto response = client.SendToAny<kafka::DescribeConfigsResponse>(request);
    if (!response.ok()) return WithContext(response.status(), context);
    for (const auto& result : response->results) {
      if (result.error_code == static_cast<int16_t>(ErrorCode::kUnknownTopicOrPartition)) continue;
      if (result.error_code != 0) {
        return kc::KafkaErrorStatus(result.error_code,
                                    context + ": topic '" + result.resource_name + "'",
                                    result.error_message.value_or(""));
      }
      for (const auto& entry : result.configs) {
        if (entry.name != kMinInsyncReplicas) continue;
        const std::string value = entry.value.value_or("");
        int32_t parsed = 0;
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
        if (error != std::errc() || end != value.data() + value.size() || parsed < 1) {
          return Status::Corruption(context + ": topic '" + result.resource_name + "' has " +
                                    kMinInsyncReplicas + "='" + value +
                                    "', not a positive integer");
        }
        min_isr[result.resource_name] = parsed;
      }
      if (!min_isr.contains(result.resource_name)) {
        return Status::Corruption(context + ": the answer for topic '" + result.resource_name +
                                  "' lacks " + kMinInsyncReplicas);
      }
    }
    return min_isr;
  }

  // ListPartitionReassignments at the controller: adding/removing of partitions being moved.
  Status FillReassignments(kc::Client& client, ClusterState& state) const {
    kafka::ListPartitionReassignmentsRequest request;
    request.timeout_ms = BrokerDeadlineMs();
    request.topics = std::nullopt;  // every ongoing reassignment
    auto response = SendToController<kafka::ListPartitionReassignmentsResponse>(
        client, request, "ListPartitionReassignments",
        [](const kafka::ListPartitionReassignmentsResponse& r) {
          return r.error_code == static_cast<int16_t>(ErrorCode::kNotController);
        });
    if (!response.ok()) return response.status();
    if (response->error_code != 0) {
      return kc::KafkaErrorStatus(response->error_code, "ListPartitionReassignments",
                                  response->error_message.value_or(""));
    }
    for (const auto& ongoing_topic : response->topics) {
      auto topic = std::find_if(state.topics.begin(), state.topics.end(),
                                [&](const TopicState& t) { return t.name == ongoing_topic.name; });
      if (topic == state.topics.end()) continue;
      for (const auto& ongoing : ongoing_topic.partitions) {
        for (PartitionState& partition : topic->partitions) {
          if (partition.partition != ongoing.partition_index) continue;
          partition.adding = ongoing.adding_replicas;
          partition.removing = ongoing.removing_replicas;
        }
      }
    }
    return Status::Ok();
  }

  // Sends to the controller broker named by the client's metadata. When the answer says it is
  // not the controller, or it cannot be reached (it died and Metadata still names it), the
  // metadata is refreshed and the request sent again, up to kControllerAttempts times. A
  // timeout is not retried: the request may still be running, and timeout_ bounds the call.
  template <typename Resp, typename Req, typename NotController>
  Result<Resp> SendToController(kc::Client& client, const Req& request, const std::string& api,
                                NotController not_controller) const {
    const kc::SendOptions send{.timeout = timeout_};
    Status last;
    for (int attempt = 1; attempt <= kControllerAttempts; ++attempt) {
      if (attempt > 1) {
        client.Backoff();
        auto refreshed = client.FetchMetadata(std::vector<std::string>{});
        if (!refreshed.ok()) return WithContext(refreshed.status(), api + ": refreshing Metadata");
      }
      auto controller = client.Controller();
      if (!controller.ok()) {
        last = WithContext(controller.status(), api);
        continue;
      }
      const std::string context =
          api + " at controller broker " + std::to_string(controller->value());
      auto response = client.Send<Resp>(*controller, request, send);
      if (!response.ok()) {
        last = WithContext(response.status(), context);
        if (response.status().code() == Status::Code::kTimeout) return last;
        continue;
      }
      if (!not_controller(*response)) return response;
      last = Status::Unavailable(context + ": NOT_CONTROLLER (41): the controller moved");
    }
    return WithContext(last, "after " + std::to_string(kControllerAttempts) + " attempts");
  }

  const std::string bootstrap_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<KafkaAdmin> NewKafkaAdmin(std::string bootstrap,
                                          std::chrono::milliseconds timeout) {
  return std::make_unique<ClientKafkaAdmin>(std::move(bootstrap), timeout);
}

}  // namespace sluice::kafka_admin

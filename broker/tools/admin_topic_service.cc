// `sluice topics --bootstrap-server`: Kafka 2.8's AdminClientTopicService. Topic changes go to
// the controller broker (CreateTopics, CreatePartitions, DeleteTopics), reads to any broker
// (Metadata, DescribeConfigs). Like Kafka's, --create prints "Created topic <t>." while
// --alter and --delete print nothing on success; a broker's refusal is printed as its error
// message (e.g. "Topic deletion is disabled." when delete.topic.enable=false).
#include <charconv>
#include <set>

#include "broker/tools/kafka_error_text.h"
#include "broker/tools/topic_service.h"
#include "libs/kafka/client/client.h"
#include "libs/kafka/messages/create_partitions.h"
#include "libs/kafka/messages/create_topics.h"
#include "libs/kafka/messages/delete_topics.h"
#include "libs/kafka/messages/describe_configs.h"
#include "libs/kafka/messages/metadata.h"
#include "libs/kafka/protocol/error_codes.h"

namespace sluice::tools {

namespace {

namespace kc = kafka::client;
using kafka::ErrorCode;

// Kafka's AdminClient default.api.timeout.ms is 60 s; the brokers' own deadline for topic changes
// is the request's timeout_ms.
constexpr int32_t kAdminTimeoutMs = 30000;
// DescribeConfigs resource type of a topic (ConfigResource.Type.TOPIC).
constexpr int8_t kTopicResource = 2;
// DescribeConfigs config_source DEFAULT_CONFIG: the only entries Kafka's describe leaves out.
constexpr int8_t kDefaultConfigSource = 5;
// Attempts for a request the controller refused because it stopped being the controller.
constexpr int kControllerAttempts = 5;

class AdminTopicService final : public TopicService {
 public:
  explicit AdminTopicService(std::unique_ptr<kc::Client> client) : client_(std::move(client)) {}

  Status Create(const TopicCommandOptions& o, std::ostream& out) override {
    const std::string& topic = *o.topic;
    if (HasCollisionChars(topic)) out << kCollisionWarning << "\n";
    kafka::CreateTopicsRequest request;
    request.timeout_ms = kAdminTimeoutMs;
    kafka::CreateTopicsRequest::CreatableTopic creatable;
    creatable.name = topic;
    // -1: the broker's num.partitions / default.replication.factor (CreateTopics v4+).
    creatable.num_partitions = -1;
    creatable.replication_factor = -1;
    if (o.replica_assignment) {
      for (const auto& [partition, replicas] : *o.replica_assignment) {
        kafka::CreateTopicsRequest::CreatableReplicaAssignment a;
        a.partition_index = partition.value();
        for (BrokerId b : replicas) a.broker_ids.push_back(b.value());
        creatable.assignments.push_back(std::move(a));
      }
    } else {
      if (o.partitions) creatable.num_partitions = *o.partitions;
      if (o.replication_factor) {
        creatable.replication_factor = static_cast<int16_t>(*o.replication_factor);
      }
    }
    for (const auto& [key, value] : o.configs_to_add) {
      kafka::CreateTopicsRequest::CreateableTopicConfig c;
      c.name = key;
      c.value = value;
      creatable.configs.push_back(std::move(c));
    }
    request.topics.push_back(std::move(creatable));
    auto response = SendToController<kafka::CreateTopicsResponse>(request, [](const auto& r) {
      for (const auto& t : r.topics) {
        if (t.error_code == static_cast<int16_t>(ErrorCode::kNotController)) return true;
      }
      return false;
    });
    if (!response.ok()) return response.status();
    for (const auto& result : response->topics) {
      if (result.error_code == static_cast<int16_t>(ErrorCode::kTopicAlreadyExists) &&
          o.if_not_exists) {
        return Status::Ok();
      }
      SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(result.error_code, result.error_message));
    }
    out << "Created topic " << topic << ".\n";
    return Status::Ok();
  }

  Status List(const TopicCommandOptions& o, std::ostream& out) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    // Kafka prints the names joined by newlines with one println: an empty list prints an
    // empty line.
    std::string joined;
    for (const std::string& topic : *topics) joined += (joined.empty() ? "" : "\n") + topic;
    out << joined << "\n";
    return Status::Ok();
  }

  Status Describe(const TopicCommandOptions& o, std::ostream& out) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    SLUICE_RETURN_IF_ERROR(EnsureTopicsFound(*topics, o));
    if (topics->empty()) return Status::Ok();
    auto metadata = FetchMetadata(*topics);
    if (!metadata.ok()) return metadata.status();
    auto configs = DescribeConfigs(*topics);
    if (!configs.ok()) return configs.status();
    std::set<BrokerId> live;
    for (const auto& broker : metadata->brokers) live.insert(BrokerId(broker.node_id));

    std::vector<TopicDescription> descriptions;
    for (const auto& t : metadata->topics) {
      if (t.error_code == static_cast<int16_t>(ErrorCode::kUnknownTopicOrPartition)) {
        continue;  // deleted since it was listed
      }
      SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(t.error_code));
      TopicDescription d;
      d.name = t.name;
      if (t.topic_id != kafka::Uuid{}) d.topic_id = FormatUuid(t.topic_id);
      const TopicConfigs& topic_configs = (*configs)[t.name];
      d.configs = topic_configs.non_default;
      for (const auto& p : t.partitions) {
        PartitionDescription pd;
        pd.partition = PartitionId(p.partition_index);
        if (p.leader_id >= 0) pd.leader = BrokerId(p.leader_id);
        for (int32_t r : p.replica_nodes) pd.replicas.emplace_back(r);
        for (int32_t r : p.isr_nodes) pd.isr.emplace_back(r);
        pd.min_isr = topic_configs.min_isr;
        d.partitions.push_back(std::move(pd));
      }
      std::sort(d.partitions.begin(), d.partitions.end(),
                [](const auto& a, const auto& b) { return a.partition < b.partition; });
      descriptions.push_back(std::move(d));
    }
    std::sort(descriptions.begin(), descriptions.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    PrintDescriptions(descriptions, o.describe_filter, live, out);
    return Status::Ok();
  }

  Status Alter(const TopicCommandOptions& o, std::ostream&) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    SLUICE_RETURN_IF_ERROR(EnsureTopicsFound(*topics, o));
    if (topics->empty()) return Status::Ok();
    kafka::CreatePartitionsRequest request;
    request.timeout_ms = kAdminTimeoutMs;
    std::optional<kafka::MetadataResponse> metadata;
    if (o.replica_assignment) {
      auto fetched = FetchMetadata(*topics);
      if (!fetched.ok()) return fetched.status();
      metadata = std::move(*fetched);
    }
    for (const std::string& topic : *topics) {
      kafka::CreatePartitionsRequest::CreatePartitionsTopic t;
      t.name = topic;
      t.count = *o.partitions;
      t.assignments = std::nullopt;  // the controller places the new partitions
      if (o.replica_assignment) {
        // Only the partitions beyond the current count are new.
        size_t existing = 0;
        for (const auto& mt : metadata->topics) {
          if (mt.name == topic) existing = mt.partitions.size();
        }
        std::vector<kafka::CreatePartitionsRequest::CreatePartitionsAssignment> assignments;
        for (const auto& [partition, replicas] : *o.replica_assignment) {
          if (static_cast<size_t>(partition.value()) < existing) continue;
          kafka::CreatePartitionsRequest::CreatePartitionsAssignment a;
          for (BrokerId b : replicas) a.broker_ids.push_back(b.value());
          assignments.push_back(std::move(a));
        }
        t.assignments = std::move(assignments);
      }
      request.topics.push_back(std::move(t));
    }
    auto response = SendToController<kafka::CreatePartitionsResponse>(request, [](const auto& r) {
      for (const auto& t : r.results) {
        if (t.error_code == static_cast<int16_t>(ErrorCode::kNotController)) return true;
      }
      return false;
    });
    if (!response.ok()) return response.status();
    for (const auto& result : response->results) {
      SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(result.error_code, result.error_message));
    }
    return Status::Ok();
  }

  Status Delete(const TopicCommandOptions& o, std::ostream&) override {
    auto topics = SelectTopics(o);
    if (!topics.ok()) return topics.status();
    SLUICE_RETURN_IF_ERROR(EnsureTopicsFound(*topics, o));
    if (topics->empty()) return Status::Ok();
    kafka::DeleteTopicsRequest request;
    request.timeout_ms = kAdminTimeoutMs;
    for (const std::string& topic : *topics) {
      request.topic_names.push_back(topic);  // v0-5
      kafka::DeleteTopicsRequest::DeleteTopicState state;
      state.name = topic;  // v6+
      request.topics.push_back(std::move(state));
    }
    auto response = SendToController<kafka::DeleteTopicsResponse>(request, [](const auto& r) {
      for (const auto& t : r.responses) {
        if (t.error_code == static_cast<int16_t>(ErrorCode::kNotController)) return true;
      }
      return false;
    });
    if (!response.ok()) return response.status();
    for (const auto& result : response->responses) {
      SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(result.error_code, result.error_message));
    }
    return Status::Ok();
  }

 private:
  // Sends to the controller; when the answer says it is no longer the controller, refreshes
  // metadata and tries the new one (the AdminClient does the same).
  template <typename Resp, typename Req, typename NotController>
  Result<Resp> SendToController(const Req& request, NotController not_controller) {
    for (int attempt = 1;; ++attempt) {
      auto response = client_->SendToController<Resp>(request);
      if (!response.ok() || !not_controller(*response) || attempt == kControllerAttempts) {
        return response;
      }
      client_->Backoff();
      auto refreshed = client_->FetchMetadata(std::vector<std::string>{});
      if (!refreshed.ok()) return refreshed.status();
    }
  }

  // Every topic name (internal ones included, as Kafka's listInternal(true)), filtered.
  Result<std::vector<std::string>> SelectTopics(const TopicCommandOptions& o) {
    auto filter = TopicFilter::Create(o.topic, o.exclude_internal);
    if (!filter.ok()) return filter.status();
    kafka::MetadataRequest request;
    request.topics = std::nullopt;  // every topic
    request.allow_auto_topic_creation = false;
    auto response = client_->SendToAny<kafka::MetadataResponse>(request);
    if (!response.ok()) return response.status();
    std::vector<std::string> names;
    for (const auto& t : response->topics) {
      if (t.error_code == 0) names.push_back(t.name);
    }
    return filter->Select(std::move(names));
  }

  Result<kafka::MetadataResponse> FetchMetadata(const std::vector<std::string>& topics) {
    kafka::MetadataRequest request;
    request.allow_auto_topic_creation = false;
    std::vector<kafka::MetadataRequest::MetadataRequestTopic> wanted;
    for (const std::string& topic : topics) {
      kafka::MetadataRequest::MetadataRequestTopic t;
      t.name = topic;
      wanted.push_back(std::move(t));
    }
    request.topics = std::move(wanted);
    return client_->SendToAny<kafka::MetadataResponse>(request);
  }

  struct TopicConfigs {
    std::vector<std::pair<std::string, std::string>> non_default;  // in the broker's order
    std::optional<int32_t> min_isr;                                // min.insync.replicas
  };

  Result<std::map<std::string, TopicConfigs>> DescribeConfigs(
      const std::vector<std::string>& topics) {
    kafka::DescribeConfigsRequest request;
    for (const std::string& topic : topics) {
      kafka::DescribeConfigsRequest::DescribeConfigsResource resource;
      resource.resource_type = kTopicResource;
      resource.resource_name = topic;
      resource.configuration_keys = std::nullopt;  // every key
      request.resources.push_back(std::move(resource));
    }
    auto response = client_->SendToAny<kafka::DescribeConfigsResponse>(request);
    if (!response.ok()) return response.status();
    std::map<std::string, TopicConfigs> configs;
    for (const auto& result : response->results) {
      if (result.error_code == static_cast<int16_t>(ErrorCode::kUnknownTopicOrPartition)) {
        continue;
      }
      SLUICE_RETURN_IF_ERROR(KafkaErrorToStatus(result.error_code, result.error_message));
      TopicConfigs& topic = configs[result.resource_name];
      for (const auto& entry : result.configs) {
        if (entry.name == "min.insync.replicas" && entry.value) {
          int32_t min_isr = 0;
          const std::string& v = *entry.value;
          auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), min_isr);
          if (ec == std::errc() && ptr == v.data() + v.size()) topic.min_isr = min_isr;
        }
        // v0 says is_default; v1+ gives the source (config_source stays -1 in v0).
        const bool is_default = entry.config_source == -1
                                    ? entry.is_default
                                    : entry.config_source == kDefaultConfigSource;
        if (!is_default) topic.non_default.emplace_back(entry.name, entry.value.value_or("null"));
      }
    }
    return configs;
  }

  // Kafka's Uuid text: URL-safe base64 of the 16 bytes, no padding (22 characters).
  static std::string FormatUuid(const kafka::Uuid& id) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (uint8_t byte : id.bytes) {
      buffer = (buffer << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        out += kAlphabet[(buffer >> (bits - 6)) & 0x3f];
        bits -= 6;
      }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
  }

  std::unique_ptr<kc::Client> client_;
};

}  // namespace

Result<std::unique_ptr<TopicService>> ConnectAdminTopicService(const std::string& bootstrap) {
  kc::ClientOptions options;
  options.bootstrap_servers = bootstrap;
  options.connection.client_id = "sluice-topics";
  auto client = kc::Client::Create(std::move(options));
  if (!client.ok()) return client.status();
  return std::unique_ptr<TopicService>(new AdminTopicService(std::move(*client)));
}

}  // namespace sluice::tools

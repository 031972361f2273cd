#include "libs/kafka/client/client.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "libs/kafka/client/errors.h"
#include "libs/kafka/messages/find_coordinator.h"
#include "libs/kafka/messages/metadata.h"

namespace sluice::kafka::client {

Result<std::vector<HostPort>> ParseBootstrapServers(const std::string& list) {
  std::vector<HostPort> result;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string entry = list.substr(start, comma - start);
    // Surrounding spaces are allowed ("a:1, b:2"), as Kafka trims them.
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    start = comma + 1;
    if (entry.empty()) continue;
    const size_t colon = entry.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size()) {
      return Status::InvalidArgument("invalid bootstrap server '" + entry +
                                     "': expected host:port");
    }
    std::string host = entry.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);  // [::1]:9092
    }
    int32_t port = 0;
    const char* first = entry.data() + colon + 1;
    const char* last = entry.data() + entry.size();
    auto [end, error] = std::from_chars(first, last, port);
    if (error != std::errc() || end != last || port < 1 || port > 65535) {
      return Status::InvalidArgument("invalid port in bootstrap server '" + entry + "'");
    }
    result.push_back(HostPort{std::move(host), port});
  }
  if (result.empty()) return Status::InvalidArgument("the bootstrap server list is empty");
  return result;
}

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  Result<std::vector<HostPort>> bootstrap = ParseBootstrapServers(options.bootstrap_servers);
  if (!bootstrap.ok()) return bootstrap.status();
  std::unique_ptr<Client> client(new Client(std::move(options), std::move(*bootstrap)));
  Result<ClusterMetadata> metadata = client->FetchMetadata(std::vector<std::string>{});
  if (!metadata.ok()) return metadata.status();
  return client;
}

Client::Client(ClientOptions options, std::vector<HostPort> bootstrap)
    : options_(std::move(options)), bootstrap_(std::move(bootstrap)) {}

Client::~Client() = default;

void Client::Backoff() const { std::this_thread::sleep_for(options_.retry_backoff); }

void Client::InvalidateMetadata() {
  std::lock_guard<std::mutex> lock(mutex_);
  metadata_.topics.clear();
}

ClusterMetadata Client::CachedMetadata() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return metadata_;
}

namespace {

ClusterMetadata FromResponse(const MetadataResponse& response) {
  ClusterMetadata md;
  md.cluster_id = response.cluster_id;
  md.controller_id = BrokerId(response.controller_id);
  for (const auto& b : response.brokers) {
    md.brokers.push_back(BrokerAddress{BrokerId(b.node_id), b.host, b.port, b.rack});
  }
  std::sort(md.brokers.begin(), md.brokers.end(),
            [](const BrokerAddress& a, const BrokerAddress& b) { return a.id < b.id; });
  for (const auto& t : response.topics) {
    TopicMetadata topic;
    topic.name = t.name;
    topic.error_code = t.error_code;
    topic.is_internal = t.is_internal;
    for (const auto& p : t.partitions) {
      PartitionMetadata partition;
      partition.partition = PartitionId(p.partition_index);
      partition.error_code = p.error_code;
      partition.leader = BrokerId(p.leader_id);
      partition.leader_epoch = LeaderEpoch(p.leader_epoch);
      for (int32_t id : p.replica_nodes) partition.replicas.push_back(BrokerId(id));
      for (int32_t id : p.isr_nodes) partition.isr.push_back(BrokerId(id));
      for (int32_t id : p.offline_replicas) partition.offline_replicas.push_back(BrokerId(id));
      topic.partitions.push_back(std::move(partition));
    }
    std::sort(topic.partitions.begin(), topic.partitions.end(),
              [](const PartitionMetadata& a, const PartitionMetadata& b) {
                return a.partition < b.partition;
              });
    md.topics[topic.name] = std::move(topic);
  }
  return md;
}

}  // namespace

Result<ClusterMetadata> Client::FetchMetadata(std::optional<std::vector<std::string>> topics,
                                              bool allow_auto_create) {
  MetadataRequest request;
  if (topics.has_value()) {
    request.topics.emplace();
    for (const std::string& name : *topics) {
      MetadataRequest::MetadataRequestTopic t;
      t.name = name;
      request.topics->push_back(std::move(t));
    }
  } else {
    request.topics.reset();  // v1+: null asks for every topic
  }
  request.allow_auto_topic_creation = allow_auto_create;
  // v1+: v0 cannot ask for "no topics" (empty meant all) nor for "all" with null.
  Result<MetadataResponse> response = SendToAny<MetadataResponse>(request, {.min_version = 1});
  if (!response.ok()) return response.status();
  ClusterMetadata fresh = FromResponse(*response);
  std::lock_guard<std::mutex> lock(mutex_);
  metadata_.cluster_id = fresh.cluster_id;
  metadata_.controller_id = fresh.controller_id;
  metadata_.brokers = fresh.brokers;
  if (!topics.has_value()) metadata_.topics.clear();
  for (const auto& [name, topic] : fresh.topics) metadata_.topics[name] = topic;
  return fresh;
}

Result<TopicMetadata> Client::Topic(const std::string& topic, bool refresh) {
  if (!refresh) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const TopicMetadata* cached = metadata_.FindTopic(topic);
        cached != nullptr && cached->error_code == 0) {
      return *cached;
    }
  }
  Result<ClusterMetadata> md = FetchMetadata(std::vector<std::string>{topic});
  if (!md.ok()) return md.status();
  const TopicMetadata* found = md->FindTopic(topic);
  if (found == nullptr) {
    return Status::NotFound("topic '" + topic + "' is not in the metadata response");
  }
  if (found->error_code != 0) {
    return KafkaErrorStatus(found->error_code, "topic '" + topic + "'");
  }
  return *found;
}

Result<BrokerId> Client::LeaderFor(const TopicPartition& partition, bool refresh) {
  Status last;
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) Backoff();
    Result<TopicMetadata> topic = Topic(partition.topic, refresh || attempt > 0);
    if (!topic.ok()) {
      if (topic.status().code() != Status::Code::kUnavailable) return topic.status();
      last = topic.status();
      continue;
    }
    auto it = std::find_if(topic->partitions.begin(), topic->partitions.end(),
                           [&](const PartitionMetadata& p) {
                             return p.partition == partition.partition;
                           });
    if (it == topic->partitions.end()) {
      return Status::NotFound("topic '" + partition.topic + "' has no partition " +
                              std::to_string(partition.partition.value()) + " (it has " +
                              std::to_string(topic->partitions.size()) + ")");
    }
    if (it->leader.value() >= 0) return it->leader;
    last = Status::Unavailable(partition.ToString() + ": no leader (" +
                               DescribeKafkaError(it->error_code) + ")");
  }
  return last;
}

Result<BrokerId> Client::Controller() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (metadata_.controller_id.value() >= 0) return metadata_.controller_id;
  }
  Result<ClusterMetadata> md = FetchMetadata(std::vector<std::string>{});
  if (!md.ok()) return md.status();
  if (md->controller_id.value() < 0) {
    return Status::Unavailable("the cluster has no controller broker right now");
  }
  return md->controller_id;
}

Result<BrokerId> Client::FindCoordinator(const std::string& key, int8_t key_type) {
  FindCoordinatorRequest request;
  request.key = key;
  request.key_type = key_type;
  const SendOptions options{.min_version = static_cast<int16_t>(key_type == 0 ? 0 : 1)};
  Status last;
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) Backoff();
    Result<FindCoordinatorResponse> response =
        SendToAny<FindCoordinatorResponse>(request, options);
    if (!response.ok()) return response.status();
    const std::string context = "FindCoordinator for '" + key + "'";
    if (response->error_code != 0) {
      last = KafkaErrorStatus(response->error_code, context,
                              response->error_message.value_or(""));
      if (IsRetriableKafkaError(response->error_code)) continue;
      return last;
    }
    BrokerAddress address{BrokerId(response->node_id), response->host, response->port, {}};
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find_if(metadata_.brokers.begin(), metadata_.brokers.end(),
                           [&](const BrokerAddress& b) { return b.id == address.id; });
    if (it == metadata_.brokers.end()) {
      metadata_.brokers.push_back(address);
    } else if (it->host != address.host || it->port != address.port) {
      *it = address;
      connections_.erase(address.id);
    }
    return address.id;
  }
  return last;
}

Result<std::shared_ptr<Connection>> Client::ConnectionTo(BrokerId broker) {
  std::optional<BrokerAddress> address;
  for (int round = 0; round < 2 && !address.has_value(); ++round) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = connections_.find(broker);
      if (it != connections_.end() && !it->second->is_broken()) return it->second;
      if (const BrokerAddress* known = metadata_.FindBroker(broker)) address = *known;
    }
    if (!address.has_value() && round == 0) {
      Result<ClusterMetadata> md = FetchMetadata(std::vector<std::string>{});
      if (!md.ok()) return md.status();
    }
  }
  if (!address.has_value()) {
    return Status::NotFound("broker " + std::to_string(broker.value()) +
                            " is not in the cluster metadata");
  }
  // Connect outside the lock: other threads keep using other brokers meanwhile.
  Result<std::unique_ptr<Connection>> opened =
      Connection::Open(address->host, address->port, options_.connection,
                       address->host + ":" + std::to_string(address->port) + " (broker " +
                           std::to_string(broker.value()) + ")");
  if (!opened.ok()) return opened.status();
  std::shared_ptr<Connection> connection = std::move(*opened);
  std::lock_guard<std::mutex> lock(mutex_);
  connections_[broker] = connection;
  return connection;
}

Result<std::shared_ptr<Connection>> Client::AnyConnection() {
  std::vector<BrokerAddress> known;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, connection] : connections_) {
      if (!connection->is_broken()) return connection;
    }
    if (bootstrap_connection_ != nullptr && !bootstrap_connection_->is_broken()) {
      return bootstrap_connection_;
    }
    known = metadata_.brokers;
  }
  for (const BrokerAddress& broker : known) {
    Result<std::shared_ptr<Connection>> connection = ConnectionTo(broker.id);
    if (connection.ok()) return connection;
  }
  return OpenBootstrap();
}

Result<std::shared_ptr<Connection>> Client::OpenBootstrap() {
  std::string failures;
  for (const HostPort& hp : bootstrap_) {
    Result<std::unique_ptr<Connection>> opened =
        Connection::Open(hp.host, hp.port, options_.connection);
    if (opened.ok()) {
      std::shared_ptr<Connection> connection = std::move(*opened);
      std::lock_guard<std::mutex> lock(mutex_);
      bootstrap_connection_ = connection;
      return connection;
    }
    failures += "\n  " + opened.status().message();
  }
  return Status::Unavailable("cannot reach any bootstrap broker (" + options_.bootstrap_servers +
                             "):" + failures);
}

}  // namespace sluice::kafka::client

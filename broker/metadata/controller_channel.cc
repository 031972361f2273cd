#include "broker/metadata/controller_channel.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "libs/kafka/client/connection.h"
#include "libs/kafka/messages/leader_and_isr.h"
#include "libs/kafka/messages/stop_replica.h"
#include "libs/kafka/messages/update_metadata.h"

namespace sluice::metadata {
namespace {

Poco::Logger& ControllerLog() { return Poco::Logger::get("controller"); }

// Upper bound on one connection attempt to a broker (controller.socket.timeout.ms still bounds
// each round trip).
constexpr std::chrono::milliseconds kConnectTimeout{3'000};

std::vector<int32_t> Ints(const std::vector<BrokerId>& ids) {
  std::vector<int32_t> out;
  out.reserve(ids.size());
  for (BrokerId id : ids) out.push_back(id.value());
  return out;
}

kafka::Uuid ToWire(const Uuid& id) {
  kafka::Uuid out;
  for (int i = 0; i < 8; ++i) {
    out.bytes[i] = static_cast<uint8_t>(id.most_significant >> (56 - 8 * i));
    out.bytes[8 + i] = static_cast<uint8_t>(id.least_significant >> (56 - 8 * i));
  }
  return out;
}

// Kafka's SecurityProtocol ids, as UpdateMetadata carries them.
int16_t SecurityProtocolId(const std::string& name) {
  if (name == "SSL") return 1;
  if (name == "SASL_PLAINTEXT") return 2;
  if (name == "SASL_SSL") return 3;
  return 0;  // PLAINTEXT
}

// ---- commands -> wire messages (every version's fields are filled; the encoder keeps only
// those of the negotiated version) ----

kafka::LeaderAndIsrRequest ToWire(const LeaderAndIsrCommand& command,
                                  const std::string& listener_name) {
  kafka::LeaderAndIsrRequest request;
  request.controller_id = command.controller_id.value();
  request.controller_epoch = command.controller_epoch.value();
  request.broker_epoch = command.broker_epoch;
  request.type = 0;  // incremental
  std::map<std::string, kafka::LeaderAndIsrRequest::LeaderAndIsrTopicState> topics;
  for (const ControllerPartitionState& p : command.partitions) {
    kafka::LeaderAndIsrRequest::LeaderAndIsrPartitionState state;
    state.topic_name = p.topic;
    state.partition_index = p.partition.value();
    state.controller_epoch = p.controller_epoch.value();
    state.leader = p.leader.value();
    state.leader_epoch = p.leader_epoch.value();
    state.isr = Ints(p.isr);
    state.zk_version = p.zk_version;
    state.replicas = Ints(p.replicas);
    state.adding_replicas = Ints(p.adding_replicas);
    state.removing_replicas = Ints(p.removing_replicas);
    state.is_new = p.is_new;
    request.ungrouped_partition_states.push_back(state);
    auto& topic = topics[p.topic];
    topic.topic_name = p.topic;
    if (auto id = command.topic_ids.find(p.topic); id != command.topic_ids.end()) {
      topic.topic_id = ToWire(id->second);
    }
    topic.partition_states.push_back(std::move(state));
  }
  for (auto& [name, topic] : topics) request.topic_states.push_back(std::move(topic));
  for (const BrokerRegistration& leader : command.live_leaders) {
    kafka::LeaderAndIsrRequest::LeaderAndIsrLiveLeader live;
    live.broker_id = leader.id.value();
    // Followers connect to the leader's inter-broker listener, as the controller does.
    if (const BrokerEndpoint* endpoint = InterBrokerEndpoint(leader, listener_name)) {
      live.host_name = endpoint->host;
      live.port = endpoint->port;
    }
    request.live_leaders.push_back(std::move(live));
  }
  return request;
}

kafka::UpdateMetadataRequest ToWire(const UpdateMetadataCommand& command) {
  kafka::UpdateMetadataRequest request;
  request.controller_id = command.controller_id.value();
  request.controller_epoch = command.controller_epoch.value();
  request.broker_epoch = command.broker_epoch;
  std::map<std::string, kafka::UpdateMetadataRequest::UpdateMetadataTopicState> topics;
  for (const ControllerPartitionState& p : command.partitions) {
    kafka::UpdateMetadataRequest::UpdateMetadataPartitionState state;
    state.topic_name = p.topic;
    state.partition_index = p.partition.value();
    state.controller_epoch = p.controller_epoch.value();
    state.leader = p.leader.value();
    state.leader_epoch = p.leader_epoch.value();
    state.isr = Ints(p.isr);
    state.zk_version = p.zk_version;
    state.replicas = Ints(p.replicas);
    state.offline_replicas = Ints(p.offline_replicas);
    request.ungrouped_partition_states.push_back(state);
    auto& topic = topics[p.topic];
    topic.topic_name = p.topic;
    if (auto id = command.topic_ids.find(p.topic); id != command.topic_ids.end()) {
      topic.topic_id = ToWire(id->second);
    }
    topic.partition_states.push_back(std::move(state));
  }
  for (auto& [name, topic] : topics) request.topic_states.push_back(std::move(topic));
  for (const BrokerRegistration& broker : command.live_brokers) {
    kafka::UpdateMetadataRequest::UpdateMetadataBroker out;
    out.id = broker.id.value();
    if (const BrokerEndpoint* plaintext = broker.PlaintextEndpoint()) {
      out.v0_host = plaintext->host;
      out.v0_port = plaintext->port;
    }
    for (const BrokerEndpoint& endpoint : broker.endpoints) {
      kafka::UpdateMetadataRequest::UpdateMetadataEndpoint e;
      e.port = endpoint.port;
      e.host = endpoint.host;
      e.listener = endpoint.listener_name;
      e.security_protocol = SecurityProtocolId(endpoint.security_protocol);
      out.endpoints.push_back(std::move(e));
    }
    out.rack = broker.rack;
    request.live_brokers.push_back(std::move(out));
  }
  return request;
}

kafka::StopReplicaRequest ToWire(const StopReplicaCommand& command) {
  kafka::StopReplicaRequest request;
  request.controller_id = command.controller_id.value();
  request.controller_epoch = command.controller_epoch.value();
  request.broker_epoch = command.broker_epoch;
  // v0-2 carry one delete flag for the whole request; the controller never mixes them in one
  // command when it matters (deletions are sent apart).
  request.delete_partitions =
      !command.partitions.empty() &&
      std::all_of(command.partitions.begin(), command.partitions.end(),
                  [](const StopReplicaPartition& p) { return p.delete_partition; });
  std::map<std::string, kafka::StopReplicaRequest::StopReplicaTopicV1> v1;
  std::map<std::string, kafka::StopReplicaRequest::StopReplicaTopicState> v3;
  for (const StopReplicaPartition& p : command.partitions) {
    kafka::StopReplicaRequest::StopReplicaPartitionV0 v0;
    v0.topic_name = p.topic;
    v0.partition_index = p.partition.value();
    request.ungrouped_partitions.push_back(std::move(v0));
    v1[p.topic].name = p.topic;
    v1[p.topic].partition_indexes.push_back(p.partition.value());
    v3[p.topic].topic_name = p.topic;
    kafka::StopReplicaRequest::StopReplicaPartitionState state;
    state.partition_index = p.partition.value();
    state.leader_epoch = p.leader_epoch.value();
    state.delete_partition = p.delete_partition;
    v3[p.topic].partition_states.push_back(state);
  }
  for (auto& [name, topic] : v1) request.topics.push_back(std::move(topic));
  for (auto& [name, topic] : v3) request.topic_states.push_back(std::move(topic));
  return request;
}

// Sends one command, returns the decoded answer.
Result<ControllerCommandResponse> SendCommand(kafka::client::Connection& connection,
                                              const ControllerCommand& command,
                                              const std::string& listener_name) {
  ControllerCommandResponse out;
  if (const auto* lai = std::get_if<LeaderAndIsrCommand>(&command)) {
    auto response = connection.Send<kafka::LeaderAndIsrResponse>(ToWire(*lai, listener_name));
    if (!response.ok()) return response.status();
    out.error_code = response->error_code;
    for (const auto& e : response->partition_errors) {
      out.partition_errors[{e.topic_name, PartitionId(e.partition_index)}] = e.error_code;
    }
    for (const auto& topic : response->topics) {
      std::string name;
      for (const auto& [topic_name, id] : lai->topic_ids) {
        if (ToWire(id) == topic.topic_id) name = topic_name;
      }
      for (const auto& e : topic.partition_errors) {
        out.partition_errors[{name, PartitionId(e.partition_index)}] = e.error_code;
      }
    }
    return out;
  }
  if (const auto* um = std::get_if<UpdateMetadataCommand>(&command)) {
    auto response = connection.Send<kafka::UpdateMetadataResponse>(ToWire(*um));
    if (!response.ok()) return response.status();
    out.error_code = response->error_code;
    return out;
  }
  const auto& sr = std::get<StopReplicaCommand>(command);
  auto response = connection.Send<kafka::StopReplicaResponse>(ToWire(sr));
  if (!response.ok()) return response.status();
  out.error_code = response->error_code;
  for (const auto& e : response->partition_errors) {
    out.partition_errors[{e.topic_name, PartitionId(e.partition_index)}] = e.error_code;
  }
  return out;
}

const char* CommandName(const ControllerCommand& command) {
  if (std::holds_alternative<LeaderAndIsrCommand>(command)) return "LeaderAndIsr";
  if (std::holds_alternative<UpdateMetadataCommand>(command)) return "UpdateMetadata";
  return "StopReplica";
}

// One broker's queue and sender thread (Kafka's RequestSendThread).
class BrokerSender {
 public:
  BrokerSender(const NetworkControllerChannelOptions& options, LiveBroker broker)
      : options_(options), broker_(std::move(broker)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~BrokerSender() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      queue_.clear();
      // A round trip in progress would otherwise hold the join for up to the request timeout
      // (e.g. a request to this very broker, whose listeners already stopped answering).
      if (connection_) connection_->Interrupt();
    }
    cv_.notify_all();
    thread_.join();
  }

  void Enqueue(ControllerCommand command, ControllerResponseCallback callback) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back(std::move(command), std::move(callback));
    }
    cv_.notify_all();
  }

 private:
  std::string Label() const { return "broker " + std::to_string(broker_.registration.id.value()); }

  // Sleeps for `delay` unless stopping; returns false when stopping.
  bool Backoff(std::chrono::milliseconds delay) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, delay, [this] { return stopping_; });
  }

  void Run() {
    std::chrono::milliseconds backoff = options_.reconnect_backoff;
    for (;;) {
      std::pair<ControllerCommand, ControllerResponseCallback> item;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        item = queue_.front();
      }
      kafka::client::Connection* connection = nullptr;
      {
        std::lock_guard lock(mu_);
        if (connection_ && connection_->is_broken()) connection_.reset();
        connection = connection_.get();
      }
      if (connection == nullptr) {
        const BrokerEndpoint* endpoint =
            InterBrokerEndpoint(broker_.registration, options_.inter_broker_listener_name);
        if (endpoint == nullptr) {
          ControllerLog().error("Controller " + std::to_string(options_.controller_id.value()) +
                                ": " + Label() + " advertises no endpoint for listener '" +
                                options_.inter_broker_listener_name + "'; dropping " +
                                CommandName(item.first));
          std::lock_guard lock(mu_);
          if (!queue_.empty()) queue_.pop_front();
          continue;
        }
        kafka::client::ConnectionOptions connection_options;
        connection_options.client_id =
            "controller-" + std::to_string(options_.controller_id.value()) + "-to-broker-" +
            std::to_string(broker_.registration.id.value());
        // Connecting cannot be interrupted: each attempt is short (the loop retries), so a
        // stopping controller never waits long for an unreachable broker.
        connection_options.connect_timeout = std::min(options_.request_timeout, kConnectTimeout);
        connection_options.request_timeout = options_.request_timeout;
        const std::string host = endpoint->host.empty() ? "localhost" : endpoint->host;
        auto opened = kafka::client::Connection::Open(
            host, endpoint->port, connection_options,
            Label() + " (" + host + ":" + std::to_string(endpoint->port) + ")");
        if (!opened.ok()) {
          ControllerLog().warning("Controller " + std::to_string(options_.controller_id.value()) +
                                  "'s connection to " + Label() +
                                  " failed: " + opened.status().ToString());
          if (!Backoff(backoff)) return;
          backoff = std::min(backoff * 2, options_.reconnect_backoff_max);
          continue;
        }
        std::lock_guard lock(mu_);
        if (stopping_) return;
        connection_ = std::move(*opened);
        connection = connection_.get();
        backoff = options_.reconnect_backoff;
      }
      auto response = SendCommand(*connection, item.first, options_.inter_broker_listener_name);
      if (!response.ok()) {
        {
          std::lock_guard lock(mu_);
          if (stopping_) return;  // interrupted by the destructor
          connection_.reset();
        }
        ControllerLog().warning("Controller " + std::to_string(options_.controller_id.value()) +
                                " failed to send " + CommandName(item.first) + " to " + Label() +
                                ", retrying: " + response.status().ToString());
        if (!Backoff(backoff)) return;
        backoff = std::min(backoff * 2, options_.reconnect_backoff_max);
        continue;
      }
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (!queue_.empty()) queue_.pop_front();
      }
      if (item.second) item.second(*response);
    }
  }

  const NetworkControllerChannelOptions options_;
  const LiveBroker broker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<ControllerCommand, ControllerResponseCallback>> queue_;  // guarded
  bool stopping_ = false;                                                       // guarded
  // Set and reset by the sender thread under mu_ (which uses it without the lock); the
  // destructor interrupts it under mu_.
  std::unique_ptr<kafka::client::Connection> connection_;
  std::thread thread_;
};

class NetworkControllerChannel : public ControllerChannel {
 public:
  explicit NetworkControllerChannel(NetworkControllerChannelOptions options)
      : options_(std::move(options)) {}
  ~NetworkControllerChannel() override { Shutdown(); }

  void AddBroker(const LiveBroker& broker) override {
    std::unique_ptr<BrokerSender> old;
    {
      std::lock_guard lock(mu_);
      auto& slot = senders_[broker.registration.id];
      old = std::move(slot);
      slot = std::make_unique<BrokerSender>(options_, broker);
    }
    // `old` joins outside the lock (its thread may be in a round trip).
  }

  void RemoveBroker(BrokerId broker) override {
    std::unique_ptr<BrokerSender> old;
    {
      std::lock_guard lock(mu_);
      auto it = senders_.find(broker);
      if (it == senders_.end()) return;
      old = std::move(it->second);
      senders_.erase(it);
    }
  }

  void Send(BrokerId broker, ControllerCommand command,
            ControllerResponseCallback on_response) override {
    std::lock_guard lock(mu_);
    auto it = senders_.find(broker);
    if (it == senders_.end()) {
      ControllerLog().warning("Controller " + std::to_string(options_.controller_id.value()) +
                              ": not sending " + CommandName(command) + " to broker " +
                              std::to_string(broker.value()) + ", which is not live");
      return;
    }
    it->second->Enqueue(std::move(command), std::move(on_response));
  }

  void Shutdown() override {
    std::map<BrokerId, std::unique_ptr<BrokerSender>> old;
    {
      std::lock_guard lock(mu_);
      old.swap(senders_);
    }
  }

 private:
  const NetworkControllerChannelOptions options_;
  std::mutex mu_;
  std::map<BrokerId, std::unique_ptr<BrokerSender>> senders_;  // guarded by mu_
};

}  // namespace

const BrokerEndpoint* InterBrokerEndpoint(const BrokerRegistration& registration,
                                          const std::string& listener_name) {
  if (!listener_name.empty()) {
    for (const BrokerEndpoint& endpoint : registration.endpoints) {
      if (endpoint.listener_name == listener_name) return &endpoint;
    }
    return nullptr;
  }
  if (const BrokerEndpoint* plaintext = registration.PlaintextEndpoint()) return plaintext;
  return registration.endpoints.empty() ? nullptr : &registration.endpoints.front();
}

std::unique_ptr<ControllerChannel> MakeNetworkControllerChannel(
    NetworkControllerChannelOptions options) {
  return std::make_unique<NetworkControllerChannel>(std::move(options));
}

}  // namespace sluice::metadata

// ControllerChannel: how the controller broker talks to every live broker (itself included).
//
// The controller builds requests per event (controller_requests below, in Kafka's terms but
// independent of the wire encoding) and hands them to the channel, one call per target broker.
// Requests to one broker are sent in order, one at a time; responses come back through the
// callback. The network implementation (NetworkControllerChannel) keeps, per broker, a sender
// thread with a queue and one Connection (libs/kafka/client) to the broker's inter-broker
// listener, reconnecting with backoff, like Kafka's ControllerChannelManager/RequestSendThread.
// A request is retried until it is answered or its broker is removed (the broker died: Kafka
// drops the queue then too; the controller resends what matters when the broker returns).
//
// Thread safety: every method may be called from any thread. Callbacks run on the channel's
// threads; they must not block for long (the controller only enqueues an event).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/znodes.h"
#include "libs/base/ids.h"

namespace sluice::metadata {

// One partition of a LeaderAndIsr or UpdateMetadata request.
struct ControllerPartitionState {
  std::string topic;
  PartitionId partition;
  ControllerEpoch controller_epoch{0};
  BrokerId leader = kNoLeader;  // -2 (kLeaderDuringDelete) in UpdateMetadata: topic being deleted
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> isr;
  int32_t zk_version = 0;
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> adding_replicas;
  std::vector<BrokerId> removing_replicas;
  std::vector<BrokerId> offline_replicas;  // UpdateMetadata only
  bool is_new = false;                     // LeaderAndIsr only

  bool operator==(const ControllerPartitionState&) const = default;
};

// Kafka's LeaderAndIsr.LeaderDuringDelete: UpdateMetadata's signal to drop a topic from caches.
inline constexpr BrokerId kLeaderDuringDelete{-2};

struct LeaderAndIsrCommand {
  BrokerId controller_id;
  ControllerEpoch controller_epoch;
  int64_t broker_epoch = -1;  // the target broker's epoch
  std::vector<ControllerPartitionState> partitions;
  std::vector<BrokerRegistration> live_leaders;  // brokers leading any of the partitions
  std::map<std::string, Uuid> topic_ids;
};

struct UpdateMetadataCommand {
  BrokerId controller_id;
  ControllerEpoch controller_epoch;
  int64_t broker_epoch = -1;
  std::vector<ControllerPartitionState> partitions;
  std::vector<BrokerRegistration> live_brokers;
  std::map<std::string, Uuid> topic_ids;
};

struct StopReplicaPartition {
  std::string topic;
  PartitionId partition;
  LeaderEpoch leader_epoch{-1};  // -1: no epoch check (Kafka's EpochDuringDelete is -2)
  bool delete_partition = false;
  bool operator==(const StopReplicaPartition&) const = default;
};

struct StopReplicaCommand {
  BrokerId controller_id;
  ControllerEpoch controller_epoch;
  int64_t broker_epoch = -1;
  std::vector<StopReplicaPartition> partitions;
};

using ControllerCommand =
    std::variant<LeaderAndIsrCommand, UpdateMetadataCommand, StopReplicaCommand>;

// The answer: a top-level Kafka error code and per-partition codes (0 = none). A transport
// failure never reaches the callback (the request is retried) except when the broker is
// removed, which drops the queue silently.
struct ControllerCommandResponse {
  int16_t error_code = 0;
  std::map<TopicPartitionName, int16_t> partition_errors;
};

using ControllerResponseCallback = std::function<void(const ControllerCommandResponse&)>;

class ControllerChannel {
 public:
  virtual ~ControllerChannel() = default;
  // Starts (or restarts with new endpoints) the sender for `broker`.
  virtual void AddBroker(const LiveBroker& broker) = 0;
  // Stops its sender and drops what was queued for it.
  virtual void RemoveBroker(BrokerId broker) = 0;
  // Queues `command` for `broker` (dropped with a warning if the broker was not added).
  virtual void Send(BrokerId broker, ControllerCommand command,
                    ControllerResponseCallback on_response) = 0;
  // Removes every broker (the controller resigned).
  virtual void Shutdown() = 0;
};

struct NetworkControllerChannelOptions {
  BrokerId controller_id;
  // The listener whose endpoint (in each broker's registration) the controller connects to:
  // inter.broker.listener.name; empty means the first PLAINTEXT endpoint, else the first one.
  std::string inter_broker_listener_name;
  std::chrono::milliseconds request_timeout{30'000};  // controller.socket.timeout.ms
  std::chrono::milliseconds reconnect_backoff{500};   // doubles up to max
  std::chrono::milliseconds reconnect_backoff_max{5'000};
};

// The endpoint `registration` advertises for `listener_name` (see above); nullptr when none.
const BrokerEndpoint* InterBrokerEndpoint(const BrokerRegistration& registration,
                                          const std::string& listener_name);

// The real channel, over TCP with the generated Kafka messages.
std::unique_ptr<ControllerChannel> MakeNetworkControllerChannel(
    NetworkControllerChannelOptions options);

}  // namespace sluice::metadata

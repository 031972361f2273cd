// Client: a small synchronous Kafka client over the generated messages. It is shared by the
// `sluice` tools, the operator and broker-to-broker replication, so it knows nothing of any of
// them. The higher-level pieces build on it:
//
//   client.h          this file: bootstrap, metadata, connections per broker, Send, leaders,
//                     coordinators
//   connection.h      one TCP connection, ApiVersions negotiation, framing, timeouts
//   offsets.h         ListOffsets, OffsetFetch/OffsetCommit helpers (for tools and consumers)
//   producer.h        Producer: partitioner, record batch v2 with compression, acks, retries
//   consumer.h        Consumer: assigned partitions, ListOffsets positions, Fetch loop
//   group_consumer.h  GroupConsumer: FindCoordinator, JoinGroup/SyncGroup ("range"),
//                     Heartbeat thread, OffsetFetch/OffsetCommit, LeaveGroup
//   consumer_protocol.h, range_assignor.h, partitioner.h, murmur2.h, errors.h, types.h
//
// Usage:
//   auto client = Client::Create({.bootstrap_servers = "localhost:9092"});
//   if (!client.ok()) { ... client.status().message() ... }
//   auto md = (*client)->FetchMetadata(std::vector<std::string>{"sports"});
//   auto leader = (*client)->LeaderFor({"sports", PartitionId(0)});
//   auto resp = (*client)->Send<MetadataResponse>(*leader, MetadataRequest{...});
//
// Thread safety: every method may be called from any thread. Metadata and the connection map
// are guarded by one mutex; round trips on one connection are serialized by the connection.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "libs/base/ids.h"
#include "libs/base/status.h"
#include "libs/kafka/client/connection.h"
#include "libs/kafka/client/types.h"

namespace sluice::kafka::client {

struct ClientOptions {
  // "host:port,host:port" (Kafka's bootstrap.servers); at least one entry.
  std::string bootstrap_servers;
  ConnectionOptions connection;
  // Attempts after the first for requests that fail with a retriable error (Kafka's retries),
  // with retry_backoff between them.
  int retries = 5;
  std::chrono::milliseconds retry_backoff{100};
};

// "host:port" entries of a bootstrap list; InvalidArgument naming the bad entry (no port, port
// not in 1..65535, empty host) or an empty list.
struct HostPort {
  std::string host;
  int32_t port = 0;
  bool operator==(const HostPort&) const = default;
};
Result<std::vector<HostPort>> ParseBootstrapServers(const std::string& list);

class Client {
 public:
  // Parses the bootstrap list and fetches metadata (brokers only) from the first bootstrap
  // broker that answers, so that an unreachable cluster fails here, naming every address tried.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return options_; }

  // ---- metadata ----
  // Sends Metadata for `topics` (nullopt: every topic; empty: brokers only) to any broker and
  // merges the answer into the cache (brokers and controller replaced; the named topics
  // replaced). allow_auto_create follows Kafka's allow.auto.create.topics (producers true,
  // tools false). Topic-level errors stay in TopicMetadata::error_code; they are not failures.
  Result<ClusterMetadata> FetchMetadata(std::optional<std::vector<std::string>> topics,
                                        bool allow_auto_create = false);
  // The cached snapshot (what the last FetchMetadata calls returned, merged).
  ClusterMetadata CachedMetadata() const;
  // The topic from the cache, fetching it when absent or when `refresh`. NotFound when the
  // broker answers UNKNOWN_TOPIC_OR_PARTITION; other topic errors become a Status too.
  Result<TopicMetadata> Topic(const std::string& topic, bool refresh = false);
  // The partition's leader, refreshing metadata (with retries and backoff) while it is
  // unknown or LEADER_NOT_AVAILABLE. `refresh` forces a refresh first (after NOT_LEADER).
  Result<BrokerId> LeaderFor(const TopicPartition& partition, bool refresh = false);
  // The controller broker named by the last metadata (refreshing when unknown).
  Result<BrokerId> Controller();

  // ---- coordinators ----
  // FindCoordinator for a group (key_type 0) or transactional id (1), retrying while the
  // coordinator is not available or loading. The broker's address is added to the cache.
  Result<BrokerId> FindCoordinator(const std::string& key, int8_t key_type = 0);

  // ---- connections and requests ----
  // The connection to a broker known from metadata, opened on first use and reopened when
  // broken. Shared: stays valid while the caller holds it even if the client replaces it.
  Result<std::shared_ptr<Connection>> ConnectionTo(BrokerId broker);
  // A connection to any broker: a known one first, else the bootstrap list in order.
  Result<std::shared_ptr<Connection>> AnyConnection();

  // One request to `broker`. A connection that breaks (I/O error, not a timeout) is reopened
  // and the request sent once more. Kafka error codes inside the response are the caller's.
  template <typename Resp, typename Req>
  Result<Resp> Send(BrokerId broker, const Req& request, const SendOptions& options = {});
  // One request to any broker (Metadata, CreateTopics via any broker, ListGroups...).
  template <typename Resp, typename Req>
  Result<Resp> SendToAny(const Req& request, const SendOptions& options = {});
  // One request to the controller broker (CreateTopics, DeleteTopics, CreatePartitions).
  template <typename Resp, typename Req>
  Result<Resp> SendToController(const Req& request, const SendOptions& options = {});

  // Forgets cached topic metadata so the next LeaderFor/Topic asks again.
  void InvalidateMetadata();
  // Sleeps retry_backoff (a helper for retry loops above the client).
  void Backoff() const;

 private:
  explicit Client(ClientOptions options, std::vector<HostPort> bootstrap);
  Result<std::shared_ptr<Connection>> OpenBootstrap();

  const ClientOptions options_;
  const std::vector<HostPort> bootstrap_;
  mutable std::mutex mutex_;
  ClusterMetadata metadata_;                                   // guarded by mutex_
  std::map<BrokerId, std::shared_ptr<Connection>> connections_;  // guarded by mutex_
  std::shared_ptr<Connection> bootstrap_connection_;           // guarded by mutex_
};

// ---- implementation of the templates ----

template <typename Resp, typename Req>
Result<Resp> Client::Send(BrokerId broker, const Req& request, const SendOptions& options) {
  for (int attempt = 0;; ++attempt) {
    Result<std::shared_ptr<Connection>> connection = ConnectionTo(broker);
    if (!connection.ok()) return connection.status();
    Result<Resp> response = (*connection)->template Send<Resp>(request, options);
    // A connection that broke on I/O (the broker restarted, an idle connection was closed) is
    // worth one fresh attempt; a timeout is not retried (the request may still be running).
    if (response.ok() || attempt > 0 || !(*connection)->is_broken() ||
        response.status().code() == Status::Code::kTimeout) {
      return response;
    }
  }
}

template <typename Resp, typename Req>
Result<Resp> Client::SendToAny(const Req& request, const SendOptions& options) {
  for (int attempt = 0;; ++attempt) {
    Result<std::shared_ptr<Connection>> connection = AnyConnection();
    if (!connection.ok()) return connection.status();
    Result<Resp> response = (*connection)->template Send<Resp>(request, options);
    if (response.ok() || attempt > 0 || !(*connection)->is_broken() ||
        response.status().code() == Status::Code::kTimeout) {
      return response;
    }
  }
}

template <typename Resp, typename Req>
Result<Resp> Client::SendToController(const Req& request, const SendOptions& options) {
  Result<BrokerId> controller = Controller();
  if (!controller.ok()) return controller.status();
  return Send<Resp>(*controller, request, options);
}

}  // namespace sluice::kafka::client

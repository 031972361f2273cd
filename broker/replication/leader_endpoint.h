// LeaderEndpoint: how a follower's fetcher talks to the leader broker it replicates from.
//
// The production implementation (MakeNetworkLeaderEndpoint) sends the requests over one
// libs/kafka/client Connection to the leader's inter-broker listener, opening it on first use
// and again after any error (a broken connection's framing is unknown). Tests substitute an
// in-process endpoint that answers from another ReplicaManager.
//
// Thread-safety: one endpoint is used by one fetcher thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "broker/replication/replication_types.h"
#include "libs/base/status.h"
#include "libs/kafka/messages/fetch.h"
#include "libs/kafka/messages/list_offsets.h"
#include "libs/kafka/messages/offset_for_leader_epoch.h"

namespace sluice::replication {

class LeaderEndpoint {
 public:
  virtual ~LeaderEndpoint() = default;
  // Errors: Unavailable / Timeout / Corruption for transport failures (the caller backs off
  // and the next call reconnects).
  virtual Result<kafka::FetchResponse> Fetch(const kafka::FetchRequest& request) = 0;
  virtual Result<kafka::OffsetForLeaderEpochResponse> OffsetForLeaderEpoch(
      const kafka::OffsetForLeaderEpochRequest& request) = 0;
  virtual Result<kafka::ListOffsetsResponse> ListOffsets(
      const kafka::ListOffsetsRequest& request) = 0;
  // Forgets the connection (after an error or before a long pause).
  virtual void Close() = 0;
  // From another thread, when the fetcher stops: the call in progress fails at once and every
  // later one fails without connecting, so the fetcher thread can be joined promptly.
  virtual void Interrupt() {}
};

using LeaderEndpointFactory = std::function<std::unique_ptr<LeaderEndpoint>(const BrokerAddress&)>;

struct NetworkLeaderEndpointOptions {
  std::string client_id = "sluice-replica-fetcher";
  std::chrono::milliseconds connect_timeout{10'000};
  // replica.socket.timeout.ms: bound on one request other than Fetch.
  std::chrono::milliseconds socket_timeout{30'000};
  // A Fetch may wait replica.fetch.wait.max.ms at the leader; it gets this much on top.
  std::chrono::milliseconds fetch_max_wait{500};
};

std::unique_ptr<LeaderEndpoint> MakeNetworkLeaderEndpoint(
    const BrokerAddress& leader, const NetworkLeaderEndpointOptions& options);

}  // namespace sluice::replication

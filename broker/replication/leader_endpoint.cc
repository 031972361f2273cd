#include "broker/replication/leader_endpoint.h"

#include <mutex>

#include "libs/kafka/client/connection.h"

namespace sluice::replication {

namespace {

class NetworkLeaderEndpoint : public LeaderEndpoint {
 public:
  NetworkLeaderEndpoint(BrokerAddress leader, NetworkLeaderEndpointOptions options)
      : leader_(std::move(leader)), options_(std::move(options)) {}

  Result<kafka::FetchResponse> Fetch(const kafka::FetchRequest& request) override {
    kafka::client::SendOptions send;
    send.min_version = 4;  // record batches v2
    send.max_version = 12;
    send.timeout = options_.fetch_max_wait + options_.socket_timeout;
    return Send<kafka::FetchResponse>(request, send);
  }

  Result<kafka::OffsetForLeaderEpochResponse> OffsetForLeaderEpoch(
      const kafka::OffsetForLeaderEpochRequest& request) override {
    kafka::client::SendOptions send;
    send.min_version = 1;  // the answer names the epoch (KIP-279)
    return Send<kafka::OffsetForLeaderEpochResponse>(request, send);
  }

  Result<kafka::ListOffsetsResponse> ListOffsets(
      const kafka::ListOffsetsRequest& request) override {
    kafka::client::SendOptions send;
    send.min_version = 1;  // one offset per partition
    return Send<kafka::ListOffsetsResponse>(request, send);
  }

  void Close() override {
    std::lock_guard lock(mu_);
    connection_.reset();
  }

  void Interrupt() override {
    std::lock_guard lock(mu_);
    interrupted_ = true;
    if (connection_) connection_->Interrupt();
  }

 private:
  template <typename Resp, typename Req>
  Result<Resp> Send(const Req& request, const kafka::client::SendOptions& send) {
    kafka::client::Connection* connection = nullptr;
    {
      std::lock_guard lock(mu_);
      if (interrupted_) return Status::Unavailable("the replica fetcher is stopping");
      if (connection_ != nullptr && connection_->is_broken()) connection_.reset();
      connection = connection_.get();
    }
    if (connection == nullptr) {
      kafka::client::ConnectionOptions options;
      options.client_id = options_.client_id;
      options.connect_timeout = options_.connect_timeout;
      options.request_timeout = options_.socket_timeout;
      auto opened = kafka::client::Connection::Open(leader_.host, leader_.port, options,
                                                    "broker " + std::to_string(leader_.id) + " (" +
                                                        leader_.host + ":" +
                                                        std::to_string(leader_.port) + ")");
      if (!opened.ok()) return opened.status();
      std::lock_guard lock(mu_);
      if (interrupted_) return Status::Unavailable("the replica fetcher is stopping");
      connection_ = std::move(*opened);
      connection = connection_.get();
    }
    // Used without the lock: only this thread resets connection_ (Interrupt merely breaks it).
    auto answer = connection->Send<Resp>(request, send);
    if (!answer.ok()) {
      std::lock_guard lock(mu_);
      connection_.reset();
    }
    return answer;
  }

  const BrokerAddress leader_;
  const NetworkLeaderEndpointOptions options_;
  std::mutex mu_;
  bool interrupted_ = false;                               // guarded by mu_
  std::unique_ptr<kafka::client::Connection> connection_;  // guarded by mu_ (see Send)
};

}  // namespace

std::unique_ptr<LeaderEndpoint> MakeNetworkLeaderEndpoint(
    const BrokerAddress& leader, const NetworkLeaderEndpointOptions& options) {
  return std::make_unique<NetworkLeaderEndpoint>(leader, options);
}

}  // namespace sluice::replication

// The broker process's composition root: builds every subsystem from a BrokerConfig, wires
// them together, starts them in dependency order and stops them in reverse.
//
// Start order: ZooKeeper session and cluster id -> logs (recovery) -> network listeners ->
// controller-broker role (registers /brokers/ids/<id>, reports leaderships) -> background
// tasks (retention, checkpoints, flushes, metadata refresh) -> admin HTTP port. Stop: the reverse,
// ending with a flush, checkpoints and the clean-shutdown marker, so the next start skips
// recovery.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "broker/admin/admin_server.h"
#include "broker/config/broker_config.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_log.h"
#include "broker/group/scheduler.h"
#include "broker/metadata/controller_broker.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/metadata/zk_client.h"
#include "broker/net/socket_server.h"
#include "broker/replication/replica_manager.h"
#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"
#include "broker/server/metadata_cache.h"
#include "broker/server/purgatory.h"
#include "broker/server/request_dispatcher.h"
#include "broker/server/topic_manager.h"
#include "broker/storage/log_manager.h"

namespace sluice::server {

class Broker : public metadata::LeadershipListener {
 public:
  explicit Broker(config::BrokerConfig config);
  ~Broker() override;

  Status Start();
  void Stop();
  bool ready() const { return ready_.load(); }
  // The bound port of a listener (tests use port 0).
  uint16_t BoundPort(const std::string& listener_name) const;

 private:
  void OnBecomeLeader(const std::string& topic, PartitionId partition, LeaderEpoch leader_epoch,
                      const std::vector<BrokerId>& replicas) override;
  void OnTopicDeleted(const std::string& topic) override;

  void RefreshClusterView();
  void RegisterApis();
  void RunBackgroundTasks();
  void ObserveRequest(const RequestContext& ctx, const std::string& api, bool ok);

  config::BrokerConfig config_;
  std::unique_ptr<metadata::ZkClient> zk_client_;
  std::unique_ptr<metadata::KafkaZkClient> kafka_zk_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<replication::ReplicaManager> replicas_;
  MetadataCache metadata_;
  ApiRegistry registry_;
  std::unique_ptr<RequestDispatcher> dispatcher_;
  std::unique_ptr<net::SocketServer> socket_server_;
  std::unique_ptr<Purgatory> purgatory_;
  // The group coordinator, its timers (on the network io_context) and its log.
  std::unique_ptr<group::AsioScheduler> group_scheduler_;
  std::unique_ptr<group::ReplicaOffsetsLog> offsets_log_;
  std::unique_ptr<group::GroupCoordinator> group_coordinator_;
  std::unique_ptr<TopicManager> topics_;
  std::unique_ptr<BrokerServices> services_;
  std::unique_ptr<metadata::ControllerBroker> controller_;
  std::unique_ptr<admin::AdminServer> admin_server_;

  std::atomic<bool> ready_{false};
  // What start-up is doing, for /readyz while not ready. Points at string literals only.
  std::atomic<const char*> starting_phase_{"starting"};
  std::mutex background_mu_;
  std::condition_variable background_cv_;
  bool stopping_ = false;  // GUARDED_BY(background_mu_)
  std::thread background_;
  bool started_ = false;
};

}  // namespace sluice::server

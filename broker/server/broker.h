// The broker process's composition root: builds every subsystem from a BrokerConfig, wires
// them together, starts them in dependency order and stops them in reverse.
//
// Start order: admin HTTP port (answers 503 while starting) -> ZooKeeper session and cluster id
// -> logs (recovery) -> replica manager, group coordinator and network listeners -> the
// controller-broker role (registers /brokers/ids/<id>, campaigns for /controller) -> background
// tasks (retention, flushes, recovery-point and high-watermark checkpoints). From then on the
// controller drives this broker: LeaderAndIsr makes it leader or follower of partitions (the
// ReplicaManager starts fetchers), UpdateMetadata fills the MetadataCache that Metadata answers
// come from, StopReplica stops and deletes replicas.
//
// Stop: controlled shutdown first (when controlled.shutdown.enable: the controller moves this
// broker's leaderships away while it still serves requests), then the reverse of start, ending
// with a flush, checkpoints and the clean-shutdown marker, so the next start skips recovery.
//
// The Broker is the ReplicationListener: role changes of __consumer_offsets partitions move
// group coordination, and every partition change re-checks the purgatory (acks=all produces
// and waiting fetches).
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
#include "broker/replication/zk_isr_writer.h"
#include "broker/server/api_registry.h"
#include "broker/server/broker_services.h"
#include "broker/server/metadata_cache.h"
#include "broker/server/producer_id_manager.h"
#include "broker/server/purgatory.h"
#include "broker/server/request_dispatcher.h"
#include "broker/server/topic_manager.h"
#include "broker/storage/log_manager.h"

namespace sluice::server {

class Broker : public replication::ReplicationListener {
 public:
  explicit Broker(config::BrokerConfig config);
  ~Broker() override;

  Status Start();
  void Stop();
  bool ready() const { return ready_.load(); }
  // The bound port of a listener (tests use port 0).
  uint16_t BoundPort(const std::string& listener_name) const;

 private:
  // replication::ReplicationListener
  void OnBecomeLeader(const storage::TopicPartition& tp, int32_t leader_epoch) override;
  void OnBecomeFollower(const storage::TopicPartition& tp, int32_t leader_epoch) override;
  void OnStopReplica(const storage::TopicPartition& tp, bool deleted) override;
  void OnPartitionChanged(const storage::TopicPartition& tp) override;

  // The topic's settings as a replica needs them (ZooKeeper overrides over broker defaults).
  replication::PartitionConfig ConfigForTopic(const std::string& topic);
  // Asks the controller to move this broker's leaderships away before it stops.
  void ControlledShutdown();
  void RegisterApis();
  void RunBackgroundTasks();
  void ObserveRequest(const RequestContext& ctx, const std::string& api, bool ok);

  config::BrokerConfig config_;
  // Declared before zk_client_: its session listener calls the fence until the client is gone.
  std::unique_ptr<LeadershipFence> fence_;
  std::unique_ptr<metadata::ZkClient> zk_client_;
  std::unique_ptr<metadata::KafkaZkClient> kafka_zk_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<replication::ZkIsrWriter> isr_writer_;
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
  std::unique_ptr<ProducerIdManager> producer_ids_;
  std::unique_ptr<TopicManager> topics_;
  std::unique_ptr<BrokerServices> services_;
  std::unique_ptr<metadata::ControllerBroker> controller_;
  // controller_ once registered (Start succeeded), for request threads reading the broker
  // epoch while start-up may still replace controller_; null before and after.
  std::atomic<metadata::ControllerBroker*> registered_controller_{nullptr};
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

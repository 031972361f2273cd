#include "broker/server/broker.h"

#include <Poco/Logger.h>

#include <chrono>
#include <filesystem>

#include "broker/admin/broker_metrics.h"
#include "broker/group/coordinator_partition.h"
#include "broker/metadata/controlled_shutdown_client.h"
#include "broker/server/handlers/alter_configs.h"
#include "broker/server/handlers/alter_partition_reassignments.h"
#include "broker/server/handlers/api_versions.h"
#include "broker/server/handlers/controlled_shutdown.h"
#include "broker/server/handlers/create_partitions.h"
#include "broker/server/handlers/create_topics.h"
#include "broker/server/handlers/delete_groups.h"
#include "broker/server/handlers/delete_records.h"
#include "broker/server/handlers/delete_topics.h"
#include "broker/server/handlers/describe_cluster.h"
#include "broker/server/handlers/describe_configs.h"
#include "broker/server/handlers/describe_groups.h"
#include "broker/server/handlers/elect_leaders.h"
#include "broker/server/handlers/fetch.h"
#include "broker/server/handlers/find_coordinator.h"
#include "broker/server/handlers/heartbeat.h"
#include "broker/server/handlers/incremental_alter_configs.h"
#include "broker/server/handlers/init_producer_id.h"
#include "broker/server/handlers/join_group.h"
#include "broker/server/handlers/leader_and_isr.h"
#include "broker/server/handlers/leave_group.h"
#include "broker/server/handlers/list_groups.h"
#include "broker/server/handlers/list_offsets.h"
#include "broker/server/handlers/list_partition_reassignments.h"
#include "broker/server/handlers/metadata.h"
#include "broker/server/handlers/offset_commit.h"
#include "broker/server/handlers/offset_delete.h"
#include "broker/server/handlers/offset_fetch.h"
#include "broker/server/handlers/offset_for_leader_epoch.h"
#include "broker/server/handlers/partition_lookup.h"
#include "broker/server/handlers/produce.h"
#include "broker/server/handlers/stop_replica.h"
#include "broker/server/handlers/sync_group.h"
#include "broker/server/handlers/update_metadata.h"
#include "broker/server/log_config_mapping.h"
#include "libs/base/clock.h"

namespace sluice::server {

namespace {

Poco::Logger& ServerLog() { return Poco::Logger::get("server"); }
Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

// The background task's longest sleep: flushes are due every second.
constexpr auto kBackgroundTick = std::chrono::seconds(1);

}  // namespace

Broker::Broker(config::BrokerConfig config) : config_(std::move(config)) {}

Broker::~Broker() { Stop(); }

Status Broker::Start() {
  started_ = true;
  const TimestampMs start = WallClockNow();
  ServerLog().information("Starting broker %d (Sluice, Kafka 2.8 protocol)",
                          static_cast<int>(config_.broker_id.value()));
  if (config_.broker_id.value() < 0) {
    return Status::InvalidArgument(
        "broker.id is not set: give each broker a unique non-negative broker.id in "
        "server.properties (automatic id generation is not supported)");
  }

  // 0. The admin port first, so that probes get answers (503 with the reason) while the broker
  // connects to ZooKeeper and recovers its logs.
  if (config_.admin_listener) {
    admin::AdminServerOptions admin_options;
    admin_options.host = config_.admin_listener->host;
    admin_options.port = config_.admin_listener->port;
    admin_options.readiness = [this] {
      return ready_ ? admin::Readiness{true, ""} : admin::Readiness{false, starting_phase_.load()};
    };
    admin_server_ = std::make_unique<admin::AdminServer>(admin_options);
    SLUICE_RETURN_IF_ERROR(admin_server_->Start());
  }

  // 1. ZooKeeper: session, persistent paths, cluster id.
  starting_phase_ = "connecting to ZooKeeper";
  metadata::ZkClientOptions zk_options;
  zk_options.connect_string = config_.zookeeper_connect;
  zk_options.session_timeout_ms = config_.zookeeper_session_timeout_ms;
  zk_options.connection_timeout_ms = config_.zookeeper_connection_timeout_ms;
  auto zk = metadata::ZkClient::Connect(zk_options);
  if (!zk.ok()) return zk.status();
  zk_client_ = std::move(*zk);
  fence_ = std::make_unique<LeadershipFence>(
      std::chrono::milliseconds(config_.zookeeper_session_timeout_ms),
      [this]() -> std::optional<LeadershipFence::Clock::time_point> {
        metadata::ZkClient* zk = zk_client_.get();
        return zk ? zk->disconnected_since() : std::nullopt;
      });
  zk_client_->AddSessionListener([this](metadata::SessionEvent event) {
    if (event != metadata::SessionEvent::kExpired) return;
    metadata::ControllerBroker* controller = registered_controller_.load();
    fence_->OnSessionExpired(controller ? controller->broker_epoch() : -1);
  });
  kafka_zk_ = std::make_unique<metadata::KafkaZkClient>(*zk_client_);
  SLUICE_RETURN_IF_ERROR(kafka_zk_->EnsurePersistentPaths());
  auto cluster_id = kafka_zk_->GetOrCreateClusterId();
  if (!cluster_id.ok()) return cluster_id.status();
  metadata_.SetClusterId(*cluster_id);
  ServerLog().information("Cluster ID = %s", *cluster_id);

  // 2. Logs: meta.properties check and recovery.
  starting_phase_ = "loading logs";
  std::vector<std::filesystem::path> dirs(config_.log_dirs.begin(), config_.log_dirs.end());
  auto default_log_config = LogConfigForTopic(config_, {});
  if (!default_log_config.ok()) return default_log_config.status();
  auto logs = storage::LogManager::Open(dirs, config_.broker_id, *cluster_id, *default_log_config,
                                        WallClockNow());
  if (!logs.ok()) return logs.status();
  logs_ = std::move(*logs);
  const auto& report = logs_->load_report();
  ServerLog().information(
      "Loaded %d logs (%d recovered after an unclean shutdown, %d segments re-validated, %?d "
      "bytes truncated) in %?d ms",
      report.logs_loaded, report.logs_recovered_uncleanly, report.segments_recovered,
      static_cast<int64_t>(report.bytes_truncated),
      static_cast<int64_t>(WallClockNow().value() - start.value()));
  for (const auto& warning : report.warnings) ServerLog().warning(warning);
  if (config_.log_cleaner_enable) {  // compaction; LogManager::Close stops it
    for (const auto& warning : logs_->StartCleaner(CleanerConfigFor(config_))) {
      ServerLog().warning(warning);
    }
  }

  // 3. Network.
  const int threads = std::max(config_.num_network_threads, 2);
  net::ConnectionOptions connection_options;
  connection_options.max_request_bytes = config_.socket_request_max_bytes;
  dispatcher_ = std::make_unique<RequestDispatcher>(
      registry_, [this](const RequestContext& ctx, const std::string& api, bool ok) {
        ObserveRequest(ctx, api, ok);
      });
  socket_server_ = std::make_unique<net::SocketServer>(threads, connection_options, *dispatcher_);
  purgatory_ = std::make_unique<Purgatory>(socket_server_->io_context());
  group_scheduler_ = std::make_unique<group::AsioScheduler>(socket_server_->io_context());
  // Replication: partitions appear when the controller's LeaderAndIsr names this broker.
  replication::ReplicaManagerOptions replica_options;
  replica_options.broker_id = config_.broker_id.value();
  replica_options.replica_lag_time_max_ms = config_.replica_lag_time_max_ms;
  replica_options.replica_fetch_wait_max_ms = config_.replica_fetch_wait_max_ms;
  replica_options.replica_fetch_max_bytes = config_.replica_fetch_max_bytes;
  replica_options.replica_fetch_min_bytes = config_.replica_fetch_min_bytes;
  replica_options.replica_fetch_response_max_bytes = config_.replica_fetch_response_max_bytes;
  replica_options.replica_fetch_backoff_ms = config_.replica_fetch_backoff_ms;
  replica_options.replica_socket_timeout_ms = config_.replica_socket_timeout_ms;
  replica_options.replica_high_watermark_checkpoint_interval_ms =
      config_.replica_high_watermark_checkpoint_interval_ms;
  isr_writer_ = std::make_unique<replication::ZkIsrWriter>(*kafka_zk_);
  replicas_ = std::make_unique<replication::ReplicaManager>(
      replica_options, *logs_, *isr_writer_, *this,
      [this](const std::string& topic) { return ConfigForTopic(topic); });
  offsets_log_ = std::make_unique<group::ReplicaOffsetsLog>(
      *replicas_, *group_scheduler_,
      [this](int32_t partition) {
        // Followers, and consumers of __consumer_offsets (lag tools), waiting in a fetch.
        purgatory_->CheckAndComplete(PartitionKey(std::string(group::kOffsetsTopic), partition));
      },
      std::chrono::milliseconds(config_.offsets_commit_timeout_ms));
  group_coordinator_ = std::make_unique<group::GroupCoordinator>(
      group::GroupConfig::FromBroker(config_), *offsets_log_, *group_scheduler_);
  group_coordinator_->Start();
  producer_ids_ = std::make_unique<ProducerIdManager>(config_.broker_id, *zk_client_);
  topics_ =
      std::make_unique<TopicManager>(config_, *kafka_zk_, metadata_, socket_server_->io_context());
  services_ = std::unique_ptr<BrokerServices>(
      new BrokerServices{config_, metadata_, *replicas_, *logs_, *kafka_zk_, *purgatory_, *topics_,
                         metrics::Registry::Default(),
                         [this]() -> int64_t {
                           metadata::ControllerBroker* controller = registered_controller_.load();
                           return controller ? controller->broker_epoch() : -1;
                         },
                         fence_.get()});
  RegisterApis();
  std::vector<net::ListenerSpec> listeners;
  for (const auto& endpoint : config_.listeners) {
    listeners.push_back(
        {endpoint.listener_name, endpoint.host, static_cast<uint16_t>(endpoint.port)});
  }
  SLUICE_RETURN_IF_ERROR(socket_server_->Start(listeners));
  replicas_->Start();

  starting_phase_ = "registering in ZooKeeper";
  // 4. The controller-broker role: registration (with the ports actually bound) and the
  // campaign for /controller.
  metadata::ControllerBrokerOptions controller_options;
  controller_options.delete_topic_enable = config_.delete_topic_enable;
  controller_options.inter_broker_listener_name = config_.inter_broker_listener_name;
  controller_options.unclean_leader_election_enable = config_.unclean_leader_election_enable;
  controller_options.auto_leader_rebalance_enable = config_.auto_leader_rebalance_enable;
  controller_options.leader_imbalance_check_interval =
      std::chrono::seconds(config_.leader_imbalance_check_interval_seconds);
  controller_options.leader_imbalance_per_broker_percentage =
      config_.leader_imbalance_per_broker_percentage;
  controller_options.controller_socket_timeout =
      std::chrono::milliseconds(config_.controller_socket_timeout_ms);
  controller_options.registration.id = config_.broker_id;
  controller_options.registration.rack = config_.broker_rack;
  for (const auto& endpoint : config_.advertised_listeners) {
    metadata::BrokerEndpoint e;
    e.listener_name = endpoint.listener_name;
    e.host = endpoint.host;
    e.port = endpoint.port == 0 ? socket_server_->BoundPort(endpoint.listener_name) : endpoint.port;
    e.security_protocol = config::SecurityProtocolName(endpoint.security_protocol);
    controller_options.registration.endpoints.push_back(e);
  }
  controller_options.registration.timestamp_ms = WallClockNow().value();
  controller_ = std::make_unique<metadata::ControllerBroker>(*zk_client_, controller_options);
  // After a crash, /brokers/ids/<id> still belongs to the dead process's session until
  // ZooKeeper expires it (zookeeper.session.timeout.ms). Kafka refuses to start then; we wait
  // it out, saying so, and give up only after a full session timeout plus a margin.
  const auto give_up = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(config_.zookeeper_session_timeout_ms) +
                       std::chrono::seconds(5);
  for (;;) {
    Status st = controller_->Start();
    if (st.ok()) {
      registered_controller_ = controller_.get();
      break;
    }
    if (st.code() != Status::Code::kAlreadyExists || std::chrono::steady_clock::now() > give_up) {
      return st;
    }
    ServerLog().warning(
        "%s; waiting for that ZooKeeper session to expire (a broker that crashed keeps its "
        "registration for up to zookeeper.session.timeout.ms=%d)",
        st.message(), config_.zookeeper_session_timeout_ms);
    controller_ = std::make_unique<metadata::ControllerBroker>(*zk_client_, controller_options);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  // The APIs the controller answers need the controller role, which needed the bound ports.
  RegisterControlledShutdown(registry_, *controller_);
  RegisterElectLeaders(registry_, *controller_);
  RegisterAlterPartitionReassignments(registry_, *controller_);
  RegisterListPartitionReassignments(registry_, *controller_);

  // Clients ask for the controller right away (admin clients need it); wait briefly for the
  // controller's first UpdateMetadata (it sends one to every broker that registers) so the
  // first Metadata answer names the brokers and the controller.
  const auto controller_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (metadata_.controller_id() < 0 && std::chrono::steady_clock::now() < controller_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (metadata_.controller_id() < 0) {
    ServerLog().warning("No UpdateMetadata from a controller within 10 s; serving anyway");
  }

  // 5. Background tasks and the admin port.
  auto& registry = metrics::Registry::Default();
  registry.SetGaugeCallback(admin::kPartitionCount, "Partitions hosted by this broker", {},
                            [this] { return static_cast<double>(replicas_->size()); });
  registry.SetGaugeCallback(admin::kLeaderCount, "Partitions this broker leads", {},
                            [this] { return static_cast<double>(replicas_->LeaderCount()); });
  registry.SetGaugeCallback(
      admin::kUnderReplicatedPartitions,
      "Partitions this broker leads whose ISR is smaller than their replica set", {},
      [this] { return static_cast<double>(replicas_->UnderReplicatedCount()); });
  registry.SetGaugeCallback(admin::kActiveControllerCount,
                            "1 when this broker is the controller broker", {},
                            [this] { return controller_->is_active_controller() ? 1.0 : 0.0; });
  background_ = std::thread([this] { RunBackgroundTasks(); });
  ready_ = true;
  ServerLog().information("[KafkaServer id=%d] started in %?d ms",
                          static_cast<int>(config_.broker_id.value()),
                          static_cast<int64_t>(WallClockNow().value() - start.value()));
  return Status::Ok();
}

void Broker::RegisterApis() {
  RegisterApiVersions(registry_);
  // Controller -> broker.
  RegisterLeaderAndIsr(registry_, *services_);
  RegisterStopReplica(registry_, *services_);
  RegisterUpdateMetadata(registry_, *services_);
  RegisterOffsetForLeaderEpoch(registry_, *services_);
  RegisterMetadata(registry_, *services_);
  RegisterProduce(registry_, *services_);
  RegisterFetch(registry_, *services_);
  RegisterListOffsets(registry_, *services_);
  RegisterCreateTopics(registry_, *services_);
  RegisterDeleteTopics(registry_, *services_);
  RegisterCreatePartitions(registry_, *services_);
  RegisterDescribeConfigs(registry_, *services_);
  RegisterAlterConfigs(registry_, *services_);
  RegisterIncrementalAlterConfigs(registry_, *services_);
  RegisterDeleteRecords(registry_, *services_);
  RegisterDescribeCluster(registry_, *services_);
  RegisterFindCoordinator(registry_, *services_, *group_coordinator_);
  RegisterJoinGroup(registry_, *group_coordinator_);
  RegisterSyncGroup(registry_, *group_coordinator_);
  RegisterHeartbeat(registry_, *group_coordinator_);
  RegisterLeaveGroup(registry_, *group_coordinator_);
  RegisterOffsetCommit(registry_, *services_, *group_coordinator_);
  RegisterOffsetFetch(registry_, *group_coordinator_);
  RegisterOffsetDelete(registry_, *services_, *group_coordinator_);
  RegisterListGroups(registry_, *group_coordinator_);
  RegisterDescribeGroups(registry_, *group_coordinator_);
  RegisterDeleteGroups(registry_, *group_coordinator_);
  RegisterInitProducerId(registry_, *services_, *producer_ids_);
}

void Broker::ObserveRequest(const RequestContext& ctx, const std::string& api, bool ok) {
  auto request_metrics = admin::RequestMetricsFor(metrics::Registry::Default(), api);
  request_metrics.requests.Increment();
  if (!ok) request_metrics.errors.Increment();
  const auto elapsed = std::chrono::steady_clock::now() - ctx.received_at;
  request_metrics.total_time_ms.Observe(std::chrono::duration<double, std::milli>(elapsed).count());
}

void Broker::OnBecomeLeader(const storage::TopicPartition& tp, int32_t leader_epoch) {
  StateChangeLog().information("Broker %d is the leader of %s at epoch %d",
                               static_cast<int>(config_.broker_id.value()), PartitionKey(tp),
                               static_cast<int>(leader_epoch));
  if (tp.topic == group::kOffsetsTopic && group_coordinator_) {
    // Groups hash over the topic's partition count (Kafka reads it from ZooKeeper once).
    auto assignment = kafka_zk_->GetTopicAssignment(tp.topic);
    if (assignment.ok()) {
      group_coordinator_->SetOffsetsTopicPartitionCount(
          static_cast<int32_t>(assignment->assignment.partitions.size()));
    }
    group_coordinator_->OnBecomeLeader(tp.partition.value());
  }
  OnPartitionChanged(tp);
}

void Broker::OnBecomeFollower(const storage::TopicPartition& tp, int32_t leader_epoch) {
  StateChangeLog().information("Broker %d follows %s at epoch %d",
                               static_cast<int>(config_.broker_id.value()), PartitionKey(tp),
                               static_cast<int>(leader_epoch));
  if (tp.topic == group::kOffsetsTopic && group_coordinator_) {
    group_coordinator_->OnResign(tp.partition.value());
  }
  // Waiting produces and fetches on it answer NOT_LEADER_OR_FOLLOWER now.
  OnPartitionChanged(tp);
}

void Broker::OnStopReplica(const storage::TopicPartition& tp, bool deleted) {
  StateChangeLog().information("Broker %d stopped its replica of %s%s",
                               static_cast<int>(config_.broker_id.value()), PartitionKey(tp),
                               deleted ? " and deleted it" : "");
  if (tp.topic == group::kOffsetsTopic && group_coordinator_) {
    group_coordinator_->OnResign(tp.partition.value());
  }
  OnPartitionChanged(tp);
}

void Broker::OnPartitionChanged(const storage::TopicPartition& tp) {
  if (purgatory_) purgatory_->CheckAndComplete(PartitionKey(tp));
  if (tp.topic == group::kOffsetsTopic && offsets_log_) offsets_log_->OnPartitionChanged();
}

replication::PartitionConfig Broker::ConfigForTopic(const std::string& topic) {
  auto overrides = kafka_zk_->GetTopicConfig(topic);
  if (!overrides.ok() && overrides.status().code() != Status::Code::kNotFound) {
    StateChangeLog().error(
        "Reading the configuration of topic %s failed (%s); using broker "
        "defaults",
        topic, overrides.status().ToString());
  }
  auto partition_config =
      PartitionConfigForTopic(config_, overrides.ok() ? *overrides : metadata::ConfigMap{});
  if (!partition_config.ok()) {
    StateChangeLog().error("Topic %s has an invalid configuration (%s); using broker defaults",
                           topic, partition_config.status().ToString());
    partition_config = PartitionConfigForTopic(config_, {});
  }
  return partition_config.ok() ? *partition_config : replication::PartitionConfig{};
}

void Broker::RunBackgroundTasks() {
  using Clock = std::chrono::steady_clock;
  const auto retention_interval =
      std::chrono::milliseconds(config_.log_retention_check_interval_ms);
  // One pass writes both checkpoints (recovery points and high watermarks), as often as the
  // more frequent of the two asks: log.flush.offset.checkpoint.interval.ms and
  // replica.high.watermark.checkpoint.interval.ms (5 s by default: after a crash a follower
  // restarts from a high watermark at most that old, and truncates no further).
  const auto checkpoint_interval = std::chrono::milliseconds(
      std::min<int64_t>(config_.log_flush_offset_checkpoint_interval_ms,
                        config_.replica_high_watermark_checkpoint_interval_ms));
  auto next_retention = Clock::now() + retention_interval;
  auto next_checkpoint = Clock::now() + checkpoint_interval;
  auto next_flush = Clock::now() + kBackgroundTick;
  std::unique_lock lock(background_mu_);
  while (!stopping_) {
    const auto wake = std::min({next_retention, next_checkpoint, next_flush});
    background_cv_.wait_until(lock, wake, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const auto now = Clock::now();
    if (now >= next_retention) {
      auto deleted = logs_->RunRetention(WallClockNow());
      if (!deleted.ok()) {
        ServerLog().error("Retention pass failed: %s", deleted.status().ToString());
      } else if (*deleted > 0) {
        ServerLog().information("Retention deleted %d segments", *deleted);
      }
      next_retention = now + retention_interval;
    }
    if (now >= next_flush) {
      Status st = logs_->FlushDirtyLogs(WallClockNow());
      if (!st.ok()) ServerLog().error("Flush failed: %s", st.ToString());
      next_flush = now + kBackgroundTick;
    }
    if (now >= next_checkpoint) {
      Status st = logs_->CheckpointAll();
      if (!st.ok()) ServerLog().error("Checkpoint failed: %s", st.ToString());
      next_checkpoint = now + checkpoint_interval;
    }
    lock.lock();
  }
}

void Broker::ControlledShutdown() {
  if (!config_.controlled_shutdown_enable || !controller_ || !kafka_zk_) return;
  metadata::ControlledShutdownClientOptions options;
  options.broker_id = config_.broker_id;
  options.broker_epoch = controller_->broker_epoch();
  options.max_retries = config_.controlled_shutdown_max_retries;
  options.retry_backoff = std::chrono::milliseconds(config_.controlled_shutdown_retry_backoff_ms);
  options.request_timeout = std::chrono::milliseconds(config_.controller_socket_timeout_ms);
  options.inter_broker_listener_name = config_.inter_broker_listener_name;
  ServerLog().information("[KafkaServer id=%d] Starting controlled shutdown",
                          static_cast<int>(config_.broker_id.value()));
  Status st = metadata::RequestControlledShutdown(*kafka_zk_, options);
  if (st.ok()) {
    ServerLog().information("[KafkaServer id=%d] Controlled shutdown succeeded",
                            static_cast<int>(config_.broker_id.value()));
  } else {
    // Kafka shuts down anyway: the controller elects new leaders when the registration goes.
    ServerLog().warning(
        "[KafkaServer id=%d] Proceeding to do an unclean shutdown as all the "
        "controlled shutdown attempts failed: %s",
        static_cast<int>(config_.broker_id.value()), st.ToString());
  }
}

void Broker::Stop() {
  if (!started_) return;
  started_ = false;
  ServerLog().information("[KafkaServer id=%d] shutting down",
                          static_cast<int>(config_.broker_id.value()));
  ready_ = false;
  if (admin_server_) admin_server_->Stop();
  {
    std::lock_guard lock(background_mu_);
    stopping_ = true;
  }
  background_cv_.notify_all();
  if (background_.joinable()) background_.join();
  // While this broker still serves requests (the controller's LeaderAndIsr among them), the
  // controller moves its leaderships elsewhere: clients fail over before the listeners close.
  ControlledShutdown();
  // Parked JoinGroup/SyncGroup requests are answered (NOT_COORDINATOR) while connections are
  // still open; then stop taking requests before anything they use goes away.
  if (group_coordinator_) group_coordinator_->Stop();
  if (socket_server_) socket_server_->Stop();
  // Fetchers and the ISR task stop before the logs close.
  if (replicas_) replicas_->Stop();
  if (group_scheduler_) group_scheduler_->Shutdown();
  // Leaving ZooKeeper removes /brokers/ids/<id> (and /controller if ours) at once.
  registered_controller_ = nullptr;
  if (controller_) controller_->Stop();
  auto& registry = metrics::Registry::Default();
  registry.Remove(admin::kPartitionCount, {});
  registry.Remove(admin::kLeaderCount, {});
  registry.Remove(admin::kUnderReplicatedPartitions, {});
  registry.Remove(admin::kActiveControllerCount, {});
  controller_.reset();
  zk_client_.reset();
  if (logs_) {
    Status st = logs_->Close();
    if (!st.ok()) ServerLog().error("Closing logs failed: %s", st.ToString());
  }
  ServerLog().information("[KafkaServer id=%d] shut down completed",
                          static_cast<int>(config_.broker_id.value()));
}

uint16_t Broker::BoundPort(const std::string& listener_name) const {
  return socket_server_ ? socket_server_->BoundPort(listener_name) : 0;
}

}  // namespace sluice::server

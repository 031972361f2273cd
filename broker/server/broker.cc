#include "broker/server/broker.h"

#include <Poco/Logger.h>

#include <chrono>
#include <filesystem>

#include "broker/admin/broker_metrics.h"
#include "broker/group/coordinator_partition.h"
#include "broker/server/handlers/alter_configs.h"
#include "broker/server/handlers/api_versions.h"
#include "broker/server/handlers/create_partitions.h"
#include "broker/server/handlers/create_topics.h"
#include "broker/server/handlers/delete_groups.h"
#include "broker/server/handlers/delete_records.h"
#include "broker/server/handlers/delete_topics.h"
#include "broker/server/handlers/describe_cluster.h"
#include "broker/server/handlers/describe_configs.h"
#include "broker/server/handlers/describe_groups.h"
#include "broker/server/handlers/fetch.h"
#include "broker/server/handlers/find_coordinator.h"
#include "broker/server/handlers/heartbeat.h"
#include "broker/server/handlers/incremental_alter_configs.h"
#include "broker/server/handlers/join_group.h"
#include "broker/server/handlers/leave_group.h"
#include "broker/server/handlers/list_groups.h"
#include "broker/server/handlers/list_offsets.h"
#include "broker/server/handlers/metadata.h"
#include "broker/server/handlers/offset_commit.h"
#include "broker/server/handlers/offset_delete.h"
#include "broker/server/handlers/offset_fetch.h"
#include "broker/server/handlers/produce.h"
#include "broker/server/handlers/sync_group.h"
#include "broker/server/log_config_mapping.h"

namespace sluice::server {

namespace {

Poco::Logger& ServerLog() { return Poco::Logger::get("server"); }
Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

TimestampMs NowMs() {
  return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
}

kafka::Uuid ToWireUuid(const metadata::Uuid& id) {
  kafka::Uuid out;
  for (int i = 0; i < 8; ++i) {
    out.bytes[i] = static_cast<uint8_t>(id.most_significant >> (56 - 8 * i));
    out.bytes[8 + i] = static_cast<uint8_t>(id.least_significant >> (56 - 8 * i));
  }
  return out;
}

// How often the broker re-reads live brokers and the controller id from ZooKeeper. On one
// machine a read is ~100 µs; half a second keeps Metadata answers fresh after a restart.
constexpr auto kClusterViewRefresh = std::chrono::milliseconds(500);

}  // namespace

Broker::Broker(config::BrokerConfig config) : config_(std::move(config)) {}

Broker::~Broker() { Stop(); }

Status Broker::Start() {
  started_ = true;
  const TimestampMs start = NowMs();
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
      return ready_ ? admin::Readiness{true, ""}
                    : admin::Readiness{false, starting_phase_.load()};
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
  auto logs = storage::LogManager::Open(dirs, config_.broker_id, *cluster_id,
                                        *default_log_config, NowMs());
  if (!logs.ok()) return logs.status();
  logs_ = std::move(*logs);
  const auto& report = logs_->load_report();
  ServerLog().information(
      "Loaded %d logs (%d recovered after an unclean shutdown, %d segments re-validated, %?d "
      "bytes truncated) in %?d ms",
      report.logs_loaded, report.logs_recovered_uncleanly, report.segments_recovered,
      static_cast<int64_t>(report.bytes_truncated),
      static_cast<int64_t>(NowMs().value() - start.value()));
  for (const auto& warning : report.warnings) ServerLog().warning(warning);
  if (config_.log_cleaner_enable) {  // compaction; LogManager::Close stops it
    for (const auto& warning : logs_->StartCleaner(CleanerConfigFor(config_))) {
      ServerLog().warning(warning);
    }
  }
  replicas_ = std::make_unique<replication::ReplicaManager>(config_.broker_id, *logs_);

  // 3. Network.
  const int threads = std::max(config_.num_network_threads, 2);
  net::ConnectionOptions connection_options;
  connection_options.max_request_bytes = config_.socket_request_max_bytes;
  dispatcher_ = std::make_unique<RequestDispatcher>(
      registry_, [this](const RequestContext& ctx, const std::string& api, bool ok) {
        ObserveRequest(ctx, api, ok);
      });
  socket_server_ =
      std::make_unique<net::SocketServer>(threads, connection_options, *dispatcher_);
  purgatory_ = std::make_unique<Purgatory>(socket_server_->io_context());
  group_scheduler_ = std::make_unique<group::AsioScheduler>(socket_server_->io_context());
  offsets_log_ = std::make_unique<group::ReplicaOffsetsLog>(*replicas_, [this](int32_t partition) {
    // Consumers of __consumer_offsets (lag tools) waiting in a fetch see new records at once.
    purgatory_->CheckAndComplete(std::string(group::kOffsetsTopic) + "-" +
                                 std::to_string(partition));
  });
  group_coordinator_ = std::make_unique<group::GroupCoordinator>(
      group::GroupConfig::FromBroker(config_), *offsets_log_, *group_scheduler_);
  group_coordinator_->Start();
  topics_ = std::make_unique<TopicManager>(config_, *kafka_zk_, metadata_,
                                           socket_server_->io_context());
  services_ = std::unique_ptr<BrokerServices>(new BrokerServices{
      config_, metadata_, *replicas_, *logs_, *kafka_zk_, *purgatory_, *topics_,
      metrics::Registry::Default()});
  RegisterApis();
  std::vector<net::ListenerSpec> listeners;
  for (const auto& endpoint : config_.listeners) {
    listeners.push_back({endpoint.listener_name, endpoint.host,
                         static_cast<uint16_t>(endpoint.port)});
  }
  SLUICE_RETURN_IF_ERROR(socket_server_->Start(listeners));

  starting_phase_ = "registering in ZooKeeper";
  // 4. The controller-broker role: registration (with the ports actually bound) and
  // leadership reports.
  metadata::ControllerBrokerOptions controller_options;
  controller_options.delete_topic_enable = config_.delete_topic_enable;
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
  controller_options.registration.timestamp_ms = NowMs().value();
  controller_ =
      std::make_unique<metadata::ControllerBroker>(*zk_client_, controller_options, *this);
  // After a crash, /brokers/ids/<id> still belongs to the dead process's session until
  // ZooKeeper expires it (zookeeper.session.timeout.ms). Kafka refuses to start then; we wait
  // it out, saying so, and give up only after a full session timeout plus a margin.
  const auto give_up = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(config_.zookeeper_session_timeout_ms) +
                       std::chrono::seconds(5);
  for (;;) {
    Status st = controller_->Start();
    if (st.ok()) break;
    if (st.code() != Status::Code::kAlreadyExists || std::chrono::steady_clock::now() > give_up) {
      return st;
    }
    ServerLog().warning(
        "%s; waiting for that ZooKeeper session to expire (a broker that crashed keeps its "
        "registration for up to zookeeper.session.timeout.ms=%d)",
        st.message(), config_.zookeeper_session_timeout_ms);
    controller_ =
        std::make_unique<metadata::ControllerBroker>(*zk_client_, controller_options, *this);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  // Clients ask for the controller right away (admin clients need it); wait briefly for the
  // election to settle so the first Metadata answer names it.
  const auto controller_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  RefreshClusterView();
  while (metadata_.controller_id() < 0 && std::chrono::steady_clock::now() < controller_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    RefreshClusterView();
  }

  // 5. Background tasks and the admin port.
  auto& registry = metrics::Registry::Default();
  registry.SetGaugeCallback(admin::kPartitionCount, "Partitions hosted by this broker", {},
                            [this] { return static_cast<double>(replicas_->size()); });
  registry.SetGaugeCallback(admin::kLeaderCount, "Partitions this broker leads", {},
                            [this] { return static_cast<double>(replicas_->size()); });
  registry.SetGaugeCallback(admin::kActiveControllerCount,
                            "1 when this broker is the controller broker", {},
                            [this] { return controller_->is_active_controller() ? 1.0 : 0.0; });
  background_ = std::thread([this] { RunBackgroundTasks(); });
  ready_ = true;
  ServerLog().information("[KafkaServer id=%d] started in %?d ms",
                          static_cast<int>(config_.broker_id.value()),
                          static_cast<int64_t>(NowMs().value() - start.value()));
  return Status::Ok();
}

void Broker::RegisterApis() {
  RegisterApiVersions(registry_);
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
}

void Broker::ObserveRequest(const RequestContext& ctx, const std::string& api, bool ok) {
  auto request_metrics = admin::RequestMetricsFor(metrics::Registry::Default(), api);
  request_metrics.requests.Increment();
  if (!ok) request_metrics.errors.Increment();
  const auto elapsed = std::chrono::steady_clock::now() - ctx.received_at;
  request_metrics.total_time_ms.Observe(
      std::chrono::duration<double, std::milli>(elapsed).count());
}

void Broker::OnBecomeLeader(const std::string& topic, PartitionId partition,
                            LeaderEpoch leader_epoch, const std::vector<BrokerId>& replicas) {
  const storage::TopicPartition tp{topic, partition};
  auto overrides = kafka_zk_->GetTopicConfig(topic);
  auto log_config = LogConfigForTopic(config_, overrides.ok() ? *overrides : metadata::ConfigMap{});
  if (!log_config.ok()) {
    StateChangeLog().error("Topic %s has an invalid configuration (%s); using broker defaults",
                           topic, log_config.status().ToString());
    log_config = LogConfigForTopic(config_, {});
  }
  replication::PartitionRole role;
  role.leader_epoch = leader_epoch;
  for (BrokerId r : replicas) role.replicas.push_back(r.value());
  role.isr = {config_.broker_id.value()};
  auto state = kafka_zk_->GetPartitionState(topic, partition);
  if (state.ok()) {
    role.isr.clear();
    for (BrokerId r : state->isr) role.isr.push_back(r.value());
  }
  Status st = replicas_->BecomeLeader(tp, role, *log_config, NowMs());
  if (!st.ok()) {
    StateChangeLog().error("Broker %d failed to become leader of %s-%d: %s",
                           static_cast<int>(config_.broker_id.value()), topic,
                           static_cast<int>(partition.value()), st.ToString());
    return;
  }
  StateChangeLog().information("Broker %d is the leader of %s-%d at epoch %d",
                               static_cast<int>(config_.broker_id.value()), topic,
                               static_cast<int>(partition.value()),
                               static_cast<int>(leader_epoch.value()));
  PartitionMetadata meta;
  meta.partition = partition.value();
  meta.leader = config_.broker_id.value();
  meta.leader_epoch = leader_epoch.value();
  meta.replicas = role.replicas;
  meta.isr = role.isr;
  metadata_.UpsertPartition(topic, meta);
  auto assignment = kafka_zk_->GetTopicAssignment(topic);
  if (assignment.ok()) {
    // Partitions whose leadership has not been reported yet are listed too, without a leader
    // (Metadata answers LEADER_NOT_AVAILABLE for them), as Kafka lists every assigned partition
    // of a topic while it is being created.
    for (const auto& [p, replicas] : assignment->assignment.partitions) {
      if (metadata_.partition(topic, p.value())) continue;
      PartitionMetadata pending;
      pending.partition = p.value();
      for (BrokerId r : replicas) pending.replicas.push_back(r.value());
      metadata_.UpsertPartition(topic, pending);
    }
    if (assignment->assignment.topic_id) {
      metadata_.SetTopicId(topic, ToWireUuid(*assignment->assignment.topic_id));
    }
  }
  // Waiting fetches for a re-created partition must see it.
  purgatory_->CheckAndComplete(topic + "-" + std::to_string(partition.value()));
  if (topic == group::kOffsetsTopic) {
    if (assignment.ok()) {
      group_coordinator_->SetOffsetsTopicPartitionCount(
          static_cast<int32_t>(assignment->assignment.partitions.size()));
    }
    group_coordinator_->OnBecomeLeader(partition.value());
  }
}

void Broker::OnTopicDeleted(const std::string& topic) {
  auto meta = metadata_.topic(topic);
  for (const auto& partition : replicas_->All()) {
    const auto& tp = partition->topic_partition();
    if (tp.topic != topic) continue;
    Status st = replicas_->StopReplica(tp, /*delete_log=*/true);
    if (!st.ok()) {
      StateChangeLog().error("Deleting %s-%d failed: %s", topic,
                             static_cast<int>(tp.partition.value()), st.ToString());
    }
  }
  if (topic == group::kOffsetsTopic && meta) {
    for (const auto& [p, unused] : meta->partitions) group_coordinator_->OnResign(p);
  }
  metadata_.RemoveTopic(topic);
  admin::RemoveTopicMetrics(metrics::Registry::Default(), topic);
  StateChangeLog().information("Deleted topic %s", topic);
}

void Broker::RefreshClusterView() {
  auto brokers = kafka_zk_->GetLiveBrokers();
  if (brokers.ok()) {
    std::vector<BrokerEndpoint> endpoints;
    for (const auto& b : *brokers) {
      for (const auto& e : b.endpoints) {
        endpoints.push_back({b.id, e.listener_name, e.host, e.port, b.rack});
      }
    }
    metadata_.SetBrokers(std::move(endpoints));
  }
  auto controller = kafka_zk_->GetControllerId();
  if (controller.ok()) metadata_.SetController(*controller ? (*controller)->value() : -1);
}

void Broker::RunBackgroundTasks() {
  using Clock = std::chrono::steady_clock;
  auto next_retention = Clock::now() + std::chrono::milliseconds(config_.log_retention_check_interval_ms);
  auto next_checkpoint =
      Clock::now() + std::chrono::milliseconds(config_.log_flush_offset_checkpoint_interval_ms);
  auto next_flush = Clock::now() + std::chrono::seconds(1);
  std::unique_lock lock(background_mu_);
  while (!stopping_) {
    background_cv_.wait_for(lock, kClusterViewRefresh, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    RefreshClusterView();
    const auto now = Clock::now();
    if (now >= next_retention) {
      auto deleted = logs_->RunRetention(NowMs());
      if (!deleted.ok()) {
        ServerLog().error("Retention pass failed: %s", deleted.status().ToString());
      } else if (*deleted > 0) {
        ServerLog().information("Retention deleted %d segments", *deleted);
      }
      next_retention = now + std::chrono::milliseconds(config_.log_retention_check_interval_ms);
    }
    if (now >= next_flush) {
      Status st = logs_->FlushDirtyLogs(NowMs());
      if (!st.ok()) ServerLog().error("Flush failed: %s", st.ToString());
      next_flush = now + std::chrono::seconds(1);
    }
    if (now >= next_checkpoint) {
      Status st = logs_->CheckpointAll();
      if (!st.ok()) ServerLog().error("Checkpoint failed: %s", st.ToString());
      next_checkpoint =
          now + std::chrono::milliseconds(config_.log_flush_offset_checkpoint_interval_ms);
    }
    lock.lock();
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
  // Parked JoinGroup/SyncGroup requests are answered (NOT_COORDINATOR) while connections are
  // still open; then stop taking requests before anything they use goes away.
  if (group_coordinator_) group_coordinator_->Stop();
  if (socket_server_) socket_server_->Stop();
  if (group_scheduler_) group_scheduler_->Shutdown();
  // Leaving ZooKeeper removes /brokers/ids/<id> (and /controller if ours) at once.
  if (controller_) controller_->Stop();
  auto& registry = metrics::Registry::Default();
  registry.Remove(admin::kPartitionCount, {});
  registry.Remove(admin::kLeaderCount, {});
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

#include "broker/metadata/controller_broker.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

#include "broker/metadata/partition_leader_election.h"
#include "libs/base/clock.h"

namespace sluice::metadata {
namespace {

// A handler that failed for a transient reason (ZooKeeper unreachable) runs again after this.
constexpr std::chrono::milliseconds kRetryDelay{1000};
// UpdatePartitionState re-reads and recomputes this many times on zkVersion conflicts.
constexpr int kStateWriteAttempts = 3;

Poco::Logger& ControllerLog() { return Poco::Logger::get("controller"); }
Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

std::string Join(const std::vector<BrokerId>& ids) {
  std::string out;
  for (BrokerId id : ids) out += (out.empty() ? "" : ",") + std::to_string(id.value());
  return out;
}

std::string Name(const TopicPartitionName& tp) {
  return tp.first + "-" + std::to_string(tp.second.value());
}

// Kafka's LeaderAndIsr.toString, so state-change.log reads like Kafka's.
std::string Describe(const PartitionState& state) {
  return "LeaderAndIsr(leader=" + std::to_string(state.leader.value()) +
         ", leaderEpoch=" + std::to_string(state.leader_epoch.value()) +
         ", isr=" + Join(state.isr) + ", zkVersion=" + std::to_string(state.zk_version) + ")";
}

bool IsConflict(const Status& status) { return status.code() == Status::Code::kConflict; }
// KafkaZkClient's fence failure (the controller moved), as opposed to a state znode's version.
bool IsFenceFailure(const Status& status) {
  return IsConflict(status) && status.message().rfind("controller moved", 0) == 0;
}

}  // namespace

ControllerBroker::ControllerBroker(ZkClient& zk, ControllerBrokerOptions options)
    : zk_(zk), kafka_zk_(zk), options_(std::move(options)) {}

ControllerBroker::~ControllerBroker() { Stop(); }

std::string ControllerBroker::LogPrefix() const {
  std::lock_guard lock(mu_);
  return "[Controller id=" + std::to_string(options_.registration.id.value()) +
         (active_.load() ? " epoch=" + std::to_string(epoch_.value()) : "") + "] ";
}

std::optional<BrokerId> ControllerBroker::controller_id() const {
  std::lock_guard lock(mu_);
  return controller_id_;
}

ControllerEpoch ControllerBroker::controller_epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

std::string ControllerBroker::cluster_id() const {
  std::lock_guard lock(mu_);
  return cluster_id_;
}

int32_t ControllerBroker::Fence() const {
  std::lock_guard lock(mu_);
  return epoch_zk_version_;
}

void ControllerBroker::Push(Event::Type type, std::string topic) {
  if (queue_) queue_->Push(Event{type, std::move(topic), false, nullptr, 0});
}

void ControllerBroker::PushCall(std::function<Status()> call) {
  if (queue_) queue_->Push(Event{Event::Type::kCall, "", false, std::move(call), 0});
}

WatchCallback ControllerBroker::PushOnWatch(Event::Type type, std::string topic) {
  std::weak_ptr<EventQueue<Event>> weak = queue_;
  return [weak, type, topic = std::move(topic)](const WatchEvent&) {
    if (auto queue = weak.lock()) queue->Push(Event{type, topic, true, nullptr, 0});
  };
}

Status ControllerBroker::Start() {
  SLUICE_RETURN_IF_ERROR(kafka_zk_.EnsurePersistentPaths());
  auto cluster_id = kafka_zk_.GetOrCreateClusterId();
  if (!cluster_id.ok()) return cluster_id.status();
  {
    std::lock_guard lock(mu_);
    cluster_id_ = *cluster_id;
  }
  SLUICE_RETURN_IF_ERROR(RegisterBroker());

  queue_ = EventQueue<Event>::Start([this](const Event& event) { Handle(event); });
  std::weak_ptr<EventQueue<Event>> weak = queue_;
  session_listener_ = zk_.AddSessionListener([weak](SessionEvent event) {
    if (auto queue = weak.lock()) {
      queue->Push(Event{
          event == SessionEvent::kExpired ? Event::Type::kSessionExpired : Event::Type::kNewSession,
          "", false, nullptr, 0});
    }
  });
  Push(Event::Type::kCampaign);
  return Status::Ok();
}

void ControllerBroker::Stop() {
  if (!queue_) return;
  zk_.RemoveSessionListener(session_listener_);
  queue_->Close();
  if (active_.exchange(false)) {
    // Resign so another broker need not wait for our session to end.
    ReleaseControllerZNode();
    ControllerLog().information(LogPrefix() + "resigned as controller (shutting down)");
  }
  if (channel_) channel_->Shutdown();
  channel_.reset();
  queue_.reset();
}

void ControllerBroker::ReleaseControllerZNode() {
  auto node = zk_.Get(ControllerZNode::Path());
  if (node.ok() && node->stat.ephemeral_owner == zk_.session_id()) {
    (void)zk_.Delete(ControllerZNode::Path(), node->stat.version);
  }
}

// ---- event handling -------------------------------------------------------------------------

void ControllerBroker::Handle(const Event& event) {
  if (event.from_watch) {
    switch (event.type) {
      case Event::Type::kCampaign:
        controller_watch_armed_ = false;
        break;
      case Event::Type::kTopicsChanged:
        topics_watch_armed_ = false;
        break;
      case Event::Type::kTopicChanged:
        topics_with_data_watch_.erase(event.topic);
        break;
      case Event::Type::kBrokersChanged:
        brokers_watch_armed_ = false;
        break;
      case Event::Type::kDeletionsChanged:
        deletions_watch_armed_ = false;
        break;
      case Event::Type::kIsrChangeNotification:
        isr_change_watch_armed_ = false;
        break;
      case Event::Type::kReassignZNodeChanged:
        reassign_watch_armed_ = false;
        break;
      case Event::Type::kPreferredZNodeChanged:
        preferred_watch_armed_ = false;
        break;
      default:
        break;
    }
  }
  batch_ = Batch();
  Status status = HandleEvent(event);
  // Whatever was decided before a failure is in ZooKeeper already: tell the brokers.
  if (active_) SendBatch();
  batch_ = Batch();
  if (status.ok()) return;
  if (IsConflict(status) && active_) {
    // A fenced write failed: the epoch moved on without us. Step down, give up /controller if
    // we still hold it (else nobody would ever campaign again: Kafka's triggerControllerMove),
    // and look again.
    Resign("a fenced write failed: " + status.ToString());
    ReleaseControllerZNode();
    Push(Event::Type::kCampaign);
    return;
  }
  if (event.type == Event::Type::kCall) {
    ControllerLog().warning(LogPrefix() + "request failed: " + status.ToString());
    return;
  }
  ControllerLog().warning(LogPrefix() + "handling event failed, retrying in " +
                          std::to_string(kRetryDelay.count()) + " ms: " + status.ToString());
  Event retry = event;
  retry.from_watch = false;
  queue_->Push(retry, kRetryDelay);
}

Status ControllerBroker::HandleEvent(const Event& event) {
  switch (event.type) {
    case Event::Type::kCampaign:
      return HandleCampaign();
    case Event::Type::kTopicsChanged:
      return active_ ? HandleTopicsChanged() : Status::Ok();
    case Event::Type::kTopicChanged:
      return active_ ? HandleTopicChanged(event.topic) : Status::Ok();
    case Event::Type::kBrokersChanged:
      return active_ ? HandleBrokersChanged() : Status::Ok();
    case Event::Type::kDeletionsChanged:
      return active_ ? HandleDeletionsChanged() : Status::Ok();
    case Event::Type::kIsrChangeNotification:
      return active_ ? HandleIsrChangeNotifications() : Status::Ok();
    case Event::Type::kReassignZNodeChanged:
      return active_ ? HandleReassignZNode() : Status::Ok();
    case Event::Type::kPreferredZNodeChanged:
      return active_ ? HandlePreferredZNode() : Status::Ok();
    case Event::Type::kAutoRebalance:
      if (!active_ || event.generation != controller_epoch().value()) return Status::Ok();
      return HandleAutoRebalance();
    case Event::Type::kCall:
      return event.call ? event.call() : Status::Ok();
    case Event::Type::kSessionExpired:
      // The session's ephemerals (/controller, our registration) and watches are gone.
      Resign("ZooKeeper session expired");
      controller_watch_armed_ = topics_watch_armed_ = brokers_watch_armed_ =
          deletions_watch_armed_ = isr_change_watch_armed_ = reassign_watch_armed_ =
              preferred_watch_armed_ = false;
      topics_with_data_watch_.clear();
      return Status::Ok();
    case Event::Type::kNewSession:
      return HandleNewSession();
  }
  return Status::Ok();
}

Status ControllerBroker::RegisterBroker() {
  BrokerRegistration registration = options_.registration;
  registration.timestamp_ms = WallClockNow().value();
  auto epoch = kafka_zk_.RegisterBroker(registration);
  if (!epoch.ok()) return epoch.status();
  broker_epoch_ = *epoch;
  ControllerLog().information("Registered broker " + std::to_string(registration.id.value()) +
                              " at path " + BrokerIdZNode::Path(registration.id) +
                              " with broker epoch " + std::to_string(*epoch));
  return Status::Ok();
}

Status ControllerBroker::HandleNewSession() {
  SLUICE_RETURN_IF_ERROR(RegisterBroker());
  return HandleCampaign();
}

Status ControllerBroker::HandleCampaign() {
  bool arm = !controller_watch_armed_;
  auto controller = kafka_zk_.GetControllerId(arm ? PushOnWatch(Event::Type::kCampaign) : nullptr);
  if (!controller.ok()) return controller.status();
  if (arm) controller_watch_armed_ = true;
  if (!controller->has_value()) {
    auto election = kafka_zk_.TryElectController(options_.registration.id);
    if (!election.ok()) return election.status();
    if (election->elected) {
      BecomeController(*election);
    } else {
      std::lock_guard lock(mu_);
      controller_id_ = election->controller_id;
    }
    return Status::Ok();
  }
  {
    std::lock_guard lock(mu_);
    controller_id_ = *controller;
  }
  if (**controller != options_.registration.id && active_) {
    Resign("broker " + std::to_string((*controller)->value()) + " is now controller");
  }
  return Status::Ok();
}

void ControllerBroker::BecomeController(const ControllerElection& election) {
  {
    std::lock_guard lock(mu_);
    controller_id_ = options_.registration.id;
    epoch_ = election.epoch;
    epoch_zk_version_ = election.epoch_zk_version;
  }
  active_ = true;
  ControllerLog().information(
      LogPrefix() + "Broker " + std::to_string(options_.registration.id.value()) +
      " has been elected as the controller, epoch " + std::to_string(election.epoch.value()));
  ctx_.Clear();
  if (options_.channel_factory) {
    channel_ = options_.channel_factory();
  } else {
    NetworkControllerChannelOptions channel_options;
    channel_options.controller_id = options_.registration.id;
    channel_options.inter_broker_listener_name = options_.inter_broker_listener_name;
    channel_options.request_timeout = options_.controller_socket_timeout;
    channel_ = MakeNetworkControllerChannel(channel_options);
  }
  // The fail-over reads everything; if ZooKeeper fails meanwhile, it runs again as a call.
  PushCall([this] { return active_ ? OnControllerFailover() : Status::Ok(); });
}

void ControllerBroker::Resign(const std::string& why) {
  if (!active_.exchange(false)) return;
  ControllerLog().information(LogPrefix() + "Resigning as controller: " + why);
  if (channel_) channel_->Shutdown();
  ctx_.Clear();
}

// Kafka's onControllerFailover.
Status ControllerBroker::OnControllerFailover() {
  ctx_.Clear();
  // 1. Brokers (arms the watch), topics with their assignments and states.
  bool arm = !brokers_watch_armed_;
  auto ids = kafka_zk_.GetLiveBrokerIds(arm ? PushOnWatch(Event::Type::kBrokersChanged) : nullptr);
  if (!ids.ok()) return ids.status();
  if (arm) brokers_watch_armed_ = true;
  auto brokers = kafka_zk_.GetLiveBrokersWithEpochs();
  if (!brokers.ok()) return brokers.status();
  for (const LiveBroker& broker : *brokers) {
    ctx_.live_brokers[broker.registration.id] = broker;
    channel_->AddBroker(broker);
  }
  arm = !topics_watch_armed_;
  auto topics = kafka_zk_.GetAllTopics(arm ? PushOnWatch(Event::Type::kTopicsChanged) : nullptr);
  if (!topics.ok()) return topics.status();
  if (arm) topics_watch_armed_ = true;
  for (const std::string& topic : *topics) SLUICE_RETURN_IF_ERROR(ReadTopic(topic, true));
  // Deletions queued before we took over (not yet acted on).
  auto deletions = kafka_zk_.GetTopicDeletions();
  if (!deletions.ok()) return deletions.status();
  for (const std::string& topic : *deletions) {
    if (ctx_.topics.contains(topic) && options_.delete_topic_enable) {
      ctx_.topics_to_delete.insert(topic);
    }
  }
  ControllerLog().information(
      LogPrefix() + "Initialized controller context: " + std::to_string(ctx_.live_brokers.size()) +
      " live brokers, " + std::to_string(ctx_.topics.size()) + " topics, " +
      std::to_string(ctx_.states.size()) + " partition states");

  // 2. Every live broker learns the cluster, then its replicas (Kafka sends UpdateMetadata
  // first so that brokers know the leaders' endpoints).
  for (const auto& [id, broker] : ctx_.live_brokers) batch_.full_update_metadata.insert(id);
  batch_.update_metadata_brokers = true;
  for (const auto& [tp, state] : ctx_.states) {
    if (!ctx_.topics_to_delete.contains(tp.first)) AddLeaderAndIsrToReplicas(tp);
  }
  SendBatch();
  batch_ = Batch();

  // 3. New partitions get states, offline ones leaders.
  std::vector<TopicPartitionName> without_state;
  for (const TopicPartitionName& tp : ctx_.AllPartitions()) {
    if (!ctx_.states.contains(tp) && !ctx_.topics_to_delete.contains(tp.first)) {
      without_state.push_back(tp);
    }
  }
  SLUICE_RETURN_IF_ERROR(OnNewPartitions(without_state));
  SLUICE_RETURN_IF_ERROR(ElectOfflinePartitions());
  SendBatch();
  batch_ = Batch();

  // 4. Everything else that may be pending; each handler arms its own watch.
  Push(Event::Type::kIsrChangeNotification);
  Push(Event::Type::kDeletionsChanged);
  Push(Event::Type::kPreferredZNodeChanged);
  PushCall([this] { return active_ ? ResumeReassignmentsFromAssignments() : Status::Ok(); });
  Push(Event::Type::kReassignZNodeChanged);
  if (options_.auto_leader_rebalance_enable && queue_) {
    queue_->Push(Event{Event::Type::kAutoRebalance, "", false, nullptr, controller_epoch().value()},
                 options_.leader_imbalance_check_interval);
  }
  return Status::Ok();
}

// ---- brokers --------------------------------------------------------------------------------

Status ControllerBroker::HandleBrokersChanged() {
  bool arm = !brokers_watch_armed_;
  auto ids = kafka_zk_.GetLiveBrokerIds(arm ? PushOnWatch(Event::Type::kBrokersChanged) : nullptr);
  if (!ids.ok()) return ids.status();
  if (arm) brokers_watch_armed_ = true;
  auto brokers = kafka_zk_.GetLiveBrokersWithEpochs();
  if (!brokers.ok()) return brokers.status();
  std::map<BrokerId, LiveBroker> now;
  for (const LiveBroker& broker : *brokers) now[broker.registration.id] = broker;

  std::vector<BrokerId> started;
  std::vector<BrokerId> dead;
  for (const auto& [id, broker] : ctx_.live_brokers) {
    auto it = now.find(id);
    // A bounced broker (new epoch) is a failure and a startup (Kafka's bouncedBrokerIds).
    if (it == now.end() || it->second.epoch != broker.epoch) dead.push_back(id);
  }
  for (const auto& [id, broker] : now) {
    auto it = ctx_.live_brokers.find(id);
    if (it == ctx_.live_brokers.end() || it->second.epoch != broker.epoch) started.push_back(id);
  }
  if (dead.empty() && started.empty()) return Status::Ok();
  ControllerLog().information(LogPrefix() + "Newly added brokers: " + Join(started) +
                              ", deleted brokers: " + Join(dead));
  for (BrokerId id : dead) {
    ctx_.live_brokers.erase(id);
    ctx_.shutting_down.erase(id);
    channel_->RemoveBroker(id);
    for (auto& [topic, brokers_in_flight] : ctx_.deletion_in_flight) brokers_in_flight.erase(id);
  }
  if (!dead.empty()) SLUICE_RETURN_IF_ERROR(OnBrokerFailure(dead));
  for (BrokerId id : started) {
    ctx_.live_brokers[id] = now[id];
    channel_->AddBroker(now[id]);
  }
  if (!started.empty()) OnBrokerStartup(started);
  return Status::Ok();
}

// Kafka's onBrokerStartup.
void ControllerBroker::OnBrokerStartup(const std::vector<BrokerId>& started) {
  // Every broker learns the new ones; the new ones learn every partition.
  batch_.update_metadata_brokers = true;
  for (BrokerId id : started) batch_.full_update_metadata.insert(id);
  // The new brokers' replicas (a restarted broker resumes leading or following).
  for (const auto& [tp, state] : ctx_.states) {
    if (ctx_.topics_to_delete.contains(tp.first)) continue;
    const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
    if (replicas == nullptr) continue;
    std::vector<BrokerId> targets;
    for (BrokerId id : started) {
      if (std::find(replicas->begin(), replicas->end(), id) != replicas->end()) {
        targets.push_back(id);
      }
    }
    if (!targets.empty()) AddLeaderAndIsr(targets, tp);
  }
  // New partitions that had no live replica, offline ones that now have a leader, deletions
  // that waited for these brokers, reassignments whose targets came back.
  PushCall([this] {
    if (!active_) return Status::Ok();
    std::vector<TopicPartitionName> without_state;
    for (const TopicPartitionName& tp : ctx_.AllPartitions()) {
      if (!ctx_.states.contains(tp) && !ctx_.topics_to_delete.contains(tp.first)) {
        without_state.push_back(tp);
      }
    }
    SLUICE_RETURN_IF_ERROR(OnNewPartitions(without_state));
    SLUICE_RETURN_IF_ERROR(ElectOfflinePartitions());
    SLUICE_RETURN_IF_ERROR(ResumeDeletions());
    std::vector<TopicPartitionName> reassigning;
    for (const auto& [tp, reassignment] : ctx_.reassignments) reassigning.push_back(tp);
    for (const TopicPartitionName& tp : reassigning) {
      // Replicas being added that live on a restarted broker need their LeaderAndIsr again.
      AddLeaderAndIsrToReplicas(tp);
      SLUICE_RETURN_IF_ERROR(MaybeCompleteReassignment(tp));
    }
    return Status::Ok();
  });
}

// Kafka's onBrokerFailure / onReplicasBecomeOffline.
Status ControllerBroker::OnBrokerFailure(const std::vector<BrokerId>& dead) {
  batch_.update_metadata_brokers = true;
  // 1. Partitions led by a dead broker get a new leader where possible.
  SLUICE_RETURN_IF_ERROR(ElectOfflinePartitions());
  // 2. The dead brokers leave every ISR (OfflineReplica); a partition whose only ISR member
  // died keeps it, leaderless.
  std::vector<TopicPartitionName> partitions;
  for (const auto& [tp, state] : ctx_.states) partitions.push_back(tp);
  for (const TopicPartitionName& tp : partitions) {
    if (ctx_.topics_to_delete.contains(tp.first)) continue;
    for (BrokerId id : dead) {
      auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
        if (ctx_.IsLive(id)) return std::optional<PartitionState>();
        auto removed = RemoveReplicaFromIsr(current, id);
        return removed ? std::optional(removed->state) : std::nullopt;
      });
      if (!written.ok()) return written.status();
      if (written->has_value()) {
        StateChangeLog().information(LogPrefix() + "Removed broker " + std::to_string(id.value()) +
                                     " from the ISR of " + Name(tp) + ": " + Describe(**written));
        AddLeaderAndIsrToReplicas(tp);
      }
    }
  }
  return Status::Ok();
}

// ---- topics ---------------------------------------------------------------------------------

Status ControllerBroker::ReadTopic(const std::string& topic, bool arm_watch) {
  bool arming = arm_watch && !topics_with_data_watch_.contains(topic);
  auto assignment = kafka_zk_.GetTopicAssignment(
      topic, arming ? PushOnWatch(Event::Type::kTopicChanged, topic) : nullptr);
  if (!assignment.ok()) {
    if (assignment.status().code() == Status::Code::kNotFound) {
      ctx_.topics.erase(topic);
      return Status::Ok();
    }
    if (assignment.status().code() == Status::Code::kCorruption) {
      ControllerLog().error(
          LogPrefix() + "ignoring topic with a malformed znode: " + assignment.status().ToString());
      return Status::Ok();
    }
    return assignment.status();
  }
  if (arming) topics_with_data_watch_.insert(topic);
  ctx_.topics[topic] = {assignment->assignment, assignment->zk_version};
  auto states = kafka_zk_.GetPartitionStates(topic);
  if (!states.ok()) return states.status();
  for (auto& [partition, state] : *states) ctx_.states[{topic, partition}] = std::move(state);
  return Status::Ok();
}

Status ControllerBroker::HandleTopicsChanged() {
  bool arm = !topics_watch_armed_;
  auto topics = kafka_zk_.GetAllTopics(arm ? PushOnWatch(Event::Type::kTopicsChanged) : nullptr);
  if (!topics.ok()) return topics.status();
  if (arm) topics_watch_armed_ = true;
  std::set<std::string> present(topics->begin(), topics->end());
  // Topics gone from ZooKeeper (deleted, possibly by hand).
  for (auto it = ctx_.topics.begin(); it != ctx_.topics.end();) {
    if (present.contains(it->first)) {
      ++it;
      continue;
    }
    const std::string topic = it->first;
    it = ctx_.topics.erase(it);
    std::erase_if(ctx_.states, [&](const auto& entry) { return entry.first.first == topic; });
    std::erase_if(ctx_.reassignments,
                  [&](const auto& entry) { return entry.first.first == topic; });
    topics_with_data_watch_.erase(topic);
  }
  std::vector<TopicPartitionName> added;
  for (const std::string& topic : *topics) {
    if (ctx_.topics.contains(topic)) continue;
    SLUICE_RETURN_IF_ERROR(ReadTopic(topic, true));
    auto it = ctx_.topics.find(topic);
    if (it == ctx_.topics.end()) continue;
    for (const auto& [partition, replicas] : it->second.assignment.partitions) {
      if (!ctx_.states.contains({topic, partition})) added.emplace_back(topic, partition);
    }
  }
  return OnNewPartitions(added);
}

Status ControllerBroker::HandleTopicChanged(const std::string& topic) {
  if (!ctx_.topics.contains(topic)) return Status::Ok();  // not known yet, or deleted
  SLUICE_RETURN_IF_ERROR(ReadTopic(topic, true));
  auto it = ctx_.topics.find(topic);
  if (it == ctx_.topics.end() || ctx_.topics_to_delete.contains(topic)) return Status::Ok();
  std::vector<TopicPartitionName> added;
  for (const auto& [partition, replicas] : it->second.assignment.partitions) {
    if (!ctx_.states.contains({topic, partition})) added.emplace_back(topic, partition);
  }
  return OnNewPartitions(added);
}

// NewPartition -> OnlinePartition: leader = first live replica, ISR = the live replicas.
Status ControllerBroker::OnNewPartitions(const std::vector<TopicPartitionName>& partitions) {
  const std::set<BrokerId> online = ctx_.OnlineBrokers();
  for (const TopicPartitionName& tp : partitions) {
    const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
    if (replicas == nullptr) continue;
    std::vector<BrokerId> live;
    for (BrokerId replica : *replicas) {
      if (online.contains(replica)) live.push_back(replica);
    }
    if (live.empty()) {
      StateChangeLog().warning(LogPrefix() + "Partition " + Name(tp) +
                               " has no live replica among [" + Join(*replicas) +
                               "]; it stays without a leader until one registers");
      continue;
    }
    PartitionState state;
    state.leader = live.front();
    state.leader_epoch = LeaderEpoch(0);
    state.isr = live;
    state.controller_epoch = controller_epoch();
    Status created = kafka_zk_.CreatePartitionState(tp.first, tp.second, state, Fence());
    if (created.code() == Status::Code::kAlreadyExists) {
      SLUICE_RETURN_IF_ERROR(RereadPartitionState(tp));
      AddLeaderAndIsrToReplicas(tp);
      continue;
    }
    SLUICE_RETURN_IF_ERROR(created);
    ctx_.states[tp] = state;
    StateChangeLog().information(LogPrefix() + "Changed partition " + Name(tp) +
                                 " from NewPartition to OnlinePartition with state " +
                                 Describe(state));
    AddLeaderAndIsrToReplicas(tp, /*is_new=*/true);
  }
  return Status::Ok();
}

// OfflinePartition -> OnlinePartition for every partition whose leader is not online.
Status ControllerBroker::ElectOfflinePartitions() {
  const std::set<BrokerId> online = ctx_.OnlineBrokers();
  std::vector<TopicPartitionName> offline;
  for (const auto& [tp, state] : ctx_.states) {
    if (ctx_.topics_to_delete.contains(tp.first)) continue;
    if (state.leader == kNoLeader || !online.contains(state.leader)) offline.push_back(tp);
  }
  for (const TopicPartitionName& tp : offline) {
    const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
    if (replicas == nullptr) continue;
    const std::vector<BrokerId> assignment = *replicas;
    const bool unclean = UncleanElectionEnabled(tp.first);
    bool was_unclean = false;
    auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
      if (current.leader != kNoLeader && online.contains(current.leader)) {
        return std::optional<PartitionState>();  // someone else fixed it meanwhile
      }
      auto elected = ElectOfflinePartitionLeader(assignment, current, online, unclean);
      if (!elected) return std::optional<PartitionState>();
      was_unclean = elected->unclean;
      return std::optional(elected->state);
    });
    if (!written.ok()) return written.status();
    if (!written->has_value()) {
      StateChangeLog().warning(LogPrefix() + "Partition " + Name(tp) +
                               " is offline: no live replica in ISR [" + Join(ctx_.states[tp].isr) +
                               "]" + (unclean ? "" : " (unclean leader election is disabled)"));
      continue;
    }
    if (was_unclean) {
      StateChangeLog().warning(LogPrefix() + "Unclean leader election for " + Name(tp) +
                               ": data may be lost");
    }
    StateChangeLog().information(LogPrefix() + "Changed partition " + Name(tp) +
                                 " from OfflinePartition to OnlinePartition with state " +
                                 Describe(**written));
    AddLeaderAndIsrToReplicas(tp);
  }
  return Status::Ok();
}

bool ControllerBroker::UncleanElectionEnabled(const std::string& topic) {
  auto config = kafka_zk_.GetTopicConfig(topic);
  if (config.ok()) {
    auto it = config->find("unclean.leader.election.enable");
    if (it != config->end()) return it->second == "true";
  }
  return options_.unclean_leader_election_enable;
}

Status ControllerBroker::RereadPartitionState(const TopicPartitionName& tp) {
  auto state = kafka_zk_.GetPartitionState(tp.first, tp.second);
  if (state.ok()) {
    ctx_.states[tp] = *state;
    return Status::Ok();
  }
  if (state.status().code() == Status::Code::kNotFound) {
    ctx_.states.erase(tp);
    return Status::Ok();
  }
  return state.status();
}

Result<std::optional<PartitionState>> ControllerBroker::UpdatePartitionState(
    const TopicPartitionName& tp,
    const std::function<std::optional<PartitionState>(const PartitionState&)>& compute) {
  for (int attempt = 0; attempt < kStateWriteAttempts; ++attempt) {
    const PartitionState* current = ctx_.State(tp);
    if (current == nullptr) return std::optional<PartitionState>();
    std::optional<PartitionState> updated = compute(*current);
    if (!updated) return std::optional<PartitionState>();
    updated->controller_epoch = controller_epoch();
    updated->zk_version = current->zk_version;
    auto version = kafka_zk_.SetPartitionState(tp.first, tp.second, *updated, Fence());
    if (version.ok()) {
      updated->zk_version = *version;
      ctx_.states[tp] = *updated;
      return updated;
    }
    if (!IsConflict(version.status()) || IsFenceFailure(version.status())) {
      return version.status();
    }
    // A leader changed the ISR since we read it: read again and recompute.
    SLUICE_RETURN_IF_ERROR(RereadPartitionState(tp));
  }
  return Status::Unavailable("the state of " + Name(tp) + " kept changing under the controller");
}

// ---- ISR change notifications ---------------------------------------------------------------

Status ControllerBroker::HandleIsrChangeNotifications() {
  bool arm = !isr_change_watch_armed_;
  auto children = kafka_zk_.GetIsrChangeNotifications(
      arm ? PushOnWatch(Event::Type::kIsrChangeNotification) : nullptr);
  if (!children.ok()) return children.status();
  if (arm) isr_change_watch_armed_ = true;
  if (children->empty()) return Status::Ok();
  std::set<TopicPartitionName> changed;
  for (const std::string& child : *children) {
    auto partitions = kafka_zk_.GetIsrChangeNotification(child);
    if (!partitions.ok()) {
      if (partitions.status().code() == Status::Code::kNotFound) continue;
      if (partitions.status().code() != Status::Code::kCorruption) return partitions.status();
      ControllerLog().warning(LogPrefix() + "dropping a malformed ISR change notification: " +
                              partitions.status().ToString());
      continue;
    }
    changed.insert(partitions->begin(), partitions->end());
  }
  for (const TopicPartitionName& tp : changed) {
    if (!ctx_.topics.contains(tp.first)) continue;
    SLUICE_RETURN_IF_ERROR(RereadPartitionState(tp));
    if (ctx_.states.contains(tp)) batch_.update_metadata.insert(tp);
    if (!ctx_.shutting_down.empty()) SLUICE_RETURN_IF_ERROR(RemoveShuttingDownFromIsr(tp));
  }
  SLUICE_RETURN_IF_ERROR(kafka_zk_.DeleteIsrChangeNotifications(*children, Fence()));
  for (const TopicPartitionName& tp : changed) {
    if (ctx_.reassignments.contains(tp)) SLUICE_RETURN_IF_ERROR(MaybeCompleteReassignment(tp));
  }
  return Status::Ok();
}

// ---- requests -------------------------------------------------------------------------------

ControllerPartitionState ControllerBroker::PartitionStateFor(const TopicPartitionName& tp) const {
  ControllerPartitionState out;
  out.topic = tp.first;
  out.partition = tp.second;
  if (const PartitionState* state = ctx_.State(tp)) {
    out.controller_epoch = state->controller_epoch;
    out.leader = state->leader;
    out.leader_epoch = state->leader_epoch;
    out.isr = state->isr;
    out.zk_version = state->zk_version;
  }
  if (const std::vector<BrokerId>* replicas = ctx_.Replicas(tp)) out.replicas = *replicas;
  out.adding_replicas = ctx_.AddingReplicas(tp);
  out.removing_replicas = ctx_.RemovingReplicas(tp);
  for (BrokerId replica : out.replicas) {
    if (!ctx_.IsLive(replica)) out.offline_replicas.push_back(replica);
  }
  if (ctx_.topics_to_delete.contains(tp.first)) out.leader = kLeaderDuringDelete;
  return out;
}

void ControllerBroker::AddLeaderAndIsr(const std::vector<BrokerId>& brokers,
                                       const TopicPartitionName& tp, bool is_new) {
  if (!ctx_.states.contains(tp)) return;
  for (BrokerId broker : brokers) {
    if (!ctx_.IsLive(broker)) continue;
    bool& entry = batch_.leader_and_isr[broker][tp];
    entry = entry || is_new;
  }
  batch_.update_metadata.insert(tp);  // as Kafka's addLeaderAndIsrRequestForBrokers
}

void ControllerBroker::AddLeaderAndIsrToReplicas(const TopicPartitionName& tp, bool is_new) {
  const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
  if (replicas != nullptr) AddLeaderAndIsr(*replicas, tp, is_new);
}

void ControllerBroker::AddStopReplica(BrokerId broker, const TopicPartitionName& tp,
                                      bool delete_partition) {
  if (!ctx_.IsLive(broker)) return;
  LeaderEpoch epoch{-1};
  if (const PartitionState* state = ctx_.State(tp)) epoch = state->leader_epoch;
  // Deletion uses Kafka's EpochDuringDelete (-2): the replica goes whatever its epoch.
  if (delete_partition && ctx_.topics_to_delete.contains(tp.first)) epoch = LeaderEpoch(-2);
  batch_.stop_replica[broker].push_back({tp.first, tp.second, epoch, delete_partition});
}

void ControllerBroker::SendBatch() {
  if (!channel_) return;
  const BrokerId self = options_.registration.id;
  const ControllerEpoch epoch = controller_epoch();
  std::map<std::string, Uuid> topic_ids;
  for (const auto& [name, topic] : ctx_.topics) {
    if (topic.assignment.topic_id) topic_ids[name] = *topic.assignment.topic_id;
  }
  auto log_errors = [this](std::string what, BrokerId broker) {
    return [this, what = std::move(what), broker](const ControllerCommandResponse& response) {
      if (response.error_code != 0) {
        StateChangeLog().warning(LogPrefix() + what + " to broker " +
                                 std::to_string(broker.value()) + " failed with error " +
                                 std::to_string(response.error_code));
      }
      for (const auto& [tp, error] : response.partition_errors) {
        if (error != 0) {
          StateChangeLog().warning(LogPrefix() + what + " to broker " +
                                   std::to_string(broker.value()) + " failed for " + Name(tp) +
                                   " with error " + std::to_string(error));
        }
      }
    };
  };

  // LeaderAndIsr first: a broker must know its role before it serves the new metadata.
  for (const auto& [broker, partitions] : batch_.leader_and_isr) {
    auto target = ctx_.live_brokers.find(broker);
    if (target == ctx_.live_brokers.end()) continue;
    LeaderAndIsrCommand command{self, epoch, target->second.epoch, {}, {}, {}};
    std::set<BrokerId> leaders;
    for (const auto& [tp, is_new] : partitions) {
      ControllerPartitionState state = PartitionStateFor(tp);
      state.is_new = is_new;
      state.offline_replicas.clear();
      if (state.leader.value() >= 0) leaders.insert(state.leader);
      if (auto id = topic_ids.find(tp.first); id != topic_ids.end()) {
        command.topic_ids[tp.first] = id->second;
      }
      StateChangeLog().trace(LogPrefix() + "Sending LeaderAndIsr " + Describe(ctx_.states[tp]) +
                             " for " + Name(tp) + " to broker " + std::to_string(broker.value()));
      command.partitions.push_back(std::move(state));
    }
    for (BrokerId leader : leaders) {
      auto live = ctx_.live_brokers.find(leader);
      if (live != ctx_.live_brokers.end())
        command.live_leaders.push_back(live->second.registration);
    }
    channel_->Send(broker, std::move(command), log_errors("LeaderAndIsr", broker));
  }

  // UpdateMetadata to every live broker.
  if (batch_.update_metadata_brokers || !batch_.update_metadata.empty() ||
      !batch_.full_update_metadata.empty()) {
    std::vector<BrokerRegistration> live;
    for (const auto& [id, broker] : ctx_.live_brokers) live.push_back(broker.registration);
    std::vector<ControllerPartitionState> partial;
    for (const TopicPartitionName& tp : batch_.update_metadata) {
      if (ctx_.states.contains(tp)) partial.push_back(PartitionStateFor(tp));
    }
    std::vector<ControllerPartitionState> full;
    if (!batch_.full_update_metadata.empty()) {
      for (const auto& [tp, state] : ctx_.states) full.push_back(PartitionStateFor(tp));
    }
    for (const auto& [id, broker] : ctx_.live_brokers) {
      bool all = batch_.full_update_metadata.contains(id);
      if (!all && !batch_.update_metadata_brokers && partial.empty()) continue;
      UpdateMetadataCommand command{self, epoch,    broker.epoch, all ? full : partial,
                                    live, topic_ids};
      channel_->Send(id, std::move(command), log_errors("UpdateMetadata", id));
    }
  }

  for (auto& [broker, partitions] : batch_.stop_replica) {
    auto target = ctx_.live_brokers.find(broker);
    if (target == ctx_.live_brokers.end()) continue;
    // Deletions report back (the topic's znodes go once every replica answered); others are
    // only logged.
    std::vector<StopReplicaPartition> deletes;
    std::vector<StopReplicaPartition> stops;
    for (auto& partition : partitions) {
      (partition.delete_partition && ctx_.topics_to_delete.contains(partition.topic) ? deletes
                                                                                     : stops)
          .push_back(partition);
    }
    if (!stops.empty()) {
      channel_->Send(broker, StopReplicaCommand{self, epoch, target->second.epoch, stops},
                     log_errors("StopReplica", broker));
    }
    std::map<std::string, std::vector<StopReplicaPartition>> by_topic;
    for (auto& partition : deletes) by_topic[partition.topic].push_back(partition);
    for (auto& [topic, topic_partitions] : by_topic) {
      std::weak_ptr<EventQueue<Event>> weak = queue_;
      const BrokerId to = broker;
      channel_->Send(broker,
                     StopReplicaCommand{self, epoch, target->second.epoch, topic_partitions},
                     [this, weak, topic, to](const ControllerCommandResponse& response) {
                       auto queue = weak.lock();
                       if (!queue) return;
                       queue->Push(Event{Event::Type::kCall, "", false,
                                         [this, topic, to, response] {
                                           if (active_)
                                             OnStopReplicaDeleteResponse(topic, to, response);
                                           return Status::Ok();
                                         },
                                         0});
                     });
    }
  }
}

}  // namespace sluice::metadata

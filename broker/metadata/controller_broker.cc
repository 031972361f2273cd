#include "broker/metadata/controller_broker.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace sluice::metadata {
namespace {

// A handler that failed for a transient reason (ZooKeeper unreachable) runs again after this.
constexpr std::chrono::milliseconds kRetryDelay{1000};

Poco::Logger& ControllerLog() { return Poco::Logger::get("controller"); }
Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Join(const std::vector<BrokerId>& ids) {
  std::string out;
  for (BrokerId id : ids) out += (out.empty() ? "" : ",") + std::to_string(id.value());
  return out;
}

// Kafka's LeaderAndIsr.toString, so state-change.log reads like Kafka's.
std::string Describe(const PartitionState& state) {
  return "LeaderAndIsr(leader=" + std::to_string(state.leader.value()) +
         ", leaderEpoch=" + std::to_string(state.leader_epoch.value()) +
         ", isr=" + Join(state.isr) + ", zkVersion=" + std::to_string(state.zk_version) + ")";
}

bool IsConflict(const Status& status) { return status.code() == Status::Code::kConflict; }

}  // namespace

ControllerBroker::ControllerBroker(ZkClient& zk, ControllerBrokerOptions options,
                                   LeadershipListener& listener)
    : zk_(zk), kafka_zk_(zk), options_(std::move(options)), listener_(listener) {}

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

void ControllerBroker::Push(Event::Type type, std::string topic) {
  if (queue_) queue_->Push(Event{type, std::move(topic), false});
}

WatchCallback ControllerBroker::PushOnWatch(Event::Type type, std::string topic) {
  std::weak_ptr<EventQueue<Event>> weak = queue_;
  return [weak, type, topic = std::move(topic)](const WatchEvent&) {
    if (auto queue = weak.lock()) queue->Push(Event{type, topic, true});
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
  SLUICE_RETURN_IF_ERROR(ReportOwnLeaderships());

  queue_ = EventQueue<Event>::Start([this](const Event& event) { Handle(event); });
  std::weak_ptr<EventQueue<Event>> weak = queue_;
  session_listener_ = zk_.AddSessionListener([weak](SessionEvent event) {
    if (auto queue = weak.lock()) {
      queue->Push(Event{
          event == SessionEvent::kExpired ? Event::Type::kSessionExpired : Event::Type::kNewSession,
          ""});
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
      default:
        break;
    }
  }
  Status status;
  switch (event.type) {
    case Event::Type::kCampaign:
      status = HandleCampaign();
      break;
    case Event::Type::kTopicsChanged:
      if (active_) status = ReconcileAllTopics();
      break;
    case Event::Type::kTopicChanged:
      if (active_) {
        auto live = LiveBrokers(false);
        status = live.ok() ? ReconcileTopic(event.topic, *live) : live.status();
      }
      break;
    case Event::Type::kBrokersChanged:
      if (active_) status = ReconcileAllTopics();
      break;
    case Event::Type::kDeletionsChanged:
      if (active_) status = ProcessDeletions();
      break;
    case Event::Type::kSessionExpired:
      // The session's ephemerals (/controller, our registration) and watches are gone.
      Resign("ZooKeeper session expired");
      controller_watch_armed_ = topics_watch_armed_ = brokers_watch_armed_ =
          deletions_watch_armed_ = false;
      topics_with_data_watch_.clear();
      break;
    case Event::Type::kNewSession:
      status = HandleNewSession();
      break;
  }
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
  ControllerLog().warning(LogPrefix() + "handling event failed, retrying in " +
                          std::to_string(kRetryDelay.count()) + " ms: " + status.ToString());
  queue_->Push(event, kRetryDelay);
}

Status ControllerBroker::RegisterBroker() {
  BrokerRegistration registration = options_.registration;
  registration.timestamp_ms = NowMs();
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
  SLUICE_RETURN_IF_ERROR(ReportOwnLeaderships());
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
  // Watches are armed by the handlers themselves (each read re-arms its own watch).
  Push(Event::Type::kBrokersChanged);
  Push(Event::Type::kDeletionsChanged);
}

void ControllerBroker::Resign(const std::string& why) {
  if (!active_.exchange(false)) return;
  ControllerLog().information(LogPrefix() + "Resigning as controller: " + why);
}

Result<std::set<BrokerId>> ControllerBroker::LiveBrokers(bool watch) {
  bool arm = watch && !brokers_watch_armed_;
  auto ids = kafka_zk_.GetLiveBrokerIds(arm ? PushOnWatch(Event::Type::kBrokersChanged) : nullptr);
  if (!ids.ok()) return ids.status();
  if (arm) brokers_watch_armed_ = true;
  return std::set<BrokerId>(ids->begin(), ids->end());
}

// ---- partitions -----------------------------------------------------------------------------

Status ControllerBroker::ReconcileAllTopics() {
  auto live = LiveBrokers(true);
  if (!live.ok()) return live.status();
  bool arm = !topics_watch_armed_;
  auto topics = kafka_zk_.GetAllTopics(arm ? PushOnWatch(Event::Type::kTopicsChanged) : nullptr);
  if (!topics.ok()) return topics.status();
  if (arm) topics_watch_armed_ = true;
  for (const std::string& topic : *topics) {
    SLUICE_RETURN_IF_ERROR(ReconcileTopic(topic, *live));
  }
  return Status::Ok();
}

Status ControllerBroker::ReconcileTopic(const std::string& topic, const std::set<BrokerId>& live) {
  if (!active_) return Status::Ok();
  // A topic being deleted gets no new leaders (Kafka marks it ineligible).
  if (options_.delete_topic_enable) {
    auto marked = zk_.Exists(DeleteTopicsTopicZNode::Path(topic));
    if (!marked.ok()) return marked.status();
    if (marked->has_value()) return Status::Ok();
  }
  // A data watch per topic catches added partitions; deletion fires it too (handled as a no-op
  // re-read that finds the topic gone).
  bool arming = !topics_with_data_watch_.contains(topic);
  auto assignment = kafka_zk_.GetTopicAssignment(
      topic, arming ? PushOnWatch(Event::Type::kTopicChanged, topic) : nullptr);
  if (!assignment.ok()) {
    if (assignment.status().code() == Status::Code::kNotFound) return Status::Ok();  // deleted
    if (assignment.status().code() == Status::Code::kCorruption) {
      ControllerLog().error(
          LogPrefix() + "ignoring topic with a malformed znode: " + assignment.status().ToString());
      return Status::Ok();
    }
    return assignment.status();
  }
  if (arming) topics_with_data_watch_.insert(topic);
  auto states = kafka_zk_.GetPartitionStates(topic);
  if (!states.ok()) return states.status();

  ControllerEpoch epoch;
  int32_t fence;
  {
    std::lock_guard lock(mu_);
    epoch = epoch_;
    fence = epoch_zk_version_;
  }
  for (const auto& [partition, replicas] : assignment->assignment.partitions) {
    std::vector<BrokerId> live_replicas;
    for (BrokerId replica : replicas) {
      if (live.contains(replica)) live_replicas.push_back(replica);
    }
    std::string name = topic + "-" + std::to_string(partition.value());
    auto existing = states->find(partition);
    PartitionState state;
    if (existing == states->end()) {
      // NewPartition -> OnlinePartition: the first live replica leads, live replicas form the ISR.
      if (live_replicas.empty()) {
        StateChangeLog().warning(LogPrefix() + "Partition " + name +
                                 " has no live replica among [" + Join(replicas) +
                                 "]; it stays without a leader until one registers");
        continue;
      }
      state.leader = live_replicas.front();
      state.leader_epoch = LeaderEpoch(0);
      state.isr = live_replicas;
      state.controller_epoch = epoch;
      Status created = kafka_zk_.CreatePartitionState(topic, partition, state, fence);
      if (created.code() == Status::Code::kAlreadyExists) continue;  // raced: re-read later
      SLUICE_RETURN_IF_ERROR(created);
      StateChangeLog().information(LogPrefix() + "Changed partition " + name +
                                   " from NewPartition to OnlinePartition with state " +
                                   Describe(state));
    } else {
      state = existing->second;
      if (state.leader == kNoLeader || !live.contains(state.leader)) {
        // OfflinePartition -> OnlinePartition, clean election: first live ISR member in
        // assignment order.
        auto in_isr = [&](BrokerId b) {
          return std::find(state.isr.begin(), state.isr.end(), b) != state.isr.end();
        };
        auto leader = std::find_if(live_replicas.begin(), live_replicas.end(), in_isr);
        if (leader == live_replicas.end()) {
          StateChangeLog().warning(LogPrefix() + "Partition " + name +
                                   " is offline: no live replica in ISR [" + Join(state.isr) +
                                   "] (unclean election is disabled)");
          continue;
        }
        PartitionState elected = state;
        elected.leader = *leader;
        elected.leader_epoch = state.leader_epoch + 1;
        elected.isr.clear();
        for (BrokerId b : state.isr) {
          if (live.contains(b)) elected.isr.push_back(b);
        }
        elected.controller_epoch = epoch;
        auto version = kafka_zk_.SetPartitionState(topic, partition, elected, fence);
        if (!version.ok()) return version.status();
        elected.zk_version = *version;
        StateChangeLog().information(LogPrefix() + "Changed partition " + name +
                                     " from OfflinePartition to OnlinePartition with state " +
                                     Describe(elected));
        state = elected;
      }
    }
    if (state.leader == options_.registration.id) {
      ReportLeadership(topic, partition, state.leader_epoch, replicas);
    }
  }
  return Status::Ok();
}

void ControllerBroker::ReportLeadership(const std::string& topic, PartitionId partition,
                                        LeaderEpoch epoch, const std::vector<BrokerId>& replicas) {
  auto key = std::make_pair(topic, partition);
  auto it = reported_leaderships_.find(key);
  if (it != reported_leaderships_.end() && it->second == epoch) return;
  reported_leaderships_[key] = epoch;
  try {
    listener_.OnBecomeLeader(topic, partition, epoch, replicas);
  } catch (const std::exception& e) {
    StateChangeLog().error(LogPrefix() + "becoming leader of " + topic + "-" +
                           std::to_string(partition.value()) + " failed: " + e.what());
  }
}

Status ControllerBroker::ReportOwnLeaderships() {
  auto topics = kafka_zk_.GetAllTopics();
  if (!topics.ok()) return topics.status();
  for (const std::string& topic : *topics) {
    auto assignment = kafka_zk_.GetTopicAssignment(topic);
    if (!assignment.ok()) {
      if (assignment.status().code() == Status::Code::kNotFound) continue;
      if (assignment.status().code() == Status::Code::kCorruption) continue;
      return assignment.status();
    }
    auto states = kafka_zk_.GetPartitionStates(topic);
    if (!states.ok()) return states.status();
    for (const auto& [partition, state] : *states) {
      if (state.leader != options_.registration.id) continue;
      auto replicas = assignment->assignment.partitions.find(partition);
      ReportLeadership(topic, partition, state.leader_epoch,
                       replicas == assignment->assignment.partitions.end()
                           ? std::vector<BrokerId>{state.leader}
                           : replicas->second);
    }
  }
  return Status::Ok();
}

// ---- deletion -------------------------------------------------------------------------------

Status ControllerBroker::ProcessDeletions() {
  bool arm = !deletions_watch_armed_;
  auto requested =
      kafka_zk_.GetTopicDeletions(arm ? PushOnWatch(Event::Type::kDeletionsChanged) : nullptr);
  if (!requested.ok()) return requested.status();
  if (arm) deletions_watch_armed_ = true;
  int32_t fence;
  {
    std::lock_guard lock(mu_);
    fence = epoch_zk_version_;
  }
  for (const std::string& topic : *requested) {
    if (!options_.delete_topic_enable) {
      ControllerLog().information(LogPrefix() + "Removing " + topic +
                                  " since delete topic is disabled");
      SLUICE_RETURN_IF_ERROR(kafka_zk_.RemoveTopicDeletion(topic, fence));
      continue;
    }
    auto exists = zk_.Exists(TopicZNode::Path(topic));
    if (!exists.ok()) return exists.status();
    if (!exists->has_value()) {
      ControllerLog().information(LogPrefix() + "Ignoring deletion of unknown topic " + topic);
      SLUICE_RETURN_IF_ERROR(kafka_zk_.RemoveTopicDeletion(topic, fence));
      continue;
    }
    // Local replicas go first: if we crash in between, the request is still there to retry.
    try {
      listener_.OnTopicDeleted(topic);
    } catch (const std::exception& e) {
      ControllerLog().error(LogPrefix() + "deleting local replicas of " + topic +
                            " failed: " + e.what());
    }
    SLUICE_RETURN_IF_ERROR(kafka_zk_.DeleteTopicZNodes(topic, fence));
    std::erase_if(reported_leaderships_,
                  [&](const auto& entry) { return entry.first.first == topic; });
    topics_with_data_watch_.erase(topic);
    ControllerLog().information(LogPrefix() + "Deletion of topic " + topic +
                                " successfully completed");
  }
  return Status::Ok();
}

}  // namespace sluice::metadata

// ControllerBroker, part two: topic deletion, controlled shutdown, partition reassignment and
// leader elections on request (the public methods and the admin znodes).
#include <Poco/Logger.h>

#include <algorithm>

#include "broker/metadata/controller_broker.h"
#include "broker/metadata/partition_leader_election.h"

namespace sluice::metadata {
namespace {

using kafka::ErrorCode;

Poco::Logger& ControllerLog() { return Poco::Logger::get("controller"); }
Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

std::string Name(const TopicPartitionName& tp) {
  return tp.first + "-" + std::to_string(tp.second.value());
}

std::string Join(const std::vector<BrokerId>& ids) {
  std::string out;
  for (BrokerId id : ids) out += (out.empty() ? "" : ",") + std::to_string(id.value());
  return out;
}

bool IsConflictStatus(const Status& status) { return status.code() == Status::Code::kConflict; }
// KafkaZkClient's fence failure (the controller moved), as opposed to a znode's own version.
bool IsFenceStatus(const Status& status) {
  return IsConflictStatus(status) && status.message().rfind("controller moved", 0) == 0;
}

bool Contains(const std::vector<BrokerId>& ids, BrokerId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// a minus b, keeping a's order.
std::vector<BrokerId> Minus(const std::vector<BrokerId>& a, const std::vector<BrokerId>& b) {
  std::vector<BrokerId> out;
  for (BrokerId id : a) {
    if (!Contains(b, id)) out.push_back(id);
  }
  return out;
}

std::vector<int32_t> Ints(const std::vector<BrokerId>& ids) {
  std::vector<int32_t> out;
  for (BrokerId id : ids) out.push_back(id.value());
  return out;
}

}  // namespace

// ---- topic deletion (Kafka's TopicDeletionManager) ------------------------------------------

Status ControllerBroker::HandleDeletionsChanged() {
  bool arm = !deletions_watch_armed_;
  auto requested =
      kafka_zk_.GetTopicDeletions(arm ? PushOnWatch(Event::Type::kDeletionsChanged) : nullptr);
  if (!requested.ok()) return requested.status();
  if (arm) deletions_watch_armed_ = true;
  for (const std::string& topic : *requested) {
    if (ctx_.topics_to_delete.contains(topic)) continue;
    if (!options_.delete_topic_enable) {
      ControllerLog().information(LogPrefix() + "Removing " + topic +
                                  " since delete topic is disabled");
      SLUICE_RETURN_IF_ERROR(kafka_zk_.RemoveTopicDeletion(topic, Fence()));
      continue;
    }
    if (!ctx_.topics.contains(topic)) {
      ControllerLog().information(LogPrefix() + "Ignoring deletion of unknown topic " + topic);
      SLUICE_RETURN_IF_ERROR(kafka_zk_.RemoveTopicDeletion(topic, Fence()));
      continue;
    }
    ControllerLog().information(LogPrefix() + "New topic deletion: " + topic);
    ctx_.topics_to_delete.insert(topic);
    // A reassignment of a topic being deleted is dropped (Kafka marks it ineligible).
    std::erase_if(ctx_.reassignments,
                  [&](const auto& entry) { return entry.first.first == topic; });
  }
  return ResumeDeletions();
}

Status ControllerBroker::ResumeDeletions() {
  std::vector<std::string> done;
  for (const std::string& topic : ctx_.topics_to_delete) {
    auto it = ctx_.topics.find(topic);
    if (it == ctx_.topics.end()) {
      done.push_back(topic);
      continue;
    }
    if (!ctx_.deletion_pending.contains(topic)) {
      // Start: brokers drop the topic from their metadata (leader -2), every replica is asked
      // to delete its log.
      std::set<BrokerId>& pending = ctx_.deletion_pending[topic];
      for (const auto& [partition, replicas] : it->second.assignment.partitions) {
        pending.insert(replicas.begin(), replicas.end());
        if (ctx_.states.contains({topic, partition})) {
          batch_.update_metadata.insert({topic, partition});
        }
      }
    }
    std::set<BrokerId>& pending = ctx_.deletion_pending[topic];
    std::set<BrokerId>& in_flight = ctx_.deletion_in_flight[topic];
    if (pending.empty()) {
      done.push_back(topic);
      continue;
    }
    for (BrokerId broker : pending) {
      if (!ctx_.IsLive(broker) || in_flight.contains(broker)) continue;  // dead: waits
      for (const auto& [partition, replicas] : it->second.assignment.partitions) {
        if (Contains(replicas, broker)) AddStopReplica(broker, {topic, partition}, true);
      }
      in_flight.insert(broker);
    }
  }
  for (const std::string& topic : done) {
    SLUICE_RETURN_IF_ERROR(kafka_zk_.DeleteTopicZNodes(topic, Fence()));
    ctx_.topics.erase(topic);
    std::erase_if(ctx_.states, [&](const auto& entry) { return entry.first.first == topic; });
    ctx_.topics_to_delete.erase(topic);
    ctx_.deletion_pending.erase(topic);
    ctx_.deletion_in_flight.erase(topic);
    topics_with_data_watch_.erase(topic);
    ControllerLog().information(LogPrefix() + "Deletion of topic " + topic +
                                " successfully completed");
  }
  return Status::Ok();
}

void ControllerBroker::OnStopReplicaDeleteResponse(const std::string& topic, BrokerId broker,
                                                   const ControllerCommandResponse& response) {
  if (!ctx_.topics_to_delete.contains(topic)) return;
  ctx_.deletion_in_flight[topic].erase(broker);
  bool ok = response.error_code == 0;
  for (const auto& [tp, error] : response.partition_errors) ok = ok && error == 0;
  if (!ok) {
    // Kafka marks the replica ReplicaDeletionIneligible and retries later; so do we.
    ControllerLog().warning(LogPrefix() + "Broker " + std::to_string(broker.value()) +
                            " failed to delete replicas of " + topic + "; retrying");
    if (queue_) {
      queue_->Push(Event{Event::Type::kDeletionsChanged, "", false, nullptr, 0},
                   std::chrono::milliseconds(1000));
    }
    return;
  }
  ctx_.deletion_pending[topic].erase(broker);
  Push(Event::Type::kDeletionsChanged);
}

// ---- controlled shutdown --------------------------------------------------------------------

void ControllerBroker::ControlledShutdown(
    int32_t broker_id, int64_t broker_epoch,
    std::function<void(kafka::ErrorCode, PartitionList remaining)> done) {
  if (!active_ || !queue_) {
    done(ErrorCode::kNotController, {});
    return;
  }
  PushCall([this, broker_id, broker_epoch, done = std::move(done)] {
    if (!active_) {
      done(ErrorCode::kNotController, {});
      return Status::Ok();
    }
    Status status = DoControlledShutdown(broker_id, broker_epoch, done);
    if (!status.ok()) done(ErrorCode::kUnknownServerError, {});
    return status;
  });
}

// Kafka's doControlledShutdown.
Status ControllerBroker::DoControlledShutdown(
    int32_t broker_id, int64_t broker_epoch,
    const std::function<void(kafka::ErrorCode, PartitionList)>& done) {
  const BrokerId id(broker_id);
  auto broker = ctx_.live_brokers.find(id);
  if (broker == ctx_.live_brokers.end()) {
    done(ErrorCode::kBrokerNotAvailable, {});
    return Status::Ok();
  }
  if (broker_epoch != -1 && broker_epoch < broker->second.epoch) {
    done(ErrorCode::kStaleBrokerEpoch, {});
    return Status::Ok();
  }
  ctx_.shutting_down.insert(id);
  ControllerLog().information(LogPrefix() + "Shutting down broker " + std::to_string(broker_id));
  const std::set<BrokerId> online = ctx_.OnlineBrokers();
  std::vector<TopicPartitionName> hosted;
  for (const auto& [tp, state] : ctx_.states) {
    const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
    if (replicas == nullptr || replicas->size() < 2 || !Contains(*replicas, id)) continue;
    if (ctx_.topics_to_delete.contains(tp.first)) continue;
    hosted.push_back(tp);
  }
  for (const TopicPartitionName& tp : hosted) {
    const std::vector<BrokerId> replicas = *ctx_.Replicas(tp);
    if (ctx_.states[tp].leader == id) {
      auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
        if (current.leader != id) return std::optional<PartitionState>();
        auto elected = ElectControlledShutdownLeader(replicas, current, online, ctx_.shutting_down);
        return elected ? std::optional(elected->state) : std::nullopt;
      });
      if (!written.ok()) return written.status();
      if (written->has_value()) {
        StateChangeLog().information(LogPrefix() + "Moved leadership of " + Name(tp) +
                                     " to broker " + std::to_string((*written)->leader.value()) +
                                     " for the controlled shutdown of broker " +
                                     std::to_string(broker_id));
        // As Kafka, LeaderAndIsr goes only to the replicas not shutting down: made a follower,
        // the stopping broker would fetch from the new leader and rejoin the ISR before it
        // leaves. Its old leadership goes nowhere (its followers moved on, so no acks=all write
        // completes there) until its listeners close.
        std::vector<BrokerId> recipients;
        for (BrokerId replica : replicas) {
          if (!ctx_.shutting_down.contains(replica)) recipients.push_back(replica);
        }
        AddLeaderAndIsr(recipients, tp);
        StopShuttingDownReplica(id, tp);
      }
    } else {
      // A follower: shrink it out of the ISR and stop it (keeping its log).
      auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
        if (current.leader == id) return std::optional<PartitionState>();
        auto removed = RemoveReplicaFromIsr(current, id);
        return removed ? std::optional(removed->state) : std::nullopt;
      });
      if (!written.ok()) return written.status();
      if (written->has_value()) {
        std::vector<BrokerId> others;
        for (BrokerId replica : replicas) {
          if (!ctx_.shutting_down.contains(replica)) others.push_back(replica);
        }
        AddLeaderAndIsr(others, tp);
      }
      StopShuttingDownReplica(id, tp);
    }
  }
  PartitionList remaining;
  for (const TopicPartitionName& tp : hosted) {
    if (ctx_.states[tp].leader == id) remaining.emplace_back(tp.first, tp.second.value());
  }
  ControllerLog().information(LogPrefix() + "Broker " + std::to_string(broker_id) +
                              " still leads " + std::to_string(remaining.size()) + " partitions");
  done(ErrorCode::kNone, std::move(remaining));
  return Status::Ok();
}

void ControllerBroker::StopShuttingDownReplica(BrokerId broker, const TopicPartitionName& tp) {
  if (!ctx_.IsLive(broker)) return;
  // NoEpoch (-1): the replica must stop whatever epoch it has seen (with the current epoch, a
  // follower that was not in the ISR would ignore the request as stale and keep fetching).
  batch_.stop_replica[broker].push_back({tp.first, tp.second, LeaderEpoch(-1), false});
}

Status ControllerBroker::RemoveShuttingDownFromIsr(const TopicPartitionName& tp) {
  const PartitionState* state = ctx_.State(tp);
  const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
  if (state == nullptr || replicas == nullptr) return Status::Ok();
  for (BrokerId id : std::set<BrokerId>(ctx_.shutting_down)) {
    if (!Contains(state->isr, id) || state->leader == id) continue;
    auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
      if (current.leader == id) return std::optional<PartitionState>();
      auto removed = RemoveReplicaFromIsr(current, id);
      return removed ? std::optional(removed->state) : std::nullopt;
    });
    if (!written.ok()) return written.status();
    if (!written->has_value()) continue;
    StateChangeLog().information(LogPrefix() + "Removed shutting-down broker " +
                                 std::to_string(id.value()) + " from the ISR of " + Name(tp) +
                                 " again (its leader had re-added it)");
    std::vector<BrokerId> others;
    for (BrokerId replica : *replicas) {
      if (!ctx_.shutting_down.contains(replica)) others.push_back(replica);
    }
    AddLeaderAndIsr(others, tp);
    StopShuttingDownReplica(id, tp);
    state = ctx_.State(tp);
    if (state == nullptr) break;
  }
  return Status::Ok();
}

// ---- partition reassignment (KIP-455; Kafka's onPartitionReassignment) ----------------------

std::pair<kafka::ErrorCode, std::string> ControllerBroker::ValidateReassignment(
    const TopicPartitionName& tp, const std::optional<std::vector<BrokerId>>& target) const {
  if (ctx_.Replicas(tp) == nullptr || ctx_.topics_to_delete.contains(tp.first)) {
    return {ErrorCode::kUnknownTopicOrPartition, "Unknown topic-partition " + Name(tp)};
  }
  if (!target) {
    if (!ctx_.reassignments.contains(tp)) {
      return {ErrorCode::kNoReassignmentInProgress, "No reassignment in progress for " + Name(tp)};
    }
    return {ErrorCode::kNone, ""};
  }
  if (target->empty()) {
    return {ErrorCode::kInvalidReplicaAssignment,
            "Empty replica list specified in partition reassignment."};
  }
  std::set<BrokerId> unique(target->begin(), target->end());
  if (unique.size() != target->size()) {
    return {ErrorCode::kInvalidReplicaAssignment,
            "Duplicate replica ids in partition reassignment replica list: " + Join(*target)};
  }
  for (BrokerId replica : *target) {
    if (replica.value() < 0) {
      return {ErrorCode::kInvalidReplicaAssignment,
              "Invalid broker id in replica list: " + Join(*target)};
    }
    if (!ctx_.IsLive(replica)) {
      return {ErrorCode::kInvalidReplicaAssignment,
              "Unknown broker id " + std::to_string(replica.value())};
    }
  }
  return {ErrorCode::kNone, ""};
}

Status ControllerBroker::WriteAssignment(const std::string& topic,
                                         const TopicAssignment& assignment) {
  auto it = ctx_.topics.find(topic);
  if (it == ctx_.topics.end()) return Status::NotFound("topic " + topic + " is gone");
  auto version = kafka_zk_.SetTopicAssignment(topic, assignment, it->second.zk_version, Fence());
  if (!version.ok()) {
    if (IsConflictStatus(version.status()) && !IsFenceStatus(version.status())) {
      // The topic znode changed (partitions added meanwhile): read it and retry once.
      SLUICE_RETURN_IF_ERROR(ReadTopic(topic, false));
      it = ctx_.topics.find(topic);
      if (it == ctx_.topics.end()) return Status::NotFound("topic " + topic + " is gone");
      TopicAssignment merged = it->second.assignment;
      for (const auto& [partition, replicas] : assignment.partitions) {
        merged.partitions[partition] = replicas;
      }
      merged.adding_replicas = assignment.adding_replicas;
      merged.removing_replicas = assignment.removing_replicas;
      version = kafka_zk_.SetTopicAssignment(topic, merged, it->second.zk_version, Fence());
      if (!version.ok()) return version.status();
      it->second = {merged, *version};
      return Status::Ok();
    }
    return version.status();
  }
  it->second = {assignment, *version};
  return Status::Ok();
}

Status ControllerBroker::BumpLeaderEpoch(const TopicPartitionName& tp) {
  auto written = UpdatePartitionState(tp, [](const PartitionState& current) {
    PartitionState next = current;
    next.leader_epoch = current.leader_epoch + 1;
    return std::optional(next);
  });
  if (!written.ok()) return written.status();
  AddLeaderAndIsrToReplicas(tp);
  return Status::Ok();
}

Status ControllerBroker::StartReassignment(const TopicPartitionName& tp,
                                           std::vector<BrokerId> target, bool from_zk_node) {
  const ControllerContext::Topic& topic = ctx_.topics.at(tp.first);
  const std::vector<BrokerId> current = *ctx_.Replicas(tp);
  const std::vector<BrokerId> origin = Minus(current, ctx_.AddingReplicas(tp));
  TopicAssignment next = topic.assignment;
  if (target == origin) {
    next.partitions[tp.second] = origin;
    next.adding_replicas.erase(tp.second);
    next.removing_replicas.erase(tp.second);
  } else {
    std::vector<BrokerId> full = target;
    for (BrokerId id : origin) {
      if (!Contains(full, id)) full.push_back(id);
    }
    next.partitions[tp.second] = full;
    next.adding_replicas[tp.second] = Minus(target, origin);
    next.removing_replicas[tp.second] = Minus(origin, target);
    if (next.adding_replicas[tp.second].empty()) next.adding_replicas.erase(tp.second);
    if (next.removing_replicas[tp.second].empty()) next.removing_replicas.erase(tp.second);
  }
  // Replicas an earlier reassignment was adding and this one does not want go at once.
  const std::vector<BrokerId> unneeded = Minus(current, next.partitions[tp.second]);
  StateChangeLog().information(LogPrefix() + "Reassigning " + Name(tp) + " from [" + Join(current) +
                               "] to [" + Join(target) + "]");
  SLUICE_RETURN_IF_ERROR(WriteAssignment(tp.first, next));
  ctx_.reassignments[tp] = {target, from_zk_node};
  if (!unneeded.empty()) SLUICE_RETURN_IF_ERROR(StopRemovedReplicas(tp, unneeded));
  const PartitionState* state = ctx_.State(tp);
  bool complete = state != nullptr && std::all_of(target.begin(), target.end(), [&](BrokerId id) {
                    return Contains(state->isr, id);
                  });
  if (complete) return CompleteReassignment(tp);
  // Phase U: every replica (old and new) learns the new replica set with a bumped epoch; the
  // adding ones start fetching.
  if (state != nullptr) SLUICE_RETURN_IF_ERROR(BumpLeaderEpoch(tp));
  return Status::Ok();
}

Status ControllerBroker::MaybeCompleteReassignment(const TopicPartitionName& tp) {
  auto it = ctx_.reassignments.find(tp);
  if (it == ctx_.reassignments.end()) return Status::Ok();
  const PartitionState* state = ctx_.State(tp);
  if (state == nullptr) return Status::Ok();
  for (BrokerId id : it->second.target) {
    if (!Contains(state->isr, id)) return Status::Ok();
  }
  return CompleteReassignment(tp);
}

// Phase B: the targets are in the ISR.
Status ControllerBroker::CompleteReassignment(const TopicPartitionName& tp) {
  const ControllerContext::Reassignment reassignment = ctx_.reassignments.at(tp);
  const std::vector<BrokerId>& target = reassignment.target;
  const std::vector<BrokerId> removed = Minus(*ctx_.Replicas(tp), target);
  // 1. The leader must be a target replica (and alive).
  const std::set<BrokerId> online = ctx_.OnlineBrokers();
  const PartitionState* state = ctx_.State(tp);
  if (state != nullptr) {
    if (!Contains(target, state->leader) || !online.contains(state->leader)) {
      auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
        auto elected = ElectReassignedPartitionLeader(target, current, online);
        return elected ? std::optional(elected->state) : std::nullopt;
      });
      if (!written.ok()) return written.status();
      if (!written->has_value()) {
        StateChangeLog().warning(LogPrefix() + "Reassignment of " + Name(tp) +
                                 " waits: no target replica of [" + Join(target) +
                                 "] can lead yet");
        return Status::Ok();
      }
      AddLeaderAndIsrToReplicas(tp);
    } else {
      SLUICE_RETURN_IF_ERROR(BumpLeaderEpoch(tp));
    }
  }
  // 2. The assignment becomes the target, then the removed replicas stop and delete.
  TopicAssignment next = ctx_.topics.at(tp.first).assignment;
  next.partitions[tp.second] = target;
  next.adding_replicas.erase(tp.second);
  next.removing_replicas.erase(tp.second);
  SLUICE_RETURN_IF_ERROR(WriteAssignment(tp.first, next));
  ctx_.reassignments.erase(tp);
  if (!removed.empty()) SLUICE_RETURN_IF_ERROR(StopRemovedReplicas(tp, removed));
  batch_.update_metadata.insert(tp);
  StateChangeLog().information(LogPrefix() + "Completed reassignment of " + Name(tp) + " to [" +
                               Join(target) + "]");
  if (reassignment.from_zk_node) {
    std::map<TopicPartitionName, std::vector<BrokerId>> remaining;
    for (const auto& [other, ongoing] : ctx_.reassignments) {
      if (ongoing.from_zk_node) remaining[other] = ongoing.target;
    }
    SLUICE_RETURN_IF_ERROR(kafka_zk_.UpdatePartitionReassignmentRequest(remaining, Fence()));
  }
  return Status::Ok();
}

Status ControllerBroker::StopRemovedReplicas(const TopicPartitionName& tp,
                                             const std::vector<BrokerId>& removed) {
  for (BrokerId id : removed) {
    auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
      auto shrunk = RemoveReplicaFromIsr(current, id);
      return shrunk ? std::optional(shrunk->state) : std::nullopt;
    });
    if (!written.ok()) return written.status();
    if (written->has_value()) AddLeaderAndIsrToReplicas(tp);
    AddStopReplica(id, tp, /*delete_partition=*/true);
  }
  return Status::Ok();
}

// A controller taking over finds reassignments in the topic znodes' adding/removing replicas.
Status ControllerBroker::ResumeReassignmentsFromAssignments() {
  std::vector<TopicPartitionName> resumed;
  for (const auto& [name, topic] : ctx_.topics) {
    for (const auto& [partition, replicas] : topic.assignment.partitions) {
      TopicPartitionName tp(name, partition);
      std::vector<BrokerId> adding = ctx_.AddingReplicas(tp);
      std::vector<BrokerId> removing = ctx_.RemovingReplicas(tp);
      if (adding.empty() && removing.empty()) continue;
      if (ctx_.reassignments.contains(tp)) continue;
      ctx_.reassignments[tp] = {Minus(replicas, removing), false};
      resumed.push_back(tp);
    }
  }
  for (const TopicPartitionName& tp : resumed) {
    AddLeaderAndIsrToReplicas(tp);
    SLUICE_RETURN_IF_ERROR(MaybeCompleteReassignment(tp));
  }
  return Status::Ok();
}

Status ControllerBroker::HandleReassignZNode() {
  bool arm = !reassign_watch_armed_;
  auto request = kafka_zk_.GetPartitionReassignmentRequest(
      arm ? PushOnWatch(Event::Type::kReassignZNodeChanged) : nullptr);
  if (!request.ok()) {
    if (request.status().code() != Status::Code::kCorruption) return request.status();
    ControllerLog().error(
        LogPrefix() + "deleting a malformed reassignment request: " + request.status().ToString());
    if (arm) reassign_watch_armed_ = true;
    return kafka_zk_.UpdatePartitionReassignmentRequest({}, Fence());
  }
  if (arm) reassign_watch_armed_ = true;
  if (!request->has_value()) return Status::Ok();
  std::map<TopicPartitionName, std::vector<BrokerId>> keep;
  for (const auto& [tp, target] : **request) {
    auto ongoing = ctx_.reassignments.find(tp);
    if (ongoing != ctx_.reassignments.end() && ongoing->second.target == target) {
      ongoing->second.from_zk_node = true;
      keep[tp] = target;
      continue;
    }
    auto [error, message] = ValidateReassignment(tp, target);
    if (error != ErrorCode::kNone) {
      ControllerLog().error(LogPrefix() + "Ignoring reassignment of " + Name(tp) + ": " + message);
      continue;
    }
    keep[tp] = target;
  }
  for (const auto& [tp, target] : keep) {
    auto ongoing = ctx_.reassignments.find(tp);
    if (ongoing != ctx_.reassignments.end() && ongoing->second.target == target) continue;
    SLUICE_RETURN_IF_ERROR(StartReassignment(tp, target, true));
  }
  // What stays in the znode: the moves still running from it (invalid and finished ones go).
  std::map<TopicPartitionName, std::vector<BrokerId>> remaining;
  for (const auto& [tp, ongoing] : ctx_.reassignments) {
    if (ongoing.from_zk_node) remaining[tp] = ongoing.target;
  }
  if (remaining != **request) {
    SLUICE_RETURN_IF_ERROR(kafka_zk_.UpdatePartitionReassignmentRequest(remaining, Fence()));
  }
  return Status::Ok();
}

void ControllerBroker::AlterPartitionReassignments(
    std::vector<ReassignmentTarget> targets,
    std::function<void(std::vector<ReassignmentOutcome>)> done) {
  auto not_controller = [&] {
    std::vector<ReassignmentOutcome> out;
    for (const auto& t : targets) {
      out.push_back({t.topic, t.partition, ErrorCode::kNotController, "not the controller"});
    }
    return out;
  };
  if (!active_ || !queue_) {
    done(not_controller());
    return;
  }
  PushCall([this, targets = std::move(targets), done = std::move(done), not_controller] {
    if (!active_) {
      done(not_controller());
      return Status::Ok();
    }
    return DoAlterPartitionReassignments(targets, done);
  });
}

Status ControllerBroker::DoAlterPartitionReassignments(
    const std::vector<ReassignmentTarget>& targets,
    const std::function<void(std::vector<ReassignmentOutcome>)>& done) {
  std::vector<ReassignmentOutcome> outcomes;
  Status failure;
  for (const ReassignmentTarget& t : targets) {
    TopicPartitionName tp(t.topic, PartitionId(t.partition));
    std::optional<std::vector<BrokerId>> replicas;
    if (t.replicas) {
      replicas.emplace();
      for (int32_t id : *t.replicas) replicas->emplace_back(id);
    }
    auto [error, message] = ValidateReassignment(tp, replicas);
    if (error == ErrorCode::kNone && failure.ok()) {
      if (replicas) {
        failure = StartReassignment(tp, *replicas, false);
      } else {
        // Cancel: back to the original replicas (KIP-455's revert).
        std::vector<BrokerId> origin = Minus(*ctx_.Replicas(tp), ctx_.AddingReplicas(tp));
        failure = StartReassignment(tp, origin, false);
      }
      if (!failure.ok()) {
        error = ErrorCode::kUnknownServerError;
        message = failure.ToString();
      }
    } else if (error == ErrorCode::kNone) {
      error = ErrorCode::kUnknownServerError;
      message = "an earlier reassignment of this request failed: " + failure.ToString();
    }
    outcomes.push_back({t.topic, t.partition, error, message});
  }
  done(std::move(outcomes));
  return failure;
}

void ControllerBroker::ListPartitionReassignments(
    std::optional<PartitionList> partitions,
    std::function<void(kafka::ErrorCode, std::vector<OngoingReassignment>)> done) {
  if (!active_ || !queue_) {
    done(ErrorCode::kNotController, {});
    return;
  }
  PushCall([this, partitions = std::move(partitions), done = std::move(done)] {
    if (!active_) {
      done(ErrorCode::kNotController, {});
      return Status::Ok();
    }
    std::vector<OngoingReassignment> out;
    auto describe = [&](const TopicPartitionName& tp) {
      const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
      if (replicas == nullptr) return;
      out.push_back({tp.first, tp.second.value(), Ints(*replicas), Ints(ctx_.AddingReplicas(tp)),
                     Ints(ctx_.RemovingReplicas(tp))});
    };
    if (partitions) {
      for (const auto& [topic, partition] : *partitions) {
        TopicPartitionName tp(topic, PartitionId(partition));
        if (ctx_.reassignments.contains(tp)) describe(tp);
      }
    } else {
      for (const auto& [tp, reassignment] : ctx_.reassignments) describe(tp);
    }
    done(ErrorCode::kNone, std::move(out));
    return Status::Ok();
  });
}

// ---- leader elections on request ------------------------------------------------------------

Result<std::pair<kafka::ErrorCode, std::string>> ControllerBroker::ElectLeader(
    int8_t election_type, const TopicPartitionName& tp) {
  using Answer = std::pair<kafka::ErrorCode, std::string>;
  const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
  const PartitionState* state = ctx_.State(tp);
  if (replicas == nullptr || state == nullptr || ctx_.topics_to_delete.contains(tp.first)) {
    return Answer{ErrorCode::kUnknownTopicOrPartition,
                  "The partition " + Name(tp) + " does not exist."};
  }
  const std::vector<BrokerId> assignment = *replicas;
  const std::set<BrokerId> online = ctx_.OnlineBrokers();
  if (election_type == 0) {
    if (!assignment.empty() && state->leader == assignment.front()) {
      return Answer{ErrorCode::kElectionNotNeeded,
                    "Leader election not needed for topic partition " + Name(tp)};
    }
    if (ctx_.reassignments.contains(tp)) {
      return Answer{ErrorCode::kPreferredLeaderNotAvailable,
                    "Partition " + Name(tp) + " is being reassigned"};
    }
    auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
      auto elected = ElectPreferredReplicaLeader(assignment, current, online);
      return elected ? std::optional(elected->state) : std::nullopt;
    });
    if (!written.ok()) return written.status();
    if (!written->has_value()) {
      return Answer{ErrorCode::kPreferredLeaderNotAvailable,
                    "Failed to elect leader for partition " + Name(tp) +
                        " under strategy PreferredReplicaPartitionLeaderElectionStrategy"};
    }
  } else if (election_type == 1) {
    if (state->leader != kNoLeader && online.contains(state->leader)) {
      return Answer{ErrorCode::kElectionNotNeeded,
                    "Leader election not needed for topic partition " + Name(tp)};
    }
    auto written = UpdatePartitionState(tp, [&](const PartitionState& current) {
      auto elected = ElectOfflinePartitionLeader(assignment, current, online, true);
      return elected ? std::optional(elected->state) : std::nullopt;
    });
    if (!written.ok()) return written.status();
    if (!written->has_value()) {
      return Answer{ErrorCode::kEligibleLeadersNotAvailable,
                    "Failed to elect leader for partition " + Name(tp) +
                        " under strategy OfflinePartitionLeaderElectionStrategy(true)"};
    }
  } else {
    return Answer{ErrorCode::kInvalidRequest,
                  "Unknown election type " + std::to_string(election_type)};
  }
  StateChangeLog().information(LogPrefix() + "Elected " +
                               std::to_string(ctx_.states[tp].leader.value()) + " as leader of " +
                               Name(tp) + (election_type == 0 ? " (preferred)" : " (unclean)"));
  AddLeaderAndIsrToReplicas(tp);
  return Answer{ErrorCode::kNone, ""};
}

void ControllerBroker::ElectLeaders(int8_t election_type, std::optional<PartitionList> partitions,
                                    std::function<void(std::vector<ElectionOutcome>)> done) {
  auto not_controller = [partitions] {
    std::vector<ElectionOutcome> out;
    if (partitions) {
      for (const auto& [topic, partition] : *partitions) {
        out.push_back({topic, partition, ErrorCode::kNotController, "not the controller"});
      }
    }
    return out;
  };
  if (!active_ || !queue_) {
    done(not_controller());
    return;
  }
  PushCall([this, election_type, partitions, done = std::move(done), not_controller] {
    if (!active_) {
      done(not_controller());
      return Status::Ok();
    }
    std::vector<TopicPartitionName> wanted;
    if (partitions) {
      for (const auto& [topic, partition] : *partitions) {
        wanted.emplace_back(topic, PartitionId(partition));
      }
    } else {
      wanted = ctx_.AllPartitions();
    }
    std::vector<ElectionOutcome> out;
    Status failure;
    for (const TopicPartitionName& tp : wanted) {
      if (!failure.ok()) {
        out.push_back(
            {tp.first, tp.second.value(), ErrorCode::kUnknownServerError, failure.ToString()});
        continue;
      }
      auto answer = ElectLeader(election_type, tp);
      if (!answer.ok()) {
        failure = answer.status();
        out.push_back(
            {tp.first, tp.second.value(), ErrorCode::kUnknownServerError, failure.ToString()});
        continue;
      }
      out.push_back({tp.first, tp.second.value(), answer->first, answer->second});
    }
    done(std::move(out));
    return failure;
  });
}

Status ControllerBroker::HandlePreferredZNode() {
  bool arm = !preferred_watch_armed_;
  auto request = kafka_zk_.GetPreferredReplicaElectionRequest(
      arm ? PushOnWatch(Event::Type::kPreferredZNodeChanged) : nullptr);
  if (arm && (request.ok() || request.status().code() == Status::Code::kCorruption)) {
    preferred_watch_armed_ = true;
  }
  if (!request.ok()) {
    if (request.status().code() != Status::Code::kCorruption) return request.status();
    ControllerLog().error(LogPrefix() + "deleting a malformed preferred election request: " +
                          request.status().ToString());
    return kafka_zk_.DeletePreferredReplicaElectionRequest(Fence());
  }
  if (!request->has_value()) return Status::Ok();
  for (const TopicPartitionName& tp : **request) {
    auto answer = ElectLeader(0, tp);
    if (!answer.ok()) return answer.status();
    if (answer->first != ErrorCode::kNone && answer->first != ErrorCode::kElectionNotNeeded) {
      ControllerLog().warning(LogPrefix() + "Preferred replica election for " + Name(tp) +
                              " failed: " + answer->second);
    }
  }
  return kafka_zk_.DeletePreferredReplicaElectionRequest(Fence());
}

// Kafka's checkAndTriggerAutoLeaderRebalance.
Status ControllerBroker::HandleAutoRebalance() {
  // Schedule the next check first: a failure below must not stop the timer.
  if (queue_) {
    queue_->Push(Event{Event::Type::kAutoRebalance, "", false, nullptr, controller_epoch().value()},
                 options_.leader_imbalance_check_interval);
  }
  const std::set<BrokerId> online = ctx_.OnlineBrokers();
  std::map<BrokerId, std::vector<TopicPartitionName>> preferred_of;
  for (const auto& [tp, state] : ctx_.states) {
    const std::vector<BrokerId>* replicas = ctx_.Replicas(tp);
    if (replicas == nullptr || replicas->empty()) continue;
    preferred_of[replicas->front()].push_back(tp);
  }
  for (const auto& [broker, partitions] : preferred_of) {
    std::vector<TopicPartitionName> imbalanced;
    for (const TopicPartitionName& tp : partitions) {
      if (ctx_.states[tp].leader != broker) imbalanced.push_back(tp);
    }
    const double ratio =
        static_cast<double>(imbalanced.size()) / static_cast<double>(partitions.size());
    if (ratio * 100.0 <= options_.leader_imbalance_per_broker_percentage) continue;
    if (!online.contains(broker)) continue;
    ControllerLog().information(LogPrefix() + "Leader imbalance ratio for broker " +
                                std::to_string(broker.value()) + " is " + std::to_string(ratio) +
                                "; electing preferred leaders");
    for (const TopicPartitionName& tp : imbalanced) {
      if (ctx_.topics_to_delete.contains(tp.first) || ctx_.reassignments.contains(tp)) continue;
      auto answer = ElectLeader(0, tp);
      if (!answer.ok()) return answer.status();
    }
  }
  return Status::Ok();
}

}  // namespace sluice::metadata

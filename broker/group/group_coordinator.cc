// The membership half of the coordinator: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, the
// rebalance and session timers, and partition ownership. Offsets, administration, loading and
// retention are in group_coordinator_offsets.cc.
#include "broker/group/group_coordinator.h"

#include <Poco/Logger.h>

#include <cassert>
#include <cstdio>

#include "broker/group/coordinator_partition.h"
#include "broker/metadata/uuid.h"

namespace sluice::group {

using kafka::ErrorCode;

namespace {

Poco::Logger& Log() { return Poco::Logger::get("group-coordinator"); }

// Java's UUID.toString form (8-4-4-4-12 lowercase hex), as Kafka appends to member ids.
std::string RandomUuidString() {
  const metadata::Uuid u = metadata::Uuid::Random();
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(u.most_significant >> 32),
                static_cast<unsigned>((u.most_significant >> 16) & 0xFFFF),
                static_cast<unsigned>(u.most_significant & 0xFFFF),
                static_cast<unsigned>(u.least_significant >> 48),
                static_cast<unsigned long long>(u.least_significant & 0xFFFFFFFFFFFFULL));
  return text;
}

std::vector<std::string> ProtocolNames(const std::vector<MemberProtocol>& protocols) {
  std::vector<std::string> names;
  for (const auto& p : protocols) names.push_back(p.name);
  return names;
}

JoinGroupResult JoinError(const std::string& member_id, ErrorCode error) {
  JoinGroupResult r;
  r.error = error;
  r.member_id = member_id;
  return r;
}

}  // namespace

GroupCoordinator::GroupCoordinator(GroupConfig config, OffsetsLog& log, Scheduler& scheduler)
    : config_(config),
      log_(log),
      scheduler_(scheduler),
      partition_count_(std::max(1, config.offsets_topic_num_partitions)) {}

GroupCoordinator::~GroupCoordinator() { Stop(); }

void GroupCoordinator::Start() { ScheduleRetention(); }

void GroupCoordinator::Stop() {
  Section section(*this);
  if (!active_) return;
  active_ = false;
  for (auto& [id, group] : groups_) {
    for (auto& [member_id, member] : group->members())
      AnswerParked(member, ErrorCode::kNotCoordinator);
  }
  groups_.clear();
  owned_partitions_.clear();
  loading_partitions_.clear();
}

int32_t GroupCoordinator::PartitionFor(const std::string& group_id) const {
  return CoordinatorPartitionFor(group_id, partition_count_.load());
}

void GroupCoordinator::SetOffsetsTopicPartitionCount(int32_t count) {
  if (count > 0) partition_count_.store(count);
}

// --- partition ownership ---------------------------------------------------------------------

void GroupCoordinator::OnBecomeLeader(int32_t partition) {
  uint64_t epoch = 0;
  {
    Section section(*this);
    if (!active_) return;
    epoch = ++load_epoch_;
    loading_partitions_[partition] = epoch;
    owned_partitions_.erase(partition);
  }
  Log().information("Scheduling loading of offsets and group metadata from %s-%d",
                    std::string(kOffsetsTopic), partition);
  scheduler_.RunAfter(std::chrono::milliseconds(0),
                      [this, partition] { LoadPartition(partition); });
}

void GroupCoordinator::OnResign(int32_t partition) {
  Section section(*this);
  owned_partitions_.erase(partition);
  loading_partitions_.erase(partition);
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (PartitionFor(it->first) != partition) {
      ++it;
      continue;
    }
    Group& group = *it->second;
    for (auto& [member_id, member] : group.members())
      AnswerParked(member, ErrorCode::kNotCoordinator);
    group.TransitionTo(GroupState::kDead, Now());
    it = groups_.erase(it);
  }
  Log().information("Unloaded groups of %s-%d", std::string(kOffsetsTopic), partition);
}

kafka::ErrorCode GroupCoordinator::ValidateGroupStatus(const std::string& group_id, Api api) const {
  // Kafka's isValidGroupId: these APIs accept an empty group id, the others do not.
  const bool empty_ok = api == Api::kCommit || api == Api::kFetch || api == Api::kDescribe ||
                        api == Api::kDeleteGroups;
  if (group_id.empty() && !empty_ok) return ErrorCode::kInvalidGroupId;
  if (!active_) return ErrorCode::kCoordinatorNotAvailable;
  const int32_t partition = PartitionFor(group_id);
  if (loading_partitions_.count(partition)) return ErrorCode::kCoordinatorLoadInProgress;
  if (!owned_partitions_.count(partition)) return ErrorCode::kNotCoordinator;
  return ErrorCode::kNone;
}

std::shared_ptr<Group> GroupCoordinator::FindGroup(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second;
}

// --- JoinGroup -------------------------------------------------------------------------------

void GroupCoordinator::JoinGroup(JoinGroupParams params, JoinCallback done) {
  Section section(*this);
  const ErrorCode status = ValidateGroupStatus(params.group_id, Api::kJoin);
  if (status != ErrorCode::kNone) {
    Defer([done, r = JoinError(params.member_id, status)] { done(r); });
    return;
  }
  if (params.session_timeout_ms < config_.group_min_session_timeout_ms ||
      params.session_timeout_ms > config_.group_max_session_timeout_ms) {
    Defer([done, r = JoinError(params.member_id, ErrorCode::kInvalidSessionTimeout)] { done(r); });
    return;
  }
  const bool unknown_member = params.member_id.empty();
  auto group = FindGroup(params.group_id);
  if (!group) {
    if (!unknown_member) {
      Defer([done, r = JoinError(params.member_id, ErrorCode::kUnknownMemberId)] { done(r); });
      return;
    }
    group = std::make_shared<Group>(params.group_id, GroupState::kEmpty, Now());
    groups_[params.group_id] = group;
  }
  // group.max.size (Kafka's acceptJoiningMember).
  bool accept = true;
  const Member* existing = group->Get(params.member_id);
  switch (group->state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
    case GroupState::kPreparingRebalance:
      accept = (existing && existing->awaiting_join_now()) ||
               group->NumAwaitingJoin() < config_.group_max_size;
      break;
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      accept = existing || static_cast<int64_t>(group->size()) < config_.group_max_size;
      break;
  }
  if (!accept) {
    Defer([done, r = JoinError(params.member_id, ErrorCode::kGroupMaxSizeReached)] { done(r); });
  } else if (unknown_member) {
    DoUnknownJoin(*group, std::move(params), std::move(done));
  } else {
    DoKnownJoin(*group, std::move(params), std::move(done));
  }
  if (group->Is(GroupState::kPreparingRebalance)) MaybeCompleteJoin(*group);
  // A join that failed on a group it created leaves nothing behind (ListGroups would show it).
  if (group->Is(GroupState::kEmpty) && group->generation() == 0 && group->size() == 0 &&
      group->pending_members().empty() && group->offsets().empty()) {
    groups_.erase(group->id());
  }
}

void GroupCoordinator::DoUnknownJoin(Group& group, JoinGroupParams params, JoinCallback done) {
  if (group.Is(GroupState::kDead)) {
    Defer([done] { done(JoinError("", ErrorCode::kCoordinatorNotAvailable)); });
    return;
  }
  if (!group.SupportsProtocols(params.protocol_type, ProtocolNames(params.protocols))) {
    Defer([done] { done(JoinError("", ErrorCode::kInconsistentGroupProtocol)); });
    return;
  }
  const std::string new_member_id =
      (params.client_id.empty() ? std::string() : params.client_id) + "-" + RandomUuidString();
  if (params.group_instance_id) {
    DoStaticJoin(group, new_member_id, std::move(params), std::move(done));
  } else if (params.require_known_member_id) {
    // KIP-394: hand out the id and make the client come back with it, so that a client that
    // retries a lost response does not leave an orphan member behind.
    group.pending_members().insert(new_member_id);
    ArmPendingMemberExpiry(group, new_member_id, params.session_timeout_ms);
    Defer([done, new_member_id] { done(JoinError(new_member_id, ErrorCode::kMemberIdRequired)); });
  } else {
    AddMemberAndRebalance(group, new_member_id, params, std::move(done));
  }
}

void GroupCoordinator::DoStaticJoin(Group& group, const std::string& new_member_id,
                                    JoinGroupParams params, JoinCallback done) {
  const auto old_member_id = group.StaticMemberId(*params.group_instance_id);
  if (!old_member_id) {
    AddMemberAndRebalance(group, new_member_id, params, std::move(done));
    return;
  }
  // A new incarnation of a known static member: it takes over the old member's place (and
  // assignment); the old incarnation is fenced.
  Member* old = group.Get(*old_member_id);
  assert(old);
  AnswerParked(*old, ErrorCode::kFencedInstanceId);
  group.ReplaceStaticMember(*params.group_instance_id, *old_member_id, new_member_id);
  Member& member = *group.Get(new_member_id);
  member.client_id = params.client_id;
  member.client_host = params.client_host;
  member.rebalance_timeout_ms = params.rebalance_timeout_ms;
  member.session_timeout_ms = params.session_timeout_ms;
  Log().information("Static member %s of group %s rejoined as %s", *params.group_instance_id,
                    group.id(), new_member_id);
  if (group.Is(GroupState::kStable) && member.Matches(params.protocols)) {
    // Nothing changed for the group: no rebalance (KIP-345). Persist the new member id, then
    // answer with the current generation; the member gets its assignment from SyncGroup.
    ArmHeartbeat(group, member, member.session_timeout_ms);
    JoinGroupResult r;
    r.member_id = new_member_id;
    r.generation_id = group.generation();
    r.protocol_type = group.protocol_type();
    r.protocol_name = group.protocol_name();
    r.leader_id = group.leader_id().value_or("");
    StoreGroup(group, [this, g = FindGroup(group.id()), instance = *params.group_instance_id,
                       old_id = *old_member_id, new_member_id, done = std::move(done),
                       r = std::move(r)](ErrorCode stored) {
      Section section(*this);
      if (stored != ErrorCode::kNone) {
        // Undo, so the old incarnation stays the member of record (unless the group moved on).
        if (StillCoordinated(g) && g->StaticMemberId(instance) == new_member_id) {
          g->ReplaceStaticMember(instance, new_member_id, old_id);
        }
        Defer([done, stored] { done(JoinError("", stored)); });
        return;
      }
      Defer([done, r] { done(r); });
    });
    return;
  }
  UpdateMemberAndRebalance(group, member, std::move(params.protocols), std::move(done));
}

void GroupCoordinator::DoKnownJoin(Group& group, JoinGroupParams params, JoinCallback done) {
  const std::string member_id = params.member_id;
  if (group.Is(GroupState::kDead)) {
    Defer([done, member_id] { done(JoinError(member_id, ErrorCode::kCoordinatorNotAvailable)); });
    return;
  }
  if (!group.SupportsProtocols(params.protocol_type, ProtocolNames(params.protocols))) {
    Defer([done, member_id] { done(JoinError(member_id, ErrorCode::kInconsistentGroupProtocol)); });
    return;
  }
  if (group.IsPendingMember(member_id)) {
    // The second half of KIP-394: the member came back with its generated id.
    if (params.group_instance_id) {
      Defer([done, member_id] { done(JoinError(member_id, ErrorCode::kInvalidRequest)); });
      return;
    }
    AddMemberAndRebalance(group, member_id, params, std::move(done));
    return;
  }
  if (group.IsStaticMemberFenced(member_id, params.group_instance_id)) {
    Defer([done, member_id] { done(JoinError(member_id, ErrorCode::kFencedInstanceId)); });
    return;
  }
  const bool instance_unknown =
      params.group_instance_id && !group.HasStaticMember(*params.group_instance_id);
  Member* member = group.Get(member_id);
  if (!member || instance_unknown) {
    Defer([done, member_id] { done(JoinError(member_id, ErrorCode::kUnknownMemberId)); });
    return;
  }
  member->client_host = params.client_host;
  member->rebalance_timeout_ms = params.rebalance_timeout_ms;
  member->session_timeout_ms = params.session_timeout_ms;
  switch (group.state()) {
    case GroupState::kPreparingRebalance:
      UpdateMemberAndRebalance(group, *member, std::move(params.protocols), std::move(done));
      return;
    case GroupState::kCompletingRebalance:
      if (member->Matches(params.protocols)) {
        // The member lost the JoinGroup response: send it again.
        JoinGroupResult r;
        r.member_id = member_id;
        r.generation_id = group.generation();
        r.protocol_type = group.protocol_type();
        r.protocol_name = group.protocol_name();
        r.leader_id = group.leader_id().value_or("");
        if (group.IsLeader(member_id)) r.members = group.CurrentMemberMetadata();
        Defer([done, r] { done(r); });
      } else {
        UpdateMemberAndRebalance(group, *member, std::move(params.protocols), std::move(done));
      }
      return;
    case GroupState::kStable:
      if (group.IsLeader(member_id) || !member->Matches(params.protocols)) {
        // The leader rejoining means it wants a new assignment (e.g. its metadata changed).
        UpdateMemberAndRebalance(group, *member, std::move(params.protocols), std::move(done));
      } else {
        JoinGroupResult r;
        r.member_id = member_id;
        r.generation_id = group.generation();
        r.protocol_type = group.protocol_type();
        r.protocol_name = group.protocol_name();
        r.leader_id = group.leader_id().value_or("");
        Defer([done, r] { done(r); });
      }
      return;
    case GroupState::kEmpty:
    case GroupState::kDead:
      Defer([done, member_id] { done(JoinError(member_id, ErrorCode::kUnknownMemberId)); });
      return;
  }
}

void GroupCoordinator::AddMemberAndRebalance(Group& group, const std::string& member_id,
                                             const JoinGroupParams& params, JoinCallback done) {
  Member member;
  member.member_id = member_id;
  member.group_instance_id = params.group_instance_id;
  member.client_id = params.client_id;
  member.client_host = params.client_host;
  member.rebalance_timeout_ms = params.rebalance_timeout_ms;
  member.session_timeout_ms = params.session_timeout_ms;
  member.protocol_type = params.protocol_type;
  member.protocols = params.protocols;
  member.awaiting_join = std::move(done);
  member.is_new = true;
  // A newcomer during the first rebalance extends group.initial.rebalance.delay.ms.
  if (group.Is(GroupState::kPreparingRebalance) && group.generation() == 0) {
    group.new_member_added = true;
  }
  group.Add(std::move(member));
  ArmHeartbeat(group, *group.Get(member_id), kNewMemberJoinTimeoutMs);
  MaybePrepareRebalance(group);
}

void GroupCoordinator::UpdateMemberAndRebalance(Group& group, Member& member,
                                                std::vector<MemberProtocol> protocols,
                                                JoinCallback done) {
  // A member that joins twice in one rebalance: the earlier request is superseded.
  if (member.awaiting_join) {
    Defer([old = std::move(member.awaiting_join), id = member.member_id] {
      old(JoinError(id, ErrorCode::kUnknownMemberId));
    });
  }
  member.protocols = std::move(protocols);
  member.awaiting_join = std::move(done);
  MaybePrepareRebalance(group);
}

void GroupCoordinator::MaybePrepareRebalance(Group& group) {
  if (group.CanRebalance()) PrepareRebalance(group);
}

void GroupCoordinator::PrepareRebalance(Group& group) {
  if (group.Is(GroupState::kCompletingRebalance)) {
    ResetAndPropagateAssignmentError(group, ErrorCode::kRebalanceInProgress);
  }
  const bool initial = group.Is(GroupState::kEmpty);
  group.TransitionTo(GroupState::kPreparingRebalance, Now());
  Log().information(
      "Preparing to rebalance group %s in state PreparingRebalance with old generation %d",
      group.id(), group.generation());
  if (initial) {
    // Kafka's InitialDelayedJoin: wait group.initial.rebalance.delay.ms, and again while new
    // members keep arriving, up to the rebalance timeout.
    const int32_t delay = config_.group_initial_rebalance_delay_ms;
    group.initial_delay_active = true;
    group.new_member_added = false;
    group.initial_delay_remaining_ms = std::max(group.RebalanceTimeoutMs() - delay, 0);
    ArmJoinTimer(group, delay);
  } else {
    group.initial_delay_active = false;
    ArmJoinTimer(group, group.RebalanceTimeoutMs());
  }
}

void GroupCoordinator::ArmJoinTimer(Group& group, int32_t delay_ms) {
  const uint64_t epoch = ++group.rebalance_epoch;
  scheduler_.RunAfter(std::chrono::milliseconds(std::max(delay_ms, 0)),
                      [this, id = group.id(), epoch] { OnJoinTimer(id, epoch); });
}

void GroupCoordinator::OnJoinTimer(const std::string& group_id, uint64_t epoch) {
  Section section(*this);
  auto group = FindGroup(group_id);
  if (!group || group->rebalance_epoch != epoch || !group->Is(GroupState::kPreparingRebalance)) {
    return;
  }
  if (group->initial_delay_active && group->new_member_added &&
      group->initial_delay_remaining_ms > 0) {
    group->new_member_added = false;
    const int32_t delay =
        std::min(config_.group_initial_rebalance_delay_ms, group->initial_delay_remaining_ms);
    group->initial_delay_remaining_ms =
        std::max(group->initial_delay_remaining_ms - config_.group_initial_rebalance_delay_ms, 0);
    ArmJoinTimer(*group, delay);
    return;
  }
  CompleteJoin(*group);
}

void GroupCoordinator::MaybeCompleteJoin(Group& group) {
  if (!group.Is(GroupState::kPreparingRebalance) || group.initial_delay_active) return;
  if (group.AllMembersJoined()) CompleteJoin(group);
}

void GroupCoordinator::CompleteJoin(Group& group) {
  ++group.rebalance_epoch;  // the pending timer, if any, is now stale
  group.initial_delay_active = false;
  // Dynamic members that did not rejoin in time are gone; static ones keep their place.
  std::vector<std::string> failed;
  for (const auto& [id, m] : group.members()) {
    if (!m.awaiting_join_now() && !m.group_instance_id) failed.push_back(id);
  }
  for (const auto& id : failed) {
    Member* m = group.Get(id);
    AnswerParked(*m, ErrorCode::kUnknownMemberId);
    group.Remove(id);
  }
  if (!group.MaybeElectNewJoinedLeader() && group.size() > 0) {
    // Only static members that have not rejoined are left: wait another rebalance timeout,
    // until their sessions expire or they come back.
    Log().warning("Group %s could not complete rebalance because no members rejoined", group.id());
    ArmJoinTimer(group, group.RebalanceTimeoutMs());
    return;
  }
  group.InitNextGeneration(Now());
  if (group.Is(GroupState::kEmpty)) {
    Log().information("Group %s with generation %d is now empty", group.id(), group.generation());
    StoreGroup(group, [id = group.id()](ErrorCode stored) {
      if (stored != ErrorCode::kNone) {
        Log().warning("Failed to write empty metadata for group %s", id);
      }
    });
    return;
  }
  Log().information("Stabilized group %s generation %d with %?d members", group.id(),
                    group.generation(), group.size());
  for (auto& [id, member] : group.members()) {
    if (member.awaiting_join) {
      JoinGroupResult r;
      r.member_id = id;
      r.generation_id = group.generation();
      r.protocol_type = group.protocol_type();
      r.protocol_name = group.protocol_name();
      r.leader_id = group.leader_id().value_or("");
      if (group.IsLeader(id)) r.members = group.CurrentMemberMetadata();
      Defer([cb = std::move(member.awaiting_join), r] { cb(r); });
      member.awaiting_join = nullptr;
    }
    member.is_new = false;
    ArmHeartbeat(group, member, member.session_timeout_ms);
  }
}

// --- SyncGroup -------------------------------------------------------------------------------

void GroupCoordinator::SyncGroup(SyncGroupParams params, SyncCallback done) {
  Section section(*this);
  auto reply = [&](ErrorCode error) {
    Defer([done, error] {
      SyncGroupResult r;
      r.error = error;
      done(r);
    });
  };
  ErrorCode status = ValidateGroupStatus(params.group_id, Api::kSync);
  if (status == ErrorCode::kCoordinatorLoadInProgress) {
    // The rebalance's state was lost with the old coordinator: start over at JoinGroup
    // (Kafka answers REBALANCE_IN_PROGRESS here; older clients do not expect a load error).
    return reply(ErrorCode::kRebalanceInProgress);
  }
  if (status != ErrorCode::kNone) return reply(status);
  auto group = FindGroup(params.group_id);
  if (!group) return reply(ErrorCode::kUnknownMemberId);
  if (group->Is(GroupState::kDead)) return reply(ErrorCode::kCoordinatorNotAvailable);
  if (group->IsStaticMemberFenced(params.member_id, params.group_instance_id)) {
    return reply(ErrorCode::kFencedInstanceId);
  }
  Member* member = group->Get(params.member_id);
  if (!member) return reply(ErrorCode::kUnknownMemberId);
  if (params.generation_id != group->generation()) return reply(ErrorCode::kIllegalGeneration);
  if ((params.protocol_type && group->protocol_type() != params.protocol_type) ||
      (params.protocol_name && group->protocol_name() != params.protocol_name)) {
    return reply(ErrorCode::kInconsistentGroupProtocol);
  }
  switch (group->state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return reply(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      return reply(ErrorCode::kRebalanceInProgress);
    case GroupState::kCompletingRebalance: {
      if (member->awaiting_sync) {
        // A repeated SyncGroup supersedes the earlier one.
        Defer([old = std::move(member->awaiting_sync)] {
          SyncGroupResult r;
          r.error = ErrorCode::kRebalanceInProgress;
          old(r);
        });
      }
      member->awaiting_sync = std::move(done);
      ArmHeartbeat(*group, *member, member->session_timeout_ms);
      if (!group->IsLeader(params.member_id)) return;
      // The leader's assignment: members it left out get an empty one.
      for (auto& [id, m] : group->members()) {
        auto it = params.assignments.find(id);
        m.assignment = it == params.assignments.end() ? std::vector<uint8_t>{} : it->second;
      }
      // The members' SyncGroups (the leader's too) are answered once the assignment is
      // committed (Kafka's storeGroup callback); the group stays CompletingRebalance meanwhile.
      StoreGroup(*group, [this, group, generation = group->generation()](ErrorCode stored) {
        Section section(*this);
        if (!StillCoordinated(group) || !group->Is(GroupState::kCompletingRebalance) ||
            group->generation() != generation) {
          return;  // the rebalance moved on, and answered the parked members then
        }
        if (stored != ErrorCode::kNone) {
          ResetAndPropagateAssignmentError(*group, stored);
          MaybePrepareRebalance(*group);
          return;
        }
        SetAndPropagateAssignment(*group);
        group->TransitionTo(GroupState::kStable, Now());
        Log().information("Assignment received from leader for group %s for generation %d",
                          group->id(), group->generation());
      });
      return;
    }
    case GroupState::kStable: {
      // The member lost the SyncGroup response: send its assignment again.
      SyncGroupResult r;
      r.protocol_type = group->protocol_type();
      r.protocol_name = group->protocol_name();
      r.assignment = member->assignment;
      ArmHeartbeat(*group, *member, member->session_timeout_ms);
      Defer([done, r] { done(r); });
      return;
    }
  }
}

void GroupCoordinator::ResetAndPropagateAssignmentError(Group& group, ErrorCode error) {
  for (auto& [id, member] : group.members()) {
    member.assignment.clear();
    if (member.awaiting_sync) {
      Defer([cb = std::move(member.awaiting_sync), error] {
        SyncGroupResult r;
        r.error = error;
        cb(r);
      });
      member.awaiting_sync = nullptr;
    }
  }
}

void GroupCoordinator::SetAndPropagateAssignment(Group& group) {
  for (auto& [id, member] : group.members()) {
    if (!member.awaiting_sync) continue;
    SyncGroupResult r;
    r.protocol_type = group.protocol_type();
    r.protocol_name = group.protocol_name();
    r.assignment = member.assignment;
    Defer([cb = std::move(member.awaiting_sync), r] { cb(r); });
    member.awaiting_sync = nullptr;
    // Kafka restarts the session timer when the assignment is delivered.
    ArmHeartbeat(group, member, member.session_timeout_ms);
  }
}

// --- Heartbeat and session expiry ------------------------------------------------------------

kafka::ErrorCode GroupCoordinator::Heartbeat(const std::string& group_id,
                                             const std::string& member_id,
                                             const std::optional<std::string>& group_instance_id,
                                             int32_t generation_id) {
  Section section(*this);
  const ErrorCode status = ValidateGroupStatus(group_id, Api::kHeartbeat);
  // While loading, answer blindly: the member keeps its session and retries.
  if (status == ErrorCode::kCoordinatorLoadInProgress) return ErrorCode::kNone;
  if (status != ErrorCode::kNone) return status;
  auto group = FindGroup(group_id);
  if (!group) return ErrorCode::kUnknownMemberId;
  if (group->Is(GroupState::kDead)) return ErrorCode::kCoordinatorNotAvailable;
  if (group->IsStaticMemberFenced(member_id, group_instance_id))
    return ErrorCode::kFencedInstanceId;
  Member* member = group->Get(member_id);
  if (!member) return ErrorCode::kUnknownMemberId;
  if (generation_id != group->generation()) return ErrorCode::kIllegalGeneration;
  switch (group->state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return ErrorCode::kUnknownMemberId;
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      ArmHeartbeat(*group, *member, member->session_timeout_ms);
      return ErrorCode::kNone;
    case GroupState::kPreparingRebalance:
      ArmHeartbeat(*group, *member, member->session_timeout_ms);
      return ErrorCode::kRebalanceInProgress;
  }
  return ErrorCode::kUnknownServerError;
}

void GroupCoordinator::ArmHeartbeat(Group& group, Member& member, int32_t timeout_ms) {
  member.heartbeat_satisfied = false;
  const uint64_t epoch = ++member.heartbeat_epoch;
  scheduler_.RunAfter(std::chrono::milliseconds(timeout_ms),
                      [this, group_id = group.id(), member_id = member.member_id, epoch] {
                        OnHeartbeatTimer(group_id, member_id, epoch);
                      });
}

void GroupCoordinator::OnHeartbeatTimer(const std::string& group_id, const std::string& member_id,
                                        uint64_t epoch) {
  Section section(*this);
  auto group = FindGroup(group_id);
  if (!group || group->Is(GroupState::kDead)) return;
  Member* member = group->Get(member_id);
  if (!member || member->heartbeat_epoch != epoch) return;
  if (member->HasSatisfiedHeartbeat()) return;
  Log().information("Member %s in group %s has failed, removing it from the group", member_id,
                    group_id);
  RemoveMemberAndUpdateGroup(*group, member_id);
}

void GroupCoordinator::ArmPendingMemberExpiry(Group& group, const std::string& member_id,
                                              int32_t timeout_ms) {
  scheduler_.RunAfter(std::chrono::milliseconds(timeout_ms),
                      [this, group_id = group.id(), member_id] {
                        Section section(*this);
                        auto group = FindGroup(group_id);
                        if (!group || !group->IsPendingMember(member_id)) return;
                        group->pending_members().erase(member_id);
                        MaybeCompleteJoin(*group);
                      });
}

void GroupCoordinator::AnswerParked(Member& member, ErrorCode error) {
  if (member.awaiting_join) {
    Defer(
        [cb = std::move(member.awaiting_join), r = JoinError(member.member_id, error)] { cb(r); });
    member.awaiting_join = nullptr;
  }
  if (member.awaiting_sync) {
    Defer([cb = std::move(member.awaiting_sync), error] {
      SyncGroupResult r;
      r.error = error;
      cb(r);
    });
    member.awaiting_sync = nullptr;
  }
}

void GroupCoordinator::RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id) {
  Member* member = group.Get(member_id);
  if (!member) return;
  AnswerParked(*member, ErrorCode::kUnknownMemberId);
  ++member->heartbeat_epoch;
  group.Remove(member_id);
  switch (group.state()) {
    case GroupState::kDead:
    case GroupState::kEmpty:
      return;
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      MaybePrepareRebalance(group);
      return;
    case GroupState::kPreparingRebalance:
      MaybeCompleteJoin(group);
      return;
  }
}

// --- LeaveGroup ------------------------------------------------------------------------------

LeaveGroupResult GroupCoordinator::LeaveGroup(const std::string& group_id,
                                              const std::vector<MemberIdentity>& members) {
  Section section(*this);
  LeaveGroupResult result;
  result.error = ValidateGroupStatus(group_id, Api::kLeave);
  if (result.error != ErrorCode::kNone) return result;
  auto group = FindGroup(group_id);
  if (!group) {
    for (const auto& m : members) result.members.push_back({m, ErrorCode::kUnknownMemberId});
    return result;
  }
  if (group->Is(GroupState::kDead)) {
    result.error = ErrorCode::kCoordinatorNotAvailable;
    return result;
  }
  for (const auto& m : members) {
    ErrorCode error = ErrorCode::kNone;
    if (m.member_id.empty()) {
      // A static member leaving by instance id alone (KIP-345 admin removal).
      const auto id =
          m.group_instance_id ? group->StaticMemberId(*m.group_instance_id) : std::nullopt;
      if (!id) {
        error = ErrorCode::kUnknownMemberId;
      } else {
        Log().information("Static member %s of group %s left", *m.group_instance_id, group_id);
        RemoveMemberAndUpdateGroup(*group, *id);
      }
    } else if (group->IsPendingMember(m.member_id)) {
      group->pending_members().erase(m.member_id);
      MaybeCompleteJoin(*group);
    } else if (group->IsStaticMemberFenced(m.member_id, m.group_instance_id)) {
      error = ErrorCode::kFencedInstanceId;
    } else if (group->Has(m.member_id)) {
      Log().information("Member %s has left group %s", m.member_id, group_id);
      RemoveMemberAndUpdateGroup(*group, m.member_id);
    } else {
      error = ErrorCode::kUnknownMemberId;
    }
    result.members.push_back({m, error});
  }
  return result;
}

}  // namespace sluice::group

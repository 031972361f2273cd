// The persistence half of the coordinator: committed offsets (commit, fetch, delete,
// retention), group metadata records, loading a __consumer_offsets partition, and the
// administrative APIs (list, describe, delete groups).
#include <Poco/Logger.h>

#include "broker/group/consumer_protocol.h"
#include "broker/group/coordinator_partition.h"
#include "broker/group/group_coordinator.h"

namespace sluice::group {

using kafka::ErrorCode;

namespace {

Poco::Logger& Log() { return Poco::Logger::get("group-coordinator"); }

// Kafka's mapping of append errors in GroupMetadataManager.storeOffsets (`for_offsets`) and
// storeGroup, over the verdicts of OffsetsLog::Append. A commit that timed out answers
// COORDINATOR_NOT_AVAILABLE (retriable: clients find the coordinator again and retry); a group
// store that timed out answers REBALANCE_IN_PROGRESS as Kafka's storeGroup does.
ErrorCode AppendError(const Status& status, bool for_offsets) {
  switch (status.code()) {
    case Status::Code::kOk:
      return ErrorCode::kNone;
    case Status::Code::kUnavailable:  // NOT_ENOUGH_REPLICAS[_AFTER_APPEND]
      return ErrorCode::kCoordinatorNotAvailable;
    case Status::Code::kTimeout:  // REQUEST_TIMED_OUT
      return for_offsets ? ErrorCode::kCoordinatorNotAvailable : ErrorCode::kRebalanceInProgress;
    case Status::Code::kNotFound:  // NOT_LEADER_OR_FOLLOWER, not hosted
    case Status::Code::kIoError:   // KAFKA_STORAGE_ERROR
      return ErrorCode::kNotCoordinator;
    case Status::Code::kOutOfRange:  // MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE
      return for_offsets ? ErrorCode::kInvalidCommitOffsetSize : ErrorCode::kUnknownServerError;
    default:
      return ErrorCode::kUnknownServerError;
  }
}

// What replaying one group's records leaves.
struct LoadedGroup {
  std::optional<StoredGroup> metadata;
  std::map<Group::TopicPartitionKey, CommittedOffset> offsets;
};

std::shared_ptr<Group> BuildLoadedGroup(const std::string& group_id, LoadedGroup loaded,
                                        int64_t now_ms) {
  const bool has_members = loaded.metadata && !loaded.metadata->members.empty();
  auto group = std::make_shared<Group>(
      group_id, has_members ? GroupState::kStable : GroupState::kEmpty, now_ms);
  if (loaded.metadata) {
    const StoredGroup& stored = *loaded.metadata;
    group->set_generation(stored.generation);
    if (!stored.protocol_type.empty()) group->set_protocol_type(stored.protocol_type);
    if (stored.current_state_timestamp_ms >= 0) {
      group->set_state_timestamp_ms(stored.current_state_timestamp_ms);
    }
    if (has_members) {
      group->set_protocol_name(stored.protocol);
      for (const auto& m : stored.members) {
        Member member;
        member.member_id = m.member_id;
        member.group_instance_id = m.group_instance_id;
        member.client_id = m.client_id;
        member.client_host = m.client_host;
        member.rebalance_timeout_ms = m.rebalance_timeout_ms;
        member.session_timeout_ms = m.session_timeout_ms;
        member.protocol_type = stored.protocol_type;
        member.protocols.push_back({stored.protocol.value_or(""), m.subscription});
        member.assignment = m.assignment;
        group->Add(std::move(member));
      }
      group->set_leader_id(stored.leader);
      group->ComputeSubscribedTopics();
    }
  }
  group->offsets() = std::move(loaded.offsets);
  return group;
}

}  // namespace

// --- records ---------------------------------------------------------------------------------

void GroupCoordinator::AppendRecords(const std::string& group_id,
                                     std::vector<OffsetsRecord> records, bool for_offsets,
                                     std::function<void(ErrorCode)> done) {
  const int32_t partition = PartitionFor(group_id);
  const size_t count = records.size();
  log_.Append(partition, std::move(records), Now(),
              [group_id, partition, count, for_offsets, done = std::move(done)](Status st) {
                if (!st.ok()) {
                  Log().warning("Appending %?d records for group %s to %s-%d failed: %s", count,
                                group_id, std::string(kOffsetsTopic), partition, st.ToString());
                }
                done(AppendError(st, for_offsets));
              });
}

void GroupCoordinator::StoreGroup(const Group& group, std::function<void(ErrorCode)> done) {
  std::vector<OffsetsRecord> records;
  records.push_back({EncodeGroupKey({group.id()}), EncodeStoredGroup(group.ToStored())});
  AppendRecords(group.id(), std::move(records), /*for_offsets=*/false, std::move(done));
}

void GroupCoordinator::AppendTombstones(const std::string& group_id,
                                        std::vector<OffsetsRecord> records) {
  if (records.empty()) return;
  // AppendRecords logs a failure; nothing waits for the verdict.
  AppendRecords(group_id, std::move(records), /*for_offsets=*/false, [](ErrorCode) {});
}

void GroupCoordinator::DeleteGroupRecords(Group& group) {
  std::vector<OffsetsRecord> records;
  for (const auto& [tp, offset] : group.offsets()) {
    records.push_back({EncodeOffsetKey({group.id(), tp.first, tp.second}), std::nullopt});
  }
  records.push_back({EncodeGroupKey({group.id()}), std::nullopt});
  AppendTombstones(group.id(), std::move(records));
  group.offsets().clear();
  group.TransitionTo(GroupState::kDead, Now());
  groups_.erase(group.id());
}

bool GroupCoordinator::StillCoordinated(const std::shared_ptr<Group>& group) const {
  if (!active_ || group->Is(GroupState::kDead)) return false;
  if (!owned_partitions_.count(PartitionFor(group->id()))) return false;
  return FindGroup(group->id()) == group;
}

// --- loading ---------------------------------------------------------------------------------

void GroupCoordinator::LoadPartition(int32_t partition) {
  uint64_t epoch = 0;
  {
    Section section(*this);
    auto it = loading_partitions_.find(partition);
    if (!active_ || it == loading_partitions_.end()) return;
    epoch = it->second;
  }
  const int64_t start = Now();
  // Replay outside the lock: the partition may be large, and requests for other partitions
  // must not wait for it. Last record per key wins; a tombstone removes.
  std::map<std::string, LoadedGroup> loaded;
  std::set<std::string> tombstoned_groups;
  size_t records = 0;
  size_t undecodable = 0;
  Status st = log_.Replay(partition, [&](const OffsetsRecord& record) {
    ++records;
    auto key = DecodeRecordKey(AsBytes(record.key));
    if (!key.ok()) {
      ++undecodable;
      return;
    }
    if (const auto* offset_key = std::get_if<OffsetKey>(&*key)) {
      auto& offsets = loaded[offset_key->group].offsets;
      const Group::TopicPartitionKey tp{offset_key->topic, offset_key->partition};
      if (!record.value) {
        offsets.erase(tp);
        return;
      }
      auto value = DecodeCommittedOffset(AsBytes(*record.value));
      if (!value.ok()) {
        ++undecodable;
        return;
      }
      offsets[tp] = std::move(*value);
      return;
    }
    const auto& group_key = std::get<GroupKey>(*key);
    if (!record.value) {
      loaded[group_key.group].metadata.reset();
      tombstoned_groups.insert(group_key.group);
      return;
    }
    auto value = DecodeStoredGroup(AsBytes(*record.value));
    if (!value.ok()) {
      ++undecodable;
      return;
    }
    loaded[group_key.group].metadata = std::move(*value);
    tombstoned_groups.erase(group_key.group);
  });
  if (!st.ok()) {
    // Serve what could be read rather than refuse the groups forever; say so loudly.
    Log().error("Error loading offsets from %s-%d: %s", std::string(kOffsetsTopic), partition,
                st.ToString());
  }
  if (undecodable > 0) {
    Log().warning("Skipped %?d undecodable records in %s-%d", undecodable,
                  std::string(kOffsetsTopic), partition);
  }

  Section section(*this);
  auto it = loading_partitions_.find(partition);
  if (!active_ || it == loading_partitions_.end() || it->second != epoch) return;
  loading_partitions_.erase(it);
  owned_partitions_.insert(partition);
  int loaded_groups = 0;
  for (auto& [group_id, state] : loaded) {
    if (PartitionFor(group_id) != partition) continue;  // written under another partition count
    if (!state.metadata && state.offsets.empty()) continue;  // deleted
    auto group = BuildLoadedGroup(group_id, std::move(state), Now());
    if (auto old = FindGroup(group_id)) {
      for (auto& [id, member] : old->members()) AnswerParked(member, ErrorCode::kNotCoordinator);
    }
    groups_[group_id] = group;
    for (auto& [member_id, member] : group->members()) {
      ArmHeartbeat(*group, member, member.session_timeout_ms);
    }
    ++loaded_groups;
  }
  Log().information(
      "Finished loading offsets and group metadata from %s-%d in %?d ms (%?d records, %d groups)",
      std::string(kOffsetsTopic), partition, Now() - start, records, loaded_groups);
}

// --- OffsetCommit ----------------------------------------------------------------------------

void GroupCoordinator::CommitOffsets(const OffsetCommitParams& params, CommitCallback done) {
  Section section(*this);
  auto all = [&](ErrorCode error) {
    std::vector<PartitionError> result;
    for (const auto& p : params.partitions) result.push_back({p.topic, p.partition, error});
    Defer([done, result = std::move(result)] { done(result); });
  };
  const ErrorCode status = ValidateGroupStatus(params.group_id, Api::kCommit);
  if (status != ErrorCode::kNone) return all(status);
  auto group = FindGroup(params.group_id);
  if (!group) {
    // A group unknown here may only commit outside group management (generation -1); a
    // generation means a member of a group this coordinator does not know.
    if (params.generation_id >= 0) return all(ErrorCode::kIllegalGeneration);
    group = std::make_shared<Group>(params.group_id, GroupState::kEmpty, Now());
    groups_[params.group_id] = group;
  }
  if (group->Is(GroupState::kDead)) return all(ErrorCode::kCoordinatorNotAvailable);
  if (group->IsStaticMemberFenced(params.member_id, params.group_instance_id)) {
    return all(ErrorCode::kFencedInstanceId);
  }
  if (!(params.generation_id < 0 && group->Is(GroupState::kEmpty))) {
    // A commit from within the group: only a current member of the current generation.
    if (group->Is(GroupState::kCompletingRebalance)) return all(ErrorCode::kRebalanceInProgress);
    Member* member = group->Get(params.member_id);
    if (!member) return all(ErrorCode::kUnknownMemberId);
    if (params.generation_id != group->generation()) return all(ErrorCode::kIllegalGeneration);
    ArmHeartbeat(*group, *member, member->session_timeout_ms);
  }

  std::vector<PartitionError> refused;
  std::vector<OffsetsRecord> records;
  std::vector<std::pair<Group::TopicPartitionKey, CommittedOffset>> pending;
  for (const auto& p : params.partitions) {
    if (static_cast<int64_t>(p.offset.metadata.size()) > config_.offset_metadata_max_bytes) {
      refused.push_back({p.topic, p.partition, ErrorCode::kOffsetMetadataTooLarge});
      continue;
    }
    records.push_back({EncodeOffsetKey({params.group_id, p.topic, p.partition}),
                       EncodeCommittedOffset(p.offset)});
    pending.push_back({{p.topic, p.partition}, p.offset});
  }
  if (records.empty()) {
    Defer([done, refused = std::move(refused)] { done(refused); });
    return;
  }
  // Kafka's pending offset commits: the offsets become the group's (and visible to
  // OffsetFetch) only once the append is committed.
  const uint64_t seq = ++offset_append_seq_;
  AppendRecords(
      params.group_id, std::move(records), /*for_offsets=*/true,
      [this, group, seq, done = std::move(done), refused = std::move(refused),
       pending = std::move(pending)](ErrorCode error) mutable {
        Section section(*this);
        const bool coordinated = StillCoordinated(group);
        if (error == ErrorCode::kNone && coordinated) {
          for (auto& [tp, offset] : pending) {
            uint64_t& last = group->offset_append_seqs[tp];
            if (seq < last) continue;  // a later commit or deletion already decided
            last = seq;
            group->offsets()[tp] = std::move(offset);
          }
        }
        if (error != ErrorCode::kNone && coordinated && group->Is(GroupState::kEmpty) &&
            group->generation() == 0 && group->size() == 0 && group->offsets().empty() &&
            group->pending_members().empty() && !group->protocol_type()) {
          groups_.erase(group->id());  // the failed commit had created it: leave nothing behind
        }
        // A commit completing after this coordinator unloaded the group is answered by its
        // verdict alone: committed records are in the log the next coordinator loads.
        std::vector<PartitionError> result = std::move(refused);
        for (const auto& [tp, offset] : pending) result.push_back({tp.first, tp.second, error});
        Defer([done = std::move(done), result = std::move(result)] { done(result); });
      });
}

// --- OffsetFetch -----------------------------------------------------------------------------

OffsetFetchResult GroupCoordinator::FetchOffsets(
    const std::string& group_id, const std::optional<std::vector<TopicPartitions>>& partitions) {
  Section section(*this);
  OffsetFetchResult result;
  result.error = ValidateGroupStatus(group_id, Api::kFetch);
  if (result.error != ErrorCode::kNone) return result;
  auto group = FindGroup(group_id);
  if (group && group->Is(GroupState::kDead)) group = nullptr;
  auto fill = [](OffsetFetchResult::Partition& out, const CommittedOffset& offset) {
    out.offset = offset.offset;
    out.leader_epoch = offset.leader_epoch;
    out.metadata = offset.metadata;
  };
  if (!partitions) {
    if (!group) return result;
    for (const auto& [tp, offset] : group->offsets()) {
      auto& out = result.partitions.emplace_back();
      out.topic = tp.first;
      out.partition = tp.second;
      fill(out, offset);
    }
    return result;
  }
  for (const auto& topic : *partitions) {
    for (int32_t p : topic.partitions) {
      auto& out = result.partitions.emplace_back();
      out.topic = topic.topic;
      out.partition = p;
      if (!group) continue;
      auto it = group->offsets().find({topic.topic, p});
      if (it != group->offsets().end()) fill(out, it->second);
    }
  }
  return result;
}

// --- OffsetDelete ----------------------------------------------------------------------------

OffsetDeleteResult GroupCoordinator::DeleteOffsets(const std::string& group_id,
                                                   const std::vector<TopicPartitions>& partitions) {
  Section section(*this);
  OffsetDeleteResult result;
  result.error = ValidateGroupStatus(group_id, Api::kDeleteOffsets);
  if (result.error != ErrorCode::kNone) return result;
  auto group = FindGroup(group_id);
  if (!group || group->Is(GroupState::kDead)) {
    result.error = ErrorCode::kGroupIdNotFound;
    return result;
  }
  const bool empty = group->Is(GroupState::kEmpty);
  if (!empty && group->protocol_type() != kConsumerProtocolType) {
    // Only a consumer group's subscriptions tell which offsets are still in use.
    result.error = ErrorCode::kNonEmptyGroup;
    return result;
  }
  std::vector<OffsetsRecord> records;
  std::vector<Group::TopicPartitionKey> deletable;
  for (const auto& topic : partitions) {
    const bool subscribed = !empty && group->IsSubscribedToTopic(topic.topic);
    for (int32_t p : topic.partitions) {
      if (subscribed) {
        result.partitions.push_back({topic.topic, p, ErrorCode::kGroupSubscribedToTopic});
        continue;
      }
      deletable.push_back({topic.topic, p});
      if (group->offsets().count({topic.topic, p})) {
        records.push_back({EncodeOffsetKey({group_id, topic.topic, p}), std::nullopt});
      }
    }
  }
  // As Kafka's cleanupGroupMetadata: removed now, tombstones not waited for.
  const uint64_t seq = ++offset_append_seq_;
  AppendTombstones(group_id, std::move(records));
  for (const auto& tp : deletable) {
    group->offsets().erase(tp);
    group->offset_append_seqs[tp] = seq;
    result.partitions.push_back({tp.first, tp.second, ErrorCode::kNone});
  }
  return result;
}

// --- retention -------------------------------------------------------------------------------

void GroupCoordinator::ScheduleRetention() {
  scheduler_.RunAfter(std::chrono::milliseconds(config_.offsets_retention_check_interval_ms),
                      [this] {
                        const int removed = RemoveExpiredOffsets();
                        if (removed > 0) {
                          Log().information("Removed %d expired offsets", removed);
                        }
                        bool active = false;
                        {
                          Section section(*this);
                          active = active_;
                        }
                        if (active) ScheduleRetention();
                      });
}

int GroupCoordinator::RemoveExpiredOffsets() {
  Section section(*this);
  if (!active_) return 0;
  const int64_t now = Now();
  int removed = 0;
  std::vector<std::shared_ptr<Group>> groups;
  for (const auto& [id, group] : groups_) {
    if (owned_partitions_.count(PartitionFor(id))) groups.push_back(group);
  }
  for (const auto& group : groups) {
    // Kafka's GroupMetadata.removeExpiredOffsets: which clock an offset's age runs on.
    std::optional<int64_t> base_override;  // the time the group became Empty
    const std::set<std::string>* keep_topics = nullptr;
    const bool has_type = group->protocol_type().has_value();
    if (has_type && group->Is(GroupState::kEmpty)) {
      base_override = group->state_timestamp_ms();
    } else if (has_type && group->protocol_type() == kConsumerProtocolType &&
               group->subscribed_topics()) {
      keep_topics = &*group->subscribed_topics();
    } else if (has_type) {
      continue;  // an active group of another protocol: its offsets stay
    }
    std::vector<Group::TopicPartitionKey> expired;
    for (const auto& [tp, offset] : group->offsets()) {
      if (keep_topics && keep_topics->count(tp.first)) continue;
      const bool is_expired = offset.expire_timestamp_ms
                                  ? now >= *offset.expire_timestamp_ms
                                  : now - base_override.value_or(offset.commit_timestamp_ms) >=
                                        config_.offsets_retention_ms;
      if (is_expired) expired.push_back(tp);
    }
    const bool drop_group = group->Is(GroupState::kEmpty) &&
                            expired.size() == group->offsets().size() &&
                            group->pending_members().empty();
    if (expired.empty() && !drop_group) continue;
    std::vector<OffsetsRecord> records;
    for (const auto& tp : expired) {
      records.push_back({EncodeOffsetKey({group->id(), tp.first, tp.second}), std::nullopt});
    }
    if (drop_group) records.push_back({EncodeGroupKey({group->id()}), std::nullopt});
    // As Kafka's cleanupGroupMetadata: removed now, tombstones not waited for (a lost one is
    // written again by the next pass, the offset being still expired after a reload).
    const uint64_t seq = ++offset_append_seq_;
    AppendTombstones(group->id(), std::move(records));
    for (const auto& tp : expired) {
      group->offsets().erase(tp);
      group->offset_append_seqs[tp] = seq;
    }
    removed += static_cast<int>(expired.size());
    if (drop_group) {
      Log().information("Group %s transitioned to Dead in generation %d", group->id(),
                        group->generation());
      group->TransitionTo(GroupState::kDead, now);
      groups_.erase(group->id());
    }
  }
  return removed;
}

// --- administration --------------------------------------------------------------------------

ListGroupsResult GroupCoordinator::ListGroups(const std::vector<std::string>& states) {
  Section section(*this);
  ListGroupsResult result;
  if (!active_) {
    result.error = ErrorCode::kCoordinatorNotAvailable;
    return result;
  }
  if (!loading_partitions_.empty()) result.error = ErrorCode::kCoordinatorLoadInProgress;
  std::set<GroupState> wanted;
  for (const auto& s : states) {
    if (auto parsed = ParseGroupState(s)) wanted.insert(*parsed);
  }
  for (const auto& [id, group] : groups_) {
    if (group->Is(GroupState::kDead) || !owned_partitions_.count(PartitionFor(id))) continue;
    if (!states.empty() && !wanted.count(group->state())) continue;
    result.groups.push_back(
        {id, group->protocol_type().value_or(""), GroupStateName(group->state())});
  }
  return result;
}

GroupDescription GroupCoordinator::DescribeGroup(const std::string& group_id) {
  Section section(*this);
  GroupDescription d;
  d.group_id = group_id;
  d.error = ValidateGroupStatus(group_id, Api::kDescribe);
  if (d.error != ErrorCode::kNone) return d;
  auto group = FindGroup(group_id);
  if (!group) {
    d.state = GroupStateName(GroupState::kDead);
    return d;
  }
  d.state = GroupStateName(group->state());
  d.protocol_type = group->protocol_type().value_or("");
  const bool stable = group->Is(GroupState::kStable) && group->protocol_name();
  if (stable) d.protocol = *group->protocol_name();
  for (const auto& [id, m] : group->members()) {
    GroupDescription::MemberDescription md;
    md.member_id = id;
    md.group_instance_id = m.group_instance_id;
    md.client_id = m.client_id;
    md.client_host = m.client_host;
    if (stable) {
      if (const auto* metadata = m.MetadataFor(d.protocol)) md.metadata = *metadata;
      md.assignment = m.assignment;
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

kafka::ErrorCode GroupCoordinator::DeleteGroup(const std::string& group_id) {
  Section section(*this);
  const ErrorCode status = ValidateGroupStatus(group_id, Api::kDeleteGroups);
  if (status != ErrorCode::kNone) return status;
  auto group = FindGroup(group_id);
  if (!group || group->Is(GroupState::kDead)) return ErrorCode::kGroupIdNotFound;
  if (!group->Is(GroupState::kEmpty)) return ErrorCode::kNonEmptyGroup;
  DeleteGroupRecords(*group);
  Log().information("Deleted group %s", group_id);
  return ErrorCode::kNone;
}

}  // namespace sluice::group

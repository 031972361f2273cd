#include "libs/kafka/client/group_consumer.h"

#include <algorithm>
#include <set>

#include "libs/kafka/client/consumer_protocol.h"
#include "libs/kafka/client/errors.h"
#include "libs/kafka/client/offsets.h"
#include "libs/kafka/client/range_assignor.h"
#include "libs/kafka/messages/heartbeat.h"
#include "libs/kafka/messages/join_group.h"
#include "libs/kafka/messages/leave_group.h"
#include "libs/kafka/messages/sync_group.h"

namespace sluice::kafka::client {
namespace {

using Clock = std::chrono::steady_clock;

// JoinGroup is answered only when every member has (re)joined: it may take up to the rebalance
// timeout, plus a margin for the network (Kafka's client adds 5 s the same way).
constexpr std::chrono::seconds kJoinMargin{5};

bool IsMembershipError(int16_t code) {
  return code == Code(ErrorCode::kUnknownMemberId) ||
         code == Code(ErrorCode::kIllegalGeneration) ||
         code == Code(ErrorCode::kRebalanceInProgress) ||
         code == Code(ErrorCode::kFencedInstanceId);
}

}  // namespace

GroupConsumer::GroupConsumer(Client& client, GroupConsumerOptions options)
    : client_(client), options_(std::move(options)), consumer_(client_, options_.fetch) {}

GroupConsumer::~GroupConsumer() { Close(); }

void GroupConsumer::Subscribe(std::vector<std::string> topics) {
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  topics_ = std::move(topics);
  pattern_.reset();
  subscription_changed_ = true;
}

void GroupConsumer::Subscribe(std::regex pattern) {
  topics_.clear();
  pattern_ = std::move(pattern);
  subscription_changed_ = true;
}

std::vector<TopicPartition> GroupConsumer::Assignment() const { return consumer_.Assignment(); }

void GroupConsumer::Seek(const TopicPartition& partition, Offset offset) {
  const std::vector<TopicPartition> assigned = consumer_.Assignment();
  if (std::find(assigned.begin(), assigned.end(), partition) != assigned.end()) {
    consumer_.Seek(partition, offset);
  }
}

std::string GroupConsumer::member_id() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return member_id_;
}

int32_t GroupConsumer::generation_id() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_id_;
}

Result<std::vector<std::string>> GroupConsumer::ResolveSubscription() {
  if (!pattern_.has_value()) return topics_;
  Result<ClusterMetadata> md = client_.FetchMetadata(std::nullopt);
  if (!md.ok()) return md.status();
  std::vector<std::string> matched;
  for (const auto& [name, topic] : md->topics) {
    // Internal topics (__consumer_offsets) are not matched by patterns, as in Kafka's default
    // exclude.internal.topics=true.
    if (!topic.is_internal && std::regex_match(name, *pattern_)) matched.push_back(name);
  }
  return matched;  // sorted: the map is
}

Status GroupConsumer::ConnectCoordinator() {
  Result<BrokerId> id = client_.FindCoordinator(options_.group_id);
  if (!id.ok()) return id.status();
  ClusterMetadata md = client_.CachedMetadata();
  const BrokerAddress* address = md.FindBroker(*id);
  if (address == nullptr) {
    return Status::Unavailable("coordinator " + std::to_string(id->value()) + " of group '" +
                               options_.group_id + "' has no known address");
  }
  // A connection of its own: heartbeats must not queue behind a Fetch waiting on the broker.
  Result<std::unique_ptr<Connection>> connection = Connection::Open(
      address->host, address->port, client_.options().connection,
      address->host + ":" + std::to_string(address->port) + " (coordinator of group '" +
          options_.group_id + "')");
  if (!connection.ok()) return connection.status();
  std::lock_guard<std::mutex> lock(mutex_);
  coordinator_ = std::move(*connection);
  coordinator_lost_ = false;
  return Status::Ok();
}

Status GroupConsumer::EnsureActive(Clock::time_point deadline) {
  if (pattern_.has_value() && Clock::now() >= next_metadata_check_) {
    next_metadata_check_ = Clock::now() + options_.metadata_max_age;
    Result<std::vector<std::string>> topics = ResolveSubscription();
    if (!topics.ok()) return topics.status();
    if (*topics != subscribed_) subscription_changed_ = true;
  }
  if (subscription_changed_) needs_rejoin_ = true;
  if (coordinator_lost_ || coordinator_ == nullptr) {
    SLUICE_RETURN_IF_ERROR(ConnectCoordinator());
  }
  if (needs_rejoin_) return Join(deadline);
  return Status::Ok();
}

Status GroupConsumer::Join(Clock::time_point /*deadline*/) {
  // Before leaving a generation: commit what was consumed (Kafka's onJoinPrepare).
  if (options_.enable_auto_commit && generation_id() >= 0) {
    Status committed = CommitSync();
    (void)committed;  // a rebalance already under way refuses it; the records are re-read
  }
  StopHeartbeat();
  consumer_.Assign({});

  Status last;
  for (int attempt = 0; attempt <= std::max(client_.options().retries, 10); ++attempt) {
    if (attempt > 0 && !last.ok()) client_.Backoff();
    if (coordinator_lost_ || coordinator_ == nullptr) {
      Status connected = ConnectCoordinator();
      if (!connected.ok()) {
        last = connected;
        continue;
      }
    }
    Result<std::vector<std::string>> topics = ResolveSubscription();
    if (!topics.ok()) return topics.status();
    std::shared_ptr<Connection> coordinator;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      coordinator = coordinator_;
    }

    // ---- JoinGroup ----
    JoinGroupRequest join;
    join.group_id = options_.group_id;
    join.session_timeout_ms = static_cast<int32_t>(options_.session_timeout.count());
    join.rebalance_timeout_ms = static_cast<int32_t>(options_.rebalance_timeout.count());
    join.member_id = member_id();
    join.group_instance_id = options_.group_instance_id;
    join.protocol_type = kConsumerProtocolType;
    JoinGroupRequest::JoinGroupRequestProtocol protocol;
    protocol.name = kRangeAssignorName;
    protocol.metadata = EncodeSubscription(Subscription{*topics, std::nullopt, {}});
    join.protocols.push_back(std::move(protocol));
    Result<JoinGroupResponse> joined = coordinator->Send<JoinGroupResponse>(
        join, {.timeout = options_.rebalance_timeout + kJoinMargin});
    if (!joined.ok()) {
      coordinator_lost_ = true;
      last = joined.status();
      continue;
    }
    const std::string context = "JoinGroup of group '" + options_.group_id + "'";
    if (joined->error_code == Code(ErrorCode::kMemberIdRequired)) {
      // KIP-394: the coordinator hands out the id; join again with it at once.
      std::lock_guard<std::mutex> lock(mutex_);
      member_id_ = joined->member_id;
      last = Status::Ok();
      continue;
    }
    if (joined->error_code != 0) {
      last = KafkaErrorStatus(joined->error_code, context);
      if (joined->error_code == Code(ErrorCode::kUnknownMemberId)) {
        std::lock_guard<std::mutex> lock(mutex_);
        member_id_.clear();
        continue;
      }
      if (IsCoordinatorError(joined->error_code)) {
        coordinator_lost_ = true;
        continue;
      }
      if (joined->error_code == Code(ErrorCode::kRebalanceInProgress)) continue;
      return last;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      member_id_ = joined->member_id;
      generation_id_ = joined->generation_id;
    }

    // ---- the leader assigns ----
    SyncGroupRequest sync;
    sync.group_id = options_.group_id;
    sync.generation_id = joined->generation_id;
    sync.member_id = joined->member_id;
    sync.group_instance_id = options_.group_instance_id;
    sync.protocol_type = kConsumerProtocolType;
    sync.protocol_name = joined->protocol_name.value_or(kRangeAssignorName);
    if (joined->leader == joined->member_id) {
      std::vector<GroupMemberSubscription> members;
      std::set<std::string> all_topics;
      for (const auto& m : joined->members) {
        Result<Subscription> s = DecodeSubscription(m.metadata);
        if (!s.ok()) {
          return Status::Corruption("group '" + options_.group_id + "': member " + m.member_id +
                                    ": " + s.status().message());
        }
        all_topics.insert(s->topics.begin(), s->topics.end());
        members.push_back(GroupMemberSubscription{m.member_id, m.group_instance_id, *s});
      }
      std::map<std::string, int32_t> counts;
      if (!all_topics.empty()) {
        Result<ClusterMetadata> md = client_.FetchMetadata(
            std::vector<std::string>(all_topics.begin(), all_topics.end()));
        if (!md.ok()) return md.status();
        for (const auto& [name, topic] : md->topics) {
          if (topic.error_code == 0) counts[name] = static_cast<int32_t>(topic.partitions.size());
        }
      }
      for (const auto& [member, assignment] : RangeAssign(members, counts)) {
        SyncGroupRequest::SyncGroupRequestAssignment a;
        a.member_id = member;
        a.assignment = EncodeAssignment(assignment);
        sync.assignments.push_back(std::move(a));
      }
    }
    Result<SyncGroupResponse> synced = coordinator->Send<SyncGroupResponse>(
        sync, {.timeout = options_.rebalance_timeout + kJoinMargin});
    if (!synced.ok()) {
      coordinator_lost_ = true;
      last = synced.status();
      continue;
    }
    if (synced->error_code != 0) {
      last = KafkaErrorStatus(synced->error_code,
                              "SyncGroup of group '" + options_.group_id + "'");
      if (synced->error_code == Code(ErrorCode::kUnknownMemberId)) {
        std::lock_guard<std::mutex> lock(mutex_);
        member_id_.clear();
        continue;
      }
      if (IsCoordinatorError(synced->error_code)) {
        coordinator_lost_ = true;
        continue;
      }
      if (IsMembershipError(synced->error_code)) continue;
      return last;
    }
    Result<client::Assignment> assignment = DecodeAssignment(synced->assignment);
    if (!assignment.ok()) {
      return Status::Corruption("group '" + options_.group_id + "': " +
                                assignment.status().message());
    }
    std::vector<TopicPartition> partitions;
    for (const auto& [topic, indexes] : assignment->partitions) {
      for (int32_t p : indexes) partitions.push_back(TopicPartition{topic, PartitionId(p)});
    }
    consumer_.Assign(std::move(partitions));
    subscribed_ = *topics;
    subscription_changed_ = false;
    needs_rejoin_ = false;
    StartHeartbeat();
    next_auto_commit_ = Clock::now() + options_.auto_commit_interval;
    return RestorePositions();
  }
  return last.ok() ? Status::Unavailable("group '" + options_.group_id + "': could not join")
                   : last;
}

Status GroupConsumer::RestorePositions() {
  std::vector<TopicPartition> assigned = consumer_.Assignment();
  if (assigned.empty()) return Status::Ok();
  Result<std::map<TopicPartition, CommittedOffset>> committed =
      FetchCommittedOffsets(client_, options_.group_id, assigned);
  if (!committed.ok()) return committed.status();
  for (const auto& [tp, c] : *committed) {
    // No commit (-1): the consumer's auto_offset_reset decides on the first fetch.
    if (c.offset.value() >= 0) consumer_.Seek(tp, c.offset);
  }
  return Status::Ok();
}

Result<std::vector<ConsumerRecord>> GroupConsumer::Poll(std::chrono::milliseconds timeout) {
  if (closed_) return Status::InvalidArgument("the consumer is closed");
  if (topics_.empty() && !pattern_.has_value()) {
    return Status::InvalidArgument("Poll before Subscribe");
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    SLUICE_RETURN_IF_ERROR(EnsureActive(deadline));
    SLUICE_RETURN_IF_ERROR(MaybeAutoCommit(false));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    left = std::max(left, std::chrono::milliseconds(0));
    // Short fetch rounds, so that a rebalance the heartbeat thread learned of is joined soon.
    Result<std::vector<ConsumerRecord>> records =
        consumer_.Poll(std::min(left, options_.fetch.fetch_max_wait));
    if (!records.ok() || !records->empty() || Clock::now() >= deadline) return records;
  }
}

Status GroupConsumer::MaybeAutoCommit(bool force) {
  if (!options_.enable_auto_commit) return Status::Ok();
  if (!force && Clock::now() < next_auto_commit_) return Status::Ok();
  next_auto_commit_ = Clock::now() + options_.auto_commit_interval;
  Status committed = CommitSync();
  // A failed auto commit is not fatal (Kafka logs it): a rebalance is noticed by the
  // heartbeat, and the next commit covers the same offsets.
  (void)committed;
  return Status::Ok();
}

Status GroupConsumer::CommitSync() {
  std::map<TopicPartition, Offset> offsets;
  for (const TopicPartition& tp : consumer_.Assignment()) {
    if (std::optional<Offset> position = consumer_.Position(tp)) offsets[tp] = *position;
  }
  return CommitSync(offsets);
}

Status GroupConsumer::CommitSync(const std::map<TopicPartition, Offset>& offsets) {
  CommitIdentity identity;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    identity.generation_id = generation_id_;
    identity.member_id = member_id_;
  }
  identity.group_instance_id = options_.group_instance_id;
  Status status = CommitOffsets(client_, options_.group_id, offsets, identity);
  if (status.code() == Status::Code::kConflict) needs_rejoin_ = true;  // generation moved on
  return status;
}

Status GroupConsumer::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  Status result;
  if (options_.enable_auto_commit && generation_id() >= 0 && !needs_rejoin_) {
    result = CommitSync();
  }
  StopHeartbeat();
  std::shared_ptr<Connection> coordinator;
  std::string member;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    coordinator = coordinator_;
    member = member_id_;
  }
  // A static member keeps its place across restarts (KIP-345): it does not leave.
  if (coordinator != nullptr && !member.empty() && !options_.group_instance_id.has_value()) {
    LeaveGroupRequest leave;
    leave.group_id = options_.group_id;
    leave.member_id = member;  // v0-2
    LeaveGroupRequest::MemberIdentity identity;
    identity.member_id = member;
    leave.members.push_back(identity);  // v3+
    Result<LeaveGroupResponse> left = coordinator->Send<LeaveGroupResponse>(leave);
    if (!left.ok() && result.ok()) result = left.status();
    if (left.ok() && left->error_code != 0 &&
        left->error_code != Code(ErrorCode::kUnknownMemberId) && result.ok()) {
      result = KafkaErrorStatus(left->error_code, "LeaveGroup of group '" + options_.group_id +
                                                      "'");
    }
  }
  consumer_.Assign({});
  std::lock_guard<std::mutex> lock(mutex_);
  generation_id_ = -1;
  member_id_.clear();
  return result;
}

void GroupConsumer::StartHeartbeat() {
  StopHeartbeat();
  {
    std::lock_guard<std::mutex> lock(heartbeat_mutex_);
    stop_heartbeat_ = false;
  }
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
}

void GroupConsumer::StopHeartbeat() {
  if (!heartbeat_thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(heartbeat_mutex_);
    stop_heartbeat_ = true;
  }
  heartbeat_wakeup_.notify_all();
  heartbeat_thread_.join();
}

void GroupConsumer::HeartbeatLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(heartbeat_mutex_);
      if (heartbeat_wakeup_.wait_for(lock, options_.heartbeat_interval,
                                     [this] { return stop_heartbeat_; })) {
        return;
      }
    }
    HeartbeatRequest request;
    std::shared_ptr<Connection> coordinator;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      coordinator = coordinator_;
      request.group_id = options_.group_id;
      request.generation_id = generation_id_;
      request.member_id = member_id_;
      request.group_instance_id = options_.group_instance_id;
    }
    if (coordinator == nullptr) continue;
    Result<HeartbeatResponse> response = coordinator->Send<HeartbeatResponse>(
        request, {.timeout = options_.session_timeout});
    if (!response.ok()) {
      coordinator_lost_ = true;
      continue;
    }
    const int16_t error = response->error_code;
    if (error == 0) continue;
    if (IsCoordinatorError(error)) {
      coordinator_lost_ = true;
    } else if (error == Code(ErrorCode::kUnknownMemberId)) {
      std::lock_guard<std::mutex> lock(mutex_);
      member_id_.clear();
      generation_id_ = -1;
      needs_rejoin_ = true;
    } else if (IsMembershipError(error)) {
      needs_rejoin_ = true;
    }
  }
}

}  // namespace sluice::kafka::client

#include "broker/group/group.h"

#include <algorithm>
#include <cassert>
#include <cctype>

#include "broker/group/consumer_protocol.h"

namespace sluice::group {

namespace {

constexpr std::pair<GroupState, const char*> kStateNames[] = {
    {GroupState::kEmpty, "Empty"},
    {GroupState::kPreparingRebalance, "PreparingRebalance"},
    {GroupState::kCompletingRebalance, "CompletingRebalance"},
    {GroupState::kStable, "Stable"},
    {GroupState::kDead, "Dead"},
};

// Kafka's GroupState.validPreviousStates.
[[maybe_unused]] bool ValidTransition(GroupState from, GroupState to) {
  switch (to) {
    case GroupState::kDead:
      return true;
    case GroupState::kCompletingRebalance:
      return from == GroupState::kPreparingRebalance;
    case GroupState::kStable:
      return from == GroupState::kCompletingRebalance;
    case GroupState::kPreparingRebalance:
      return from == GroupState::kStable || from == GroupState::kCompletingRebalance ||
             from == GroupState::kEmpty;
    case GroupState::kEmpty:
      return from == GroupState::kPreparingRebalance;
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

const char* GroupStateName(GroupState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "Unknown";
}

std::optional<GroupState> ParseGroupState(const std::string& name) {
  for (const auto& [s, n] : kStateNames) {
    if (Lower(n) == Lower(name)) return s;
  }
  return std::nullopt;
}

bool Member::HasSatisfiedHeartbeat() const {
  if (is_new) return heartbeat_satisfied;
  if (awaiting_join_now() || awaiting_sync_now()) return true;
  return heartbeat_satisfied;
}

const std::vector<uint8_t>* Member::MetadataFor(const std::string& protocol) const {
  for (const auto& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

bool Member::Matches(const std::vector<MemberProtocol>& other) const { return protocols == other; }

Group::Group(std::string id, GroupState state, int64_t now_ms)
    : id_(std::move(id)), state_(state), state_timestamp_ms_(now_ms) {}

void Group::TransitionTo(GroupState next, int64_t now_ms) {
  assert(ValidTransition(state_, next) && "invalid group state transition");
  state_ = next;
  state_timestamp_ms_ = now_ms;
}

Member* Group::Get(const std::string& member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

void Group::Add(Member member) {
  if (members_.empty()) protocol_type_ = member.protocol_type;
  if (member.group_instance_id) static_members_[*member.group_instance_id] = member.member_id;
  if (!leader_id_) leader_id_ = member.member_id;
  pending_members_.erase(member.member_id);
  const std::string id = member.member_id;
  members_[id] = std::move(member);
}

void Group::Remove(const std::string& member_id) {
  auto it = members_.find(member_id);
  if (it == members_.end()) return;
  if (it->second.group_instance_id) {
    auto s = static_members_.find(*it->second.group_instance_id);
    if (s != static_members_.end() && s->second == member_id) static_members_.erase(s);
  }
  members_.erase(it);
  if (IsLeader(member_id)) {
    leader_id_ =
        members_.empty() ? std::nullopt : std::optional<std::string>(members_.begin()->first);
  }
}

void Group::ReplaceStaticMember(const std::string& instance_id, const std::string& old_member_id,
                                const std::string& new_member_id) {
  auto it = members_.find(old_member_id);
  assert(it != members_.end());
  Member member = std::move(it->second);
  members_.erase(it);
  member.member_id = new_member_id;
  members_[new_member_id] = std::move(member);
  static_members_[instance_id] = new_member_id;
  if (IsLeader(old_member_id)) leader_id_ = new_member_id;
}

std::optional<std::string> Group::StaticMemberId(const std::string& instance_id) const {
  auto it = static_members_.find(instance_id);
  if (it == static_members_.end()) return std::nullopt;
  return it->second;
}

bool Group::IsStaticMemberFenced(const std::string& member_id,
                                 const std::optional<std::string>& instance_id) const {
  if (!instance_id) return false;
  auto it = static_members_.find(*instance_id);
  return it != static_members_.end() && it->second != member_id;
}

bool Group::SupportsProtocols(const std::string& protocol_type,
                              const std::vector<std::string>& protocol_names) const {
  if (Is(GroupState::kEmpty) && members_.empty()) {
    return !protocol_type.empty() && !protocol_names.empty();
  }
  if (protocol_type_ != protocol_type) return false;
  for (const auto& name : protocol_names) {
    const bool everyone = std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
      return m.second.MetadataFor(name) != nullptr;
    });
    if (everyone) return true;
  }
  return false;
}

std::string Group::SelectProtocol() const {
  assert(!members_.empty());
  // Candidates: the protocols every member supports, in the first member's order.
  std::vector<std::string> candidates;
  for (const auto& p : members_.begin()->second.protocols) {
    const bool everyone = std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
      return m.second.MetadataFor(p.name) != nullptr;
    });
    if (everyone) candidates.push_back(p.name);
  }
  assert(!candidates.empty());
  std::map<std::string, int> votes;
  for (const auto& [id, member] : members_) {
    for (const auto& p : member.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.front();
  for (const auto& c : candidates) {
    if (votes[c] > votes[best]) best = c;
  }
  return best;
}

bool Group::CanRebalance() const {
  return Is(GroupState::kStable) || Is(GroupState::kCompletingRebalance) || Is(GroupState::kEmpty);
}

int Group::NumAwaitingJoin() const {
  return static_cast<int>(std::count_if(members_.begin(), members_.end(), [](const auto& m) {
    return m.second.awaiting_join_now();
  }));
}

bool Group::AllMembersJoined() const {
  return static_cast<size_t>(NumAwaitingJoin()) == members_.size() && pending_members_.empty();
}

int32_t Group::RebalanceTimeoutMs() const {
  int32_t max = 0;
  for (const auto& [id, m] : members_) max = std::max(max, m.rebalance_timeout_ms);
  return max;
}

bool Group::MaybeElectNewJoinedLeader() {
  if (!leader_id_) return false;
  const Member* leader = Get(*leader_id_);
  if (leader && leader->awaiting_join_now()) return true;
  for (const auto& [id, m] : members_) {
    if (m.awaiting_join_now()) {
      leader_id_ = id;
      return true;
    }
  }
  return false;
}

void Group::InitNextGeneration(int64_t now_ms) {
  ++generation_;
  if (!members_.empty()) {
    protocol_name_ = SelectProtocol();
    ComputeSubscribedTopics();
    TransitionTo(GroupState::kCompletingRebalance, now_ms);
  } else {
    protocol_name_.reset();
    subscribed_topics_.reset();
    TransitionTo(GroupState::kEmpty, now_ms);
  }
}

std::vector<JoinGroupResult::Member> Group::CurrentMemberMetadata() const {
  std::vector<JoinGroupResult::Member> out;
  if (!protocol_name_) return out;
  for (const auto& [id, m] : members_) {
    const auto* metadata = m.MetadataFor(*protocol_name_);
    out.push_back({id, m.group_instance_id, metadata ? *metadata : std::vector<uint8_t>{}});
  }
  return out;
}

void Group::ComputeSubscribedTopics() {
  subscribed_topics_.reset();
  if (protocol_type_ != kConsumerProtocolType || !protocol_name_) return;
  std::set<std::string> topics;
  for (const auto& [id, m] : members_) {
    const auto* metadata = m.MetadataFor(*protocol_name_);
    if (!metadata) return;
    auto decoded = DecodeSubscriptionTopics(*metadata);
    if (!decoded.ok()) return;
    topics.insert(decoded->begin(), decoded->end());
  }
  subscribed_topics_ = std::move(topics);
}

bool Group::IsSubscribedToTopic(const std::string& topic) const {
  // Unknown subscriptions protect every topic (nothing is deleted or expired by mistake).
  if (!subscribed_topics_) return !members_.empty();
  return subscribed_topics_->count(topic) > 0;
}

StoredGroup Group::ToStored() const {
  StoredGroup out;
  out.protocol_type = protocol_type_.value_or("");
  out.generation = generation_;
  out.protocol = protocol_name_;
  out.leader = leader_id_;
  out.current_state_timestamp_ms = state_timestamp_ms_;
  for (const auto& [id, m] : members_) {
    StoredMember stored;
    stored.member_id = id;
    stored.group_instance_id = m.group_instance_id;
    stored.client_id = m.client_id;
    stored.client_host = m.client_host;
    stored.rebalance_timeout_ms = m.rebalance_timeout_ms;
    stored.session_timeout_ms = m.session_timeout_ms;
    if (protocol_name_) {
      if (const auto* metadata = m.MetadataFor(*protocol_name_)) stored.subscription = *metadata;
    }
    stored.assignment = m.assignment;
    out.members.push_back(std::move(stored));
  }
  if (members_.empty()) {
    out.protocol.reset();
    out.leader.reset();
  }
  return out;
}

}  // namespace sluice::group

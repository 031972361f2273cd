#include "controller/reconcile/membership.h"

#include <algorithm>
#include <set>

namespace sluice::reconcile {

using operator_api::BrokerPhase;

bool IsLeavingPhase(BrokerPhase phase) {
  return phase == BrokerPhase::kDraining || phase == BrokerPhase::kRemoving ||
         phase == BrokerPhase::kReplacing;
}

Membership ComputeMembership(const operator_api::KafkaClusterSpec& spec,
                             const operator_api::KafkaClusterStatus& status) {
  std::set<int32_t> listed;
  for (const auto& b : spec.brokers) listed.insert(b.id);
  std::set<int32_t> known;  // every id the status remembers, whatever its phase
  std::vector<int32_t> auto_candidates;
  for (const auto& b : status.brokers) {
    known.insert(b.id);
    if (!listed.count(b.id) && !IsLeavingPhase(b.phase)) auto_candidates.push_back(b.id);
  }
  std::sort(auto_candidates.begin(), auto_candidates.end());

  Membership m;
  std::set<int32_t> desired(listed.begin(), listed.end());
  const int64_t slots = std::max<int64_t>(0, int64_t{spec.replicas} - int64_t(listed.size()));
  size_t taken = 0;
  for (; taken < auto_candidates.size() && int64_t(taken) < slots; ++taken) {
    desired.insert(auto_candidates[taken]);
  }
  m.surplus.assign(auto_candidates.begin() + taken, auto_candidates.end());

  int32_t next = status.next_broker_id;
  for (int64_t free = slots - int64_t(taken); free > 0; --free) {
    while (listed.count(next) || known.count(next)) ++next;
    desired.insert(next);
    known.insert(next);
    ++next;
  }
  for (int32_t id : desired) {
    bool has_entry = std::any_of(status.brokers.begin(), status.brokers.end(),
                                 [id](const auto& b) { return b.id == id; });
    if (!has_entry) m.new_ids.push_back(id);
  }
  // Above every id in use, so an id a user lists and later drops is never handed out again.
  for (int32_t id : known) next = std::max(next, id + 1);
  for (int32_t id : listed) next = std::max(next, id + 1);
  m.next_broker_id = next;
  m.desired.assign(desired.begin(), desired.end());
  return m;
}

}  // namespace sluice::reconcile

#include "libs/kafka/client/range_assignor.h"

#include <algorithm>

namespace sluice::kafka::client {

std::map<std::string, Assignment> RangeAssign(
    const std::vector<GroupMemberSubscription>& members,
    const std::map<std::string, int32_t>& partition_counts) {
  std::map<std::string, Assignment> result;
  for (const auto& m : members) result[m.member_id];

  // topic -> subscribed members, in Kafka's order: static members (with an instance id) by
  // instance id first, then dynamic ones by member id.
  std::map<std::string, std::vector<const GroupMemberSubscription*>> by_topic;
  for (const auto& m : members) {
    for (const std::string& topic : m.subscription.topics) by_topic[topic].push_back(&m);
  }
  for (auto& [topic, subscribers] : by_topic) {
    auto count = partition_counts.find(topic);
    if (count == partition_counts.end()) continue;
    std::sort(subscribers.begin(), subscribers.end(),
              [](const GroupMemberSubscription* a, const GroupMemberSubscription* b) {
                if (a->group_instance_id.has_value() != b->group_instance_id.has_value()) {
                  return a->group_instance_id.has_value();
                }
                if (a->group_instance_id.has_value() &&
                    *a->group_instance_id != *b->group_instance_id) {
                  return *a->group_instance_id < *b->group_instance_id;
                }
                return a->member_id < b->member_id;
              });
    subscribers.erase(std::unique(subscribers.begin(), subscribers.end()), subscribers.end());
    const int32_t n = static_cast<int32_t>(subscribers.size());
    const int32_t per_member = count->second / n;
    const int32_t extra = count->second % n;
    for (int32_t i = 0; i < n; ++i) {
      const int32_t start = per_member * i + std::min(i, extra);
      const int32_t length = per_member + (i < extra ? 1 : 0);
      if (length == 0) continue;
      std::vector<int32_t>& assigned = result[subscribers[i]->member_id].partitions[topic];
      for (int32_t p = start; p < start + length; ++p) assigned.push_back(p);
    }
  }
  return result;
}

}  // namespace sluice::kafka::client

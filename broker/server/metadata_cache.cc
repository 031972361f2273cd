#include "broker/server/metadata_cache.h"

#include <mutex>

namespace sluice::server {

void MetadataCache::SetClusterId(std::string cluster_id) {
  std::unique_lock lock(mu_);
  cluster_id_ = std::move(cluster_id);
}
std::string MetadataCache::cluster_id() const {
  std::shared_lock lock(mu_);
  return cluster_id_;
}
void MetadataCache::SetController(int32_t controller_id) {
  std::unique_lock lock(mu_);
  controller_id_ = controller_id;
}
int32_t MetadataCache::controller_id() const {
  std::shared_lock lock(mu_);
  return controller_id_;
}
std::vector<std::string> MetadataCache::Apply(const MetadataUpdate& update) {
  std::unique_lock lock(mu_);
  controller_id_ = update.controller_id;
  brokers_ = update.live_brokers;
  std::vector<std::string> removed;
  for (const auto& p : update.partitions) {
    if (p.state.leader == kLeaderDuringDelete) {
      auto it = topics_.find(p.topic);
      if (it == topics_.end()) continue;
      it->second.partitions.erase(p.state.partition);
      if (it->second.partitions.empty()) {
        topics_.erase(it);
        removed.push_back(p.topic);
      }
      continue;
    }
    TopicMetadata& t = topics_[p.topic];
    t.name = p.topic;
    t.is_internal = p.topic == "__consumer_offsets" || p.topic == "__transaction_state";
    if (p.topic_id) t.topic_id = *p.topic_id;
    t.partitions[p.state.partition] = p.state;
  }
  return removed;
}

void MetadataCache::SetBrokers(std::vector<BrokerEndpoint> brokers) {
  std::unique_lock lock(mu_);
  brokers_ = std::move(brokers);
}
std::vector<BrokerEndpoint> MetadataCache::brokers() const {
  std::shared_lock lock(mu_);
  return brokers_;
}
std::optional<BrokerEndpoint> MetadataCache::broker(int32_t id) const {
  std::shared_lock lock(mu_);
  for (const auto& b : brokers_) {
    if (b.id.value() == id) return b;
  }
  return std::nullopt;
}
void MetadataCache::UpsertPartition(const std::string& topic, const PartitionMetadata& partition) {
  std::unique_lock lock(mu_);
  TopicMetadata& t = topics_[topic];
  t.name = topic;
  t.is_internal = topic == "__consumer_offsets" || topic == "__transaction_state";
  t.partitions[partition.partition] = partition;
}
void MetadataCache::SetTopicId(const std::string& topic, const kafka::Uuid& topic_id) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it != topics_.end()) it->second.topic_id = topic_id;
}
void MetadataCache::RemoveTopic(const std::string& topic) {
  std::unique_lock lock(mu_);
  topics_.erase(topic);
}
std::optional<TopicMetadata> MetadataCache::topic(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}
std::vector<TopicMetadata> MetadataCache::topics() const {
  std::shared_lock lock(mu_);
  std::vector<TopicMetadata> out;
  out.reserve(topics_.size());
  for (const auto& [name, t] : topics_) out.push_back(t);
  return out;
}
std::vector<std::string> MetadataCache::topic_names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, t] : topics_) out.push_back(name);
  return out;
}
std::optional<PartitionMetadata> MetadataCache::partition(const std::string& topic,
                                                          int32_t partition) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return std::nullopt;
  auto p = it->second.partitions.find(partition);
  if (p == it->second.partitions.end()) return std::nullopt;
  return p->second;
}

}  // namespace sluice::server

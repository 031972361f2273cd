#include "libs/kafka/client/types.h"

#include <algorithm>

namespace sluice::kafka::client {

std::string BrokerAddress::ToString() const {
  return host + ":" + std::to_string(port) + " (id " + std::to_string(id.value()) + ")";
}

const BrokerAddress* ClusterMetadata::FindBroker(BrokerId id) const {
  auto it = std::find_if(brokers.begin(), brokers.end(),
                         [&](const BrokerAddress& b) { return b.id == id; });
  return it == brokers.end() ? nullptr : &*it;
}

const TopicMetadata* ClusterMetadata::FindTopic(const std::string& name) const {
  auto it = topics.find(name);
  return it == topics.end() ? nullptr : &it->second;
}

}  // namespace sluice::kafka::client

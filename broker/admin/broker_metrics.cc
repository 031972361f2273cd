#include "broker/admin/broker_metrics.h"

namespace sluice::admin {

TopicMetrics TopicMetricsFor(metrics::Registry& registry, const std::string& topic) {
  const metrics::Labels labels = {{"topic", topic}};
  return TopicMetrics{
      registry.GetCounter(kBytesInTotal, "Bytes appended to the topic by producers.", labels),
      registry.GetCounter(kBytesOutTotal, "Bytes of the topic sent to consumers and followers.",
                          labels),
      registry.GetCounter(kMessagesInTotal, "Records appended to the topic by producers.", labels),
      registry.GetCounter(kBytesRejectedTotal, "Bytes of produce requests for the topic refused.",
                          labels),
      registry.GetCounter(kFailedProduceRequestsTotal,
                          "Produce requests for the topic that failed.", labels),
      registry.GetCounter(kFailedFetchRequestsTotal, "Fetch requests for the topic that failed.",
                          labels),
  };
}

void RemoveTopicMetrics(metrics::Registry& registry, const std::string& topic) {
  const metrics::Labels labels = {{"topic", topic}};
  for (const char* name : {kBytesInTotal, kBytesOutTotal, kMessagesInTotal, kBytesRejectedTotal,
                           kFailedProduceRequestsTotal, kFailedFetchRequestsTotal}) {
    registry.Remove(name, labels);
  }
}

RequestMetrics RequestMetricsFor(metrics::Registry& registry, const std::string& request) {
  const metrics::Labels labels = {{"request", request}};
  return RequestMetrics{
      registry.GetCounter(kRequestsTotal, "Requests received, by request type.", labels),
      registry.GetCounter(kRequestErrorsTotal, "Responses with an error code, by request type.",
                          labels),
      registry.GetHistogram(kRequestTotalTimeMs,
                            "Milliseconds from receiving a request to sending its response.",
                            labels, metrics::LatencyMsBuckets()),
  };
}

}  // namespace sluice::admin

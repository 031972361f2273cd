// The broker's well-known metrics, named after Kafka's JMX beans in the snake case the
// Prometheus JMX exporter produces (kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec
// becomes kafka_server_brokertopicmetrics_bytesin_total), so Kafka dashboards and alerts
// carry over. Hot paths fetch a handle once (per topic, per request type) and keep it.
//
// Kafka's all-topics BrokerTopicMetrics (no topic tag) is sum by () over the topic series.
#pragma once

#include <string>

#include "libs/base/metrics.h"

namespace sluice::admin {

inline constexpr const char* kBytesInTotal = "kafka_server_brokertopicmetrics_bytesin_total";
inline constexpr const char* kBytesOutTotal = "kafka_server_brokertopicmetrics_bytesout_total";
inline constexpr const char* kMessagesInTotal = "kafka_server_brokertopicmetrics_messagesin_total";
inline constexpr const char* kBytesRejectedTotal =
    "kafka_server_brokertopicmetrics_bytesrejected_total";
inline constexpr const char* kFailedProduceRequestsTotal =
    "kafka_server_brokertopicmetrics_failedproducerequests_total";
inline constexpr const char* kFailedFetchRequestsTotal =
    "kafka_server_brokertopicmetrics_failedfetchrequests_total";
inline constexpr const char* kRequestsTotal = "kafka_network_requestmetrics_requests_total";
inline constexpr const char* kRequestErrorsTotal = "kafka_network_requestmetrics_errors_total";
inline constexpr const char* kRequestTotalTimeMs = "kafka_network_requestmetrics_totaltimems";
inline constexpr const char* kPartitionCount = "kafka_server_replicamanager_partitioncount";
inline constexpr const char* kLeaderCount = "kafka_server_replicamanager_leadercount";
inline constexpr const char* kUnderReplicatedPartitions =
    "kafka_server_replicamanager_underreplicatedpartitions";
inline constexpr const char* kIsrShrinksTotal = "kafka_server_replicamanager_isrshrinks_total";
inline constexpr const char* kIsrExpandsTotal = "kafka_server_replicamanager_isrexpands_total";
inline constexpr const char* kActiveControllerCount =
    "kafka_controller_kafkacontroller_activecontrollercount";

// Per-topic counters (label topic="<name>").
struct TopicMetrics {
  metrics::Counter& bytes_in;
  metrics::Counter& bytes_out;
  metrics::Counter& messages_in;
  metrics::Counter& bytes_rejected;
  metrics::Counter& failed_produce_requests;
  metrics::Counter& failed_fetch_requests;
};
TopicMetrics TopicMetricsFor(metrics::Registry& registry, const std::string& topic);
// Drops a deleted topic's series; handles from TopicMetricsFor(topic) become dangling.
void RemoveTopicMetrics(metrics::Registry& registry, const std::string& topic);

// Per-request-type metrics (label request="<ApiKey name>", e.g. "Produce", "FetchConsumer").
struct RequestMetrics {
  metrics::Counter& requests;
  metrics::Counter& errors;           // responses carrying a non-zero error code
  metrics::Histogram& total_time_ms;  // receive to response sent
};
RequestMetrics RequestMetricsFor(metrics::Registry& registry, const std::string& request);

}  // namespace sluice::admin

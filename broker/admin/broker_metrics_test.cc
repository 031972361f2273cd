#include "broker/admin/broker_metrics.h"

#include <gtest/gtest.h>

namespace sluice::admin {
namespace {

TEST(BrokerMetricsTest, TopicHandlesAreStableAndRenderUnderKafkaNames) {
  metrics::Registry registry;
  TopicMetrics a = TopicMetricsFor(registry, "orders");
  TopicMetrics again = TopicMetricsFor(registry, "orders");
  EXPECT_EQ(&a.bytes_in, &again.bytes_in);
  a.bytes_in.Increment(100);
  a.messages_in.Increment(2);
  a.bytes_out.Increment(50);
  std::string text = registry.Render();
  EXPECT_NE(text.find("kafka_server_brokertopicmetrics_bytesin_total{topic=\"orders\"} 100\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_server_brokertopicmetrics_messagesin_total{topic=\"orders\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_server_brokertopicmetrics_bytesout_total{topic=\"orders\"} 50\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE kafka_server_brokertopicmetrics_bytesin_total counter\n"),
            std::string::npos);
}

TEST(BrokerMetricsTest, RemoveTopicMetricsDropsOnlyThatTopic) {
  metrics::Registry registry;
  TopicMetricsFor(registry, "gone").bytes_in.Increment();
  TopicMetricsFor(registry, "kept").bytes_in.Increment();
  RemoveTopicMetrics(registry, "gone");
  std::string text = registry.Render();
  EXPECT_EQ(text.find("topic=\"gone\""), std::string::npos);
  EXPECT_NE(text.find("topic=\"kept\""), std::string::npos);
}

TEST(BrokerMetricsTest, RequestMetricsCountAndTime) {
  metrics::Registry registry;
  RequestMetrics produce = RequestMetricsFor(registry, "Produce");
  produce.requests.Increment();
  produce.total_time_ms.Observe(3);
  std::string text = registry.Render();
  EXPECT_NE(text.find("kafka_network_requestmetrics_requests_total{request=\"Produce\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE kafka_network_requestmetrics_totaltimems histogram\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_network_requestmetrics_totaltimems_bucket{request=\"Produce\","
                      "le=\"5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("kafka_network_requestmetrics_totaltimems_count{request=\"Produce\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::admin

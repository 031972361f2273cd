#include "libs/base/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace sluice::metrics {
namespace {

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  Registry r;
  EXPECT_EQ(r.Render(), "");
}

TEST(MetricsTest, CounterWithLabelsRendersHelpTypeAndSample) {
  Registry r;
  r.GetCounter("kafka_server_brokertopicmetrics_bytesin_total", "Bytes in.", {{"topic", "t"}})
      .Increment(42);
  EXPECT_EQ(r.Render(),
            "# HELP kafka_server_brokertopicmetrics_bytesin_total Bytes in.\n"
            "# TYPE kafka_server_brokertopicmetrics_bytesin_total counter\n"
            "kafka_server_brokertopicmetrics_bytesin_total{topic=\"t\"} 42\n");
}

TEST(MetricsTest, SameNameAndLabelsReturnTheSameSeries) {
  Registry r;
  Counter& a = r.GetCounter("c_total", "h", {{"x", "1"}, {"y", "2"}});
  Counter& b = r.GetCounter("c_total", "h", {{"y", "2"}, {"x", "1"}});  // label order ignored
  EXPECT_EQ(&a, &b);
  a.Increment();
  b.Increment(2);
  EXPECT_EQ(a.Value(), 3u);
}

TEST(MetricsTest, SeriesSortedByLabelsAndFamiliesByName) {
  Registry r;
  r.GetCounter("b_total", "B.", {{"topic", "z"}}).Increment();
  r.GetCounter("b_total", "B.", {{"topic", "a"}}).Increment(2);
  r.GetGauge("a_gauge", "A.").Set(1.5);
  EXPECT_EQ(r.Render(),
            "# HELP a_gauge A.\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge 1.5\n"
            "# HELP b_total B.\n"
            "# TYPE b_total counter\n"
            "b_total{topic=\"a\"} 2\n"
            "b_total{topic=\"z\"} 1\n");
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Registry r;
  r.GetGauge("g", "line1\nback\\slash \"quoted\"", {{"v", "a\"b\\c\nd"}}).Set(-3);
  EXPECT_EQ(r.Render(),
            "# HELP g line1\\nback\\\\slash \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{v=\"a\\\"b\\\\c\\nd\"} -3\n");
}

TEST(MetricsTest, GaugeCallbackIsReadAtRenderTime) {
  Registry r;
  int partitions = 3;
  r.SetGaugeCallback("kafka_server_replicamanager_partitioncount", "Partitions.", {},
                     [&] { return static_cast<double>(partitions); });
  partitions = 7;
  EXPECT_EQ(r.Render(),
            "# HELP kafka_server_replicamanager_partitioncount Partitions.\n"
            "# TYPE kafka_server_replicamanager_partitioncount gauge\n"
            "kafka_server_replicamanager_partitioncount 7\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  Histogram& h = r.GetHistogram("kafka_network_requestmetrics_totaltimems", "Latency.",
                                {{"request", "Produce"}}, {1, 5});
  h.Observe(0.5);
  h.Observe(1);  // bounds are inclusive: lands in le="1"
  h.Observe(3);
  h.Observe(100);
  EXPECT_EQ(r.Render(),
            "# HELP kafka_network_requestmetrics_totaltimems Latency.\n"
            "# TYPE kafka_network_requestmetrics_totaltimems histogram\n"
            "kafka_network_requestmetrics_totaltimems_bucket{request=\"Produce\",le=\"1\"} 2\n"
            "kafka_network_requestmetrics_totaltimems_bucket{request=\"Produce\",le=\"5\"} 3\n"
            "kafka_network_requestmetrics_totaltimems_bucket{request=\"Produce\",le=\"+Inf\"} 4\n"
            "kafka_network_requestmetrics_totaltimems_sum{request=\"Produce\"} 104.5\n"
            "kafka_network_requestmetrics_totaltimems_count{request=\"Produce\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsHasOnlyLe) {
  Registry r;
  r.GetHistogram("h", "H.", {}, {0.5}).Observe(0.25);
  EXPECT_EQ(r.Render(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"0.5\"} 1\n"
            "h_bucket{le=\"+Inf\"} 1\n"
            "h_sum 0.25\n"
            "h_count 1\n");
}

TEST(MetricsTest, LaterHistogramSeriesShareTheFirstBuckets) {
  Registry r;
  r.GetHistogram("h", "H.", {{"request", "A"}}, {1, 2});
  Histogram& b = r.GetHistogram("h", "H.", {{"request", "B"}}, {10});
  EXPECT_EQ(b.upper_bounds(), (std::vector<double>{1, 2}));
}

TEST(MetricsTest, RemoveDropsSeriesAndEmptyFamilyIsNotRendered) {
  Registry r;
  r.GetCounter("c_total", "C.", {{"topic", "t"}}).Increment();
  r.Remove("c_total", {{"topic", "t"}});
  r.Remove("c_total", {{"topic", "never-existed"}});
  r.Remove("no_such_family", {});
  EXPECT_EQ(r.Render(), "");
}

TEST(MetricsTest, SampleValueFormatting) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(12345678901234.0), "12345678901234");
  EXPECT_EQ(FormatSampleValue(-2), "-2");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(1e300), "1e+300");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  Counter& c = r.GetCounter("c_total", "C.");
  Histogram& h = r.GetHistogram("h", "H.", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        h.Observe(2);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000u);
  EXPECT_EQ(h.Count(), 40000u);
  EXPECT_EQ(h.Sum(), 80000.0);
}

TEST(MetricsTest, DefaultRegistryIsOneInstance) {
  EXPECT_EQ(&Registry::Default(), &Registry::Default());
}

}  // namespace
}  // namespace sluice::metrics

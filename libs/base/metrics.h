// A small thread-safe metrics registry rendered in the Prometheus text exposition format
// (version 0.0.4), served by the admin HTTP port at /metrics.
//
// Model: a *family* is a metric name with its help text and type; a *series* is one label set
// within a family. Get*() finds or creates a series and returns a reference that stays valid
// until Remove() of that series or the registry's destruction, so hot paths look the series up
// once and then only touch atomics:
//
//   auto& bytes_in = registry.GetCounter("kafka_server_brokertopicmetrics_bytesin_total",
//                                        "Bytes appended by producers.", {{"topic", "t"}});
//   bytes_in.Increment(batch_size);   // one relaxed atomic add
//
// Thread safety: every method may be called from any thread. Get*/Remove/Render take the
// registry's mutex; Counter/Gauge/Histogram updates are lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sluice::metrics {

// Label pairs, e.g. {{"topic", "orders"}}. Order does not matter: series are keyed by the
// labels sorted by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count (Prometheus "counter"). Names should end in _total.
class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (Prometheus "gauge"), set by its owner.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A distribution over fixed buckets (Prometheus "histogram"). Each Observe() is a search over
// the (few) bucket bounds plus three relaxed atomic adds; buckets are stored per-bucket and
// made cumulative only when rendered.
class Histogram {
 public:
  // `upper_bounds` must be strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Per-bucket (not cumulative) counts; the last entry is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // upper_bounds_.size() + 1 entries
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Bucket bounds for request latencies in milliseconds: 0.5 ms to 10 s, roughly 1-2.5-5 steps.
const std::vector<double>& LatencyMsBuckets();

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry the admin server renders by default.
  static Registry& Default();

  // Finds or creates a series. The first call for a name fixes its help text, type and (for
  // histograms) buckets; asking for an existing name with a different type aborts (a bug).
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                          const std::vector<double>& upper_bounds = LatencyMsBuckets());

  // A gauge whose value is read by calling `read` at render time (e.g. partition count). The
  // callback runs under the registry's mutex: it must be quick and must not call back into the
  // registry. Replaces an earlier callback for the same series. The owner must Remove() the
  // series before whatever `read` captures is destroyed.
  void SetGaugeCallback(const std::string& name, const std::string& help, const Labels& labels,
                        std::function<double()> read);

  // Drops one series (e.g. a deleted topic's). References to it become dangling.
  void Remove(const std::string& name, const Labels& labels);

  // Every family in name order, series in label order, in the text exposition format.
  std::string Render() const;

 private:
  struct Family;
  struct Series;
  Family& FamilyFor(const std::string& name, const std::string& help, int type);  // REQUIRES: mu_
  Series& SeriesFor(Family& family, const Labels& labels);                        // REQUIRES: mu_

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;  // GUARDED_BY(mu_)
};

// Formats a sample value the way Prometheus parsers expect: integers without a decimal point,
// other values in the shortest round-tripping form, and NaN, +Inf, -Inf spelled out.
std::string FormatSampleValue(double v);

}  // namespace sluice::metrics

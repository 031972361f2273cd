#include "libs/base/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sluice::metrics {

namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* TypeName(int type) {
  switch (type) {
    case kCounter:
      return "counter";
    case kGauge:
      return "gauge";
    default:
      return "histogram";
  }
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// HELP text escapes only backslash and newline.
std::string EscapeHelp(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

Labels Sorted(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

// `a="x",b="y"` for sorted labels, without braces, so `le` can be appended for histograms.
std::string LabelBody(const Labels& sorted) {
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out += ',';
    out += k;
    out += "=\"";
    out += EscapeLabelValue(v);
    out += '"';
  }
  return out;
}

std::string Braced(const std::string& body) { return body.empty() ? "" : "{" + body + "}"; }

}  // namespace

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Integral values up to 2^53 print exactly without an exponent or decimal point.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) buckets_[i].store(0);
  for (size_t i = 1; i < upper_bounds_.size(); ++i) {
    if (!(upper_bounds_[i - 1] < upper_bounds_[i])) std::abort();  // bounds must increase
  }
}

void Histogram::Observe(double v) {
  // Prometheus buckets are inclusive upper bounds: v lands in the first bound >= v.
  size_t i =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) - upper_bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> out(upper_bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

const std::vector<double>& LatencyMsBuckets() {
  static const std::vector<double> kBuckets = {0.5, 1,   2.5, 5,    10,   25,   50,
                                               100, 250, 500, 1000, 2500, 5000, 10000};
  return kBuckets;
}

struct Registry::Series {
  Labels labels;  // sorted by name
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::function<double()> gauge_callback;
  std::unique_ptr<Histogram> histogram;
};

struct Registry::Family {
  std::string help;
  int type = kCounter;
  std::vector<double> upper_bounds;                       // histograms only
  std::map<std::string, std::unique_ptr<Series>> series;  // keyed by LabelBody(sorted labels)
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::Default() {
  static Registry* registry = new Registry();  // never destroyed: metrics outlive static teardown
  return *registry;
}

Registry::Family& Registry::FamilyFor(const std::string& name, const std::string& help, int type) {
  auto& slot = families_[name];
  if (!slot) {
    slot = std::make_unique<Family>();
    slot->help = help;
    slot->type = type;
  }
  // One name, one type: Prometheus rejects a scrape that mixes them.
  if (slot->type != type) std::abort();
  return *slot;
}

Registry::Series& Registry::SeriesFor(Family& family, const Labels& labels) {
  Labels sorted = Sorted(labels);
  auto& slot = family.series[LabelBody(sorted)];
  if (!slot) {
    slot = std::make_unique<Series>();
    slot->labels = std::move(sorted);
  }
  return *slot;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = SeriesFor(FamilyFor(name, help, kCounter), labels);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Series& s = SeriesFor(FamilyFor(name, help, kGauge), labels);
  s.gauge_callback = nullptr;
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

void Registry::SetGaugeCallback(const std::string& name, const std::string& help,
                                const Labels& labels, std::function<double()> read) {
  std::lock_guard lock(mu_);
  Series& s = SeriesFor(FamilyFor(name, help, kGauge), labels);
  s.gauge_callback = std::move(read);
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels, const std::vector<double>& upper_bounds) {
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(name, help, kHistogram);
  if (family.series.empty() && family.upper_bounds.empty()) family.upper_bounds = upper_bounds;
  Series& s = SeriesFor(family, labels);
  // All series of a family share the first caller's buckets, so they can be aggregated.
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(family.upper_bounds);
  return *s.histogram;
}

void Registry::Remove(const std::string& name, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second->series.erase(LabelBody(Sorted(labels)));
}

std::string Registry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family->series.empty()) continue;
    out += "# HELP " + name + " " + EscapeHelp(family->help) + "\n";
    out += "# TYPE " + name + " " + TypeName(family->type) + "\n";
    for (const auto& [body, series] : family->series) {
      switch (family->type) {
        case kCounter:
          out += name + Braced(body) + " " +
                 FormatSampleValue(static_cast<double>(series->counter->Value())) + "\n";
          break;
        case kGauge: {
          double v = series->gauge_callback ? series->gauge_callback()
                     : series->gauge        ? series->gauge->Value()
                                            : 0.0;
          out += name + Braced(body) + " " + FormatSampleValue(v) + "\n";
          break;
        }
        case kHistogram: {
          const Histogram& h = *series->histogram;
          std::vector<uint64_t> counts = h.BucketCounts();
          std::string prefix = body.empty() ? "" : body + ",";
          uint64_t cumulative = 0;
          for (size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            std::string le =
                i < h.upper_bounds().size() ? FormatSampleValue(h.upper_bounds()[i]) : "+Inf";
            out += name + "_bucket{" + prefix + "le=\"" + le + "\"} " + std::to_string(cumulative) +
                   "\n";
          }
          // _count is taken from the buckets just read, so it always equals the +Inf bucket
          // even while other threads observe (Prometheus checks that invariant).
          out += name + "_sum" + Braced(body) + " " + FormatSampleValue(h.Sum()) + "\n";
          out += name + "_count" + Braced(body) + " " + std::to_string(cumulative) + "\n";
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace sluice::metrics

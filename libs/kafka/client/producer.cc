#include "libs/kafka/client/producer.h"

#include <algorithm>
#include <thread>

#include "libs/base/clock.h"
#include "libs/kafka/client/errors.h"
#include "libs/kafka/messages/produce.h"

namespace sluice::kafka::client {
namespace {

using Clock = std::chrono::steady_clock;

// An estimate of a record's size in a batch (Kafka's batch.size counts encoded bytes; the
// varint framing adds at most ~20 bytes per record plus header framing).
size_t EstimatedSize(const Record& r) {
  size_t size = 21 + (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const RecordHeader& h : r.headers) {
    size += 10 + h.key.size() + (h.value ? h.value->size() : 0);
  }
  return size;
}

}  // namespace

Producer::Producer(Client& client, ProducerOptions options)
    : client_(client), options_(std::move(options)), partitioner_(options_.null_keys) {}

Producer::~Producer() { Flush(); }

Result<int32_t> Producer::PartitionCount(const std::string& topic) {
  if (auto it = partition_counts_.find(topic); it != partition_counts_.end()) return it->second;
  const Clock::time_point deadline = Clock::now() + options_.max_block;
  std::chrono::milliseconds backoff = client_.options().retry_backoff;
  for (;;) {
    // allow_auto_create: a producer may create topics (when the broker allows it).
    Result<ClusterMetadata> md = client_.FetchMetadata(std::vector<std::string>{topic}, true);
    if (!md.ok()) return md.status();
    const TopicMetadata* t = md->FindTopic(topic);
    Status problem = Status::NotFound("topic '" + topic + "' is not in the metadata response");
    if (t != nullptr && t->error_code == 0 && !t->partitions.empty()) {
      const int32_t count = static_cast<int32_t>(t->partitions.size());
      partition_counts_[topic] = count;
      return count;
    }
    if (t != nullptr && t->error_code != 0) {
      problem = KafkaErrorStatus(t->error_code, "topic '" + topic + "'");
      if (!IsRetriableKafkaError(t->error_code)) return problem;
    }
    if (Clock::now() + backoff > deadline) {
      return Status::Timeout("topic '" + topic + "' not present in metadata after " +
                             std::to_string(options_.max_block.count()) + " ms (" +
                             problem.message() + ")");
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
}

Result<TopicPartition> Producer::Send(ProducerRecord record) {
  Result<int32_t> count = PartitionCount(record.topic);
  if (!count.ok()) return count.status();
  PartitionId partition{0};
  if (record.partition.has_value()) {
    if (record.partition->value() < 0 || record.partition->value() >= *count) {
      return Status::InvalidArgument("topic '" + record.topic + "' has no partition " +
                                     std::to_string(record.partition->value()) + " (it has " +
                                     std::to_string(*count) + ")");
    }
    partition = *record.partition;
  } else {
    partition = partitioner_.Choose(record.topic, record.key, *count);
  }
  TopicPartition tp{record.topic, partition};

  Record r;
  r.timestamp = record.timestamp.has_value() ? record.timestamp->value() : WallClockNow().value();
  r.key = std::move(record.key);
  r.value = std::move(record.value);
  r.headers = std::move(record.headers);
  const size_t size = EstimatedSize(r);

  PendingBatch& batch = pending_[tp];
  // A record that would overflow a non-empty batch starts the next one.
  if (!batch.records.empty() &&
      batch.bytes + size > static_cast<size_t>(std::max(options_.batch_size, 1))) {
    SendBatches({tp});
  }
  PendingBatch& current = pending_[tp];
  if (current.records.empty()) current.first_added = Clock::now();
  current.records.push_back(std::move(r));
  current.bytes += size;
  if (current.bytes >= static_cast<size_t>(std::max(options_.batch_size, 1))) SendBatches({tp});
  return tp;
}

std::optional<Clock::time_point> Producer::NextLingerDeadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& [tp, batch] : pending_) {
    if (batch.records.empty()) continue;
    Clock::time_point due = batch.first_added + options_.linger;
    if (!next.has_value() || due < *next) next = due;
  }
  return next;
}

std::vector<DeliveryReport> Producer::Poll() {
  std::vector<TopicPartition> due;
  const Clock::time_point now = Clock::now();
  for (const auto& [tp, batch] : pending_) {
    if (!batch.records.empty() && batch.first_added + options_.linger <= now) due.push_back(tp);
  }
  if (!due.empty()) SendBatches(std::move(due));
  return std::exchange(completed_, {});
}

std::vector<DeliveryReport> Producer::Flush() {
  std::vector<TopicPartition> all;
  for (const auto& [tp, batch] : pending_) {
    if (!batch.records.empty()) all.push_back(tp);
  }
  if (!all.empty()) SendBatches(std::move(all));
  return std::exchange(completed_, {});
}

void Producer::SendBatches(std::vector<TopicPartition> partitions) {
  // Encode each partition's batch once; retries resend the same bytes.
  struct Outgoing {
    TopicPartition tp;
    size_t record_count = 0;
    std::vector<uint8_t> bytes;
    Status last_error;
  };
  std::vector<Outgoing> todo;
  for (const TopicPartition& tp : partitions) {
    auto it = pending_.find(tp);
    if (it == pending_.end() || it->second.records.empty()) continue;
    std::vector<Record> records = std::move(it->second.records);
    pending_.erase(it);
    partitioner_.OnBatchSent(tp.topic, tp.partition, partition_counts_[tp.topic]);
    RecordBatchBuilderOptions build;
    build.compression = options_.compression;
    Result<std::vector<uint8_t>> bytes = BuildRecordBatch(records, build);
    if (!bytes.ok()) {
      for (size_t i = 0; i < records.size(); ++i) {
        completed_.push_back(DeliveryReport{
            tp, Offset(-1),
            Status::InvalidArgument(tp.ToString() + ": " + bytes.status().message())});
      }
      continue;
    }
    todo.push_back(Outgoing{tp, records.size(), std::move(*bytes), Status::Ok()});
  }

  auto report_all = [&](const Outgoing& o, Offset base, const Status& status) {
    for (size_t i = 0; i < o.record_count; ++i) {
      completed_.push_back(DeliveryReport{
          o.tp, status.ok() && base.value() >= 0 ? base + static_cast<int64_t>(i) : Offset(-1),
          status});
    }
  };

  // Record batch v2 needs Produce v3+; zstd batches need v7+ (KIP-110).
  const SendOptions send_options{
      .min_version = static_cast<int16_t>(options_.compression == Compression::kZstd ? 7 : 3),
      .timeout = options_.request_timeout + std::chrono::seconds(5)};

  for (int attempt = 0; !todo.empty(); ++attempt) {
    if (attempt > options_.retries) {
      for (const Outgoing& o : todo) report_all(o, Offset(-1), o.last_error);
      return;
    }
    if (attempt > 0) client_.Backoff();
    std::map<BrokerId, std::vector<Outgoing*>> by_leader;
    std::vector<Outgoing> retry;
    for (Outgoing& o : todo) {
      Result<BrokerId> leader = client_.LeaderFor(o.tp, attempt > 0);
      if (!leader.ok()) {
        if (leader.status().code() == Status::Code::kUnavailable) {
          o.last_error = leader.status();
          retry.push_back(std::move(o));
        } else {
          report_all(o, Offset(-1), leader.status());
        }
        continue;
      }
      by_leader[*leader].push_back(&o);
    }
    for (auto& [leader, batches] : by_leader) {
      ProduceRequest request;
      request.acks = options_.acks;
      request.timeout_ms = static_cast<int32_t>(options_.request_timeout.count());
      std::map<std::string, ProduceRequest::TopicProduceData> topics;
      for (Outgoing* o : batches) {
        ProduceRequest::PartitionProduceData p;
        p.index = o->tp.partition.value();
        p.records = o->bytes;
        auto& t = topics[o->tp.topic];
        t.name = o->tp.topic;
        t.partition_data.push_back(std::move(p));
      }
      for (auto& [name, t] : topics) request.topic_data.push_back(std::move(t));

      Result<ProduceResponse> response =
          client_.Send<ProduceResponse>(leader, request, send_options);
      if (!response.ok()) {
        // The connection failed: the batches may or may not have been written (no
        // idempotence), so they are retried like a retriable error.
        for (Outgoing* o : batches) {
          o->last_error = Status::Unavailable("producing to " + o->tp.ToString() + ": " +
                                              response.status().message());
          retry.push_back(std::move(*o));
        }
        continue;
      }
      if (options_.acks == 0) {
        for (Outgoing* o : batches) report_all(*o, Offset(-1), Status::Ok());
        continue;
      }
      std::map<TopicPartition, const ProduceResponse::PartitionProduceResponse*> answers;
      for (const auto& t : response->responses) {
        for (const auto& p : t.partition_responses) {
          answers[TopicPartition{t.name, PartitionId(p.index)}] = &p;
        }
      }
      for (Outgoing* o : batches) {
        auto it = answers.find(o->tp);
        if (it == answers.end()) {
          report_all(*o, Offset(-1),
                     Status::Corruption("producing to " + o->tp.ToString() +
                                        ": the broker's answer does not mention the partition"));
          continue;
        }
        const auto& answer = *it->second;
        if (answer.error_code == 0) {
          report_all(*o, Offset(answer.base_offset), Status::Ok());
          continue;
        }
        Status error = KafkaErrorStatus(answer.error_code, "producing to " + o->tp.ToString(),
                                        answer.error_message.value_or(""));
        if (IsRetriableKafkaError(answer.error_code)) {
          if (InvalidatesMetadata(answer.error_code)) client_.InvalidateMetadata();
          o->last_error = std::move(error);
          retry.push_back(std::move(*o));
        } else {
          report_all(*o, Offset(-1), error);
        }
      }
    }
    todo = std::move(retry);
  }
}

}  // namespace sluice::kafka::client

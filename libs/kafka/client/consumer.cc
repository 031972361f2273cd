#include "libs/kafka/client/consumer.h"

#include <algorithm>
#include <thread>

#include "libs/kafka/client/errors.h"
#include "libs/kafka/client/fetched_records.h"
#include "libs/kafka/client/offsets.h"
#include "libs/kafka/messages/fetch.h"

namespace sluice::kafka::client {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Consumer::Consumer(Client& client, ConsumerOptions options)
    : client_(client), options_(std::move(options)) {}

void Consumer::Assign(std::vector<TopicPartition> partitions) {
  std::map<TopicPartition, PartitionState> next;
  for (TopicPartition& tp : partitions) {
    auto it = assignment_.find(tp);
    next[tp] = it == assignment_.end() ? PartitionState{} : it->second;
  }
  assignment_ = std::move(next);
}

std::vector<TopicPartition> Consumer::Assignment() const {
  std::vector<TopicPartition> result;
  for (const auto& [tp, state] : assignment_) result.push_back(tp);
  return result;
}

void Consumer::Seek(const TopicPartition& partition, Offset offset) {
  assignment_[partition].position = offset;
}

Status Consumer::SeekToBeginning(const std::vector<TopicPartition>& partitions) {
  Result<std::map<TopicPartition, Offset>> offsets =
      ListOffsets(client_, partitions, OffsetSpec::Earliest(), options_.isolation);
  if (!offsets.ok()) return offsets.status();
  for (const auto& [tp, offset] : *offsets) Seek(tp, offset);
  return Status::Ok();
}

Status Consumer::SeekToEnd(const std::vector<TopicPartition>& partitions) {
  Result<std::map<TopicPartition, Offset>> offsets =
      ListOffsets(client_, partitions, OffsetSpec::Latest(), options_.isolation);
  if (!offsets.ok()) return offsets.status();
  for (const auto& [tp, offset] : *offsets) Seek(tp, offset);
  return Status::Ok();
}

std::optional<Offset> Consumer::Position(const TopicPartition& partition) const {
  auto it = assignment_.find(partition);
  return it == assignment_.end() ? std::nullopt : it->second.position;
}

std::optional<Offset> Consumer::HighWatermark(const TopicPartition& partition) const {
  auto it = assignment_.find(partition);
  return it == assignment_.end() ? std::nullopt : it->second.high_watermark;
}

Status Consumer::ResetPositions() {
  std::vector<TopicPartition> missing;
  for (const auto& [tp, state] : assignment_) {
    if (!state.position.has_value()) missing.push_back(tp);
  }
  if (missing.empty()) return Status::Ok();
  switch (options_.auto_offset_reset) {
    case AutoOffsetReset::kEarliest:
      return SeekToBeginning(missing);
    case AutoOffsetReset::kLatest:
      return SeekToEnd(missing);
    case AutoOffsetReset::kNone:
      break;
  }
  return Status::OutOfRange("no position for " + missing.front().ToString() +
                            " and auto.offset.reset is none");
}

Result<std::vector<ConsumerRecord>> Consumer::Poll(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    SLUICE_RETURN_IF_ERROR(ResetPositions());
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    left = std::max(left, std::chrono::milliseconds(0));
    if (assignment_.empty()) {
      std::this_thread::sleep_for(left);
      return std::vector<ConsumerRecord>();
    }
    Result<std::vector<ConsumerRecord>> records =
        FetchOnce(std::min(left, options_.fetch_max_wait));
    if (!records.ok() || !records->empty() || Clock::now() >= deadline) return records;
  }
}

Result<std::vector<ConsumerRecord>> Consumer::FetchOnce(std::chrono::milliseconds max_wait) {
  std::map<BrokerId, std::vector<TopicPartition>> by_leader;
  bool waited_for_leader = false;
  for (const auto& [tp, state] : assignment_) {
    if (!state.position.has_value()) continue;
    Result<BrokerId> leader = client_.LeaderFor(tp);
    if (!leader.ok()) {
      // No leader right now (moving, or the topic is being created): try again next round.
      if (leader.status().code() != Status::Code::kUnavailable) return leader.status();
      waited_for_leader = true;
      continue;
    }
    by_leader[*leader].push_back(tp);
  }
  if (by_leader.empty()) {
    if (waited_for_leader) client_.Backoff();
    return std::vector<ConsumerRecord>();
  }

  std::vector<ConsumerRecord> result;
  for (const auto& [leader, partitions] : by_leader) {
    FetchRequest request;
    request.replica_id = -1;
    // Only the first broker of a round waits: once records are in hand, return them promptly.
    request.max_wait_ms = result.empty() ? static_cast<int32_t>(max_wait.count()) : 0;
    request.min_bytes = options_.fetch_min_bytes;
    request.max_bytes = options_.fetch_max_bytes;
    request.isolation_level = static_cast<int8_t>(options_.isolation);
    std::map<std::string, FetchRequest::FetchTopic> topics;
    for (const TopicPartition& tp : partitions) {
      FetchRequest::FetchPartition p;
      p.partition = tp.partition.value();
      p.fetch_offset = assignment_[tp].position->value();
      p.partition_max_bytes = options_.max_partition_fetch_bytes;
      auto& t = topics[tp.topic];
      t.topic = tp.topic;
      t.partitions.push_back(p);
    }
    for (auto& [name, t] : topics) request.topics.push_back(std::move(t));

    // v4+: record batch v2 and isolation level.
    Result<FetchResponse> response = client_.Send<FetchResponse>(
        leader, request,
        {.min_version = 4,
         .timeout = client_.options().connection.request_timeout + max_wait});
    if (!response.ok()) {
      // A broker that went away: refresh metadata and try again next round.
      if (response.status().code() == Status::Code::kIoError ||
          response.status().code() == Status::Code::kUnavailable) {
        client_.InvalidateMetadata();
        client_.Backoff();
        continue;
      }
      return response.status();
    }
    if (response->error_code != 0) {
      return KafkaErrorStatus(response->error_code, "Fetch from broker " +
                                                        std::to_string(leader.value()));
    }
    for (const auto& t : response->responses) {
      for (const auto& p : t.partitions) {
        TopicPartition tp{t.topic, PartitionId(p.partition_index)};
        auto state = assignment_.find(tp);
        if (state == assignment_.end() || !state->second.position.has_value()) continue;
        if (p.error_code != 0) {
          if (p.error_code == Code(ErrorCode::kOffsetOutOfRange) &&
              options_.auto_offset_reset != AutoOffsetReset::kNone) {
            state->second.position.reset();  // ResetPositions picks it up next round
            continue;
          }
          if (IsRetriableKafkaError(p.error_code)) {
            if (InvalidatesMetadata(p.error_code)) client_.InvalidateMetadata();
            continue;
          }
          return KafkaErrorStatus(p.error_code, "Fetch " + tp.ToString() + " at offset " +
                                                    std::to_string(
                                                        state->second.position->value()));
        }
        state->second.high_watermark = Offset(p.high_watermark);
        if (!p.records.has_value() || p.records->empty()) continue;
        std::vector<AbortedTransactionRange> aborted;
        if (p.aborted_transactions.has_value()) {
          for (const auto& a : *p.aborted_transactions) {
            aborted.push_back(AbortedTransactionRange{a.producer_id, Offset(a.first_offset)});
          }
        }
        Result<FetchedRecords> fetched =
            DecodeFetchedRecords(tp, *p.records, *state->second.position, options_.isolation,
                                 std::move(aborted), options_.skip_corrupt_batches);
        if (!fetched.ok()) return fetched.status();
        state->second.position = fetched->next_position;
        for (ConsumerRecord& r : fetched->records) result.push_back(std::move(r));
      }
    }
  }
  return result;
}

}  // namespace sluice::kafka::client

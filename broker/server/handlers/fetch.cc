#include "broker/server/handlers/fetch.h"

#include <algorithm>
#include <chrono>

#include "broker/admin/broker_metrics.h"
#include "broker/server/errors.h"
#include "broker/server/handlers/partition_lookup.h"
#include "libs/base/clock.h"
#include "libs/kafka/messages/fetch.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

// A fetch from a follower (replica_id = its broker id) rather than a consumer (-1).
bool FromFollower(const kafka::FetchRequest& request) { return request.replica_id >= 0; }

// Reads what the request asks for right now: a follower up to the log end offset (the read also
// records its fetch position, which may grow the ISR and advance the high watermark), a
// consumer up to the high watermark. Returns the response and the record bytes in it.
// `for_response` is false for a probe whose result is not sent (no bytes-out counted).
std::pair<kafka::FetchResponse, size_t> ReadNow(BrokerServices& services,
                                                const kafka::FetchRequest& request, int16_t version,
                                                bool for_response = true) {
  kafka::FetchResponse response;
  const bool follower = FromFollower(request);
  const int32_t replica_id = follower ? request.replica_id : -1;
  const TimestampMs now = WallClockNow();
  // Before v3 there is no response-wide limit; partition limits alone apply.
  int64_t remaining = version >= 3 ? request.max_bytes : INT32_MAX;
  // KIP-74: from v3 on, the first batch is returned even when larger than the limits, so a
  // consumer can always make progress.
  bool min_one_batch = version >= 3;
  size_t total = 0;
  for (const auto& topic : request.topics) {
    auto& topic_response = response.responses.emplace_back();
    topic_response.topic = topic.topic;
    for (const auto& p : topic.partitions) {
      auto& out = topic_response.partitions.emplace_back();
      out.partition_index = p.partition;
      out.high_watermark = -1;
      out.last_stable_offset = -1;
      out.log_start_offset = -1;
      out.records = kafka::Bytes();
      // Read committed is the same as read uncommitted until transactions exist: no aborted
      // transactions to report, and the last stable offset is the high watermark.
      out.aborted_transactions =
          request.isolation_level == 1
              ? std::optional<std::vector<kafka::FetchResponse::AbortedTransaction>>(
                    std::vector<kafka::FetchResponse::AbortedTransaction>())
              : std::nullopt;
      LeaderLookup leader = LookupLeader(services, topic.topic, p.partition,
                                         version >= 9 ? p.current_leader_epoch : -1);
      if (leader.error != ErrorCode::kNone) {
        out.error_code = kafka::Code(leader.error);
        continue;
      }
      const int32_t limit = static_cast<int32_t>(
          std::min<int64_t>(p.partition_max_bytes, std::max<int64_t>(0, remaining)));
      auto read = leader.partition->ReadRecords(replica_id, Offset(p.fetch_offset), limit,
                                                min_one_batch, now);
      if (!read.ok()) {
        out.error_code = kafka::Code(ReadErrorCode(read.status()));
        // Kafka still reports the log's bounds with OFFSET_OUT_OF_RANGE, for the consumer's
        // auto.offset.reset and the follower's truncation.
        storage::Log& log = leader.partition->log();
        out.high_watermark = log.HighWatermark().value();
        out.last_stable_offset = out.high_watermark;
        out.log_start_offset = log.LogStartOffset().value();
        continue;
      }
      out.high_watermark = read->high_watermark.value();
      out.last_stable_offset = read->high_watermark.value();
      out.log_start_offset = read->log_start_offset.value();
      if (!read->records.empty()) {
        min_one_batch = false;
        remaining -= static_cast<int64_t>(read->records.size());
        total += read->records.size();
        if (for_response && !follower) {
          admin::TopicMetricsFor(services.metrics, topic.topic)
              .bytes_out.Increment(read->records.size());
        }
      }
      out.records = std::move(read->records);
    }
  }
  return {std::move(response), total};
}

// Whether any partition of the request has data past its fetch offset (the log end offset for
// a follower, the high watermark for a consumer) or an error to report, without reading it:
// the cheap test that completes most waiting fetches.
bool AnythingToReturn(BrokerServices& services, const kafka::FetchRequest& request) {
  const bool follower = FromFollower(request);
  for (const auto& topic : request.topics) {
    for (const auto& p : topic.partitions) {
      auto partition = services.replicas.Get({topic.topic, PartitionId(p.partition)});
      if (!partition || !partition->is_leader()) return true;  // an error to report now
      const storage::Log& log = partition->log();
      const Offset end = follower ? log.LogEndOffset() : log.HighWatermark();
      if (end.value() != p.fetch_offset) return true;
    }
  }
  return false;
}

class DelayedFetch : public DelayedOperation {
 public:
  DelayedFetch(BrokerServices& services, kafka::FetchRequest request, int16_t version,
               std::function<void(kafka::FetchResponse)> respond)
      : services_(services),
        request_(std::move(request)),
        version_(version),
        respond_(std::move(respond)) {}

  bool TryComplete() override {
    if (!AnythingToReturn(services_, request_)) return false;
    if (request_.min_bytes > 1) {
      // Count the bytes a read would return now; completing needs min.bytes of them.
      if (ReadNow(services_, request_, version_, /*for_response=*/false).second <
          static_cast<size_t>(request_.min_bytes)) {
        return false;
      }
    }
    return ForceComplete();
  }
  void OnComplete() override { respond_(ReadNow(services_, request_, version_).first); }

 private:
  BrokerServices& services_;
  const kafka::FetchRequest request_;
  const int16_t version_;
  std::function<void(kafka::FetchResponse)> respond_;
};

}  // namespace

void RegisterFetch(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<kafka::FetchRequest, kafka::FetchResponse>(
      "Fetch", [&services](const RequestContext& ctx, kafka::FetchRequest request,
                           std::function<void(kafka::FetchResponse)> respond) {
        const int16_t version = ctx.api_version;
        if (version >= 7 && request.session_id != 0) {
          kafka::FetchResponse response;
          response.error_code = kafka::Code(ErrorCode::kFetchSessionIdNotFound);
          response.session_id = 0;
          return respond(std::move(response));
        }
        if (request.max_wait_ms <= 0 || request.min_bytes <= 0) {
          return respond(ReadNow(services, request, version).first);
        }
        auto [response, bytes] = ReadNow(services, request, version);
        if (bytes >= static_cast<size_t>(request.min_bytes)) return respond(std::move(response));
        for (const auto& topic : response.responses) {
          for (const auto& p : topic.partitions) {
            // Any error is answered at once (Kafka completes a delayed fetch on errors too).
            if (p.error_code != 0) return respond(std::move(response));
          }
        }
        std::vector<std::string> keys;
        for (const auto& topic : request.topics) {
          for (const auto& p : topic.partitions) {
            keys.push_back(PartitionKey(topic.topic, p.partition));
          }
        }
        const auto timeout = std::chrono::milliseconds(request.max_wait_ms);
        auto op = std::make_shared<DelayedFetch>(services, std::move(request), version,
                                                 std::move(respond));
        services.purgatory.TryCompleteElseWatch(op, keys, timeout);
      });
}

}  // namespace sluice::server

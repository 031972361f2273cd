#include "broker/server/handlers/produce.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

#include "broker/admin/broker_metrics.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/server/delayed_produce.h"
#include "broker/server/errors.h"
#include "broker/server/handlers/partition_lookup.h"
#include "libs/base/clock.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

struct Appended {
  kafka::ProduceResponse::PartitionProduceResponse response;
  Offset last_offset{-1};  // -1 when nothing was appended (an error)
};

Appended AppendOne(BrokerServices& services, const std::string& topic,
                   const kafka::ProduceRequest::PartitionProduceData& data, int16_t acks,
                   TimestampMs now) {
  Appended out;
  out.response.index = data.index;
  out.response.base_offset = -1;
  auto fail = [&](ErrorCode code, std::string message) {
    out.response.error_code = kafka::Code(code);
    out.response.error_message = std::move(message);
    return out;
  };
  if (!metadata::ValidateTopicName(topic).ok()) {
    return fail(ErrorCode::kInvalidTopicException, "Invalid topic name '" + topic + "'");
  }
  LeaderLookup leader = LookupLeader(services, topic, data.index, -1);
  if (leader.error != ErrorCode::kNone) return fail(leader.error, "");
  // A leader out of touch with ZooKeeper may have been replaced: the client is to find the
  // current leader (NOT_LEADER_OR_FOLLOWER makes it refresh its metadata) rather than have this
  // broker judge its batch against producer state that moved on elsewhere.
  if (std::optional<std::string> fenced = LeadershipFenced(services)) {
    return fail(ErrorCode::kNotLeaderOrFollower, "Not acting as leader: " + *fenced);
  }
  // The controller's metadata already names a newer leader epoch than this replica's own
  // (its LeaderAndIsr is still on the way): this replica's leadership is over.
  if (std::optional<PartitionMetadata> cached = services.metadata.partition(topic, data.index);
      cached && cached->leader_epoch > leader.partition->leader_epoch()) {
    return fail(ErrorCode::kNotLeaderOrFollower,
                "Leader epoch " + std::to_string(leader.partition->leader_epoch()) +
                    " was superseded by " + std::to_string(cached->leader_epoch));
  }
  if (!data.records || data.records->empty()) {
    return fail(ErrorCode::kInvalidRecord, "Produce request without records");
  }
  const auto& records = *data.records;
  if (records.size() > kafka::batch_offsets::kMagic && records[kafka::batch_offsets::kMagic] < 2) {
    return fail(ErrorCode::kUnsupportedForMessageFormat,
                "Message format v0/v1 is not supported; use record batches (magic 2)");
  }
  auto metrics = admin::TopicMetricsFor(services.metrics, topic);
  replication::AppendOutcome appended = leader.partition->AppendAsLeader(records, acks, now);
  if (!appended.ok()) {
    metrics.bytes_rejected.Increment(static_cast<uint64_t>(records.size()));
    metrics.failed_produce_requests.Increment();
    return fail(appended.error, appended.message);
  }
  const storage::AppendInfo& info = appended.info;
  if (!appended.duplicate) {
    metrics.bytes_in.Increment(static_cast<uint64_t>(records.size()));
    metrics.messages_in.Increment(
        static_cast<double>(info.last_offset.value() - info.first_offset.value() + 1));
  }
  out.response.base_offset = info.first_offset.value();
  out.response.log_append_time_ms = info.log_append_time.value();
  out.response.log_start_offset = info.log_start_offset.value();
  out.last_offset = info.last_offset;
  // Followers (and consumers, when the high watermark moved) waiting in a fetch see it now.
  services.purgatory.CheckAndComplete(PartitionKey(topic, data.index));
  return out;
}

// Partition::CheckAcksAll of the partition, as hosted now.
std::optional<ErrorCode> CheckAcks(BrokerServices& services, const std::string& topic,
                                   int32_t partition, Offset last_offset) {
  auto replica = services.replicas.Get({topic, PartitionId(partition)});
  if (!replica) return ErrorCode::kNotLeaderOrFollower;
  return replica->CheckAcksAll(last_offset);
}

}  // namespace

void RegisterProduce(ApiRegistry& registry, BrokerServices& services) {
  registry.RegisterMaybeSilent<kafka::ProduceRequest, kafka::ProduceResponse>(
      "Produce",
      [&services](const RequestContext&, kafka::ProduceRequest request,
                  std::function<void(MaybeSilentReply<kafka::ProduceResponse>)> respond) {
        kafka::ProduceResponse response;
        const bool valid_acks = request.acks == -1 || request.acks == 0 || request.acks == 1;
        const TimestampMs now = WallClockNow();
        std::vector<DelayedProduce::Waiting> waiting;
        std::vector<std::string> keys;
        for (const auto& topic : request.topic_data) {
          auto& topic_response = response.responses.emplace_back();
          topic_response.name = topic.name;
          for (const auto& partition : topic.partition_data) {
            if (!valid_acks) {
              auto& p = topic_response.partition_responses.emplace_back();
              p.index = partition.index;
              p.error_code = kafka::Code(ErrorCode::kInvalidRequiredAcks);
              p.base_offset = -1;
              continue;
            }
            Appended appended = AppendOne(services, topic.name, partition, request.acks, now);
            if (request.acks == -1 && appended.last_offset.value() >= 0) {
              waiting.push_back({response.responses.size() - 1,
                                 topic_response.partition_responses.size(), appended.last_offset});
              keys.push_back(PartitionKey(topic.name, partition.index));
            }
            topic_response.partition_responses.push_back(std::move(appended.response));
          }
        }
        if (request.acks == 0) {
          // No response is sent for acks=0; a failure is signalled the only way left, as Kafka
          // does: by closing the connection, so the client notices and refreshes metadata.
          for (const auto& topic : response.responses) {
            for (const auto& p : topic.partition_responses) {
              if (p.error_code != 0) {
                return respond({std::nullopt, "acks=0 produce to " + topic.name + "-" +
                                                  std::to_string(p.index) + " failed with error " +
                                                  std::to_string(p.error_code)});
              }
            }
          }
          return respond({std::nullopt, ""});
        }
        if (waiting.empty()) return respond({std::move(response), ""});
        // acks=all with at least one partition appended: wait until they are committed.
        auto op = std::make_shared<DelayedProduce>(
            std::move(response), std::move(waiting),
            [&services](const std::string& topic, int32_t partition, Offset last_offset) {
              return CheckAcks(services, topic, partition, last_offset);
            },
            [respond](kafka::ProduceResponse r) {
              respond({std::move(r), ""});
            });
        services.purgatory.TryCompleteElseWatch(
            op, keys, std::chrono::milliseconds(std::max<int32_t>(0, request.timeout_ms)));
      });
}

}  // namespace sluice::server

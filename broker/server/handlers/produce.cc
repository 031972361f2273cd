#include "broker/server/handlers/produce.h"

#include <Poco/Logger.h>

#include <chrono>

#include "broker/admin/broker_metrics.h"
#include "broker/metadata/kafka_zk_client.h"
#include "broker/server/errors.h"
#include "broker/server/handlers/partition_lookup.h"
#include "libs/kafka/messages/produce.h"
#include "libs/kafka/records/record_batch.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

TimestampMs NowMs() {
  return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
}

kafka::ProduceResponse::PartitionProduceResponse AppendOne(
    BrokerServices& services, const std::string& topic,
    const kafka::ProduceRequest::PartitionProduceData& data, TimestampMs now) {
  kafka::ProduceResponse::PartitionProduceResponse out;
  out.index = data.index;
  out.base_offset = -1;
  auto fail = [&](ErrorCode code, std::string message) {
    out.error_code = kafka::Code(code);
    out.error_message = std::move(message);
    return out;
  };
  if (!metadata::ValidateTopicName(topic).ok()) {
    return fail(ErrorCode::kInvalidTopicException, "Invalid topic name '" + topic + "'");
  }
  LeaderLookup leader = LookupLeader(services, topic, data.index, -1);
  if (leader.error != ErrorCode::kNone) return fail(leader.error, "");
  if (!data.records || data.records->empty()) {
    return fail(ErrorCode::kInvalidRecord, "Produce request without records");
  }
  const auto& records = *data.records;
  if (records.size() > kafka::batch_offsets::kMagic && records[kafka::batch_offsets::kMagic] < 2) {
    return fail(ErrorCode::kUnsupportedForMessageFormat,
                "Message format v0/v1 is not supported; use record batches (magic 2)");
  }
  auto metrics = admin::TopicMetricsFor(services.metrics, topic);
  auto info = leader.partition->AppendAsLeader(records, now);
  if (!info.ok()) {
    metrics.bytes_rejected.Increment(static_cast<uint64_t>(records.size()));
    metrics.failed_produce_requests.Increment();
    return fail(AppendErrorCode(info.status()), info.status().message());
  }
  metrics.bytes_in.Increment(static_cast<uint64_t>(records.size()));
  metrics.messages_in.Increment(
      static_cast<double>(info->last_offset.value() - info->first_offset.value() + 1));
  out.base_offset = info->first_offset.value();
  out.log_append_time_ms = info->log_append_time.value();
  out.log_start_offset = info->log_start_offset.value();
  services.purgatory.CheckAndComplete(PartitionKey(topic, data.index));
  return out;
}

}  // namespace

void RegisterProduce(ApiRegistry& registry, BrokerServices& services) {
  registry.RegisterMaybeSilent<kafka::ProduceRequest, kafka::ProduceResponse>(
      "Produce", [&services](const RequestContext&, kafka::ProduceRequest request,
                             std::function<void(MaybeSilentReply<kafka::ProduceResponse>)> respond) {
        kafka::ProduceResponse response;
        const bool valid_acks = request.acks == -1 || request.acks == 0 || request.acks == 1;
        const TimestampMs now = NowMs();
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
            topic_response.partition_responses.push_back(
                AppendOne(services, topic.name, partition, now));
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
        respond({std::move(response), ""});
      });
}

}  // namespace sluice::server

#include "broker/server/handlers/list_offsets.h"

#include <chrono>
#include <set>

#include "broker/server/errors.h"
#include "broker/server/handlers/partition_lookup.h"
#include "libs/kafka/messages/list_offsets.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

constexpr int64_t kLatestTimestamp = -1;
constexpr int64_t kEarliestTimestamp = -2;

kafka::ListOffsetsResponse::ListOffsetsPartitionResponse ListOne(
    BrokerServices& services, const std::string& topic,
    const kafka::ListOffsetsRequest::ListOffsetsPartition& p, int16_t version) {
  kafka::ListOffsetsResponse::ListOffsetsPartitionResponse out;
  out.partition_index = p.partition_index;
  LeaderLookup leader =
      LookupLeader(services, topic, p.partition_index, version >= 4 ? p.current_leader_epoch : -1);
  if (leader.error != ErrorCode::kNone) {
    out.error_code = kafka::Code(leader.error);
    return out;
  }
  storage::Log& log = leader.partition->log();
  const Offset hw = log.HighWatermark();
  out.leader_epoch = leader.partition->leader_epoch();
  std::optional<int64_t> offset;
  int64_t timestamp = -1;
  if (p.timestamp == kLatestTimestamp) {
    offset = hw.value();
  } else if (p.timestamp == kEarliestTimestamp) {
    offset = log.LogStartOffset().value();
  } else if (p.timestamp < 0) {
    out.error_code = kafka::Code(ErrorCode::kInvalidRequest);  // no other special timestamps
    return out;
  } else {
    auto found = log.OffsetForTimestamp(TimestampMs(p.timestamp));
    if (!found.ok()) {
      out.error_code = kafka::Code(ReadErrorCode(found.status()));
      return out;
    }
    // Records at or past the high watermark are not yet committed: as if absent.
    if (*found && (*found)->offset < hw) {
      offset = (*found)->offset.value();
      timestamp = (*found)->timestamp.value();
    }
  }
  if (version == 0) {
    // v0 answers a list of offsets (at most max_num_offsets); one suffices for every client.
    if (offset && p.max_num_offsets > 0) out.old_style_offsets.push_back(*offset);
    return out;
  }
  out.offset = offset.value_or(-1);
  out.timestamp = offset ? timestamp : -1;
  if (!offset) out.leader_epoch = -1;
  return out;
}

}  // namespace

void RegisterListOffsets(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<kafka::ListOffsetsRequest, kafka::ListOffsetsResponse>(
      "ListOffsets", [&services](const RequestContext& ctx, kafka::ListOffsetsRequest request,
                                 std::function<void(kafka::ListOffsetsResponse)> respond) {
        kafka::ListOffsetsResponse response;
        for (const auto& topic : request.topics) {
          auto& topic_response = response.topics.emplace_back();
          topic_response.name = topic.name;
          std::set<int32_t> seen;
          for (const auto& p : topic.partitions) {
            if (!seen.insert(p.partition_index).second) {
              // Kafka answers a partition named twice with INVALID_REQUEST.
              auto& dup = topic_response.partitions.emplace_back();
              dup.partition_index = p.partition_index;
              dup.error_code = kafka::Code(ErrorCode::kInvalidRequest);
              continue;
            }
            topic_response.partitions.push_back(ListOne(services, topic.name, p, ctx.api_version));
          }
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

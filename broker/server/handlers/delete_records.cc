#include "broker/server/handlers/delete_records.h"

#include <chrono>

#include "broker/server/errors.h"
#include "broker/server/handlers/partition_lookup.h"
#include "libs/base/clock.h"
#include "libs/kafka/messages/delete_records.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::DeleteRecordsRequest;
using Response = kafka::DeleteRecordsResponse;

namespace {

// DeleteRecords' "up to the high watermark" offset.
constexpr int64_t kHighWatermark = -1;

Response::DeleteRecordsPartitionResult DeleteFromPartition(
    BrokerServices& services, const std::string& topic,
    const Request::DeleteRecordsPartition& request) {
  Response::DeleteRecordsPartitionResult result;
  result.partition_index = request.partition_index;
  result.low_watermark = -1;
  auto fail = [&result](ErrorCode code) {
    result.error_code = kafka::Code(code);
    return result;
  };
  LeaderLookup leader = LookupLeader(services, topic, request.partition_index, -1);
  if (leader.error != ErrorCode::kNone) return fail(leader.error);

  storage::Log& log = leader.partition->log();
  int64_t offset = request.offset;
  if (offset == kHighWatermark) offset = log.HighWatermark().value();
  if (offset < 0) return fail(ErrorCode::kOffsetOutOfRange);
  auto start = log.DeleteRecordsBefore(Offset(offset), WallClockNow());
  if (!start.ok()) return fail(ReadErrorCode(start.status()));
  result.low_watermark = start->value();
  result.error_code = kafka::Code(ErrorCode::kNone);
  return result;
}

void Handle(BrokerServices& services, Request request, std::function<void(Response)> respond) {
  Response response;
  for (const auto& topic : request.topics) {
    auto& topic_result = response.topics.emplace_back();
    topic_result.name = topic.name;
    for (const auto& partition : topic.partitions) {
      topic_result.partitions.push_back(DeleteFromPartition(services, topic.name, partition));
    }
  }
  respond(std::move(response));
}

}  // namespace

void RegisterDeleteRecords(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "DeleteRecords",
      [&services](const RequestContext&, Request request, std::function<void(Response)> respond) {
        Handle(services, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server

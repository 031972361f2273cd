#include "broker/server/handlers/offset_for_leader_epoch.h"

#include "broker/server/handlers/partition_lookup.h"
#include "libs/kafka/messages/offset_for_leader_epoch.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::OffsetForLeaderEpochRequest;
using Response = kafka::OffsetForLeaderEpochResponse;

namespace {

// ListOffsetsRequest.DEBUGGING_REPLICA_ID: may be answered by a follower too.
constexpr int32_t kDebuggingReplicaId = -2;

}  // namespace

void RegisterOffsetForLeaderEpoch(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "OffsetForLeaderEpoch", [&services](const RequestContext& ctx, Request request,
                                          std::function<void(Response)> respond) {
        const int16_t version = ctx.api_version;
        // Before v3 there is no ReplicaId: only followers sent this request then.
        const int32_t replica_id = version >= 3 ? request.replica_id : 0;
        Response response;
        for (const auto& topic : request.topics) {
          auto& topic_out = response.topics.emplace_back();
          topic_out.topic = topic.topic;
          for (const auto& p : topic.partitions) {
            auto& out = topic_out.partitions.emplace_back();
            out.partition = p.partition;
            LeaderLookup replica = LookupReplica(
                services, topic.topic, p.partition, version >= 2 ? p.current_leader_epoch : -1,
                /*require_leader=*/replica_id != kDebuggingReplicaId);
            if (replica.error != ErrorCode::kNone) {
              out.error_code = kafka::Code(replica.error);
              continue;
            }
            auto [epoch, end_offset] = replica.partition->EndOffsetForEpoch(p.leader_epoch);
            out.leader_epoch = epoch;
            out.end_offset = end_offset.value();
          }
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

#include "broker/server/handlers/stop_replica.h"

#include <Poco/Logger.h>

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::StopReplicaRequest;
using Response = kafka::StopReplicaResponse;

std::vector<std::tuple<storage::TopicPartition, int32_t, bool>> StopReplicaPartitions(
    const Request& request, int16_t version) {
  std::vector<std::tuple<storage::TopicPartition, int32_t, bool>> out;
  if (version == 0) {
    for (const auto& p : request.ungrouped_partitions) {
      out.emplace_back(storage::TopicPartition{p.topic_name, PartitionId(p.partition_index)}, -1,
                       request.delete_partitions);
    }
  } else if (version <= 2) {
    for (const auto& t : request.topics) {
      for (int32_t p : t.partition_indexes) {
        out.emplace_back(storage::TopicPartition{t.name, PartitionId(p)}, -1,
                         request.delete_partitions);
      }
    }
  } else {
    for (const auto& t : request.topic_states) {
      for (const auto& p : t.partition_states) {
        out.emplace_back(storage::TopicPartition{t.topic_name, PartitionId(p.partition_index)},
                         p.leader_epoch, p.delete_partition);
      }
    }
  }
  return out;
}

void RegisterStopReplica(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "StopReplica", [&services](const RequestContext& ctx, Request request,
                                 std::function<void(Response)> respond) {
        const auto partitions = StopReplicaPartitions(request, ctx.api_version);
        Response response;
        auto answer_all = [&](ErrorCode error) {
          response.error_code = kafka::Code(error);
          for (const auto& [tp, epoch, del] : partitions) {
            auto& e = response.partition_errors.emplace_back();
            e.topic_name = tp.topic;
            e.partition_index = tp.partition.value();
            e.error_code = kafka::Code(error);
          }
          respond(std::move(response));
        };
        if (IsBrokerEpochStale(services, request.broker_epoch)) {
          Poco::Logger::get("state-change")
              .warning(
                  "Received StopReplica with broker epoch %?d older than the current %?d "
                  "from controller %d: ignored",
                  request.broker_epoch, services.broker_epoch(),
                  static_cast<int>(request.controller_id));
          return answer_all(ErrorCode::kStaleBrokerEpoch);
        }
        replication::StopReplicaResult result = services.replicas.StopReplicas(
            request.controller_id, request.controller_epoch, partitions);
        if (result.error != ErrorCode::kNone) return answer_all(result.error);
        for (const auto& [tp, epoch, del] : partitions) {
          auto& e = response.partition_errors.emplace_back();
          e.topic_name = tp.topic;
          e.partition_index = tp.partition.value();
          auto it = result.partitions.find(tp);
          e.error_code = kafka::Code(it == result.partitions.end() ? ErrorCode::kNone : it->second);
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

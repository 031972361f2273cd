#include "broker/server/handlers/leader_and_isr.h"

#include <Poco/Logger.h>

#include <map>

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::LeaderAndIsrRequest;
using Response = kafka::LeaderAndIsrResponse;

namespace {

Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

replication::LeaderAndIsrPartitionState FromWire(const std::string& topic,
                                                 const Request::LeaderAndIsrPartitionState& p) {
  replication::LeaderAndIsrPartitionState out;
  out.tp = {topic, PartitionId(p.partition_index)};
  out.controller_epoch = p.controller_epoch;
  out.leader = p.leader;
  out.leader_epoch = p.leader_epoch;
  out.isr = p.isr;
  out.zk_version = p.zk_version;
  out.replicas = p.replicas;
  out.adding_replicas = p.adding_replicas;
  out.removing_replicas = p.removing_replicas;
  out.is_new = p.is_new;
  return out;
}

// The response with `error` for the request and for every partition (Kafka's
// LeaderAndIsrRequest.getErrorResponse), or each partition's own code from `per_partition`.
Response BuildResponse(const Request& request, int16_t version,
                       const std::vector<replication::LeaderAndIsrPartitionState>& partitions,
                       ErrorCode error,
                       const std::map<storage::TopicPartition, ErrorCode>& per_partition) {
  Response response;
  response.error_code = kafka::Code(error);
  std::map<std::string, kafka::Uuid> topic_ids;
  for (const auto& t : request.topic_states) topic_ids[t.topic_name] = t.topic_id;
  std::map<std::string, size_t> topic_index;  // v5: position in response.topics
  for (const auto& p : partitions) {
    Response::LeaderAndIsrPartitionError e;
    e.topic_name = p.tp.topic;
    e.partition_index = p.tp.partition.value();
    ErrorCode code = error;
    if (code == ErrorCode::kNone) {
      auto it = per_partition.find(p.tp);
      // A partition the replica manager did not mention was not acted on: Kafka's answer for
      // partitions it skips is STALE_CONTROLLER_EPOCH.
      code = it == per_partition.end() ? ErrorCode::kStaleControllerEpoch : it->second;
    }
    e.error_code = kafka::Code(code);
    if (version < 5) {
      response.partition_errors.push_back(std::move(e));
      continue;
    }
    auto [it, inserted] = topic_index.try_emplace(p.tp.topic, response.topics.size());
    if (inserted) {
      auto& topic = response.topics.emplace_back();
      topic.topic_id = topic_ids[p.tp.topic];
    }
    response.topics[it->second].partition_errors.push_back(std::move(e));
  }
  return response;
}

}  // namespace

std::vector<replication::LeaderAndIsrPartitionState> LeaderAndIsrPartitions(const Request& request,
                                                                            int16_t version) {
  std::vector<replication::LeaderAndIsrPartitionState> out;
  if (version < 2) {
    for (const auto& p : request.ungrouped_partition_states)
      out.push_back(FromWire(p.topic_name, p));
    return out;
  }
  for (const auto& topic : request.topic_states) {
    for (const auto& p : topic.partition_states) out.push_back(FromWire(topic.topic_name, p));
  }
  return out;
}

void RegisterLeaderAndIsr(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>("LeaderAndIsr", [&services](
                                                           const RequestContext& ctx,
                                                           Request request,
                                                           std::function<void(Response)> respond) {
    const int16_t version = ctx.api_version;
    const auto partitions = LeaderAndIsrPartitions(request, version);
    if (IsBrokerEpochStale(services, request.broker_epoch)) {
      StateChangeLog().warning(
          "Received LeaderAndIsr with broker epoch %?d older than the current %?d from "
          "controller %d: ignored",
          request.broker_epoch, services.broker_epoch(), static_cast<int>(request.controller_id));
      return respond(BuildResponse(request, version, partitions, ErrorCode::kStaleBrokerEpoch, {}));
    }
    std::vector<replication::BrokerAddress> live_leaders;
    for (const auto& l : request.live_leaders) {
      live_leaders.push_back({l.broker_id, l.host_name, l.port});
    }
    replication::LeaderAndIsrResult result = services.replicas.BecomeLeaderOrFollower(
        request.controller_id, request.controller_epoch, partitions, live_leaders);
    respond(BuildResponse(request, version, partitions, result.error, result.partitions));
  });
}

}  // namespace sluice::server

#include "broker/server/handlers/update_metadata.h"

#include <Poco/Logger.h>

#include "broker/admin/broker_metrics.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::UpdateMetadataRequest;
using Response = kafka::UpdateMetadataResponse;

namespace {

Poco::Logger& StateChangeLog() { return Poco::Logger::get("state-change"); }

// Kafka's SecurityProtocol ids.
std::string SecurityProtocolName(int16_t id) {
  switch (id) {
    case 0:
      return "PLAINTEXT";
    case 1:
      return "SSL";
    case 2:
      return "SASL_PLAINTEXT";
    case 3:
      return "SASL_SSL";
    default:
      return "UNKNOWN_" + std::to_string(id);
  }
}

PartitionMetadata FromWire(const Request::UpdateMetadataPartitionState& p) {
  PartitionMetadata out;
  out.partition = p.partition_index;
  out.leader = p.leader;
  out.leader_epoch = p.leader_epoch;
  out.replicas = p.replicas;
  out.isr = p.isr;
  out.offline_replicas = p.offline_replicas;
  return out;
}

}  // namespace

MetadataUpdate ToMetadataUpdate(const Request& request, int16_t version) {
  MetadataUpdate update;
  update.controller_id = request.controller_id;
  for (const auto& b : request.live_brokers) {
    const std::optional<std::string> rack = version >= 2 ? b.rack : std::nullopt;
    if (version == 0) {
      update.live_brokers.push_back({BrokerId(b.id), "PLAINTEXT", b.v0_host, b.v0_port, rack});
      continue;
    }
    for (const auto& e : b.endpoints) {
      const std::string listener =
          version >= 3 ? e.listener : SecurityProtocolName(e.security_protocol);
      update.live_brokers.push_back({BrokerId(b.id), listener, e.host, e.port, rack});
    }
  }
  if (version < 5) {
    for (const auto& p : request.ungrouped_partition_states) {
      update.partitions.push_back({p.topic_name, std::nullopt, FromWire(p)});
    }
    return update;
  }
  const kafka::Uuid zero{};
  for (const auto& topic : request.topic_states) {
    std::optional<kafka::Uuid> id;
    if (version >= 7 && topic.topic_id != zero) id = topic.topic_id;
    for (const auto& p : topic.partition_states) {
      update.partitions.push_back({topic.topic_name, id, FromWire(p)});
    }
  }
  return update;
}

void RegisterUpdateMetadata(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "UpdateMetadata", [&services](const RequestContext& ctx, Request request,
                                    std::function<void(Response)> respond) {
        Response response;
        if (IsBrokerEpochStale(services, request.broker_epoch)) {
          StateChangeLog().warning(
              "Received UpdateMetadata with broker epoch %?d older than the current %?d from "
              "controller %d: ignored",
              request.broker_epoch, services.broker_epoch(),
              static_cast<int>(request.controller_id));
          response.error_code = kafka::Code(ErrorCode::kStaleBrokerEpoch);
          return respond(std::move(response));
        }
        if (!services.replicas.AcceptControllerEpoch(request.controller_epoch)) {
          StateChangeLog().warning(
              "Received UpdateMetadata from controller %d with epoch %d older than the newest "
              "seen (%d): ignored",
              static_cast<int>(request.controller_id), static_cast<int>(request.controller_epoch),
              static_cast<int>(services.replicas.controller_epoch()));
          response.error_code = kafka::Code(ErrorCode::kStaleControllerEpoch);
          return respond(std::move(response));
        }
        MetadataUpdate update = ToMetadataUpdate(request, ctx.api_version);
        const size_t partitions = update.partitions.size();
        for (const std::string& topic : services.metadata.Apply(update)) {
          admin::RemoveTopicMetrics(services.metrics, topic);
          StateChangeLog().information("Topic %s is gone from the metadata cache", topic);
        }
        if (services.fence) {
          services.fence->OnControllerMetadata(request.broker_epoch, services.broker_epoch());
        }
        StateChangeLog().debug(
            "Applied UpdateMetadata from controller %d epoch %d: %?d brokers, "
            "%?d partition states",
            static_cast<int>(request.controller_id), static_cast<int>(request.controller_epoch),
            static_cast<int64_t>(update.live_brokers.size()), static_cast<int64_t>(partitions));
        respond(std::move(response));
      });
}

}  // namespace sluice::server

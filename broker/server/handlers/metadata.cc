#include "broker/server/handlers/metadata.h"

#include <algorithm>
#include <optional>
#include <set>

#include "broker/metadata/kafka_zk_client.h"
#include "libs/kafka/messages/metadata.h"

namespace sluice::server {

using kafka::ErrorCode;

namespace {

kafka::MetadataResponse::MetadataResponseTopic DescribeTopic(const TopicMetadata& topic,
                                                             const std::set<int32_t>& live) {
  kafka::MetadataResponse::MetadataResponseTopic out;
  out.name = topic.name;
  out.topic_id = topic.topic_id;
  out.is_internal = topic.is_internal;
  for (const auto& [index, p] : topic.partitions) {
    auto& partition = out.partitions.emplace_back();
    partition.partition_index = index;
    partition.leader_epoch = p.leader_epoch;
    partition.replica_nodes = p.replicas;
    partition.isr_nodes = p.isr;
    // The controller names replicas on dead brokers or offline log dirs (UpdateMetadata v4+);
    // a replica whose broker has no endpoint on this listener is offline to this client too.
    std::set<int32_t> offline(p.offline_replicas.begin(), p.offline_replicas.end());
    for (int32_t r : p.replicas) {
      if (!live.count(r)) offline.insert(r);
    }
    for (int32_t r : p.replicas) {
      if (offline.count(r)) partition.offline_replicas.push_back(r);
    }
    // Kafka's MetadataCache: a leader that is not a live broker is no leader to the client.
    const bool leader_live = p.leader >= 0 && live.count(p.leader);
    partition.leader_id = leader_live ? p.leader : -1;
    partition.error_code =
        kafka::Code(leader_live ? ErrorCode::kNone : ErrorCode::kLeaderNotAvailable);
  }
  return out;
}

}  // namespace

void RegisterMetadata(ApiRegistry& registry, BrokerServices& services) {
  registry.RegisterMaybeSilent<kafka::MetadataRequest, kafka::MetadataResponse>(
      "Metadata",
      [&services](const RequestContext& ctx, kafka::MetadataRequest request,
                  std::function<void(MaybeSilentReply<kafka::MetadataResponse>)> reply) {
        // A broker that may have lost its ZooKeeper session (leadership_fence.h) is out of the
        // cluster as far as the controller is concerned and gets no UpdateMetadata: its cache
        // may name it leader of partitions that moved. Answering "no leader" is not enough,
        // because clients keep asking the broker they are connected to (librdkafka does), so
        // they would never learn the new leader. Closing the connection sends them to another
        // broker; they reconnect here once the fence is down.
        if (std::optional<std::string> fenced = LeadershipFenced(services)) {
          return reply({std::nullopt, "metadata may be stale (" + *fenced +
                                          "): closing so the client asks another broker"});
        }
        auto respond = [&reply](kafka::MetadataResponse response) {
          reply({std::move(response), ""});
        };
        const int16_t version = ctx.api_version;
        kafka::MetadataResponse response;
        std::set<int32_t> live;
        for (const BrokerEndpoint& b : services.metadata.brokers()) {
          // Each broker is described by its endpoint on the listener this request came in on.
          if (b.listener != ctx.connection.listener_name && !ctx.connection.listener_name.empty()) {
            continue;
          }
          if (!live.insert(b.id.value()).second) continue;
          auto& broker = response.brokers.emplace_back();
          broker.node_id = b.id.value();
          broker.host = b.host;
          broker.port = b.port;
          broker.rack = b.rack;
        }
        response.cluster_id = services.metadata.cluster_id();
        response.controller_id = services.metadata.controller_id();

        // v0: an empty list means every topic; v1+: null means every topic.
        const bool all_topics = !request.topics || (version == 0 && request.topics->empty());
        if (all_topics) {
          for (const TopicMetadata& topic : services.metadata.topics()) {
            response.topics.push_back(DescribeTopic(topic, live));
          }
          return respond(std::move(response));
        }
        const bool may_create = (version < 4 || request.allow_auto_topic_creation) &&
                                services.config.auto_create_topics_enable;
        std::set<std::string> seen;
        for (const auto& requested : *request.topics) {
          const std::string name = requested.name.value_or("");
          if (!seen.insert(name).second) continue;
          if (auto topic = services.metadata.topic(name)) {
            response.topics.push_back(DescribeTopic(*topic, live));
            continue;
          }
          auto& out = response.topics.emplace_back();
          out.name = name;
          if (!metadata::ValidateTopicName(name).ok()) {
            out.error_code = kafka::Code(ErrorCode::kInvalidTopicException);
            continue;
          }
          if (!may_create) {
            out.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
            continue;
          }
          NewTopic topic;
          topic.name = name;
          auto [error, created] = services.topics.CreateTopic(topic, /*validate_only=*/false);
          // Created now (or concurrently by someone else): the client retries until leaders
          // exist. Any other failure is reported as Kafka does for auto-creation.
          out.error_code = kafka::Code(error.ok() || error.code == ErrorCode::kTopicAlreadyExists
                                           ? ErrorCode::kLeaderNotAvailable
                                           : (error.code == ErrorCode::kInvalidReplicationFactor
                                                  ? ErrorCode::kInvalidReplicationFactor
                                                  : ErrorCode::kUnknownTopicOrPartition));
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

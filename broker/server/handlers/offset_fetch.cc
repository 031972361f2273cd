#include "broker/server/handlers/offset_fetch.h"

#include <map>

#include "libs/kafka/messages/offset_fetch.h"

namespace sluice::server {

void RegisterOffsetFetch(ApiRegistry& registry, group::GroupCoordinator& coordinator) {
  registry.Register<kafka::OffsetFetchRequest, kafka::OffsetFetchResponse>(
      "OffsetFetch", [&coordinator](const RequestContext& ctx, kafka::OffsetFetchRequest request,
                                    std::function<void(kafka::OffsetFetchResponse)> respond) {
        const int16_t version = ctx.api_version;
        std::optional<std::vector<group::TopicPartitions>> wanted;
        if (request.topics) {
          wanted.emplace();
          for (auto& t : *request.topics) {
            wanted->push_back({std::move(t.name), std::move(t.partition_indexes)});
          }
        }
        group::OffsetFetchResult result = coordinator.FetchOffsets(request.group_id, wanted);
        kafka::OffsetFetchResponse response;
        if (result.error != kafka::ErrorCode::kNone) {
          if (version >= 2) {
            response.error_code = kafka::Code(result.error);
            return respond(std::move(response));
          }
          // v0-1 have no group-level error: every requested partition carries it.
          result.partitions.clear();
          if (wanted) {
            for (const auto& t : *wanted) {
              for (int32_t p : t.partitions) {
                result.partitions.push_back({t.topic, p, -1, -1, "", result.error});
              }
            }
          }
        }
        std::map<std::string, size_t> topic_index;
        for (auto& p : result.partitions) {
          auto [it, added] = topic_index.try_emplace(p.topic, response.topics.size());
          if (added) response.topics.emplace_back().name = p.topic;
          auto& out = response.topics[it->second].partitions.emplace_back();
          out.partition_index = p.partition;
          out.committed_offset = p.offset;
          out.committed_leader_epoch = p.leader_epoch;
          out.metadata = std::move(p.metadata);
          out.error_code = kafka::Code(p.error);
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

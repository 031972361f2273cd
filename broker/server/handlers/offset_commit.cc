#include "broker/server/handlers/offset_commit.h"

#include <chrono>
#include <map>

#include "libs/kafka/messages/offset_commit.h"

namespace sluice::server {

using kafka::ErrorCode;

void RegisterOffsetCommit(ApiRegistry& registry, BrokerServices& services,
                          group::GroupCoordinator& coordinator) {
  registry.Register<kafka::OffsetCommitRequest, kafka::OffsetCommitResponse>(
      "OffsetCommit",
      [&services, &coordinator](const RequestContext& ctx, kafka::OffsetCommitRequest request,
                                std::function<void(kafka::OffsetCommitResponse)> respond) {
        const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        group::OffsetCommitParams params;
        params.group_id = request.group_id;
        params.member_id = request.member_id;
        params.group_instance_id = request.group_instance_id;
        params.generation_id = ctx.api_version >= 1 ? request.generation_id : -1;
        // Kafka's KafkaApis: RetentionTimeMs (v2-4) other than -1 gives the offsets their own
        // expiry; CommitTimestamp (v1) other than -1 replaces the broker's clock.
        const std::optional<int64_t> expire =
            request.retention_time_ms == -1
                ? std::nullopt
                : std::optional<int64_t>(now + request.retention_time_ms);
        std::map<std::pair<std::string, int32_t>, ErrorCode> errors;
        for (const auto& topic : request.topics) {
          for (const auto& p : topic.partitions) {
            if (!services.metadata.partition(topic.name, p.partition_index)) {
              errors[{topic.name, p.partition_index}] = ErrorCode::kUnknownTopicOrPartition;
              continue;
            }
            group::CommittedOffset offset;
            offset.offset = p.committed_offset;
            offset.leader_epoch = p.committed_leader_epoch;
            offset.metadata = p.committed_metadata.value_or("");
            offset.commit_timestamp_ms = p.commit_timestamp == -1 ? now : p.commit_timestamp;
            offset.expire_timestamp_ms = expire;
            params.partitions.push_back({topic.name, p.partition_index, std::move(offset)});
          }
        }
        // Answered once the coordinator has the verdict on the commit (after the ISR
        // replicated it), from whichever thread delivers it.
        auto answer = [request = std::move(request), respond = std::move(respond)](
                          std::map<std::pair<std::string, int32_t>, ErrorCode> errors) {
          kafka::OffsetCommitResponse response;
          for (const auto& topic : request.topics) {
            auto& out = response.topics.emplace_back();
            out.name = topic.name;
            for (const auto& p : topic.partitions) {
              auto& part = out.partitions.emplace_back();
              part.partition_index = p.partition_index;
              auto it = errors.find({topic.name, p.partition_index});
              part.error_code =
                  kafka::Code(it == errors.end() ? ErrorCode::kUnknownServerError : it->second);
            }
          }
          respond(std::move(response));
        };
        if (params.partitions.empty()) return answer(std::move(errors));
        coordinator.CommitOffsets(params, [errors = std::move(errors), answer = std::move(answer)](
                                              std::vector<group::PartitionError> results) mutable {
          for (const auto& e : results) errors[{e.topic, e.partition}] = e.error;
          answer(std::move(errors));
        });
      });
}

}  // namespace sluice::server

#include "broker/server/handlers/offset_delete.h"

#include <map>

#include "libs/kafka/messages/offset_delete.h"

namespace sluice::server {

using kafka::ErrorCode;

void RegisterOffsetDelete(ApiRegistry& registry, BrokerServices& services,
                          group::GroupCoordinator& coordinator) {
  registry.Register<kafka::OffsetDeleteRequest, kafka::OffsetDeleteResponse>(
      "OffsetDelete",
      [&services, &coordinator](const RequestContext&, kafka::OffsetDeleteRequest request,
                                std::function<void(kafka::OffsetDeleteResponse)> respond) {
        std::map<std::pair<std::string, int32_t>, ErrorCode> errors;
        std::vector<group::TopicPartitions> known;
        for (const auto& topic : request.topics) {
          group::TopicPartitions tp{topic.name, {}};
          for (const auto& p : topic.partitions) {
            if (!services.metadata.partition(topic.name, p.partition_index)) {
              errors[{topic.name, p.partition_index}] = ErrorCode::kUnknownTopicOrPartition;
            } else {
              tp.partitions.push_back(p.partition_index);
            }
          }
          if (!tp.partitions.empty()) known.push_back(std::move(tp));
        }
        const group::OffsetDeleteResult result = coordinator.DeleteOffsets(request.group_id, known);
        kafka::OffsetDeleteResponse response;
        response.error_code = kafka::Code(result.error);
        if (result.error != ErrorCode::kNone) return respond(std::move(response));
        for (const auto& e : result.partitions) errors[{e.topic, e.partition}] = e.error;
        for (const auto& topic : request.topics) {
          auto& out = response.topics.emplace_back();
          out.name = topic.name;
          for (const auto& p : topic.partitions) {
            auto& part = out.partitions.emplace_back();
            part.partition_index = p.partition_index;
            auto it = errors.find({topic.name, p.partition_index});
            part.error_code = kafka::Code(it == errors.end() ? ErrorCode::kNone : it->second);
          }
        }
        respond(std::move(response));
      });
}

}  // namespace sluice::server

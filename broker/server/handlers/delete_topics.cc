#include "broker/server/handlers/delete_topics.h"

#include <chrono>
#include <memory>

#include "libs/kafka/messages/delete_topics.h"

namespace sluice::server {

using kafka::ErrorCode;
using Request = kafka::DeleteTopicsRequest;
using Response = kafka::DeleteTopicsResponse;

namespace {

// v0-2 predate TOPIC_DELETION_DISABLED: Kafka answers them INVALID_REQUEST instead.
constexpr int16_t kDeletionDisabledCodeVersion = 3;
// v6 names topics by name or by id (Request::topics); older versions by name only.
constexpr int16_t kTopicIdVersion = 6;

const kafka::Uuid kZeroUuid{};

struct Target {
  std::optional<std::string> name;
  kafka::Uuid topic_id;
};

std::vector<Target> Targets(const Request& request, int16_t version) {
  std::vector<Target> out;
  if (version >= kTopicIdVersion) {
    for (const auto& t : request.topics) out.push_back({t.name, t.topic_id});
  } else {
    for (const auto& name : request.topic_names) out.push_back({name, kZeroUuid});
  }
  return out;
}

std::optional<std::string> TopicNameForId(const MetadataCache& metadata, const kafka::Uuid& id) {
  for (const auto& topic : metadata.topics()) {
    if (topic.topic_id == id) return topic.name;
  }
  return std::nullopt;
}

void SetError(Response::DeletableTopicResult& result, ErrorCode code, std::string message) {
  result.error_code = kafka::Code(code);
  result.error_message = std::move(message);
}

void Handle(BrokerServices& services, const RequestContext& ctx, Request request,
            std::function<void(Response)> respond) {
  auto response = std::make_shared<Response>();
  std::vector<size_t> marked;  // indexes of the results whose topics were marked for deletion
  for (const Target& target : Targets(request, ctx.api_version)) {
    auto& result = response->responses.emplace_back();
    result.name = target.name;
    result.topic_id = target.topic_id;
    if (target.name && target.topic_id != kZeroUuid) {
      SetError(result, ErrorCode::kInvalidRequest,
               "You may not specify both topic name and topic id.");
      continue;
    }
    if (!target.name) {
      result.name = TopicNameForId(services.metadata, target.topic_id);
      if (!result.name) {
        SetError(result, ErrorCode::kUnknownTopicId, "This server does not know the topic id.");
        continue;
      }
    } else if (auto known = services.metadata.topic(*target.name)) {
      result.topic_id = known->topic_id;
    }
    if (!services.config.delete_topic_enable && ctx.api_version < kDeletionDisabledCodeVersion) {
      SetError(result, ErrorCode::kInvalidRequest,
               "Topic deletion is disabled (delete.topic.enable=false).");
      continue;
    }
    TopicError error = services.topics.DeleteTopic(*result.name);
    if (!error.ok()) {
      SetError(result, error.code, error.message);
      continue;
    }
    marked.push_back(response->responses.size() - 1);
  }

  if (marked.empty()) return respond(std::move(*response));
  if (request.timeout_ms <= 0) {
    // As Kafka: the deletion goes ahead, but the client asked not to wait for it.
    for (size_t i : marked) {
      SetError(response->responses[i], ErrorCode::kRequestTimedOut,
               "Not waiting for the deletion to complete (TimeoutMs <= 0).");
    }
    return respond(std::move(*response));
  }
  std::vector<std::string> names;
  for (size_t i : marked) names.push_back(*response->responses[i].name);
  MetadataCache& metadata = services.metadata;
  services.topics.WhenTopicsGone(
      std::move(names), std::chrono::milliseconds(request.timeout_ms),
      [response, marked, &metadata, respond = std::move(respond)](bool all_gone) {
        if (!all_gone) {
          for (size_t i : marked) {
            auto& result = response->responses[i];
            if (metadata.topic(*result.name)) {
              SetError(result, ErrorCode::kRequestTimedOut,
                       "Timed out waiting for topic '" + *result.name + "' to be deleted.");
            }
          }
        }
        respond(std::move(*response));
      });
}

}  // namespace

void RegisterDeleteTopics(ApiRegistry& registry, BrokerServices& services) {
  registry.Register<Request, Response>(
      "DeleteTopics", [&services](const RequestContext& ctx, Request request,
                                  std::function<void(Response)> respond) {
        Handle(services, ctx, std::move(request), std::move(respond));
      });
}

}  // namespace sluice::server
